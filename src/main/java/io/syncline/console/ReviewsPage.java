package io.syncline.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.DeleteReviewsResource;
import io.syncline.api.DriftResource;
import io.syncline.api.WriteChecksResource;
import io.syncline.http.ProblemException;
import io.syncline.intake.InboundSyncs;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;

/**
 * What waits for a person's decision or attention, on one page: deletions held for review (with
 * what they would delete, to approve or reject), records the connected app no longer holds as
 * written (to repair), and source fields that drifted from the mappings.
 */
@Path("/console/reviews")
@Produces(MediaType.TEXT_HTML)
public class ReviewsPage {

    private static final String API = "/api/delete-reviews";
    private static final int SHOWN = 20;

    private final Console console;
    private final DeleteReviewsResource reviews;
    private final WriteChecksResource checks;
    private final DriftResource drift;
    private final SyncRegistry polls;
    private final InboundSyncs inbound;
    private final OutboundSyncs outbound;
    private final Template page;

    public ReviewsPage(Console console, DeleteReviewsResource reviews, WriteChecksResource checks, DriftResource drift,
            SyncRegistry polls, InboundSyncs inbound, OutboundSyncs outbound,
            @Location("console/reviews.html") Template page) {
        this.console = console;
        this.reviews = reviews;
        this.checks = checks;
        this.drift = drift;
        this.polls = polls;
        this.inbound = inbound;
        this.outbound = outbound;
        this.page = page;
    }

    @GET
    @SuppressWarnings("unchecked")
    public TemplateInstance show(@Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        List<Map<String, Object>> pending = new ArrayList<>();
        for (Object r : (List<Object>) Console.call(() -> reviews.list(null, null, "pending")).get("reviews")) {
            Map<String, Object> review = new LinkedHashMap<>((Map<String, Object>) r);
            List<Object> records = (List<Object>) Console.call(() -> reviews.get(((Number) review.get("id")).longValue()))
                    .get("records");
            review.put("ids", records.stream().limit(SHOWN).map(x -> String.valueOf(((Map<?, ?>) x).get("id"))).toList());
            review.put("more", ((Number) review.get("deletes")).longValue() > SHOWN);
            pending.add(review);
        }
        List<Map<String, Object>> writes = new ArrayList<>();
        for (OutboundSync s : outbound.all()) {
            Map<String, Object> found = Console.call(() -> checks.list(s.integration(), s.name(), null, null));
            Map<String, Object> health = (Map<String, Object>) found.get("health");
            if (((Number) health.get("checked")).longValue() == 0) {
                continue;
            }
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("integration", s.integration());
            w.put("sync", s.name());
            w.put("health", health);
            w.put("problems", ((List<Map<String, Object>>) found.get("checks")).stream()
                    .filter(k -> !"match".equals(k.get("result"))).limit(SHOWN).map(ReviewsPage::problem).toList());
            writes.add(w);
        }
        List<Object> drifted = new ArrayList<>();
        List<String[]> syncs = new ArrayList<>();
        polls.all().forEach(p -> syncs.add(new String[] { p.integration(), p.name() }));
        inbound.names().stream().filter(n -> polls.find(n[0], n[1]).isEmpty()).forEach(syncs::add);
        for (String[] s : syncs) {
            drifted.addAll((List<Object>) Console.call(() -> drift.drift(s[0], null, s[1])).get("drift"));
        }
        return Console.page(page, viewer, "reviews", "Needs a decision", uri).data("pending", pending)
                .data("writes", writes).data("drift", drifted);
    }

    private static Map<String, Object> problem(Map<String, Object> k) {
        Map<String, Object> p = new LinkedHashMap<>(k);
        p.put("shown", k.get("differences") == null ? "" : JsonText.pretty(k.get("differences")));
        return p;
    }

    /** Approves or rejects a delete review through the API. */
    @POST
    @Path("/{id}/{decision:approve|reject}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("id") long id, @PathParam("decision") String decision,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, API, token);
        try {
            if (decision.equals("approve")) {
                Map<String, Object> done = reviews.approve(id);
                return Console.back("/console/reviews", "Approved review " + id + ": deleted " + done.get("deleted")
                        + " records.");
            }
            reviews.reject(id);
            return Console.back("/console/reviews", "Rejected review " + id + "; nothing was deleted.");
        } catch (ProblemException e) {
            return Console.failed("/console/reviews", e.problem().detail());
        }
    }

    /** Repairs a write check through the API: the written record is queued again. */
    @POST
    @Path("/checks/{id}/repair")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response repair(@PathParam("id") long id, @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/api/write-checks", token);
        try {
            checks.repair(id);
        } catch (ProblemException e) {
            return Console.failed("/console/reviews", e.problem().detail());
        }
        return Console.back("/console/reviews", "Queued the written record of check " + id + " again.");
    }
}
