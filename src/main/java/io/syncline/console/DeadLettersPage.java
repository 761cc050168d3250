package io.syncline.console;

import java.util.ArrayList;
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
import io.syncline.api.DeadLettersResource;
import io.syncline.http.ProblemException;

/**
 * Dead letters: find them, read the reason and what may be shown of the payload, replay them
 * through the path they failed on, or discard them after saying so twice. Every action is the
 * dead-letter API's own, one letter at a time, so a selection follows the API's rules per letter.
 */
@Path("/console/dead-letters")
@Produces(MediaType.TEXT_HTML)
public class DeadLettersPage {

    private static final String API = "/api/dead-letters";


    private final Console console;
    private final DeadLettersResource api;
    private final PayloadView payloads;
    private final Template list;
    private final Template one;
    private final Template confirm;

    public DeadLettersPage(Console console, DeadLettersResource api, PayloadView payloads,
            @Location("console/dead-letters.html") Template list, @Location("console/dead-letter.html") Template one,
            @Location("console/confirm-discard.html") Template confirm) {
        this.console = console;
        this.api = api;
        this.payloads = payloads;
        this.list = list;
        this.one = one;
        this.confirm = confirm;
    }

    @GET
    public TemplateInstance list(@QueryParam("sync") String sync, @QueryParam("connection_id") String connectionId,
            @QueryParam("kind") String kind, @QueryParam("status") String status, @QueryParam("reason") String reason,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("after") Long after,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Map<String, Object> page = Console.call(() -> api.list(Console.blank(sync), null, Console.blank(connectionId),
                Console.blank(kind), Console.blank(status), Console.blank(reason), Console.blank(since),
                Console.blank(until), after, "50"));
        return Console.page(list, viewer, "dead-letters", "Dead letters", uri).data("page", page)
                .data("f", new Filters(sync, connectionId, kind, status == null ? "open" : status, reason, since,
                        until))
                .data("query", uri.getRequestUri().getRawQuery())
                .data("kinds", List.of("write", "event", "inbound", "notification"))
                .data("statuses", List.of("open", "replayed", "discarded", "all"));
    }

    /** The filters as the form shows them again. */
    @TemplateData
    public record Filters(String sync, String connectionId, String kind, String status, String reason, String since,
            String until) {
    }

    @GET
    @Path("/{id}")
    public TemplateInstance one(@PathParam("id") long id, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        Map<String, Object> letter = Console.call(() -> api.get(id));
        PayloadView.Shown shown = payloads.of((String) letter.get("kind"), (String) letter.get("provider_config_key"),
                (String) letter.get("sync"), letter.get("payload"));
        return Console.page(one, viewer, "dead-letters", "Dead letter " + id, uri).data("d", letter)
                .data("payload", shown);
    }

    /** Replay or discard the ticked letters (or the one on its page). Discarding asks first. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response act(@FormParam("action") String action, @FormParam("id") List<Long> ids,
            @FormParam("confirm") String confirmed, @FormParam("back") String back, @FormParam("token") String token,
            @Context HttpHeaders headers) {
        ConsoleSession.Viewer viewer = console.requireForm(headers, API, token);
        String to = Console.inside(back, "/console/dead-letters", "/console/dead-letters");
        if (ids == null || ids.isEmpty()) {
            return Console.failed(to, "Tick at least one dead letter first.");
        }
        if ("discard".equals(action) && !"yes".equals(confirmed)) {
            List<Map<String, Object>> letters = new ArrayList<>();
            for (Long id : ids) {
                letters.add(Console.call(() -> api.get(id)));
            }
            return Response.ok(Console.page(confirm, viewer, "dead-letters", "Discard " + ids.size()
                    + (ids.size() == 1 ? " dead letter?" : " dead letters?")).data("letters", letters)
                    .data("back", to).render()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
        }
        int done = 0;
        List<String> refused = new ArrayList<>();
        for (Long id : ids) {
            try {
                if ("replay".equals(action)) {
                    api.replay(id);
                } else if ("discard".equals(action)) {
                    api.discard(id);
                } else {
                    return Console.failed(to, "There is no action '" + action + "'.");
                }
                done++;
            } catch (ProblemException e) {
                refused.add(id + ": " + e.problem().detail());
            }
        }
        String verb = "replay".equals(action) ? "Replayed" : "Discarded";
        String notice = verb + " " + done + (done == 1 ? " dead letter." : " dead letters.");
        return refused.isEmpty() ? Console.back(to, notice)
                : Console.failed(to, notice + " Not done: " + String.join("; ", refused));
    }
}
