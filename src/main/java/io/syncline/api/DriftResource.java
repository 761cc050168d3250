package io.syncline.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.Overlays;
import io.syncline.mapping.SourceFields;
import io.syncline.mapping.SyncKey;
import io.syncline.http.Problem;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.RunFailure;
import io.syncline.schedule.SourceClient;
import java.net.URI;
import java.util.Set;

/**
 * Field discovery and drift: the source fields each sync of a connection has delivered (paths
 * and types, never values), and what changed against the mapping in force: fields that appeared
 * and are not mapped, mapped fields that arrive with another type, mapped fields that stopped
 * arriving.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class DriftResource {

    private final SourceFields fields;
    private final Overlays overlays;
    private final SyncMappings syncs;
    private final Connections connections;
    private final Caller caller;
    private final PollRunner runner;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public DriftResource(SourceFields fields, Overlays overlays, SyncMappings syncs, Connections connections,
            Caller caller, PollRunner runner) {
        this.runner = runner;
        this.fields = fields;
        this.overlays = overlays;
        this.syncs = syncs;
        this.connections = connections;
        this.caller = caller;
    }

    /** Drift reports of one sync, for one connection or every connection of the integration. */
    @GET
    @Path("/drift")
    public Map<String, Object> drift(@QueryParam("provider_config_key") String integration,
            @QueryParam("connection_id") String connectionId, @QueryParam("sync") String sync) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SyncKey key : keys(integration, connectionId, sync)) {
            Mapping m = overlays.mapping(syncs.base(integration, sync), key);
            for (SourceFields.Report r : fields.drift(key, m)) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("provider_config_key", key.integration());
                v.put("connection_id", key.connectionId());
                v.put("sync", key.sync());
                v.put("kind", r.kind());
                v.put("path", r.path());
                v.put("type", r.type());
                v.put("previous_type", r.previousType());
                v.put("first_seen_at", r.firstSeenAt().toString());
                v.put("last_seen_at", r.lastSeenAt().toString());
                out.add(v);
            }
        }
        return Map.of("drift", out);
    }

    /**
     * Every source field a sync of a connection has delivered, and whether the mapping in force
     * reads it. With {@code describe=true}, a polling sync that declares {@code fieldsPath} also
     * asks the app for its field descriptions, custom fields included: each field gets its label,
     * and fields described but not delivered yet are listed too ({@code "seen": false}).
     */
    @GET
    @Path("/fields")
    public Map<String, Object> fields(@QueryParam("provider_config_key") String integration,
            @QueryParam("connection_id") String connectionId, @QueryParam("sync") String sync,
            @QueryParam("describe") boolean describe) {
        if (connectionId == null || connectionId.isBlank()) {
            throw ProblemException.badRequest("connection_id is required");
        }
        SyncKey key = keys(integration, connectionId, sync).get(0);
        Mapping m = overlays.mapping(syncs.base(integration, sync), key);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (SourceFields.Field f : fields.fields(key, m)) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("path", f.path());
            v.put("types", f.types());
            v.put("mapped", f.mapped());
            v.put("seen", true);
            v.put("first_seen_at", f.firstSeenAt().toString());
            v.put("last_seen_at", f.lastSeenAt().toString());
            out.put(f.path(), v);
        }
        if (describe) {
            PollSync poll = syncs.poll(integration, sync).filter(p -> p.described() != null).orElseThrow(() ->
                    ProblemException.badRequest("sync '" + sync + "' declares no fieldsPath: its app describes no fields"));
            Set<String> read = SourceFields.paths(m);
            for (Map<String, Object> d : described(poll, syncs.connection(key))) {
                String path = poll.described().sourcePath(String.valueOf(d.get("name")));
                Map<String, Object> v = out.computeIfAbsent(path, p -> {
                    Map<String, Object> unseen = new LinkedHashMap<>();
                    unseen.put("path", p);
                    unseen.put("types", List.of());
                    unseen.put("mapped", SourceFields.mapped(read, p));
                    unseen.put("seen", false);
                    return unseen;
                });
                v.put("name", d.get("name"));
                v.put("label", d.get("label"));
                v.put("described_type", d.get("type"));
            }
        }
        return Map.of("fields", new ArrayList<>(out.values()));
    }

    /** The app's descriptions of its fields: name, label and type of each. */
    private List<Map<String, Object>> described(PollSync poll, Connection c) {
        PollSync.Described d = poll.described();
        String base = c.baseUrl() == null ? "" : c.baseUrl().replaceAll("/+$", "");
        Object body;
        try {
            SourceClient.Page page = runner.client(poll.maxAttempts()).get(c, URI.create(base + d.path()), poll.auth());
            body = JSON.readValue(page.body(), Object.class);
        } catch (RunFailure | java.io.IOException | IllegalArgumentException e) {
            throw new ProblemException(Problem.of(502, "source-failed", "The app did not describe its fields",
                    e.getMessage()));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        if (d.list().read(body, Mapping.JSONPATH) instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> f && f.get(d.name()) != null) {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("name", String.valueOf(f.get(d.name())));
                    v.put("label", f.get(d.label()));
                    v.put("type", f.get("type"));
                    out.add(v);
                }
            }
        }
        return out;
    }

    private List<SyncKey> keys(String integration, String connectionId, String sync) {
        if (integration == null || integration.isBlank() || sync == null || sync.isBlank()) {
            throw ProblemException.badRequest("provider_config_key and sync are required");
        }
        syncs.base(integration, sync);
        caller.requireWithin(integration, connectionId == null || connectionId.isBlank() ? null : connectionId);
        if (connectionId != null && !connectionId.isBlank()) {
            Connection c = syncs.connection(new SyncKey(integration, sync, connectionId));
            return List.of(new SyncKey(integration, sync, c.connectionId()));
        }
        return connections.list(integration).stream().map(c -> new SyncKey(integration, sync, c.connectionId()))
                .toList();
    }
}
