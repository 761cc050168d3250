package io.syncline.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.FlowResource;
import io.syncline.api.RecordsResource;
import io.syncline.connection.Connections;
import io.syncline.intake.InboundSyncs;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.schedule.SyncRegistry;
import io.syncline.store.Database;
import io.syncline.twoway.IdentityMap;

/**
 * The changes feed of one model at one connection, read through the records API, and one
 * record with its identity-map entry and its latest writes. Records hold only what the mapping
 * let through, so nothing here can show a field the mapping left out.
 */
@Path("/console/records")
@TemplateData(target = IdentityMap.Link.class)
@Produces(MediaType.TEXT_HTML)
public class RecordsPage {

    private static final String API = "/records";

    /** The feed query as the form shows it again. */
    @TemplateData
    public record Query(String connection, String model, String filter, String modifiedAfter) {
    }

    /** One field as both sides last agreed it. */
    @TemplateData
    public record Agreed(String field, String value, String side, String at, boolean confirmed) {
    }

    private final Console console;
    private final RecordsResource api;
    private final FlowResource flowApi;
    private final Connections connections;
    private final SyncRegistry polls;
    private final InboundSyncs inbound;
    private final OutboundSyncs outbound;
    private final IdentityMap identities;
    private final Database db;
    private final Template list;
    private final Template one;

    public RecordsPage(Console console, RecordsResource api, FlowResource flowApi, Connections connections,
            SyncRegistry polls, InboundSyncs inbound, OutboundSyncs outbound, IdentityMap identities, Database db,
            @Location("console/records.html") Template list, @Location("console/record.html") Template one) {
        this.console = console;
        this.api = api;
        this.flowApi = flowApi;
        this.connections = connections;
        this.polls = polls;
        this.inbound = inbound;
        this.outbound = outbound;
        this.identities = identities;
        this.db = db;
        this.list = list;
        this.one = one;
    }

    /** @param connection integration and connection id as {@code integration/connection} */
    @GET
    public TemplateInstance list(@QueryParam("connection") String connection, @QueryParam("model") String model,
            @QueryParam("filter") String filter, @QueryParam("modified_after") String modifiedAfter,
            @QueryParam("cursor") String cursor, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Map<String, String> models = models();
        List<String> choices = connections.list(null).stream()
                .map(c -> c.providerConfigKey() + "/" + c.connectionId()).toList();
        Query q = new Query(connection == null ? "" : connection, model == null ? "" : model,
                filter == null ? "" : filter, modifiedAfter == null ? "" : modifiedAfter);
        Map<String, Object> page = null;
        if (!q.connection().isBlank() && !q.model().isBlank()) {
            String[] pc = split(q.connection());
            page = read(Console.call(() -> api.list(pc[1], pc[0], q.model(), Console.blank(cursor),
                    Console.blank(q.modifiedAfter()), null, "50", Console.blank(q.filter()), null)));
        }
        return Console.page(list, viewer, "records", "Records", uri).data("q", q).data("connections", choices)
                .data("models", models.keySet()).data("page", page)
                .data("rows", page == null ? List.of() : rows(page, models.getOrDefault(q.model(), "id")))
                .data("columns", page == null ? List.of() : columns(page, models.getOrDefault(q.model(), "id")))
                .data("filters", List.of("added", "updated", "deleted"));
    }

