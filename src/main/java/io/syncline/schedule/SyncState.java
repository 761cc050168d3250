package io.syncline.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.quarkus.arc.Unremovable;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Per (sync, connection): paused or not, the frequency override, the next slot, the lease of
 * the run in progress, and the checkpoint; plus the run history. The lease is a row update
 * that only one replica can win, so runs of the same pair never overlap anywhere.
 */
@Unremovable
@ApplicationScoped
public class SyncState {

    public record Pair(String providerConfigKey, String connectionId, String syncName) {
    }

    public record Row(Pair pair, boolean paused, Long frequencySeconds, OffsetDateTime nextRunAt, String leaseOwner,
            OffsetDateTime leaseUntil, Checkpoint checkpoint, Long lastRunId, long skippedSlots) {
        public boolean running(OffsetDateTime now) {
            return leaseUntil != null && leaseUntil.isAfter(now);
        }

        /** A run held the lease and let it expire without finishing: its replica stopped. */
        public boolean interrupted(OffsetDateTime now) {
            return leaseUntil != null && !leaseUntil.isAfter(now);
        }
    }

    public record Run(long id, Pair pair, String model, String trigger, String status, boolean fullRefresh,
            OffsetDateTime startedAt, OffsetDateTime finishedAt, long added, long updated, long deleted, long unchanged,
            long failed, long pages, long requests, long retries, String errorType, String errorDescription) {
    }

    private final Database db;

    public SyncState(Database db) {
        this.db = db;
    }

