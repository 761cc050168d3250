package io.syncline.twoway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.syncline.mapping.Mapping;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Change;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;

/**
 * What both sides of a two-way sync agree a record holds, and how each side's change moves it.
 * Every method runs inside the caller's transaction, beside the write it enqueues or the record
 * it stores, so that the agreement and its effect commit together.
 *
 * The record store (and so the changes feed your app reads) holds the agreed view, keyed by the
 * remote id: a change that moves nothing (an echo) leaves it untouched and reaches nobody.
 */
@Unremovable
@ApplicationScoped
public class RecordAgreement {

    /** The outcome of your app's change: the fields to write (empty for an echo), and the remote id if known. */
    public record AppChange(Map<String, Object> toWrite, String remoteId, int conflicts, boolean stored) {
    }

    private final IdentityMap identities;
    private final Conflicts conflicts;
    private final RecordStore store;

    public RecordAgreement(IdentityMap identities, Conflicts conflicts, RecordStore store) {
        this.identities = identities;
        this.conflicts = conflicts;
        this.store = store;
    }

    /** A change from your app (an event) for the record {@code localId}. */
    public AppChange fromApp(Connection c, String syncName, Ownership rules, IdentityMap.Scope s, String keyField,
            String localId, Map<String, Object> record, Instant at) throws SQLException {
        String match = matchValue(rules, record);
        String previous = null;
        IdentityMap.Link link = identities.byLocal(c, s, localId).orElse(null);
        if (link == null) {
            // initial match: a record the remote side already has (seen by webhook or poll) is linked, not duplicated
            link = identities.byMatch(c, s, match).filter(l -> !l.linked()).orElse(null);
            previous = link == null ? null : link.localId();
        }
        if (link == null) {
            link = new IdentityMap.Link(localId, null, match, new LinkedHashMap<>(), null);
        }
        Reconciler.Decision d = Reconciler.reconcile(rules, link.agreed(), Side.app, record, at, skip(rules, keyField));
        conflicts.park(c, syncName, s, localId, d.parked());
        IdentityMap.Link next = new IdentityMap.Link(localId, link.remoteId(), match != null ? match : link.matchValue(),
                d.agreed(), link.lastSentHash());
        identities.save(c, s, next, previous);
        boolean stored = next.remoteId() != null && !d.nothingToApply() && storeAgreed(c, s, keyField, next);
        if (d.nothingToApply()) {
            return new AppChange(Map.of(), next.remoteId(), d.parked().size(), false);
        }
        Map<String, Object> toWrite = new LinkedHashMap<>(next.remoteId() == null ? values(d.agreed()) : d.accepted());
        if (rules.match() != null && record.get(rules.match()) != null) {
            toWrite.putIfAbsent(rules.match(), record.get(rules.match())); // the destination finds the record by it
        }
        return new AppChange(toWrite, next.remoteId(), d.parked().size(), stored);
    }

    /**
     * A change from the connected app for the record {@code remoteId}.
     *
     * @return the agreed view to store: unchanged from the stored one when nothing moved (an echo, or
     *         only fields this side may not change), so storing it puts nothing in the changes feed
     */
    public Map<String, Object> fromRemote(Connection c, String syncName, Ownership rules, IdentityMap.Scope s,
            String keyField, String remoteId, Map<String, Object> record, Instant at) throws SQLException {
        String match = matchValue(rules, record);
        IdentityMap.Link link = identities.byRemote(c, s, remoteId).orElse(null);
        if (link == null) {
            link = identities.byMatch(c, s, match).filter(l -> l.remoteId() == null).orElse(null);
        }
        if (link == null) {
            link = new IdentityMap.Link(IdentityMap.UNLINKED + remoteId, remoteId, match, new LinkedHashMap<>(), null);
        }
        Reconciler.Decision d = Reconciler.reconcile(rules, link.agreed(), Side.remote, record, at,
                skip(rules, keyField));
        conflicts.park(c, syncName, s, link.localId(), d.parked());
        IdentityMap.Link next = new IdentityMap.Link(link.localId(), remoteId, match != null ? match : link.matchValue(),
                d.agreed(), link.lastSentHash());
        identities.save(c, s, next, null);
        return view(keyField, next);
    }

