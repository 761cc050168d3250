package io.syncline.api;

import java.util.ArrayList;
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

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.api.DeadLetterReplay;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.store.ChangesFeed;
import io.syncline.store.DeadLetters;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;

/** Dead letters: what needs a person, with the reason and the original payload. */
@Path("/api/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DeadLetters deadLetters;
    private final DeadLetterReplay replay;

    public DeadLettersResource(DeadLetters deadLetters, DeadLetterReplay replay) {
        this.deadLetters = deadLetters;
        this.replay = replay;
    }

    @Parameters({
            @Parameter(name = "status", in = ParameterIn.QUERY,
                    description = "Dead letters with this status; all for every status",
                    schema = @Schema(type = SchemaType.STRING, enumeration = { "open", "replayed", "discarded", "all" },
                            defaultValue = "open")),
            @Parameter(name = "since", in = ParameterIn.QUERY,
                    description = "Only dead letters created at or after this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "until", in = ParameterIn.QUERY,
                    description = "Only dead letters created before this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most entries in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "10000",
                            defaultValue = "100"))
    })
    @GET
    public Map<String, Object> list(@QueryParam("sync") String sync,
            @QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("connection_id") String connectionId, @QueryParam("kind") String kind,
            @QueryParam("status") String status, @QueryParam("reason") String reason,
            @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("after") Long after, @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<DeadLetters.Entry> entries = deadLetters.list(filter(sync, providerConfigKey, connectionId, kind, status,
                reason, since, until, after, n));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dead_letters", entries.stream().map(DeadLettersResource::view).toList());
        out.put("next_after", entries.size() == n ? entries.get(entries.size() - 1).id() : null);
        return out;
    }

    private static DeadLetters.Filter filter(String sync, String providerConfigKey, String connectionId, String kind,
            String status, String reason, String since, String until, Long after, int n) {
        return new DeadLetters.Filter(sync, providerConfigKey, connectionId, kind,
                status == null ? "open" : status.equals("all") ? null : status, reason,
                RecordsResource.time("since", since), RecordsResource.time("until", until), after == null ? 0 : after, n);
    }

    /** Replays one dead letter through the path it failed on. */
    @POST
    @Path("/{id}/replay")
    public Map<String, Object> replay(@PathParam("id") long id) {
        DeadLetters.Entry e = deadLetters.find(id).orElseThrow(() -> ProblemException.notFound("no dead letter " + id));
        try {
            return replay.replay(e);
        } catch (DeadLetterReplay.NotReplayable ex) {
            throw new ProblemException(Problem.of(409, "not-replayable", "Conflict", ex.getMessage()));
        }
    }

    /**
     * Replays every open dead letter that matches the filters (all of them when none is given),
     * at most {@code limit} per call; {@code next_after} continues.
     */
    @Parameters({
            @Parameter(name = "since", in = ParameterIn.QUERY,
                    description = "Only dead letters created at or after this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "until", in = ParameterIn.QUERY,
                    description = "Only dead letters created before this ISO 8601 time with an offset, "
                            + "e.g. 2026-11-21T10:00:00Z",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most entries in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "10000",
                            defaultValue = "100"))
    })
    @POST
    @Path("/replay")
    public Map<String, Object> replayMany(@QueryParam("sync") String sync,
            @QueryParam("provider_config_key") String providerConfigKey,
            @QueryParam("connection_id") String connectionId, @QueryParam("kind") String kind,
            @QueryParam("reason") String reason, @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("after") Long after, @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<DeadLetters.Entry> entries = deadLetters.list(filter(sync, providerConfigKey, connectionId, kind, "open",
                reason, since, until, after, n));
        List<Map<String, Object>> results = new ArrayList<>();
        for (DeadLetters.Entry e : entries) {
            try {
                results.add(replay.replay(e));
            } catch (DeadLetterReplay.NotReplayable ex) {
                results.add(Map.of("id", e.id(), "status", "not_replayable", "detail", ex.getMessage()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("replayed", results.stream().filter(r -> !"not_replayable".equals(r.get("status"))).count());
        out.put("results", results);
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
