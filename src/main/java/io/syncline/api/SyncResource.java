package io.syncline.api;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.mapping.ConnectionMappings;
import io.syncline.mapping.FieldError;
import io.syncline.mapping.SyncKey;
import io.syncline.schedule.Frequency;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.RunFailure;
import io.syncline.schedule.Scope;
import io.syncline.schedule.SyncRegistry;
import io.syncline.schedule.SyncState;
import io.syncline.store.ChangesFeed;
import io.syncline.store.RecordStore;

/** Sync control, shaped like Nango's: trigger, start, pause, status, and a per-connection frequency. */
@Path("/sync")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SyncResource {

    private final SyncRegistry registry;
    private final Connections connections;
    private final SyncState state;
    private final PollRunner runner;
    private final RecordStore store;
    private final Caller caller;
    private final ConnectionMappings mappings;

    public SyncResource(SyncRegistry registry, Connections connections, SyncState state, PollRunner runner,
            RecordStore store, Caller caller, ConnectionMappings mappings) {
        this.mappings = mappings;
        this.registry = registry;
        this.connections = connections;
        this.state = state;
        this.runner = runner;
        this.store = store;
        this.caller = caller;
    }

    @RegisterForReflection
    public record Opts(Boolean reset, Boolean emptyCache) {
    }

    @RegisterForReflection
    public record Control(@JsonProperty("provider_config_key") String providerConfigKey,
            @JsonProperty("connection_id") String connectionId, List<String> syncs, Opts opts,
            @JsonProperty("sync_mode") String syncMode, @JsonProperty("full_resync") Boolean fullResync,
            Map<String, Object> scope) {
    }

    @RegisterForReflection
    public record FrequencyUpdate(@JsonProperty("provider_config_key") String providerConfigKey,
            @JsonProperty("connection_id") String connectionId, @JsonProperty("sync_name") String syncName,
            String frequency) {
    }

    @RegisterForReflection
    public record DryRunRequest(@JsonProperty("provider_config_key") String providerConfigKey,
            @JsonProperty("connection_id") String connectionId, String sync, @JsonProperty("max_pages") Integer maxPages) {
    }

    /** Reads a sync's source for one connection and says what would change; stores and writes nothing. */
    @POST
    @Path("/dry-run")
    public PollRunner.DryRun dryRun(DryRunRequest body) {
        if (body == null || body.sync() == null || body.connectionId() == null) {
            throw ProblemException.badRequest("provider_config_key, connection_id and sync are required");
        }
        caller.requireScope(ApiKeys.RECORDS_READ, "a dry run (it shows record contents)");
        Target t = target(new Control(body.providerConfigKey(), body.connectionId(), List.of(body.sync()), null, null,
                null, null));
        int pages = body.maxPages() == null ? 5 : Math.max(1, Math.min(body.maxPages(), 100));
        try {
            return runner.dryRun(t.syncs().get(0), t.connections().get(0), pages);
        } catch (RunFailure f) {
            // the connection's own configuration is a conflict to fix here; anything else is the source's failure
            boolean ours = Set.of("configuration", "credentials_missing", "foreign_origin", "reconnect_needed").contains(f.type());
            throw new ProblemException(Problem.of(ours ? 409 : 502, f.type().replace('_', '-'),
                    ours ? "The connection is not set up for this sync" : "The source failed", f.getMessage()));
        }
    }

    /**
     * Runs the syncs now. {@code reset} restarts from no checkpoint and keeps the records, so
     * change detection still works. Each run has started when this answers: its id is in
     * {@code runs}, to poll at {@code /api/runs/{id}}. A pair that a run already holds answers
     * {@code already_running} with that run's id.
     */
    @POST
    @Path("/trigger")
    public Map<String, Object> trigger(Control body) {
        Target t = target(body);
        boolean reset = body.opts() != null && Boolean.TRUE.equals(body.opts().reset())
                || "full_refresh".equals(body.syncMode()) || Boolean.TRUE.equals(body.fullResync());
        boolean emptyCache = body.opts() != null && Boolean.TRUE.equals(body.opts().emptyCache());
        if (body.connectionId() != null && !body.connectionId().isBlank() && !PollRunner.pollable(t.connections().get(0))) {
            throw new ProblemException(Problem.of(409, "not-configured", "The connection cannot be polled",
                    "connection '" + body.connectionId() + "' has no base_url; set one with PATCH /api/connections/"
                            + body.providerConfigKey() + "/" + body.connectionId()));
        }
        Scope scope = scope(body.scope(), t);
        if (scope != null && (reset || emptyCache)) {
            throw ProblemException.badRequest("scope: a scoped run cannot also reset the sync or empty its cache");
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (PollSync s : t.syncs()) {
            for (Connection c : t.connections()) {
                if (!PollRunner.pollable(c)) {
                    continue;
                }
                if (scope != null) {
                    runs.add(runner.trigger(s, c, "manual", scope));
                    continue;
                }
                SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), s.name());
                state.ensure(pair);
                if (reset) {
                    state.resetCheckpoint(pair);
                }
                if (emptyCache) {
                    store.purge(c.providerConfigKey(), c.connectionId(), s.model());
                }
                runs.add(runner.trigger(s, c, "manual"));
            }
        }
        return Map.of("success", true, "runs", runs);
    }

    /**
     * A trigger's scope: {@code modified_after} and/or {@code modified_before} (ISO-8601 instants),
     * {@code ids} (record keys), {@code field} (a backfill of one mapped field), or {@code all}
     * (the whole sync, as a trigger without scope). Null for a whole run.
     */
    private Scope scope(Map<String, Object> scope, Target t) {
        if (scope == null || scope.isEmpty() || Boolean.TRUE.equals(scope.get("all"))) {
            return null;
        }
        List<FieldError> errors = new ArrayList<>();
        Set<String> known = Set.of("modified_after", "modified_before", "ids", "field", "all");
        scope.keySet().stream().filter(k -> !known.contains(k)).forEach(k -> errors.add(new FieldError("scope." + k,
                "is not a scope; expected one of " + known.stream().sorted().toList())));
        boolean window = scope.containsKey("modified_after") || scope.containsKey("modified_before");
        int kinds = (window ? 1 : 0) + (scope.containsKey("ids") ? 1 : 0) + (scope.containsKey("field") ? 1 : 0);
        if (errors.isEmpty() && kinds != 1) {
            errors.add(new FieldError("scope", "exactly one of a modified window, ids or field is expected"));
        }
        ConnectionsResource.invalidIf(errors);
        if (window) {
            for (PollSync s : t.syncs()) {
                if (s.modifiedField() == null) {
                    errors.add(new FieldError("scope", "sync '" + s.name() + "' declares no modifiedField, so a time "
                            + "window cannot be told; scope it by ids or run it whole"));
                }
            }
            ConnectionsResource.invalidIf(errors);
            return Scope.window(instant(scope, "modified_after"), instant(scope, "modified_before"));
        }
        if (scope.get("ids") != null) {
            if (!(scope.get("ids") instanceof List<?> ids) || ids.isEmpty() || ids.size() > 1000
                    || ids.stream().anyMatch(i -> i == null || i instanceof Map || i instanceof List)) {
                throw ProblemException.badRequest("scope.ids: expected a list of 1 to 1000 record ids");
            }
            return Scope.ids(ids.stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()));
        }
        String field = String.valueOf(scope.get("field"));
        for (PollSync s : t.syncs()) {
            for (Connection c : t.connections()) {
                List<String> fields = mappings.mapping(s.mapping(), new SyncKey(c.providerConfigKey(), s.name(),
                        c.connectionId())).fields().stream().map(io.syncline.mapping.Mapping.Field::name).toList();
                if (!fields.contains(field)) {
                    throw new ProblemException(Problem.of(400, "bad-request", "Bad request", "scope.field: '" + field
                            + "' is not a field of the mapping of " + c.connectionId() + "; expected one of " + fields)
                            .withErrors(List.of(new FieldError("scope.field", "is not a field of the mapping"))));
                }
            }
        }
        return Scope.field(field);
    }

    private static java.time.Instant instant(Map<String, Object> scope, String name) {
        Object v = scope.get(name);
        if (v == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(v.toString());
        } catch (java.time.format.DateTimeParseException e) {
            throw new ProblemException(Problem.of(400, "bad-request", "Bad request", "scope." + name
                    + ": expected an ISO-8601 instant such as 2026-01-31T00:00:00Z, got '" + v + "'")
                    .withErrors(List.of(new FieldError("scope." + name, "is not an ISO-8601 instant"))));
        }
    }

    @POST
    @Path("/start")
    public Map<String, Object> start(Control body) {
        return setPaused(body, false);
    }

    @POST
    @Path("/pause")
    public Map<String, Object> pause(Control body) {
        return setPaused(body, true);
    }

    @PUT
    @Path("/update-connection-frequency")
    public Map<String, Object> frequency(FrequencyUpdate body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        Target t = target(new Control(body.providerConfigKey(), body.connectionId(),
                body.syncName() == null ? null : List.of(body.syncName()), null, null, null, null));
        if (body.connectionId() == null) {
            throw ProblemException.badRequest("connection_id is required");
        }
        Long seconds = null;
        if (body.frequency() != null && !body.frequency().isBlank()) {
            try {
                Duration d = Frequency.parse(body.frequency());
                Duration min = Frequency.minimum();
                if (d.compareTo(min) < 0) {
                    throw new IllegalArgumentException("'" + body.frequency() + "' is shorter than the minimum interval "
                            + min.toSeconds() + "s");
                }
                seconds = d.toSeconds();
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("frequency: " + e.getMessage());
            }
        }
        PollSync s = t.syncs().get(0);
        state.setFrequency(new SyncState.Pair(body.providerConfigKey(), body.connectionId(), s.name()), seconds);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("frequency", seconds == null ? s.frequencyText() : "every " + seconds + "s");
        return out;
    }

    @GET
    @Path("/status")
    public Map<String, Object> status(@QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("syncs") String syncs, @QueryParam("connection_id") String connectionId) {
        if (syncs == null || syncs.isBlank()) {
            throw ProblemException.badRequest("syncs is required: a comma-separated list of sync names, or *");
        }
        List<String> names = syncs.trim().equals("*") ? null : List.of(syncs.split(","));
        Target t = target(new Control(providerConfigKey, connectionId, names, null, null, null, null));
        List<Map<String, Object>> out = new ArrayList<>();
        OffsetDateTime now = RecordStore.now();
        for (PollSync s : t.syncs()) {
            for (Connection c : t.connections()) {
                SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), s.name());
                SyncState.Row row = state.find(pair).orElse(null);
                SyncState.Run last = row == null || row.lastRunId() == null ? null
                        : state.run(row.lastRunId()).orElse(null);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.providerConfigKey() + ":" + c.connectionId() + ":" + s.name());
                m.put("connection_id", c.connectionId());
                m.put("name", s.name());
                m.put("status", row != null && row.running(now) ? "RUNNING"
                        : (row != null && row.paused()) || c.needsReconnect() ? "PAUSED"
                        : last == null ? "STOPPED"
                        // a run whose deletions wait for approval did not finish its work: ERROR, with why
                        : "AWAITING_APPROVAL".equals(last.status()) ? "ERROR" : last.status());
                if (c.needsReconnect()) {
                    m.put("pausedReason", "reconnect_needed: the provider refused the connection's grant ("
                            + c.credential(Connection.RECONNECT_NEEDED) + "); a reconnect session resumes it");
                }
                m.put("type", s.fullRefresh() ? "FULL" : "INCREMENTAL");
                m.put("finishedAt", last == null ? null : ChangesFeed.iso(last.finishedAt()));
                m.put("nextScheduledSyncAt", row == null ? null : ChangesFeed.iso(row.nextRunAt()));
                m.put("frequency", row != null && row.frequencySeconds() != null ? "every " + row.frequencySeconds()
                        + "s" : s.frequencyText());
                m.put("latestResult", last == null ? null : Map.of("added", last.added(), "updated", last.updated(),
                        "deleted", last.deleted()));
                if (last != null && last.errorType() != null) {
                    m.put("error", Map.of("type", last.errorType(), "description",
                            last.errorDescription() == null ? "" : last.errorDescription()));
                }
                m.put("recordCount", Map.of(s.model(), store.countLive(c.providerConfigKey(), c.connectionId(),
                        s.model())));
                m.put("checkpoint", row == null || row.checkpoint().hwm() == null ? null
                        : Map.of("hwm", row.checkpoint().hwm()));
                m.put("skippedSlots", row == null ? 0 : row.skippedSlots());
                out.add(m);
            }
        }
        return Map.of("syncs", out);
    }

    private Map<String, Object> setPaused(Control body, boolean paused) {
        Target t = target(body);
        for (PollSync s : t.syncs()) {
            for (Connection c : t.connections()) {
                state.setPaused(new SyncState.Pair(c.providerConfigKey(), c.connectionId(), s.name()), paused);
            }
        }
        return Map.of("success", true);
    }

    private record Target(List<PollSync> syncs, List<Connection> connections) {
    }

    private Target target(Control body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        if (body.providerConfigKey() == null || body.providerConfigKey().isBlank()) {
            errors.add(new FieldError("provider_config_key", "is required"));
        }
        if (body.syncs() != null && body.syncs().stream().anyMatch(n -> n == null || n.isBlank())) {
            errors.add(new FieldError("syncs", "must be a list of sync names"));
        }
        ConnectionsResource.invalidIf(errors);
        caller.requireWithin(body.providerConfigKey(), body.connectionId() == null || body.connectionId().isBlank()
                ? null : body.connectionId());
        List<PollSync> syncs = body.syncs() == null || body.syncs().isEmpty() ? registry.of(body.providerConfigKey())
                : body.syncs().stream().map(String::trim).map(n -> registry.find(body.providerConfigKey(), n)
                        .orElseThrow(() -> ProblemException.notFound("no sync '" + n + "' in integration '"
                                + body.providerConfigKey() + "'")))
                        .toList();
        if (syncs.isEmpty()) {
            throw ProblemException.notFound("integration '" + body.providerConfigKey() + "' has no polling syncs");
        }
        List<Connection> conns;
        if (body.connectionId() != null && !body.connectionId().isBlank()) {
            conns = List.of(connections.find(body.providerConfigKey(), body.connectionId())
                    .orElseThrow(() -> ProblemException.notFound("no connection '" + body.connectionId()
                            + "' in integration '" + body.providerConfigKey() + "'")));
        } else {
            conns = connections.list(body.providerConfigKey());
        }
        return new Target(syncs, conns);
    }
}
