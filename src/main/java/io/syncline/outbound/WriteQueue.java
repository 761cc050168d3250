package io.syncline.outbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;

/**
 * The durable queue of writes to connected apps. A write is a row before anything is
 * acknowledged (guarantee 1). A record has at most one pending write: a newer change replaces
 * the pending payload, so a destination receives the latest state once, not every step on the
 * way. Workers claim due rows with {@code FOR UPDATE SKIP LOCKED} and a lease, so any replica can
 * take any write, only one does at a time, and a worker that dies mid-send loses nothing: its
 * lease runs out and the write is claimed again (and the destination's upsert by key makes the
 * repeat harmless, guarantee 2).
 */
@Unremovable
@ApplicationScoped
public class WriteQueue {

    /** One queued write, as a worker sees it. */
    public record Write(long id, String syncName, String providerConfigKey, String connectionId, String model,
            String recordId, String operation, String payload, String contentHash, int version, int attempts,
            OffsetDateTime leasedUntil) {

        public String connectionKey() {
            return providerConfigKey + "/" + connectionId;
        }
    }

    private final Database db;

    private final Replicas replicas;

    public WriteQueue(Database db, Replicas replicas) {
        this.replicas = replicas;
        this.db = db;
    }

    /**
     * Queues a write inside the caller's transaction, or replaces the payload of the record's
     * pending write. @return the write's id
     */
    public long enqueue(Connection c, String syncName, String providerConfigKey, String connectionId, String model,
            String recordId, String operation, String payload, String hash) throws SQLException {
        OffsetDateTime now = RecordStore.now();
        String pendingKey = String.join("\u001f", syncName, providerConfigKey, connectionId, model, recordId);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, operation, content_hash FROM writes WHERE pending_key = ? FOR UPDATE""")) {
            ps.setString(1, pendingKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    long id = rs.getLong(1);
                    if (operation.equals(rs.getString(2)) && hash != null && hash.equals(rs.getString(3))) {
                        return id; // the same content is already on its way
                    }
                    try (PreparedStatement up = c.prepareStatement("""
                            UPDATE writes SET operation = ?, payload = ?, content_hash = ?, version = version + 1,
                                   attempts = 0, last_error = NULL, updated_at = ?,
                                   next_attempt_at = CASE WHEN next_attempt_at > ? THEN next_attempt_at ELSE ? END
                             WHERE id = ?""")) {
                        up.setString(1, operation);
                        up.setString(2, payload);
                        up.setString(3, hash);
                        up.setObject(4, now);
                        up.setObject(5, now);
                        up.setObject(6, now);
                        up.setLong(7, id);
                        up.executeUpdate();
                    }
                    return id;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO writes (sync_name, provider_config_key, connection_id, model, record_id, operation, payload,
                                    content_hash, status, pending_key, version, attempts, next_attempt_at,
                                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, 1, 0, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, syncName);
            ps.setString(2, providerConfigKey);
            ps.setString(3, connectionId);
            ps.setString(4, model);
            ps.setString(5, recordId);
            ps.setString(6, operation);
            ps.setString(7, payload);
            ps.setString(8, hash);
            ps.setString(9, pendingKey);
            ps.setObject(10, now);
            ps.setObject(11, now);
            ps.setObject(12, now);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Outbound syncs whose writes a route sends ({@code from: syncline:writes}), as integration/sync. */
    private final Set<List<String>> sentByRoutes = ConcurrentHashMap.newKeySet();

    /** A route sends the writes of this sync from now on: the writer leaves them alone. */
    public void sentByRoute(String integration, String sync) {
        sentByRoutes.add(List.of(integration, sync));
    }

    public boolean isSentByRoute(String integration, String sync) {
        return sentByRoutes.contains(List.of(integration, sync));
    }

    /**
     * Claims up to {@code limit} due writes, oldest first, by moving their next attempt a lease
     * ahead. Rows another worker holds are skipped, not waited for. Writes that a route sends are
     * left to it.
     */
    public List<Write> claim(int limit, Duration lease) {
        List<List<String>> excluded = List.copyOf(sentByRoutes);
        StringBuilder where = new StringBuilder();
        List<String> args = new ArrayList<>();
        for (List<String> pair : excluded) {
            where.append(" AND NOT (provider_config_key = ? AND sync_name = ?)");
            args.addAll(pair);
        }
        return claim(where.toString(), args, limit, lease);
    }

    /** Claims, as {@link #claim(int, Duration)}, the due writes of one sync only: a route's {@code syncline:writes}. */
    public List<Write> claim(String integration, String sync, int limit, Duration lease) {
        return claim(" AND provider_config_key = ? AND sync_name = ?", List.of(integration, sync), limit, lease);
    }

    private List<Write> claim(String filter, List<String> filterArgs, int limit, Duration lease) {
        List<String> args = new ArrayList<>(filterArgs);
        // Only the writes of connections this replica owns: their owner alone sends to them. A write
        // with no connection (a route that writes to the app's own database) has no budget, and any replica takes it.
        String where = !db.isPostgres() ? filter : filter
                + " AND (EXISTS (SELECT 1 FROM connection_owners o WHERE o.provider_config_key = writes.provider_config_key"
                + " AND o.connection_id = writes.connection_id AND o.owner = ?)"
                + " OR NOT EXISTS (SELECT 1 FROM connections c WHERE c.provider_config_key = writes.provider_config_key"
                + " AND c.connection_id = writes.connection_id))";
        if (db.isPostgres()) {
            args.add(replicas.id());
        }
        OffsetDateTime now = RecordStore.now();
        OffsetDateTime until = now.plus(lease);
        String due = " FROM writes WHERE status = 'pending' AND next_attempt_at <= ?" + where
                + " ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
        String columns = "writes.id, sync_name, provider_config_key, connection_id, model, record_id, operation, payload,"
                + " content_hash, version, attempts";
        return db.inLazyTransaction(c -> {
            List<Write> claimed = new ArrayList<>();
            // PostgreSQL: picked, leased and read in one statement. H2: picked and read, then leased.
            try (PreparedStatement ps = c.prepareStatement(db.isPostgres()
                    ? "UPDATE writes SET next_attempt_at = ? FROM (SELECT id" + due + ") due"
                            + " WHERE writes.id = due.id RETURNING " + columns
                    : "SELECT " + columns + due)) {
                int i = 1;
                if (db.isPostgres()) {
                    ps.setObject(i++, until);
                }
                ps.setObject(i++, now);
                for (String arg : args) {
                    ps.setString(i++, arg);
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(new Write(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                rs.getInt(10), rs.getInt(11), until));
                    }
                }
            }
            if (!db.isPostgres()) {
                reschedule(c, claimed.stream().map(Write::id).toList(), until);
            }
            claimed.sort(Comparator.comparingLong(Write::id)); // RETURNING keeps no order
            return claimed;
        });
    }

    /**
     * Extends the lease of claimed writes to {@code until}, just before they are sent, so that no
     * other worker can claim them while the request is out (guarantee 2). A write whose lease ran
     * out and that someone else claimed meanwhile is not renewed: it must not be sent from here.
     *
     * @return the writes that are still this worker's, now leased until {@code until}
     */
    public List<Write> renew(List<Write> writes, OffsetDateTime until) {
        return db.inLazyTransaction(c -> {
            int[] counts;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE writes SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?")) {
                for (Write w : writes) {
                    ps.setObject(1, until);
                    ps.setLong(2, w.id());
                    ps.setObject(3, w.leasedUntil());
                    ps.addBatch();
                }
                counts = ps.executeBatch();
            }
            List<Write> kept = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    Write w = writes.get(i);
                    kept.add(new Write(w.id(), w.syncName(), w.providerConfigKey(), w.connectionId(), w.model(),
                            w.recordId(), w.operation(), w.payload(), w.contentHash(), w.version(), w.attempts(), until));
                }
            }
            return kept;
        });
    }

    /** Gives claimed writes back, due at {@code at} (now, to let another worker take them at once). */
    public void release(Collection<Long> ids, OffsetDateTime at) {
        if (!ids.isEmpty()) {
            db.inLazyTransaction(c -> reschedule(c, ids, at));
        }
    }

    private static int reschedule(Connection c, Collection<Long> ids, OffsetDateTime at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE writes SET next_attempt_at = ? WHERE id = ?")) {
            for (long id : ids) {
                ps.setObject(1, at);
                ps.setLong(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return ids.size();
    }

    /**
     * Settles a write as sent, skipped or dead, unless a newer change replaced its payload while
     * it was out: then the row stays pending with the newer payload, due at once.
     *
     * @return true when this version was the one settled
     */
    public boolean settle(Connection c, Write w, String status, int attempts, String error) throws SQLException {
        return settleAll(c, List.of(new Settle(w, status, attempts, error))) == 1;
    }

    /** A write's settling: sent or skipped, after how many attempts, and why (for a skip). */
    public record Settle(Write write, String status, int attempts, String error) {
    }

    /**
     * {@link #settle} for many writes in one batch; the ones whose payload a newer change replaced
     * meanwhile stay pending, due at once.
     *
     * @return how many were settled
     */
    public int settleAll(Connection c, List<Settle> settles) throws SQLException {
        OffsetDateTime now = RecordStore.now();
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE writes SET status = ?, pending_key = NULL, attempts = ?, last_error = ?, updated_at = ?
                 WHERE id = ? AND version = ?""")) {
            for (Settle s : settles) {
                ps.setString(1, s.status());
                ps.setInt(2, s.attempts());
                ps.setString(3, s.error());
                ps.setObject(4, now);
                ps.setLong(5, s.write().id());
                ps.setInt(6, s.write().version());
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        List<Long> replaced = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                replaced.add(settles.get(i).write().id());
            }
        }
        reschedule(c, replaced, now);
        return settles.size() - replaced.size();
    }

    /** Keeps a write pending for another attempt at {@code at}. */
    public void retryAt(Connection c, Write w, int attempts, String error, OffsetDateTime at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE writes SET attempts = CASE WHEN version = ? THEN ? ELSE attempts END, last_error = ?,
                                  next_attempt_at = CASE WHEN version = ? THEN ? ELSE ? END, updated_at = ?
                 WHERE id = ?""")) {
            OffsetDateTime now = RecordStore.now();
            ps.setInt(1, w.version());
            ps.setInt(2, attempts);
            ps.setString(3, error);
            ps.setInt(4, w.version());
            ps.setObject(5, at);
            ps.setObject(6, now);
            ps.setObject(7, now);
            ps.setLong(8, w.id());
            ps.executeUpdate();
        }
    }

    /** What a write sent: its payload and that payload's content hash. */
    public record Payload(String payload, String contentHash) {
    }

    /** A write's payload, while its row is kept (the console's flow detail). */
    public Optional<Payload> payload(long id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT payload, content_hash FROM writes WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Payload(rs.getString(1), rs.getString(2)))
                            : Optional.<Payload>empty();
                }
            }
        });
    }

    /** Pending writes, and the age of the oldest one, for metrics and health. */
    public record Depth(long pending, Duration oldest) {
    }

    public Depth depth() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*), MIN(created_at) FROM writes WHERE status = 'pending'")) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                    return new Depth(rs.getLong(1), oldest == null ? Duration.ZERO
                            : Duration.between(oldest, RecordStore.now()));
                }
            }
        });
    }
}
