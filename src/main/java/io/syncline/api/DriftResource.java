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

    public DriftResource(SourceFields fields, Overlays overlays, SyncMappings syncs, Connections connections,
            Caller caller) {
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

    /** Every source field a sync of a connection has delivered, and whether the mapping in force reads it. */
    @GET
    @Path("/fields")
    public Map<String, Object> fields(@QueryParam("provider_config_key") String integration,
            @QueryParam("connection_id") String connectionId, @QueryParam("sync") String sync) {
        if (connectionId == null || connectionId.isBlank()) {
            throw ProblemException.badRequest("connection_id is required");
        }
        SyncKey key = keys(integration, connectionId, sync).get(0);
        Mapping m = overlays.mapping(syncs.base(integration, sync), key);
        return Map.of("fields", fields.fields(key, m).stream().map(f -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("path", f.path());
            v.put("types", f.types());
            v.put("mapped", f.mapped());
            v.put("first_seen_at", f.firstSeenAt().toString());
            v.put("last_seen_at", f.lastSeenAt().toString());
            return v;
        }).toList());
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
