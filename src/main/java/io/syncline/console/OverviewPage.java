package io.syncline.console;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.health.api.HealthGroup;
import io.syncline.api.FlowResource;
import io.syncline.api.RunsResource;
import io.syncline.api.SyncResource;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.intake.InboundSyncs;
import io.syncline.operate.StaleSyncCheck;
import io.syncline.operate.SyncLag;
import io.syncline.outbound.CircuitBreakers;
import io.syncline.outbound.FlowLog;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;
import io.syncline.schedule.SyncState;
import io.syncline.store.ChangesFeed;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.syncline.webhook.Deliveries;

/**
 * The first page: every sync and connection with its status, so the person on call sees what
 * is broken first; and each sync's page, with its runs, its controls and where it is declared.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class OverviewPage {

    /** One sync at one connection, as the overview shows it. */
    @TemplateData
    public record Row(String kind, String integration, String sync, String connection, String status, String lastRun,
            String nextRun, String counts, long deadLetters, long conflicts, String spark, String link, String reason) {
    }

    /** A control on a scheduled sync's page. */
    @TemplateData
    public record Action(String name, String label, String hint) {
    }

    private static final List<Action> ACTIONS = List.of(
            new Action("trigger", "Run now", "Runs from the checkpoint, as the schedule would"),
            new Action("reset", "Run with reset",
                    "Runs from no checkpoint; stored records are kept, so unchanged ones stay unchanged"),
            new Action("pause", "Pause", "Stops scheduled runs for this connection"),
            new Action("resume", "Resume", "Lets scheduled runs go on"));

    private final Console console;
    private final SyncRegistry polls;
    private final OutboundSyncs outbound;
    private final InboundSyncs inbound;
    private final Connections connections;
    private final SyncState state;
    private final SyncLag lag;
    private final StaleSyncCheck staleness;
    private final CircuitBreakers breakers;
    private final FlowLog flow;
    private final Database db;
    private final SyncResource syncApi;
    private final RunsResource runsApi;
    private final FlowResource flowApi;
    private final Template overview;
    private final Template detail;
    private final Deliveries deliveries;

    public OverviewPage(Console console, SyncRegistry polls, OutboundSyncs outbound, InboundSyncs inbound,
            Connections connections, SyncState state, SyncLag lag,
            @HealthGroup("syncs") StaleSyncCheck staleness, CircuitBreakers breakers,
            FlowLog flow, Database db, SyncResource syncApi, RunsResource runsApi, FlowResource flowApi,
            @Location("console/overview.html") Template overview, @Location("console/sync.html") Template detail,
            Deliveries deliveries) {
        this.deliveries = deliveries;
        this.console = console;
        this.polls = polls;
        this.outbound = outbound;
        this.inbound = inbound;
        this.connections = connections;
        this.state = state;
        this.lag = lag;
        this.staleness = staleness;
        this.breakers = breakers;
        this.flow = flow;
        this.db = db;
        this.syncApi = syncApi;
        this.runsApi = runsApi;
        this.flowApi = flowApi;
        this.overview = overview;
        this.detail = detail;
    }

    @GET
    public TemplateInstance overview(@Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, "/api/runs");
        List<Row> rows = rows(null, null);
        long failing = rows.stream().filter(r -> r.status().equals("failing") || r.status().equals("stale")
                || r.status().equals("review")).count();
        return Console.page(overview, viewer, "overview", "Overview", uri).data("rows", rows).data("failing", failing);
    }

    @GET
    @Path("/syncs/{integration}/{name}")
    public TemplateInstance sync(@PathParam("integration") String integration, @PathParam("name") String name,
            @QueryParam("connection") String connection, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, "/api/runs");
        List<Row> rows = rows(integration, name);
        if (rows.isEmpty() && polls.find(integration, name).isEmpty() && outbound.find(integration, name).isEmpty()
                && inbound.find(integration, name).isEmpty()) {
            throw new Console.Refusal(404, "There is no sync '" + name + "' in integration '" + integration + "'.");
        }
        boolean scheduled = polls.find(integration, name).isPresent();
        Object runs = scheduled
                ? Console.call(() -> runsApi.list(integration, Console.blank(connection), name, null, "50").get("runs"))
                : List.of();
        String lastHour = iso(RecordStore.now().minusHours(1));
        Object writes = scheduled ? List.of() : Console.call(() -> flowApi.list(name, integration,
                Console.blank(connection), null, null, null, null, null, lastHour, null, null, "50").get("writes"));
        return Console.page(detail, viewer, "overview", name, uri).data("integration", integration).data("name", name)
                .data("connection", connection).data("rows", rows).data("scheduled", scheduled).data("runs", runs)
                .data("writes", writes).data("actions", ACTIONS)
                .data("source", SyncSources.of(integration, name).orElse(null));
    }

    /** Trigger, trigger with reset, pause or resume one connection of a scheduled sync, through the sync API. */
    @POST
    @Path("/syncs/{integration}/{name}/{action}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response control(@PathParam("integration") String integration, @PathParam("name") String name,
            @PathParam("action") String action, @FormParam("connection_id") String connectionId,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/sync/" + action, token);
        String back = "/console/syncs/" + Console.encode(integration) + "/" + Console.encode(name);
        SyncResource.Control target = new SyncResource.Control(integration, Console.blank(connectionId), List.of(name),
                new SyncResource.Opts(action.equals("reset"), false), null, null, null);
        try {
            switch (action) {
                case "trigger", "reset" -> syncApi.trigger(target);
                case "pause" -> syncApi.pause(target);
                case "resume" -> syncApi.start(target);
                default -> throw new Console.Refusal(404, "There is no action '" + action + "'.");
            }
        } catch (ProblemException e) {
            return Console.failed(back, e.problem().detail());
        }
        String who = connectionId == null || connectionId.isBlank() ? "every connection" : connectionId;
        return Console.back(back, switch (action) {
            case "trigger" -> "Started a run for " + who + ".";
            case "reset" -> "Started a run from no checkpoint for " + who + ".";
            case "pause" -> "Paused for " + who + ".";
            default -> "Resumed for " + who + ".";
        });
    }

    /** A scoped resync of one connection: listed record ids, or a modified-time window, through the sync API. */
    @POST
    @Path("/syncs/{integration}/{name}/scoped")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response scoped(@PathParam("integration") String integration, @PathParam("name") String name,
            @FormParam("connection_id") String connectionId, @FormParam("ids") String ids,
            @FormParam("modified_after") String after, @FormParam("modified_before") String before,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/sync/trigger", token);
        String back = "/console/syncs/" + Console.encode(integration) + "/" + Console.encode(name);
        Map<String, Object> scope = new HashMap<>();
        if (Console.blank(ids) != null) {
            scope.put("ids", Arrays.stream(ids.split("[,\\s]+")).filter(x -> !x.isBlank()).toList());
        }
        if (Console.blank(after) != null) {
            scope.put("modified_after", after.trim());
        }
        if (Console.blank(before) != null) {
            scope.put("modified_before", before.trim());
        }
        if (scope.isEmpty() || Console.blank(connectionId) == null) {
            return Console.failed(back, "Choose a connection, and give record ids or a modified-time window.");
        }
        try {
            Map<String, Object> answer = syncApi.trigger(new SyncResource.Control(integration, connectionId,
                    List.of(name), null, null, null, scope));
            Map<?, ?> run = ((List<?>) answer.get("runs")).isEmpty() ? Map.of() : (Map<?, ?>) ((List<?>) answer
                    .get("runs")).get(0);
            return Console.back(back + "?connection=" + Console.encode(connectionId), "started".equals(run.get("status"))
                    ? "Started scoped run " + run.get("run_id") + " for " + connectionId + "."
                    : "No scoped run started for " + connectionId + ": " + run.get("status") + " (run "
                            + run.get("run_id") + "); try again when it ends.");
        } catch (ProblemException e) {
            return Console.failed(back, e.problem().detail());
        }
    }

    /** Every sync × connection, or those of one sync. */
    private List<Row> rows(String onlyIntegration, String onlyName) {
        OffsetDateTime now = RecordStore.now();
        Map<String, Long> deadLetters = openCounts("dead_letters");
        Map<String, Long> conflicts = openCounts("conflicts");
        Map<String, long[]> hourly = new HashMap<>();
        Map<String, OffsetDateTime> lastWrite = new HashMap<>();
        long thisHour = now.toEpochSecond() / 3600;
        for (FlowLog.Hourly h : flow.hourly(now.minusHours(24))) {
            String k = key(h.syncName(), h.providerConfigKey(), h.connectionId());
            int slot = (int) (23 - (thisHour - h.hour()));
            if (slot >= 0 && slot < 24) {
                hourly.computeIfAbsent(k, x -> new long[24])[slot] += h.sent();
            }
            lastWrite.merge(k, h.last(), (a, b) -> a.isAfter(b) ? a : b);
        }
        List<Row> rows = new ArrayList<>();
        for (PollSync s : polls.all()) {
            if (matches(s.integration(), s.name(), onlyIntegration, onlyName)) {
                Map<String, SyncLag.Lag> lags = lag.detailed(s);
                for (Connection c : connections.list(s.integration())) {
                    rows.add(pollRow(s, c, now, lags, deadLetters, conflicts));
                }
            }
        }
        for (OutboundSync s : outbound.all()) {
            if (matches(s.integration(), s.name(), onlyIntegration, onlyName)) {
                for (Connection c : connections.list(s.integration())) {
                    String k = key(s.name(), c.providerConfigKey(), c.connectionId());
                    long dl = deadLetters.getOrDefault(k, 0L);
                    boolean open = breakers.openUntil(c.providerConfigKey() + "/" + c.connectionId()) != null;
                    long[] bars = hourly.getOrDefault(k, new long[24]);
                    long sent = Arrays.stream(bars).sum();
                    boolean sql = s.eventTypes().isEmpty();
                    rows.add(new Row(sql ? "sql source" : "events", s.integration(), s.name(), c.connectionId(),
                            open || dl > 0 ? "failing" : "healthy", iso(lastWrite.get(k)),
                            sql ? "on each change" : "on each event", sent + " sent in 24 h", dl,
                            conflicts.getOrDefault(k, 0L),
                            Sparkline.svg(Arrays.stream(bars).boxed().toList(),
                                    "writes sent per hour, last 24 hours"),
                            link(s.integration(), s.name()), open ? "the connection's circuit is open after failed writes"
                                    : dl > 0 ? dl + " writes dead-lettered" : null));
                }
            }
        }
        for (String[] n : inbound.names()) {
            if (polls.find(n[0], n[1]).isEmpty() && matches(n[0], n[1], onlyIntegration, onlyName)) {
                for (Connection c : connections.list(n[0])) {
                    String k = key(n[1], c.providerConfigKey(), c.connectionId());
                    long dl = deadLetters.getOrDefault(k, 0L);
                    List<Deliveries.Refusal> refused = deliveries.refusals(n[0], n[1], c.connectionId());
                    String reason = !refused.isEmpty() ? refused.size() + " signature failures, the last "
                            + Times.at(ChangesFeed.iso(refused.get(0).at().atOffset(java.time.ZoneOffset.UTC))) + ": "
                            + refused.get(0).reason() : dl > 0 ? dl + " deliveries dead-lettered" : null;
                    rows.add(new Row("webhook", n[0], n[1], c.connectionId(), dl > 0 || !refused.isEmpty() ? "failing"
                            : "healthy", deliveries.lastAdmitted(n[0], n[1], c.connectionId())
                                    .map(t -> ChangesFeed.iso(t.atOffset(java.time.ZoneOffset.UTC))).orElse(null),
                            "on each webhook", "", dl, conflicts.getOrDefault(k, 0L), "", link(n[0], n[1]), reason));
                }
            }
        }
        return rows;
    }

    private Row pollRow(PollSync s, Connection c, OffsetDateTime now, Map<String, SyncLag.Lag> lags,
            Map<String, Long> deadLetters, Map<String, Long> conflicts) {
        SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), s.name());
        SyncState.Row row = state.find(pair).orElse(null);
        String k = key(s.name(), c.providerConfigKey(), c.connectionId());
        long dl = deadLetters.getOrDefault(k, 0L);
        List<SyncState.Run> recent = state.runs(c.providerConfigKey(), c.connectionId(), s.name(), Long.MAX_VALUE, 200);
        // the newest finished run says how the sync is doing; a run in progress has no verdict yet
        SyncState.Run last = recent.stream().filter(r -> r.finishedAt() != null).findFirst().orElse(null);
        List<Long> changed = new ArrayList<>();
        for (SyncState.Run r : recent) {
            if (r.startedAt().isBefore(now.minusHours(24))) {
                break;
            }
            changed.add(r.added() + r.updated() + r.deleted());
        }
        Collections.reverse(changed);
        SyncLag.Lag l = lags.get(c.providerConfigKey() + "/" + c.connectionId() + "/" + s.name());
        String status = row != null && row.paused() ? "paused"
                : row != null && row.running(now) ? "running"
                : last != null && "AWAITING_APPROVAL".equals(last.status()) ? "review"
                : last != null && !"SUCCESS".equals(last.status()) || dl > 0 ? "failing"
                : l != null && staleness.stale(l) ? "stale"
                : last == null ? "waiting" : "healthy";
        return new Row("schedule", s.integration(), s.name(), c.connectionId(), status,
                last == null ? null : iso(last.finishedAt()),
                row == null || row.paused() ? null : iso(row.nextRunAt()),
                last == null ? "" : "+" + last.added() + " ~" + last.updated() + " −" + last.deleted(), dl,
                conflicts.getOrDefault(k, 0L), Sparkline.svg(changed, "records changed per run, last 24 hours"),
                link(s.integration(), s.name()), last != null && last.errorType() != null
                        ? last.errorType() + ": " + last.errorDescription()
                        : dl > 0 ? dl + " records dead-lettered" : null);
    }

    /** Open rows of a table with sync_name, provider_config_key and connection_id, counted by those three. */
    private Map<String, Long> openCounts(String table) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sync_name, provider_config_key, connection_id, "
                    + "COUNT(*) FROM " + table + " WHERE status = 'open' "
                    + "GROUP BY sync_name, provider_config_key, connection_id");
                    ResultSet rs = ps.executeQuery()) {
                Map<String, Long> out = new HashMap<>();
                while (rs.next()) {
                    out.put(key(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getLong(4));
                }
                return out;
            }
        });
    }

    private static boolean matches(String integration, String name, String onlyIntegration, String onlyName) {
        return onlyIntegration == null || onlyIntegration.equals(integration) && onlyName.equals(name);
    }

    private static String key(String sync, String providerConfigKey, String connectionId) {
        return sync + "\u0000" + providerConfigKey + "\u0000" + connectionId;
    }

    private static String link(String integration, String name) {
        return "/console/syncs/" + Console.encode(integration) + "/" + Console.encode(name);
    }

    static String iso(OffsetDateTime t) {
        return t == null ? null : ChangesFeed.iso(t);
    }

}