    @GET
    @Path("/{integration}/{connection}/{model}/{id}")
    public TemplateInstance one(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("model") String model, @PathParam("id") String id,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Map<String, Object> page = read(Console.call(() -> api.list(connection, integration, model, null, null, null,
                "1", null, List.of(id))));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) page.get("records");
        if (records.isEmpty()) {
            throw new Console.Refusal(404, "There is no " + model + " '" + id + "' at " + integration + "/" + connection
                    + ".");
        }
        Map<String, Object> record = new LinkedHashMap<>(records.get(0));
        Object meta = record.remove("_sync_metadata");
        Optional<IdentityMap.Link> link = db.inTransaction(c -> identities.byRemote(c,
                new IdentityMap.Scope(integration, connection, model), id));
        List<Agreed> agreed = new ArrayList<>();
        link.ifPresent(l -> l.agreed().forEach((field, s) -> agreed.add(new Agreed(field, JsonText.pretty(s.value()),
                s.side() == null ? "" : s.side().toString().toLowerCase(), s.at(), s.agreed()))));
        agreed.sort(Comparator.comparing(Agreed::field));
        return Console.page(one, viewer, "records", model + " " + id, uri).data("integration", integration)
                .data("connection", connection).data("model", model).data("id", id)
                .data("payload", JsonText.pretty(record)).data("meta", meta)
                .data("fields", record.entrySet().stream().map(e -> {
                    String v = e.getValue() == null ? "—" : e.getValue() instanceof String str ? str
                            : JsonText.pretty(e.getValue());
                    return Map.of("name", e.getKey(), "value", v, "block", v.contains("\n"));
                }).toList()).data("link", link.orElse(null))
                .data("agreed", agreed).data("writes", writes(integration, connection, model, id,
                        link.map(IdentityMap.Link::localId).orElse(null)));
    }

    /** The record's latest writes, found by either side's id, newest first. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> writes(String integration, String connection, String model, String remoteId,
            String localId) {
        Map<Object, Map<String, Object>> byId = new TreeMap<>(Comparator.comparingLong(
                o -> -((Number) o).longValue()));
        for (Map<String, Object> w : (List<Map<String, Object>>) flowApi.list(null, integration, connection, model,
                null, remoteId, null, null, null, null, null, "200").get("writes")) {
            byId.put(w.get("id"), w);
        }
        if (localId != null && !localId.startsWith(IdentityMap.UNLINKED)) {
            for (Map<String, Object> w : (List<Map<String, Object>>) flowApi.list(null, integration, connection, model,
                    localId, null, null, null, null, null, null, "200").get("writes")) {
                byId.put(w.get("id"), w);
            }
        }
        return byId.values().stream().limit(20).toList();
    }

    /** Every model a mapping declares, with its key field. */
    private Map<String, String> models() {
        Map<String, String> out = new TreeMap<>();
        polls.all().forEach(s -> out.put(s.model(), s.mapping().keyField()));
        outbound.all().forEach(s -> out.put(s.model(), s.mapping().keyField()));
        for (String[] n : inbound.names()) {
            inbound.find(n[0], n[1]).ifPresent(i -> out.put(i.mapping().model(), i.mapping().keyField()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> page, String keyField) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) page.get("records")) {
            Map<String, Object> fields = new LinkedHashMap<>(r);
            Map<String, Object> meta = (Map<String, Object>) fields.remove("_sync_metadata");
            Object id = fields.get(keyField);
            List<String> cells = columns(page, keyField).stream().map(f -> cell(fields.get(f))).toList();
            rows.add(Map.of("id", String.valueOf(id), "meta", meta, "summary", summary(fields), "cells", cells));
        }
        return rows;
    }

    /** The fields a page's records carry, key first, at most {@value #COLUMNS}: the table's columns. */
    @SuppressWarnings("unchecked")
    private static List<String> columns(Map<String, Object> page, String keyField) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) page.get("records")) {
            r.keySet().stream().filter(k -> !k.equals("_sync_metadata") && !k.equals(keyField)).forEach(names::add);
        }
        return names.stream().limit(COLUMNS).toList();
    }

    private static final int COLUMNS = 8;

    /** One field's value in a cell: text as it is, anything else as compact JSON, cut at 60 characters. */
    private static String cell(Object v) {
        String text = v == null ? "" : v instanceof String s ? s : JsonText.pretty(v).replaceAll("\\s+", " ");
        return text.length() > 60 ? text.substring(0, 57) + "…" : text;
    }

    private static String summary(Map<String, Object> fields) {
        String text = JsonText.pretty(fields).replaceAll("\\s+", " ");
        return text.length() > 160 ? text.substring(0, 157) + "…" : text;
    }

    private static String[] split(String connection) {
        int slash = connection.indexOf('/');
        if (slash <= 0 || slash == connection.length() - 1) {
            throw new Console.Refusal(400, "Choose a connection as integration/connection.");
        }
        return new String[] {connection.substring(0, slash), connection.substring(slash + 1)};
    }

    private static Map<String, Object> read(String json) {
        Map<String, Object> page = JsonText.object(json);
        if (page == null) {
            throw new IllegalStateException("the records API answered something that is not a JSON object");
        }
        return page;
    }
}
