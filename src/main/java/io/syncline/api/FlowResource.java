package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncline.outbound.FlowLog;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;

/** The data-flow log: every write that left Syncline (or was skipped), oldest first, filtered as asked. */
@Path("/api/flow")
@Produces(MediaType.APPLICATION_JSON)
public class FlowResource {

    private final FlowLog flow;

    public FlowResource(FlowLog flow) {
        this.flow = flow;
    }

    @Parameters({
            @Parameter(name = "since", in = ParameterIn.QUERY,
                    description = "Only writes at or after this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "until", in = ParameterIn.QUERY,
                    description = "Only writes before this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most entries in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "10000",
                            defaultValue = "100"))
    })
    @GET
    public Map<String, Object> list(@QueryParam("sync") String sync,
            @QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("connection_id") String connectionId, @QueryParam("model") String model,
            @QueryParam("record_id") String recordId, @QueryParam("remote_id") String remoteId,
            @QueryParam("destination") String destination, @QueryParam("result") String result,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("after") Long after,
            @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<FlowLog.Entry> entries = flow.list(new FlowLog.Filter(sync, providerConfigKey, connectionId, model,
                recordId, remoteId, destination, result, RecordsResource.time("since", since),
                RecordsResource.time("until", until), after == null ? 0 : after, n));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("writes", entries.stream().map(FlowLog::view).toList());
        out.put("next_after", entries.size() == n ? entries.get(entries.size() - 1).id() : null);
        return out;
    }
}