    /**
     * A write reached the destination: the remote id is known, and each field it carried that
     * still holds the same value is now held by both sides.
     */
    public void sent(Connection c, Ownership rules, IdentityMap.Scope s, String keyField, String localId,
            String remoteId, Map<String, Object> sent, String hash) throws SQLException {
        IdentityMap.Link link = identities.byLocal(c, s, localId)
                .orElse(new IdentityMap.Link(localId, null, null, new LinkedHashMap<>(), null));
        Map<String, FieldState> agreed = new LinkedHashMap<>(link.agreed());
        if (rules != null) {
            sent.forEach((field, value) -> {
                FieldState f = agreed.get(field);
                if (f != null && Reconciler.same(f.value(), value)) {
                    agreed.put(field, f.confirmed());
                }
            });
        }
        IdentityMap.Link next = new IdentityMap.Link(localId, remoteId != null ? remoteId : link.remoteId(),
                link.matchValue(), agreed, hash);
        identities.save(c, s, next, null);
        if (rules != null && next.remoteId() != null) {
            storeAgreed(c, s, keyField, next);
        }
    }

    /** The fields of a queued write that the other side has since changed are no longer ours to send. */
    public Map<String, Object> stillOurs(Connection c, IdentityMap.Scope s, String localId, Map<String, Object> payload)
            throws SQLException {
        IdentityMap.Link link = identities.peekLocal(c, s, localId).orElse(null);
        if (link == null) {
            return payload;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        payload.forEach((field, value) -> {
            FieldState f = link.agreed().get(field);
            if (f == null || f.side() == Side.app || Reconciler.same(f.value(), value)) {
                out.put(field, value);
            }
        });
        return out;
    }

    /** A person decided a conflict: the chosen value becomes your app's newest change of the field. */
    public AppChange resolved(Connection c, Ownership rules, IdentityMap.Scope s, String keyField, String localId,
            String field, Object value) throws SQLException {
        IdentityMap.Link link = identities.byLocal(c, s, localId)
                .orElseThrow(() -> new IllegalStateException("record " + localId + " is no longer in the identity map"));
        Map<String, FieldState> agreed = new LinkedHashMap<>(link.agreed());
        agreed.put(field, new FieldState(value, Side.app, Instant.now().toString(), false, null));
        IdentityMap.Link next = link.withAgreed(agreed);
        identities.save(c, s, next, null);
        boolean stored = next.remoteId() != null && storeAgreed(c, s, keyField, next);
        Map<String, Object> toWrite = new LinkedHashMap<>();
        toWrite.put(field, value);
        if (rules.match() != null && agreed.get(rules.match()) != null) {
            toWrite.putIfAbsent(rules.match(), agreed.get(rules.match()).value());
        }
        return new AppChange(next.remoteId() == null ? values(agreed) : toWrite, next.remoteId(), 0, stored);
    }

    private boolean storeAgreed(Connection c, IdentityMap.Scope s, String keyField, IdentityMap.Link link)
            throws SQLException {
        String canonical = CanonicalJson.write(view(keyField, link));
        return store.upsert(c, new RecordKey(s.providerConfigKey(), s.connectionId(), s.model(), link.remoteId()),
                canonical, CanonicalJson.sha256(canonical)) != Change.UNCHANGED;
    }

    private static Map<String, Object> view(String keyField, IdentityMap.Link link) {
        Map<String, Object> v = values(link.agreed());
        v.put(keyField, link.remoteId());
        return v;
    }

    private static Map<String, Object> values(Map<String, FieldState> agreed) {
        Map<String, Object> v = new LinkedHashMap<>();
        agreed.forEach((k, f) -> v.put(k, f.value()));
        return v;
    }

    private static Set<String> skip(Ownership rules, String keyField) {
        return rules.modifiedAt() == null ? Set.of(keyField) : Set.of(keyField, rules.modifiedAt());
    }

    private static String matchValue(Ownership rules, Map<String, Object> record) {
        Object v = rules.match() == null ? null : record.get(rules.match());
        String s = v == null ? null : v.toString();
        // no real match key (an email is at most 254 characters) is this long: it matches nothing
        return s == null || s.length() > Mapping.MAX_KEY_LENGTH ? null : s;
    }

    /** A change's modification time: the rules' modifiedAt field (ISO-8601 or epoch ms), else now. */
    public static Instant modifiedAt(Ownership rules, Map<String, Object> record) {
        Object v = rules.modifiedAt() == null ? null : record.get(rules.modifiedAt());
        if (v instanceof Number n) {
            try {
                return Instant.ofEpochMilli(n.longValue());
            } catch (DateTimeException e) {
                return Instant.now(); // not a time we can read: fall back to arrival
            }
        }
        if (v != null) {
            try {
                return OffsetDateTime.parse(v.toString()).toInstant();
            } catch (DateTimeParseException e) {
                // not a time we can read: fall back to arrival
            }
        }
        return Instant.now();
    }
}
