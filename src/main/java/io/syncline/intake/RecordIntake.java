package io.syncline.intake;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncline.config.TemplateParams;
import io.syncline.mapping.FieldError;
import io.syncline.mapping.ConnectionMappings;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.SyncKey;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Change;
import io.syncline.store.DeadLetters;
import io.syncline.store.GroupCommit;
import io.syncline.store.IdempotencyKeys;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;
import io.syncline.twoway.IdentityMap;
import io.syncline.twoway.Ownership;
import io.syncline.twoway.RecordAgreement;

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

    private static final Outcome DUPLICATE = new Outcome("duplicate", null, null, null, null);

    private final String syncName;
    private final Mapping mapping;
    private final RecordStore store;
    private final DeadLetters deadLetters;
    private final GroupCommit commits;
    private final Ownership twoWay;
    private final RecordAgreement agreement;
    private volatile Forward forward;
    private ConnectionMappings mappings;

    /**
     * Where a stored change is pushed on: a write for the outbound sync {@code sync} of
     * {@code integration}, queued in the same transaction as the record (so it is as durable as
     * the acknowledgement), to the connection {@code connectionId} there, or to the inbound
     * connection's namesake when null.
     */
    public record Forward(String integration, String sync, String connectionId,
            WriteQueue queue, Runnable wake) {

        /**
         * The forward that a sync's {@code forwardTo} (integration/name) and
         * {@code forwardConnection} name, or null when {@code forwardTo} is empty.
         */
        public static Forward of(String sync, String forwardTo, String forwardConnection) {
            String to = forwardTo == null ? "" : forwardTo.trim();
            if (to.isEmpty()) {
                return null;
            }
            int slash = to.indexOf('/');
            if (slash <= 0 || slash == to.length() - 1) {
                throw new IllegalArgumentException("sync '" + sync + "': forwardTo must be integration/name of an "
                        + "outbound sync, not '" + to + "'");
            }
            String connection = forwardConnection == null ? "" : forwardConnection.trim();
            return new Forward(to.substring(0, slash), to.substring(slash + 1), connection.isEmpty() ? null : connection,
                    TemplateParams.bean(WriteQueue.class), TemplateParams.bean(Writer.class)::wake);
        }
    }

    /**
     * The intake of a declared sync, built from the engine's beans: with its two-way rules and its
     * forward when it has them (either may be null). The route and the dead-letter replay share it.
     */
    public static RecordIntake declared(String syncName, Mapping mapping, Ownership twoWay, Forward forward) {
        return new RecordIntake(syncName, mapping, TemplateParams.bean(RecordStore.class),
                TemplateParams.bean(DeadLetters.class), TemplateParams.bean(GroupCommit.class), twoWay,
                TemplateParams.bean(RecordAgreement.class)).forwardingTo(forward)
                .overlaid(TemplateParams.bean(ConnectionMappings.class));
    }

    /** Maps each delivery with its connection's overlay, and notes its fields for drift reports. */
    public RecordIntake overlaid(ConnectionMappings mappings) {
        this.mappings = mappings;
        return this;
    }

    /** Pushes every stored change on as a write (webhook-sync's {@code forwardTo}). */
    public RecordIntake forwardingTo(Forward forward) {
        this.forward = forward;
        return this;
    }

    public RecordIntake(String syncName, Mapping mapping, RecordStore store, DeadLetters deadLetters,
            GroupCommit commits) {
        this(syncName, mapping, store, deadLetters, commits, null, null);
    }

    /** With two-way rules: a record is first reconciled with what your app holds, and an echo stores nothing new. */
    public RecordIntake(String syncName, Mapping mapping, RecordStore store, DeadLetters deadLetters,
            GroupCommit commits, Ownership twoWay, RecordAgreement agreement) {
        this.twoWay = twoWay;
        this.agreement = agreement;
        this.syncName = syncName;
        this.mapping = mapping;
        this.store = store;
        this.deadLetters = deadLetters;
        this.commits = commits;
    }

    public Mapping mapping() {
        return mapping;
    }

    /**
     * Applies one delivery exactly once per message id: the id, and the record or its dead letter,
     * commit in one transaction (guarantees 1 and 2), which concurrent deliveries may share
     * ({@link GroupCommit}); it returns after that commit. A duplicate id changes nothing.
     *
     * @param scope where message ids are unique, e.g. the sync
     */
    public Outcome accept(String scope, String providerConfigKey, String connectionId, String messageId,
            Object document, String rawPayload) {
        if (mappings == null) {
            return store(mapping, mapping.apply(document), scope, providerConfigKey, connectionId, messageId, rawPayload);
        }
        SyncKey key = new SyncKey(providerConfigKey, syncName, connectionId);
        ConnectionMappings.Mapped mapped = mappings.map(mapping, key, document);
        return store(mapped.mapping(), mapped.result(), scope, providerConfigKey, connectionId, messageId, rawPayload);
    }

    /**
     * {@link #accept} for a document already mapped (the {@code syncline:store} step, after
     * {@code syncline:map} and whatever steps a route puts between them).
     */
    public Outcome store(Mapping mapping, Mapping.Result result, String scope, String providerConfigKey,
            String connectionId, String messageId, String rawPayload) {
        RecordKey key = result.ok() ? new RecordKey(providerConfigKey, connectionId, mapping.model(),
                result.externalId()) : null;
        Outcome outcome = commits.apply(key == null ? "" : key.lockOrder(), c -> {
            if (!IdempotencyKeys.claim(c, scope, messageId)) {
                return DUPLICATE;
            }
            if (!result.ok()) {
                long id = deadLetters.add(c, "inbound", syncName, providerConfigKey, connectionId, mapping.model(),
                        messageId, "mapping or validation failed: " + result.errors(), result.errors(), rawPayload);
                return new Outcome("dead_lettered", null, result.externalId(), id, result.errors());
            }
            if (result.deleted()) {
                Change change = store.delete(c, key, RecordStore.now());
                forward(c, mapping, connectionId, change, "{}", null, result.externalId());
                return new Outcome("stored", change, result.externalId(), null, null);
            }
            String canonical = CanonicalJson.write(twoWay == null ? result.record()
                    : agreement.fromRemote(c, syncName, twoWay, new IdentityMap.Scope(providerConfigKey,
                            connectionId, mapping.model()), mapping.keyField(), result.externalId(),
                            result.record(), RecordAgreement.modifiedAt(twoWay, result.record())));
            String hash = CanonicalJson.sha256(canonical);
            Change change = store.upsert(c, key, canonical, hash);
            forward(c, mapping, connectionId, change, canonical, hash, result.externalId());
            return new Outcome("stored", change, result.externalId(), null, null);
        });
        if (outcome == DUPLICATE) {
            return outcome;
        }
        if (outcome.deadLetterId() != null) {
            deadLetters.added(outcome.deadLetterId(), "inbound", syncName, providerConfigKey, connectionId, messageId,
                    "mapping or validation failed");
        } else if (outcome.change() != Change.UNCHANGED) {
            store.poke();
            if (forward != null) {
                forward.wake().run();
            }
        }
        return outcome;
    }

    private void forward(Connection c, Mapping mapping, String connectionId, Change change, String canonical, String hash,
            String externalId) throws SQLException {
        Forward f = forward;
        if (f == null || change == Change.UNCHANGED) {
            return;
        }
        f.queue().enqueue(c, f.sync(), f.integration(), f.connectionId() == null ? connectionId : f.connectionId(),
                mapping.model(), externalId, change == Change.DELETED ? "delete" : "upsert", canonical,
                hash == null ? CanonicalJson.sha256(canonical) : hash);
    }
}