    public void ensure(Pair p) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO sync_state (provider_config_key, connection_id, sync_name)
                        SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sync_state
                         WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?)""")) {
                    bind(ps, p, 1);
                    bind(ps, p, 4);
                    return ps.executeUpdate();
                }
            });
        } catch (Database.StoreException e) {
            if (!e.isUniqueViolation()) {
                throw e;
            }
        }
    }

    /**
     * Takes the pair's lease if no run holds it. A scheduled claim also needs the pair unpaused
     * and its slot due; a manual one runs now.
     */
    public boolean claim(Pair p, String owner, OffsetDateTime now, OffsetDateTime leaseUntil, boolean scheduled) {
        ensure(p);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_state SET lease_owner = ?, lease_until = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?
                       AND (lease_until IS NULL OR lease_until < ?)""" + (scheduled
                    ? " AND paused = FALSE AND (next_run_at IS NULL OR next_run_at <= ?)" : ""))) {
                ps.setString(1, owner);
                ps.setObject(2, leaseUntil);
                bind(ps, p, 3);
                ps.setObject(6, now);
                if (scheduled) {
                    ps.setObject(7, now);
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Changes that runs committed and no webhook to your app has announced yet. */
    public record Unannounced(OffsetDateTime from, long added, long updated, long deleted) {
    }

    /** Within the transaction that commits them: these changes, made by a run that began at {@code runStart}, await a webhook. */
    public void unannounced(Connection c, Pair p, OffsetDateTime runStart, long added, long updated, long deleted)
            throws SQLException {
        if (added + updated + deleted == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync_state SET notify_from = COALESCE(notify_from, ?), notify_added = notify_added + ?,
                       notify_updated = notify_updated + ?, notify_deleted = notify_deleted + ?
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            ps.setObject(1, runStart);
            ps.setLong(2, added);
            ps.setLong(3, updated);
            ps.setLong(4, deleted);
            bind(ps, p, 5);
            ps.executeUpdate();
        }
    }

    /** Takes what awaits a webhook, in the transaction that queues that webhook: it is announced once. */
    public Optional<Unannounced> takeUnannounced(Connection c, Pair p) throws SQLException {
        Unannounced u;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT notify_from, notify_added, notify_updated, notify_deleted FROM sync_state
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? FOR UPDATE""")) {
            bind(ps, p, 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getObject(1) == null) {
                    return Optional.empty();
                }
                u = new Unannounced(rs.getObject(1, OffsetDateTime.class), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync_state SET notify_from = NULL, notify_added = 0, notify_updated = 0, notify_deleted = 0
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            bind(ps, p, 1);
            ps.executeUpdate();
        }
        return Optional.of(u);
    }

    /**
     * Closes the pair's runs that are still marked RUNNING as failed with reason
     * {@code interrupted}, finished {@code at} the claim that found them: the run that takes the
     * pair up starts then, so the two never overlap in the history. Called by the holder of the
     * pair's lease before it starts a run: no other run of the pair can be alive then, so a
     * RUNNING one died with its replica.
     */
    public List<Run> closeInterrupted(Pair p, OffsetDateTime at) {
        return db.inTransaction(c -> {
            List<Run> open = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM sync_runs"
                    + " WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND status = 'RUNNING'")) {
                bind(ps, p, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        open.add(run(rs));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_runs SET status = 'ERROR', finished_at = ?, error_type = 'interrupted',
                           error_description = ? WHERE id = ? AND status = 'RUNNING'""")) {
                for (Run r : open) {
                    ps.setObject(1, at);
                    ps.setString(2, INTERRUPTED);
                    ps.setLong(3, r.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return open;
        });
    }

    static final String INTERRUPTED = "the run stopped with its replica before it finished (its lease expired); "
            + "the pages it committed are kept, and the next run resumes after them";

    /**
     * Runs whose replica stopped leave their lease behind. On the embedded database only this
     * process can have the store open, so every lease found at start belongs to a dead process:
     * they are expired at once, and the interrupted runs resume at the next tick.
     */
    public int expireLeases() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sync_state SET lease_until = ? WHERE lease_until IS NOT NULL")) {
                ps.setObject(1, RecordStore.now().minusSeconds(1));
                return ps.executeUpdate();
            }
        });
    }

    /** A slot came while a run held the lease: counted, not run. */
    public void countSkipped(Pair p) {
        update(p, "UPDATE sync_state SET skipped_slots = skipped_slots + 1");
    }

    /** Within a page's transaction: the checkpoint moves and the lease is extended together. */
    public void saveCheckpoint(Connection c, Pair p, Checkpoint cp, OffsetDateTime leaseUntil) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync_state SET checkpoint = ?, lease_until = ?
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            ps.setString(1, cp.toJson());
            ps.setObject(2, leaseUntil);
            bind(ps, p, 3);
            ps.executeUpdate();
        }
    }

    /**
     * Whether the pair's periodic reconciling read is due: when it is, its checkpoint is cleared
     * (the next run reads the whole source) in the same statement that records the time, so one
     * replica starts it. The first call only starts the clock.
     */
    public boolean reconcileDue(Pair p, Duration every) {
        OffsetDateTime now = RecordStore.now();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_state SET reconciled_at = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND reconciled_at IS NULL""")) {
                ps.setObject(1, now);
                bind(ps, p, 2);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_state SET checkpoint = NULL, reconciled_at = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND reconciled_at < ?""")) {
                ps.setObject(1, now);
                bind(ps, p, 2);
                ps.setObject(5, now.minus(every));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Within a page's transaction of a scoped run: the lease is extended, the checkpoint stays. */
    public void extendLease(Connection c, Pair p, OffsetDateTime leaseUntil) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sync_state SET lease_until = ?
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            ps.setObject(1, leaseUntil);
            bind(ps, p, 2);
            ps.executeUpdate();
        }
    }

    public void release(Pair p, OffsetDateTime nextRunAt, long runId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_state SET lease_owner = NULL, lease_until = NULL, next_run_at = ?, last_run_id = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
                ps.setObject(1, nextRunAt);
                ps.setLong(2, runId);
                bind(ps, p, 3);
                return ps.executeUpdate();
            }
        });
    }

    /** Makes the pair due now: its connection's owner, on another replica, runs it at its next tick. */
    public void dueNow(Pair p) {
        update(p, "UPDATE sync_state SET next_run_at = CURRENT_TIMESTAMP");
    }

    /** Gives the lease back without recording a run. */
    public void releaseLease(Pair p) {
        update(p, "UPDATE sync_state SET lease_owner = NULL, lease_until = NULL");
    }

    public void resetCheckpoint(Pair p) {
        update(p, "UPDATE sync_state SET checkpoint = NULL");
    }

    public void setPaused(Pair p, boolean paused) {
        ensure(p);
        update(p, "UPDATE sync_state SET paused = " + (paused ? "TRUE" : "FALSE")
                + (paused ? "" : ", next_run_at = NULL"));
    }

    /** The override applies from the slot after the next one: the next slot stays where it is. */
    public void setFrequency(Pair p, Long seconds) {
        ensure(p);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_state SET frequency_seconds = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
                ps.setObject(1, seconds);
                bind(ps, p, 2);
                return ps.executeUpdate();
            }
        });
    }

    public Optional<Row> find(Pair p) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT paused, frequency_seconds, next_run_at, lease_owner, lease_until, checkpoint, last_run_id,
                           skipped_slots
                      FROM sync_state WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
                bind(ps, p, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Row>empty();
                    }
                    // read on its own: wasNull() speaks of the column read last (it once read the checkpoint's,
                    // so a sync whose runs all failed before a first checkpoint showed as never run, STOPPED)
                    Long last = rs.getObject(7, Long.class);
                    return Optional.of(new Row(p, rs.getBoolean(1), (Long) rs.getObject(2, Long.class),
                            rs.getObject(3, OffsetDateTime.class), rs.getString(4), rs.getObject(5, OffsetDateTime.class),
                            Checkpoint.fromJson(rs.getString(6)), last, rs.getLong(8)));
                }
            }
        });
    }

    public long startRun(Pair p, String model, String trigger, boolean fullRefresh, OffsetDateTime at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO sync_runs (provider_config_key, connection_id, sync_name, model, trigger_kind, status,
                                           full_refresh, started_at)
                    VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
                bind(ps, p, 1);
                ps.setString(4, model);
                ps.setString(5, trigger);
                ps.setBoolean(6, fullRefresh);
                ps.setObject(7, at);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    public void finishRun(long id, String status, RunCounts n, String errorType, String errorDescription) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE sync_runs SET status = ?, finished_at = ?, added = ?, updated = ?, deleted = ?, unchanged = ?,
                           failed = ?, pages = ?, requests = ?, retries = ?, error_type = ?, error_description = ?
                     WHERE id = ?""")) {
                ps.setString(1, status);
                ps.setObject(2, RecordStore.now());
                ps.setLong(3, n.added);
                ps.setLong(4, n.updated);
                ps.setLong(5, n.deleted);
                ps.setLong(6, n.unchanged);
                ps.setLong(7, n.failed);
                ps.setLong(8, n.pages);
                ps.setLong(9, n.requests);
                ps.setLong(10, n.retries);
                ps.setString(11, errorType);
                ps.setString(12, errorDescription);
                ps.setLong(13, id);
                return ps.executeUpdate();
            }
        });
    }

    public List<Run> runs(String providerConfigKey, String connectionId, String syncName, long beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM sync_runs WHERE id < ?");
        List<Object> args = new ArrayList<>(List.of(beforeId));
        for (String[] f : new String[][] { { "provider_config_key", providerConfigKey },
                { "connection_id", connectionId }, { "sync_name", syncName } }) {
            if (f[1] != null && !f[1].isBlank()) {
                sql.append(" AND ").append(f[0]).append(" = ?");
                args.add(f[1]);
            }
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<Run> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(run(rs));
                    }
                }
                return out;
            }
        });
    }

    /** The id of the pair's run that is marked RUNNING, if any. */
    public Optional<Long> runningRun(Pair p) {
        return newest(p, "id", "RUNNING", Long.class);
    }

    /** When the pair's newest successful run finished, if it ever had one. */
    public Optional<OffsetDateTime> lastSuccess(Pair p) {
        return newest(p, "finished_at", "SUCCESS", OffsetDateTime.class);
    }

    /** The largest {@code column} among the pair's runs with {@code status}. */
    private <T> Optional<T> newest(Pair p, String column, String status, Class<T> type) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(" + column + ") FROM sync_runs"
                    + " WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND status = ?")) {
                bind(ps, p, 1);
                ps.setString(4, status);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.ofNullable(rs.getObject(1, type));
                }
            }
        });
    }

    public Optional<Run> run(long id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM sync_runs WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(run(rs)) : Optional.<Run>empty();
                }
            }
        });
    }

    private static final String RUN_COLUMNS = "id, provider_config_key, connection_id, sync_name, model, trigger_kind, "
            + "status, full_refresh, started_at, finished_at, added, updated, deleted, unchanged, failed, pages, requests, "
            + "retries, error_type, error_description";

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getLong(1), new Pair(rs.getString(2), rs.getString(3), rs.getString(4)), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getBoolean(8), rs.getObject(9, OffsetDateTime.class),
                rs.getObject(10, OffsetDateTime.class), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14),
                rs.getLong(15), rs.getLong(16), rs.getLong(17), rs.getLong(18), rs.getString(19), rs.getString(20));
    }

    private void update(Pair p, String set) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(set
                    + " WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?")) {
                bind(ps, p, 1);
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement ps, Pair p, int from) throws SQLException {
        ps.setString(from, p.providerConfigKey());
        ps.setString(from + 1, p.connectionId());
        ps.setString(from + 2, p.syncName());
    }

    /** Counts of one run, kept as it goes. */
    public static final class RunCounts {
        public long added, updated, deleted, unchanged, failed, pages, requests, retries;
    }
}
