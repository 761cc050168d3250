package io.syncline.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.connection.Connection;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.MappingLoader;
import io.syncline.mapping.MappingOverlay;
import io.syncline.mapping.Overlays;
import io.syncline.mapping.SyncKey;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.RunFailure;
import io.syncline.schedule.Scope;

/**
 * A connection's overlay on a sync's mapping: read it with its history, preview it on the
 * connection's real records, save it (a polling sync then backfills, writing only the records
 * whose mapped content changes), revert to a version, or remove it.
 */
@Path("/api/overlays/{integration}/{connection}/{sync}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OverlaysResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Overlays overlays;
    private final SyncMappings syncs;
    private final PollRunner runner;
    private final Caller caller;

    public OverlaysResource(Overlays overlays, SyncMappings syncs, PollRunner runner, Caller caller) {
        this.overlays = overlays;
        this.syncs = syncs;
        this.runner = runner;
        this.caller = caller;
    }

    /**
     * A save or a preview: the overlay, as an object or as the text of a YAML overlay; a note for
     * the history; for a preview, source documents to map (a webhook sync keeps none to re-read).
     */
    @RegisterForReflection
    public record Body(JsonNode overlay, String note, List<Object> documents, Integer maxPages) {
    }

    @RegisterForReflection
    public record Revert(Integer version) {
    }

    @GET
    public Map<String, Object> get(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("sync") String sync) {
        SyncKey key = key(integration, connection, sync);
        syncs.base(integration, sync);
        List<Overlays.Version> history = overlays.history(key);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("overlay", history.isEmpty() ? null : history.get(0).overlay());
        out.put("version", history.isEmpty() ? 0 : history.get(0).version());
        out.put("versions", history.stream().map(OverlaysResource::view).toList());
        return out;
    }

    @PUT
    public Map<String, Object> save(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("sync") String sync, Body body) {
        SyncKey key = key(integration, connection, sync);
        Mapping base = syncs.base(integration, sync);
        Connection c = syncs.connection(key);
        JsonNode overlay = overlay(body);
        if (overlay == null) {
            throw ProblemException.badRequest("overlay is required; DELETE removes an overlay");
        }
        Overlays.Version saved = refused(() -> overlays.save(key, base, overlay, author(), body.note()));
        return saved(key, c, saved);
    }

    @DELETE
    public Map<String, Object> remove(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("sync") String sync) {
        SyncKey key = key(integration, connection, sync);
        Mapping base = syncs.base(integration, sync);
        Connection c = syncs.connection(key);
        return saved(key, c, overlays.save(key, base, null, author(), "removed"));
    }

    @POST
    @Path("/revert")
    public Map<String, Object> revert(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("sync") String sync, Revert body) {
        SyncKey key = key(integration, connection, sync);
        Mapping base = syncs.base(integration, sync);
        Connection c = syncs.connection(key);
        List<Overlays.Version> history = overlays.history(key);
        int to = body != null && body.version() != null ? body.version()
                : history.size() > 1 ? history.get(1).version() : 0;
        if (to == 0 && history.size() <= 1) {
            throw ProblemException.notFound("the overlay of " + key + " has no earlier version to revert to");
        }
        Overlays.Version saved = refused(() -> overlays.revert(key, base, to, author()))
                .orElseThrow(() -> ProblemException.notFound("the overlay of " + key + " has no version " + to));
        return saved(key, c, saved);
    }

    /**
     * What the overlay would do, saving nothing: a polling sync reads its source as a dry run does
     * and says which of the connection's records would change and how; given documents are mapped
     * with the mapping in force and with the overlay, side by side.
     */
    @POST
    @Path("/preview")
    public Map<String, Object> preview(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @PathParam("sync") String sync, Body body) {
        caller.requireScope(ApiKeys.RECORDS_READ, "a preview (it shows record contents)");
        SyncKey key = key(integration, connection, sync);
        Mapping base = syncs.base(integration, sync);
        Connection c = syncs.connection(key);
        Mapping now = overlays.mapping(base, key);
        Mapping next = refused(() -> MappingOverlay.apply(base, overlay(body)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fields", next.fields().stream().map(Mapping.Field::name).toList());
        if (body.documents() != null && !body.documents().isEmpty()) {
            List<Map<String, Object>> records = new ArrayList<>();
            for (Object d : body.documents()) {
                Mapping.Result before = now.apply(d);
                Mapping.Result after = next.apply(d);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", after.externalId());
                r.put("before", before.ok() ? before.record() : null);
                r.put("after", after.ok() ? after.record() : null);
                r.put("changed_fields", changed(before.record(), after.record()));
                r.put("errors", after.ok() ? null : after.errors());
                records.add(r);
            }
            out.put("records", records);
            return out;
        }
        PollSync poll = syncs.poll(integration, sync).orElseThrow(() -> ProblemException.badRequest(
                "sync '" + sync + "' keeps no source documents to re-read; send the documents to preview with"));
        int pages = body.maxPages() == null ? 5 : Math.max(1, Math.min(body.maxPages(), 100));
        try {
            PollRunner.DryRun run = runner.dryRun(poll, c, pages, next);
            out.put("records", run.records());
            out.put("counts", run.counts());
            out.put("complete", run.complete());
        } catch (RunFailure f) {
            throw new ProblemException(Problem.of(502, f.type().replace('_', '-'), "The source failed",
                    f.getMessage()));
        }
        return out;
    }

    private Map<String, Object> saved(SyncKey key, Connection c, Overlays.Version saved) {
        Map<String, Object> out = new LinkedHashMap<>(view(saved));
        // a polling sync re-reads its source and writes only the records whose mapped content changes
        out.put("backfill", syncs.poll(key.integration(), key.sync()).filter(s -> PollRunner.pollable(c))
                .map(s -> runner.trigger(s, c, "manual", Scope.field("overlay version " + saved.version())))
                .orElse(null));
        return out;
    }

    private static List<String> changed(Map<String, Object> before, Map<String, Object> after) {
        List<String> out = new ArrayList<>();
        Map<String, Object> b = before == null ? Map.of() : before;
        Map<String, Object> a = after == null ? Map.of() : after;
        for (String f : a.keySet()) {
            if (!b.containsKey(f) || !java.util.Objects.equals(b.get(f), a.get(f))) {
                out.add(f);
            }
        }
        b.keySet().stream().filter(f -> !a.containsKey(f)).forEach(out::add);
        return out;
    }

    private static JsonNode overlay(Body body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body with 'overlay' is expected");
        }
        JsonNode o = body.overlay();
        if (o != null && o.isTextual()) {
            return refused(() -> MappingOverlay.read(o.asText()));
        }
        return o == null || o.isNull() ? null : o;
    }

    /** A mistake in an overlay: 400 with the field and the reason, as a mapping file's is refused. */
    private static <T> T refused(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (MappingLoader.MappingFileException e) {
            String detail = e.getMessage();
            String field = detail.startsWith("overlay: ") ? detail.substring(9).split(":")[0].trim() : "overlay";
            throw new ProblemException(Problem.of(400, "invalid-overlay", "The overlay does not fit the mapping", detail)
                    .withErrors(List.of(new io.syncline.mapping.FieldError(field, detail))));
        }
    }

    private String author() {
        return caller.principal().map(ApiKeys.Principal::name).orElse("admin");
    }

    private static SyncKey key(String integration, String connection, String sync) {
        return new SyncKey(integration, sync, connection);
    }

    private static Map<String, Object> view(Overlays.Version v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("overlay", v.overlay());
        m.put("author", v.author());
        m.put("note", v.note());
        m.put("created_at", v.at().toString());
        return m;
    }
}
