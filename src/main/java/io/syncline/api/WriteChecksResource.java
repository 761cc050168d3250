package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.http.ProblemException;
import io.syncline.outbound.WriteChecks;

/**
 * Reconciliation of writes: whether the connected app still holds what each outbound sync wrote
 * (the match rate and health of a sync, the records that differ with both values), a check of
 * every written record on demand, and the repair of one difference.
 */
@Path("/api/write-checks")
@Produces(MediaType.APPLICATION_JSON)
public class WriteChecksResource {

    private final WriteChecks checks;
    private final Caller caller;

    public WriteChecksResource(WriteChecks checks, Caller caller) {
        this.checks = checks;
        this.caller = caller;
    }

    @RegisterForReflection
    public record Run(@JsonProperty("provider_config_key") String providerConfigKey, String sync,
            @JsonProperty("connection_id") String connectionId) {
    }

    /** The sync's health and the newest check of each record (differences first; filter by result). */
    @GET
    public Map<String, Object> list(@QueryParam("provider_config_key") String integration, @QueryParam("sync") String sync,
            @QueryParam("connection_id") String connectionId, @QueryParam("result") String result) {
        if (integration == null || integration.isBlank() || sync == null || sync.isBlank()) {
            throw ProblemException.badRequest("provider_config_key and sync are required");
        }
        caller.requireScope(ApiKeys.RECORDS_READ, "write checks (they show record contents)");
        caller.requireWithin(integration, connectionId);
        WriteChecks.Health h = checks.health(integration, sync, connectionId);
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("checked", h.checked());
        health.put("matched", h.matched());
        health.put("match_rate", h.matchRate());
        health.put("status", h.status());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("health", health);
        out.put("checks", checks.latest(integration, sync, connectionId, result).stream().map(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", k.id());
            m.put("connection_id", k.connectionId());
            m.put("record_id", k.recordId());
            m.put("remote_id", k.remoteId());
            m.put("result", k.result());
            m.put("differences", k.differences());
            m.put("checked_at", k.checkedAt().toString());
            m.put("repair_write_id", k.repairWriteId());
            return m;
        }).toList());
        return out;
    }

    /** Reads back every record the sync wrote (to one connection, or all), in the background. */
    @POST
    @Path("/run")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response run(Run body) {
        if (body == null || body.providerConfigKey() == null || body.sync() == null) {
            throw ProblemException.badRequest("provider_config_key and sync are required");
        }
        caller.requireWithin(body.providerConfigKey(), body.connectionId());
        checks.checkAll(body.providerConfigKey(), body.sync(), body.connectionId());
        return Response.accepted(Map.of("status", "started")).build();
    }

    /** Queues the written payload again, once per check. */
    @POST
    @Path("/{id}/repair")
    public Map<String, Object> repair(@PathParam("id") long id) {
        WriteChecks.Check k = checks.find(id).orElseThrow(() -> ProblemException.notFound("no write check " + id));
        caller.requireWithin(k.integration(), k.connectionId());
        return Map.of("id", id, "status", "queued", "write_id", checks.repair(id));
    }
}
