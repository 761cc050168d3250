package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.syncline.store.ChangesFeed;
import io.syncline.store.DeadLetters;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Dead letters: what needs a person, with the reason and the original payload. */
@Path("/api/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DeadLetters deadLetters;

    public DeadLettersResource(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    public Map<String, Object> list(@QueryParam("sync") String sync,
            @QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("connection_id") String connectionId, @QueryParam("status") String status,
            @QueryParam("after") Long after, @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<DeadLetters.Entry> entries = deadLetters.list(new DeadLetters.Filter(sync, providerConfigKey, connectionId,
                status == null ? "open" : status.equals("all") ? null : status, after == null ? 0 : after, n));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dead_letters", entries.stream().map(DeadLettersResource::view).toList());
        out.put("next_after", entries.size() == n ? entries.get(entries.size() - 1).id() : null);
        return out;
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") long id) {
        return deadLetters.find(id).map(DeadLettersResource::view)
                .orElseThrow(() -> ProblemException.notFound("no dead letter " + id));
    }

    @POST
    @Path("/{id}/discard")
    public Map<String, Object> discard(@PathParam("id") long id) {
        if (!deadLetters.mark(id, "discarded")) {
            get(id);
            throw new ProblemException(Problem.of(409, "conflict", "Conflict", "dead letter " + id + " is not open"));
        }
        return get(id);
    }

    static Map<String, Object> view(DeadLetters.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("kind", e.kind());
        m.put("sync", e.syncName());
        m.put("provider_config_key", e.providerConfigKey());
        m.put("connection_id", e.connectionId());
        m.put("model", e.model());
        m.put("message_id", e.messageId());
        m.put("reason", e.reason());
        m.put("errors", parseOrText(e.errors()));
        m.put("payload", parseOrText(e.payload()));
        m.put("status", e.status());
        m.put("created_at", ChangesFeed.iso(e.createdAt()));
        m.put("updated_at", ChangesFeed.iso(e.updatedAt()));
        return m;
    }

    private static Object parseOrText(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return text;
        }
    }
}
