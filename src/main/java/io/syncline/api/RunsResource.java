package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.syncline.http.ProblemException;
import io.syncline.schedule.SyncState;
import io.syncline.store.ChangesFeed;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;

/** Run history: each run's timing, counts and error, newest first. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {

    private final SyncState state;

    public RunsResource(SyncState state) {
        this.state = state;
    }

    @Parameters({
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most entries in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "10000",
                            defaultValue = "100"))
    })
    @GET
    public Map<String, Object> list(@QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("connection_id") String connectionId, @QueryParam("sync") String sync,
            @QueryParam("before") Long before, @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<SyncState.Run> runs = state.runs(providerConfigKey, connectionId, sync,
                before == null ? Long.MAX_VALUE : before, n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs.stream().map(RunsResource::view).toList());
        out.put("next_before", runs.size() == n ? runs.get(runs.size() - 1).id() : null);
        return out;
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") long id) {
        return state.run(id).map(RunsResource::view).orElseThrow(() -> ProblemException.notFound("no run " + id));
    }

    static Map<String, Object> view(SyncState.Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("provider_config_key", r.pair().providerConfigKey());
        m.put("connection_id", r.pair().connectionId());
        m.put("sync", r.pair().syncName());
        m.put("model", r.model());
        m.put("trigger", r.trigger());
        m.put("status", r.status());
        m.put("full_refresh", r.fullRefresh());
        m.put("started_at", ChangesFeed.iso(r.startedAt()));
        m.put("finished_at", ChangesFeed.iso(r.finishedAt()));
        m.put("counts", Map.of("added", r.added(), "updated", r.updated(), "deleted", r.deleted(), "unchanged",
                r.unchanged(), "failed", r.failed()));
        m.put("pages", r.pages());
        m.put("requests", r.requests());
        m.put("retries", r.retries());
        Map<String, Object> error = new LinkedHashMap<>();
        if (r.errorType() != null) {
            error.put("type", r.errorType());
            error.put("description", r.errorDescription());
        }
        m.put("error", r.errorType() == null ? null : error);
        return m;
    }
}
