package io.syncline.intake;

import java.util.LinkedHashMap;
import java.util.Map;

import io.syncline.config.TemplateParams;
import io.syncline.connection.Connection;
import io.syncline.mapping.Mapping;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.CanonicalJson;
import io.syncline.store.DeadLetters;
import io.syncline.store.GroupCommit;
import io.syncline.store.IdempotencyKeys;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;
import io.syncline.twoway.IdentityMap;
import io.syncline.twoway.Ownership;
import io.syncline.twoway.RecordAgreement;

/**
 * One event for one outbound sync: mapped and validated, passed through the two-way rules when
 * the sync has them, and queued as a write in the same transaction as its idempotency key
 * (guarantees 1 and 2). An event that cannot be mapped is acknowledged and dead-lettered.
 */
public final class EventIntake {

    /** Exchange headers an event enters the sync's route with. */
    public static final String CONNECTION = "synclineConnection";
    public static final String KEY = "synclineIdempotencyKey";
    public static final String RAW = "synclineRawBody";
    public static final String ANSWER = "synclineAnswer";

    private final String integration;
    private final String name;
    private final Ownership twoWay;
    private final GroupCommit commits = TemplateParams.bean(GroupCommit.class);
    private final WriteQueue queue = TemplateParams.bean(WriteQueue.class);
    private final DeadLetters deadLetters = TemplateParams.bean(DeadLetters.class);
    private final RecordAgreement agreement = TemplateParams.bean(RecordAgreement.class);
    private final Writer writer = TemplateParams.bean(Writer.class);
    private final RecordStore store = TemplateParams.bean(RecordStore.class);

    /** The answer to the sender, and whether the event also changed the stored record (two-way). */
    private record Queued(Map<String, Object> answer, boolean stored) {
    }

    /** For the outbound sync {@code name} of {@code integration}, with its two-way rules or null. */
    public EventIntake(String integration, String name, Ownership twoWay) {
        this.integration = integration;
        this.name = name;
        this.twoWay = twoWay;
    }

    /**
     * Queues one mapped event exactly once per idempotency key: the key, and the write or the
     * event's dead letter, commit in one transaction (guarantees 1 and 2).
     *
     * @return the answer to the sender: status queued, unchanged, dead_lettered or duplicate
     */
    public Map<String, Object> queue(Mapping mapping, Mapping.Result result, Connection conn, String idempotencyKey,
            String raw) {
        String messageId = conn.connectionId() + "/" + idempotencyKey;
        RecordKey key = new RecordKey(conn.providerConfigKey(), conn.connectionId(), mapping.model(),
                result.externalId());
        Queued queued = commits.apply(key.lockOrder(), c -> {
            // built afresh on each attempt: a group that fails applies this again alone
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("sync", name);
            answer.put("integration", integration);
            if (!IdempotencyKeys.claim(c, "event:" + integration + ":" + name, messageId)) {
                answer.put("status", "duplicate");
                return new Queued(answer, false);
            }
            if (!result.ok()) {
                long id = deadLetters.add(c, "event", name, conn.providerConfigKey(), conn.connectionId(),
                        mapping.model(), messageId, "mapping or validation failed: " + result.errors(), result.errors(),
                        raw);
                answer.put("status", "dead_lettered");
                answer.put("dead_letter_id", id);
                answer.put("errors", result.errors());
                return new Queued(answer, false);
            }
            String operation = result.deleted() ? "delete" : "upsert";
            Map<String, Object> fields = result.deleted() ? Map.of() : result.record();
            boolean stored = false;
            if (twoWay != null && !result.deleted()) {
                IdentityMap.Scope scope = new IdentityMap.Scope(conn.providerConfigKey(), conn.connectionId(),
                        mapping.model());
                RecordAgreement.AppChange change = agreement.fromApp(c, name, twoWay, scope,
                        mapping.keyField(), result.externalId(), result.record(),
                        RecordAgreement.modifiedAt(twoWay, result.record()));
                stored = change.stored();
                if (change.conflicts() > 0) {
                    answer.put("conflicts", change.conflicts());
                }
                if (change.toWrite().isEmpty()) {
                    answer.put("status", "unchanged"); // an echo, or only fields your app does not own
                    answer.put("id", result.externalId());
                    return new Queued(answer, stored);
                }
                fields = change.toWrite();
            }
            String payload = CanonicalJson.write(fields);
            long writeId = queue.enqueue(c, name, conn.providerConfigKey(), conn.connectionId(),
                    mapping.model(), result.externalId(), operation, payload, CanonicalJson.sha256(payload));
            answer.put("status", "queued");
            answer.put("id", result.externalId());
            answer.put("write_id", writeId);
            return new Queued(answer, stored);
        });
        Map<String, Object> answer = queued.answer();
        if (answer.get("dead_letter_id") instanceof Long id) {
            deadLetters.added(id, "event", name, conn.providerConfigKey(), conn.connectionId(), messageId,
                    "mapping or validation failed");
        }
        if ("queued".equals(answer.get("status"))) {
            writer.wake();
        }
        if (queued.stored()) {
            store.poke();
        }
        return answer;
    }
}
