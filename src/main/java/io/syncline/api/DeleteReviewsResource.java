package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.syncline.http.ProblemException;
import io.syncline.schedule.DeleteReviews;

/**
 * Deletions held for review: a full refresh that would delete more than its sync's
 * {@code maxDeleteShare} waits here. Read what it would delete, then approve (exactly those are
 * deleted, if the preview still holds) or reject.
 */
@Path("/api/delete-reviews")
@Produces(MediaType.APPLICATION_JSON)
public class DeleteReviewsResource {

    private static final int SHOWN = 1000;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DeleteReviews reviews;
    private final Caller caller;

    public DeleteReviewsResource(DeleteReviews reviews, Caller caller) {
        this.reviews = reviews;
        this.caller = caller;
    }

    @GET
    public Map<String, Object> list(@QueryParam("provider_config_key") String integration,
            @QueryParam("connection_id") String connectionId, @QueryParam("status") String status) {
        return Map.of("reviews", reviews.list(integration, connectionId, status).stream().map(r -> view(r)).toList());
    }

    /** The review, with the records it would delete (the first 1,000, with their stored content). */
    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") long id) {
        caller.requireScope(ApiKeys.RECORDS_READ, "a delete review (it shows record contents)");
        DeleteReviews.Review r = review(id);
        Map<String, Object> out = view(r);
        out.put("records", reviews.records(r, SHOWN).stream().map(h -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", h.externalId());
            m.put("record", h.payload() == null ? null : tree(h.payload()));
            return m;
        }).toList());
        return out;
    }

    @POST
    @Path("/{id}/approve")
    public Map<String, Object> approve(@PathParam("id") long id) {
        review(id);
        long deleted = reviews.approve(id, by());
        return Map.of("id", id, "status", "approved", "deleted", deleted);
    }

    @POST
    @Path("/{id}/reject")
    public Map<String, Object> reject(@PathParam("id") long id) {
        review(id);
        reviews.reject(id, by());
        return Map.of("id", id, "status", "rejected");
    }

    private DeleteReviews.Review review(long id) {
        DeleteReviews.Review r = reviews.find(id).orElseThrow(() -> ProblemException.notFound("no delete review " + id));
        caller.requireWithin(r.pair().providerConfigKey(), r.pair().connectionId());
        return r;
    }

    private static Object tree(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return payload;
        }
    }

    private String by() {
        return caller.principal().map(ApiKeys.Principal::name).orElse("admin");
    }

    static Map<String, Object> view(DeleteReviews.Review r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("provider_config_key", r.pair().providerConfigKey());
        m.put("connection_id", r.pair().connectionId());
        m.put("sync", r.pair().syncName());
        m.put("model", r.model());
        m.put("deletes", r.deletes());
        m.put("live", r.live());
        m.put("status", r.status());
        m.put("created_at", r.createdAt().toString());
        m.put("decided_at", r.decidedAt() == null ? null : r.decidedAt().toString());
        m.put("decided_by", r.decidedBy());
        return m;
    }
}
