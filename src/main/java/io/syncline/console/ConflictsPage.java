package io.syncline.console;

import java.util.Collections;
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
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.ConflictsResource;
import io.syncline.http.ProblemException;

/** Conflicts parked for review: both values side by side, resolved by picking a side or typing a value. */
@Path("/console/conflicts")
@Produces(MediaType.TEXT_HTML)
public class ConflictsPage {

    private static final String API = "/api/conflicts";

    private final Console console;
    private final ConflictsResource api;
    private final Template list;
    private final Template one;

    public ConflictsPage(Console console, ConflictsResource api, @Location("console/conflicts.html") Template list,
            @Location("console/conflict.html") Template one) {
        this.console = console;
        this.api = api;
        this.list = list;
        this.one = one;
    }

    @GET
    public TemplateInstance list(@QueryParam("status") String status, @QueryParam("connection_id") String connectionId,
            @QueryParam("after") Long after, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        String s = status == null || status.isBlank() ? "open" : status;
        Map<String, Object> page = Console.call(() -> api.list(s, Console.blank(connectionId), after, "50"));
        return Console.page(list, viewer, "conflicts", "Conflicts", uri).data("page", page).data("status", s)
                .data("connection", connectionId == null ? "" : connectionId)
                .data("statuses", List.of("open", "resolved", "all"));
    }

    @GET
    @Path("/{id}")
    public TemplateInstance one(@PathParam("id") long id, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Map<String, Object> c = Console.call(() -> api.get(id));
        return Console.page(one, viewer, "conflicts", "Conflict " + id, uri).data("c", c)
                .data("app", JsonText.pretty(c.get("app_value"))).data("remote", JsonText.pretty(c.get("remote_value")))
                .data("resolution", JsonText.pretty(c.get("resolution")));
    }

    /**
     * Resolves through the conflicts API. A typed value is read as JSON when it is JSON (a
     * number, true, null, a quoted string), and as text otherwise.
     */
    @POST
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response resolve(@PathParam("id") long id, @FormParam("pick") String pick, @FormParam("value") String value,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, API, token);
        String back = "/console/conflicts/" + id;
        Map<String, Object> body = pick != null && !pick.isBlank() ? Map.of("pick", pick)
                : Collections.singletonMap("value", JsonText.lenient(value));
        try {
            api.resolve(id, body);
        } catch (ProblemException e) {
            return Console.failed(back, e.problem().detail());
        }
        return Console.back(back, "Resolved. The agreed value is being written to the side that did not have it.");
    }
}
