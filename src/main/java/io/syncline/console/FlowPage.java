package io.syncline.console;

import java.util.List;
import java.util.Map;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.FlowResource;
import io.syncline.outbound.WriteQueue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/**
 * The data-flow log: which write sent which fields of which record where, when, and with what
 * answer. Search by record, destination and time; open a line to see the payload it sent.
 */
@Path("/console/flow")
@Produces(MediaType.TEXT_HTML)
public class FlowPage {

    private static final String API = "/api/flow";

    /** The search as the form shows it again. */
    @TemplateData
    public record Search(String recordId, String remoteId, String destination, String sync, String connectionId,
            String result, String since, String until) {
    }

    private final Console console;
    private final FlowResource api;
    private final WriteQueue writes;
    private final Template list;
    private final Template one;

    public FlowPage(Console console, FlowResource api, WriteQueue writes, @Location("console/flow.html") Template list,
            @Location("console/flow-entry.html") Template one) {
        this.console = console;
        this.api = api;
        this.writes = writes;
        this.list = list;
        this.one = one;
    }

    @GET
    public TemplateInstance search(@QueryParam("record_id") String recordId, @QueryParam("remote_id") String remoteId,
            @QueryParam("destination") String destination, @QueryParam("sync") String sync,
            @QueryParam("connection_id") String connectionId, @QueryParam("result") String result,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("after") Long after,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Search s = new Search(recordId, remoteId, destination, sync, connectionId, result, since, until);
        Map<String, Object> page = Console.call(() -> api.list(Console.blank(sync), null, Console.blank(connectionId),
                null, Console.blank(recordId), Console.blank(remoteId), Console.blank(destination),
                Console.blank(result), Console.blank(since), Console.blank(until), after, "50"));
        return Console.page(list, viewer, "flow", "Data flow", uri).data("page", page).data("s", s)
                .data("results", List.of("sent", "skipped", "retry", "dead"))
                .data("query", uri.getRequestUri().getRawQuery());
    }

    /** One line, and the payload that write sent, while the write is kept and still holds that content. */
    @GET
    @Path("/{id}")
    public TemplateInstance entry(@PathParam("id") long id, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> found = (List<Map<String, Object>>) Console.call(() -> api.list(null, null, null,
                null, null, null, null, null, null, null, id - 1, "1")).get("writes");
        if (found.isEmpty() || ((Number) found.get(0).get("id")).longValue() != id) {
            throw new Console.Refusal(404, "There is no line " + id + " in the data-flow log.");
        }
        Map<String, Object> e = found.get(0);
        String payload = writes.payload(((Number) e.get("write_id")).longValue())
                .filter(p -> p.contentHash() != null && p.contentHash().equals(e.get("content_hash")))
                .map(p -> JsonText.pretty(JsonText.lenient(p.payload()))).orElse(null);
        return Console.page(one, viewer, "flow", "Write " + e.get("write_id") + " at " + e.get("at"), uri)
                .data("e", e).data("payload", payload);
    }
}
