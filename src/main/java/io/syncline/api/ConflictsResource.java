package io.syncline.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.CanonicalJson;
import io.syncline.store.ChangesFeed;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.syncline.twoway.Conflicts;
import io.syncline.twoway.IdentityMap;
import io.syncline.twoway.RecordAgreement;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;

/**
 * Conflicts parked for a person ({@code conflicts: review}). Resolving one picks a side
 * ({@code {"pick":"app"}} or {@code {"pick":"remote"}}) or a value ({@code {"value": ...}}); the
 * choice is written to the connected app and put in the changes feed for your app.
 */
@Path("/api/conflicts")
@Produces(MediaType.APPLICATION_JSON)
public class ConflictsResource {

    private final Conflicts conflicts;
    private final Database db;
    private final OutboundSyncs syncs;
    private final RecordAgreement agreement;
    private final WriteQueue queue;
    private final Writer writer;
    private final RecordStore store;

    public ConflictsResource(Conflicts conflicts, Database db, OutboundSyncs syncs, RecordAgreement agreement,
            WriteQueue queue, Writer writer, RecordStore store) {
        this.conflicts = conflicts;
        this.db = db;
        this.syncs = syncs;
        this.agreement = agreement;
        this.queue = queue;
        this.writer = writer;
        this.store = store;
    }

    @Parameters({
            @Parameter(name = "status", in = ParameterIn.QUERY,
                    description = "Conflicts with this status; all for every status",
                    schema = @Schema(type = SchemaType.STRING, enumeration = { "open", "resolved", "all" },
                            defaultValue = "open")),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most entries in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1", maximum = "10000",
                            defaultValue = "100"))
    })
    @GET
    public Map<String, Object> list(@QueryParam("status") String status, @QueryParam("connection_id") String connectionId,
            @QueryParam("after") Long after, @QueryParam("limit") String limit) {
        int n = RecordsResource.limit(limit);
        List<Conflicts.Entry> entries = conflicts.list(status == null ? "open" : status.equals("all") ? null : status,
                connectionId, after == null ? 0 : after, n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("conflicts", entries.stream().map(ConflictsResource::view).toList());
        out.put("next_after", entries.size() == n ? entries.get(entries.size() - 1).id() : null);
        return out;
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") long id) {
        return conflicts.find(id).map(ConflictsResource::view)
                .orElseThrow(() -> ProblemException.notFound("no conflict " + id));
    }

    @POST
    @Path("/{id}/resolve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> resolve(@PathParam("id") long id, Map<String, Object> body) {
        if (body == null || (body.containsKey("pick") == body.containsKey("value"))) {
            throw ProblemException.badRequest("give exactly one of {\"pick\": \"app\" | \"remote\"} or {\"value\": ...}");
        }
        Object pick = body.get("pick");
        if (pick != null && !pick.equals("app") && !pick.equals("remote")) {
            throw ProblemException.badRequest("pick must be app or remote, not '" + pick + "'");
        }
        boolean[] stored = {false};
        db.inTransaction(c -> {
            Conflicts.Entry e = conflicts.lockOpen(c, id).orElseThrow(() -> conflicts.find(id).isPresent()
                    ? new ProblemException(Problem.of(409, "conflict", "Conflict", "conflict " + id + " is already resolved"))
                    : ProblemException.notFound("no conflict " + id));
            OutboundSync sync = syncs.twoWay(e.providerConfigKey(), e.model()).orElseThrow(() -> new ProblemException(
                    Problem.of(409, "conflict", "Conflict", "no two-way sync of " + e.model() + " at "
                            + e.providerConfigKey() + " is declared any more")));
            Object value = pick == null ? body.get("value") : pick.equals("app") ? e.appValue() : e.remoteValue();
            RecordAgreement.AppChange change = agreement.resolved(c, sync.twoWay(), new IdentityMap.Scope(
                    e.providerConfigKey(), e.connectionId(), e.model()), sync.mapping().keyField(), e.recordId(),
                    e.field(), value);
            stored[0] = change.stored();
            String payload = CanonicalJson.write(change.toWrite());
            queue.enqueue(c, sync.name(), e.providerConfigKey(), e.connectionId(), e.model(), e.recordId(), "upsert",
                    payload, CanonicalJson.sha256(payload));
            conflicts.markResolved(c, id, value);
            return null;
        });
        writer.wake();
        if (stored[0]) {
            store.poke();
        }
        return get(id);
    }

    static Map<String, Object> view(Conflicts.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("sync", e.syncName());
        m.put("provider_config_key", e.providerConfigKey());
        m.put("connection_id", e.connectionId());
        m.put("model", e.model());
        m.put("record_id", e.recordId());
        m.put("field", e.field());
        m.put("app_value", e.appValue());
        m.put("remote_value", e.remoteValue());
        m.put("status", e.status());
        m.put("resolution", e.resolution());
        m.put("created_at", ChangesFeed.iso(e.createdAt()));
        m.put("resolved_at", e.resolvedAt() == null ? null : ChangesFeed.iso(e.resolvedAt()));
        return m;
    }
}
