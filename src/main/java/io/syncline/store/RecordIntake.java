package io.syncline.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncline.mapping.FieldError;
import io.syncline.mapping.Mapping;

/**
 * The inbound half of every sync, whatever triggered it: map and validate a source document,
 * then store the record (with change detection) or, when it cannot be mapped, dead-letter it
 * with the reason and the original payload.
 */
public final class RecordIntake {

    /** What happened to one inbound document, as answered to the sender. */
    public record Outcome(String status, Change change, String externalId, Long deadLetterId,
            List<FieldError> errors) {

        public Map<String, Object> toAnswer() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            if (change != null) {
                m.put("change", change.name().toLowerCase());
            }
            if (externalId != null) {
                m.put("id", externalId);
            }
            if (deadLetterId != null) {
                m.put("dead_letter_id", deadLetterId);
                m.put("errors", errors);
            }
            return m;
        }
    }

    private final String syncName;
    private final Mapping mapping;
    private final RecordStore store;
    private final DeadLetters deadLetters;

    public RecordIntake(String syncName, Mapping mapping, RecordStore store, DeadLetters deadLetters) {
        this.syncName = syncName;
        this.mapping = mapping;
        this.store = store;
        this.deadLetters = deadLetters;
    }

    public Mapping mapping() {
        return mapping;
    }

    public Outcome accept(String providerConfigKey, String connectionId, String messageId, Object document,
            String rawPayload) {
        Mapping.Result result = mapping.apply(document);
        if (!result.ok()) {
            String reason = "mapping or validation failed: " + result.errors();
            long id = deadLetters.add("inbound", syncName, providerConfigKey, connectionId, mapping.model(), messageId,
                    reason, result.errors(), rawPayload);
            return new Outcome("dead_lettered", null, result.externalId(), id, result.errors());
        }
        RecordKey key = new RecordKey(providerConfigKey, connectionId, mapping.model(), result.externalId());
        Change change = result.deleted() ? store.delete(key) : store.upsert(key, result.record());
        return new Outcome("stored", change, result.externalId(), null, null);
    }
}
