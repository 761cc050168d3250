package io.syncline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/**
 * Records by key, with change detection. Applying the same content twice is a no-op
 * ({@link Change#UNCHANGED}), which is what makes at-least-once delivery effectively once
 * (guarantee 2). Every real change moves the record to the end of the changes feed in the
 * statement that writes it ({@link #toFeedEnd}): on PostgreSQL it takes its transaction's id and a
 * position there and then; on H2 it is left without a position for the {@link FeedSequencer}.
 */
@Unremovable // looked up by the Kamelets' declarations and the steps
@ApplicationScoped
public class RecordStore {

    private final Database db;
    private final FeedSequencer sequencer;
    private final String update;
    private final String delete;
    private final String deleteUnseen;

    public RecordStore(Database db, FeedSequencer sequencer) {
        this.db = db;
        this.sequencer = sequencer;
        String toFeedEnd = toFeedEnd(db);
        this.update = """
                UPDATE records SET payload = ?, content_hash = ?, last_modified_at = ?, deleted_at = NULL,
                       last_action = ?, %s, seen_by_run = COALESCE(?, seen_by_run)
                 WHERE stream = ? AND external_id = ?""".formatted(toFeedEnd);
        this.delete = """
                UPDATE records SET deleted_at = ?, last_modified_at = ?, last_action = 'DELETED', %s
                 WHERE stream = ? AND external_id = ?
                   AND deleted_at IS NULL""".formatted(toFeedEnd);
        this.deleteUnseen = """
                UPDATE records SET deleted_at = ?, last_modified_at = ?, last_action = 'DELETED', %s
                 WHERE stream = ? AND deleted_at IS NULL AND %s""".formatted(toFeedEnd, SeenKeys.UNSEEN);
    }

    /**
     * The assignments that move a changed record to the end of the changes feed, for every
     * statement that changes a record. An insert needs none: the columns' defaults do the same.
     * On PostgreSQL the defaults are the writing transaction's id and the next position
     * ({@code V16__changes_feed_written_once}); on H2 the position is left empty for the sequencer.
     */
    public static String toFeedEnd(Database db) {
        return db.isPostgres() ? "feed_xid = DEFAULT, feed_position = DEFAULT" : "feed_position = NULL";
    }

    /** Applies within the caller's transaction (the caller pokes the sequencer after commit, for H2). */
    public Change upsert(Connection c, RecordKey key, String canonical, String hash) throws SQLException {
        OffsetDateTime now = now();
        // Most deliveries of a new record end here, in one statement; a key that exists falls through.
        if (insert(c, key, canonical, hash, now)) {
            return Change.ADDED;
        }
        try (PreparedStatement select = c.prepareStatement("""
                SELECT content_hash, deleted_at FROM records
                 WHERE stream = ? AND external_id = ?
                 FOR UPDATE""")) {
            bindKey(select, key);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("record " + key + " vanished while it was being updated");
                }
                boolean wasDeleted = rs.getObject(2) != null;
                if (!wasDeleted && hash.equals(rs.getString(1))) {
                    return Change.UNCHANGED;
                }
                // A record that comes back after a delete is new again to a reader that removed it.
                Change change = wasDeleted ? Change.ADDED : Change.UPDATED;
                try (PreparedStatement update = c.prepareStatement(this.update)) {
                    update.setString(1, canonical);
                    update.setString(2, hash);
                    update.setObject(3, now);
                    update.setString(4, change.name());
                    update.setObject(5, null);
                    bindKey(update, key, 6);
                    update.executeUpdate();
                }
                return change;
            }
        }
    }

    /** One record of a batch: its external id and canonical payload with its hash. */
    public record Item(String externalId, String canonical, String hash) {
    }

    /**
     * The existing records of a page's keys, in key order, locked when {@code lock}. On PostgreSQL
     * each key is one probe of {@code records_key} (stream, external_id): the LIMIT keeps each
     * probe a nested lookup, so the plan holds without statistics. An IN list was planned as a
     * read of the whole stream when the statistics were missing ({@code StorePlansTest}).
     */
    static String pageKeysSql(boolean postgres, int keys, boolean lock) {
        String forUpdate = lock ? " FOR UPDATE" : "";
        return postgres ? """
                SELECT r.external_id, r.content_hash, r.deleted_at
                  FROM unnest(?::varchar[]) AS k(external_id)
                 CROSS JOIN LATERAL (SELECT external_id, content_hash, deleted_at FROM records
                                      WHERE stream = ? AND external_id = k.external_id LIMIT 1%s) r""".formatted(forUpdate)
                : "SELECT external_id, content_hash, deleted_at FROM records WHERE stream = ? AND external_id IN ("
                        + "?,".repeat(keys - 1) + "?)" + forUpdate;
    }

    /** The stored content hash of each existing key, or {@code null} for a deleted record; locked when {@code lock}. */
    private Map<String, String[]> stored(Connection c, String stream, Collection<String> keys, boolean lock)
            throws SQLException {
        Map<String, String[]> existing = new HashMap<>(keys.size() * 2);
        if (keys.isEmpty()) {
            return existing;
        }
        String[] sorted = keys.stream().distinct().sorted().toArray(String[]::new); // locks in one order
        try (PreparedStatement select = c.prepareStatement(pageKeysSql(db.isPostgres(), sorted.length, lock))) {
            if (db.isPostgres()) {
                select.setArray(1, c.createArrayOf("varchar", sorted));
                select.setString(2, stream);
            } else {
                select.setString(1, stream);
                for (int i = 0; i < sorted.length; i++) {
                    select.setString(2 + i, sorted[i]);
                }
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    existing.put(rs.getString(1), new String[] { rs.getString(2), rs.getObject(3) == null ? null : "deleted" });
                }
            }
        }
        return existing;
    }

    /**
     * Applies a page of records of one (connection, model) within the caller's transaction, with a
     * handful of statements instead of two per record. Same outcome as calling {@link #upsert} per
     * item. The page's keys are read without locks; only the records that change are then read
     * again, locked, and compared once more, so an unchanged record is neither locked nor
     * written. A full-refresh pass ({@code seenByRun}) marks its unchanged records in
     * {@link SeenKeys}; the records it writes carry the pass themselves.
     */
    public List<Change> upsertAll(Connection c, String providerConfigKey, String connectionId, String model,
            List<Item> items, Long seenByRun) throws SQLException {
        String stream = RecordKey.stream(providerConfigKey, connectionId, model);
        Map<String, String[]> existing = stored(c, stream, items.stream().map(Item::externalId).toList(), false);
        List<String> changing = new ArrayList<>();
        for (Item item : items) {
            String[] prior = existing.get(item.externalId());
            if (prior != null && (prior[1] != null || !item.hash().equals(prior[0]))) {
                changing.add(item.externalId());
            }
        }
        changing.forEach(existing::remove);
        existing.putAll(stored(c, stream, changing, true)); // as they are now that no one else can change them
        OffsetDateTime now = now();
        List<Change> out = new ArrayList<>(items.size());
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO records (provider_config_key, connection_id, model, external_id, payload, content_hash,
                                     first_seen_at, last_modified_at, last_action, seen_by_run, stream)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?, ?)""");
                PreparedStatement update = c.prepareStatement(this.update)) {
            Set<String> unchanged = new HashSet<>();
            for (Item item : items) {
                String[] prior = existing.get(item.externalId());
                Change change;
                if (prior == null) {
                    change = Change.ADDED;
                    bindInsert(insert, new RecordKey(providerConfigKey, connectionId, model, item.externalId()),
                            item.canonical(), item.hash(), now, seenByRun);
                    insert.addBatch();
                } else if (prior[1] == null && item.hash().equals(prior[0])) {
                    change = Change.UNCHANGED;
                    if (seenByRun != null) {
                        unchanged.add(item.externalId());
                    }
                } else {
                    change = prior[1] != null ? Change.ADDED : Change.UPDATED;
                    update.setString(1, item.canonical());
                    update.setString(2, item.hash());
                    update.setObject(3, now);
                    update.setString(4, change.name());
                    update.setObject(5, seenByRun);
                    bindKey(update, new RecordKey(providerConfigKey, connectionId, model, item.externalId()), 6);
                    update.addBatch();
                    unchanged.remove(item.externalId()); // a key twice in one page: the write carries the pass
                }
                // a key twice in one page: the later one is compared with the earlier one
                existing.put(item.externalId(), new String[] { item.hash(), null });
                out.add(change);
            }
            insert.executeBatch();
            update.executeBatch();
            if (seenByRun != null) {
                SeenKeys.mark(c, db.isPostgres(), seenByRun, unchanged);
            }
        }
        return out;
    }

    public Change delete(Connection c, RecordKey key, OffsetDateTime at) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(this.delete)) {
            update.setObject(1, at);
            update.setObject(2, at);
            bindKey(update, key, 3);
            return update.executeUpdate() == 1 ? Change.DELETED : Change.UNCHANGED;
        }
    }

    public void poke() {
        sequencer.poke();
    }

    /** Inserts the record unless its key exists (then it waits for, and yields to, the other writer). */
    private static boolean insert(Connection c, RecordKey key, String canonical, String hash, OffsetDateTime now)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO records (provider_config_key, connection_id, model, external_id, payload, content_hash,
                                     first_seen_at, last_modified_at, last_action, seen_by_run, stream)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?, ?) ON CONFLICT DO NOTHING""")) {
            bindInsert(insert, key, canonical, hash, now, null);
            return insert.executeUpdate() == 1;
        }
    }

    private static void bindInsert(PreparedStatement insert, RecordKey key, String canonical, String hash,
            OffsetDateTime now, Long seenByRun) throws SQLException {
        insert.setString(1, key.providerConfigKey());
        insert.setString(2, key.connectionId());
        insert.setString(3, key.model());
        insert.setString(4, key.externalId());
        insert.setString(5, canonical);
        insert.setString(6, hash);
        insert.setObject(7, now);
        insert.setObject(8, now);
        insert.setObject(9, seenByRun);
        insert.setString(10, key.stream());
    }

    /** Live records of (connection, model), and how many of them full-refresh run {@code run} did not see. */
    public record Unseen(long live, long unseen) {
    }

    /** The live records of a stream that a pass did not see: an anti-join against its marks. */
    static final String COUNT_UNSEEN = "SELECT COUNT(*) FROM records WHERE stream = ? AND deleted_at IS NULL AND "
            + SeenKeys.UNSEEN;

    public Unseen countUnseen(Connection c, String providerConfigKey, String connectionId, String model, long run)
            throws SQLException {
        String stream = RecordKey.stream(providerConfigKey, connectionId, model);
        long live;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM records WHERE stream = ? AND deleted_at IS NULL")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                live = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT_UNSEEN)) {
            ps.setString(1, stream);
            SeenKeys.bindUnseen(ps, 2, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Unseen(live, rs.getLong(1));
            }
        }
    }

    /** What applying would do, without applying: for dry runs. */
    public Change wouldChange(RecordKey key, String hash, boolean delete) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT content_hash, deleted_at FROM records WHERE stream = ? AND external_id = ?")) {
                bindKey(ps, key);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean exists = rs.next();
                    boolean live = exists && rs.getObject(2) == null;
                    if (delete) {
                        return live ? Change.DELETED : Change.UNCHANGED;
                    }
                    return !live ? Change.ADDED : hash.equals(rs.getString(1)) ? Change.UNCHANGED : Change.UPDATED;
                }
            }
        });
    }

    /** Soft-deletes the live records a complete full-refresh run did not see (guarantee 4). */
    public long deleteUnseen(Connection c, String providerConfigKey, String connectionId, String model, long run)
            throws SQLException {
        OffsetDateTime now = now();
        try (PreparedStatement ps = c.prepareStatement(deleteUnseen)) {
            ps.setObject(1, now);
            ps.setObject(2, now);
            ps.setString(3, RecordKey.stream(providerConfigKey, connectionId, model));
            SeenKeys.bindUnseen(ps, 4, run);
            return ps.executeUpdate();
        }
    }

    /**
     * Refreshes H2's statistics of the records table during a bulk load (H2 samples, so it is
     * cheap). PostgreSQL needs none: each of the store's statements is planned onto its index
     * whatever the statistics say, which {@code StorePlansTest} reads with EXPLAIN.
     */
    public void analyze() {
        if (db.isPostgres()) {
            return; // every plan of the store holds without statistics there (StorePlansTest)
        }
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE TABLE records");
            }
            return null;
        });
    }

    public long countLive(String providerConfigKey, String connectionId, String model) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT COUNT(*) FROM records
                     WHERE stream = ? AND deleted_at IS NULL""")) {
                ps.setString(1, RecordKey.stream(providerConfigKey, connectionId, model));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Empties the cache of (connection, model): the records are gone, not marked deleted. */
    public long purge(String providerConfigKey, String connectionId, String model) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM records WHERE stream = ?")) {
                ps.setString(1, RecordKey.stream(providerConfigKey, connectionId, model));
                return (long) ps.executeUpdate();
            }
        });
    }

    /**
     * Runs a record transaction again when it lost a race that left nothing behind: two first
     * deliveries of one record inserting it (the loser re-reads and compares), or a deadlock the
     * database broke by aborting this side (the feed sequencer numbers rows that a page of a
     * refresh is writing at the same time). The transaction is idempotent, so running it again is
     * safe; a third loss is reported as the failure it is.
     */
    public static <T> T retryOnRace(Supplier<T> attempt) {
        for (int tries = 1;; tries++) {
            try {
                return attempt.get();
            } catch (Database.StoreException e) {
                if (tries >= 3 || !(e.isUniqueViolation() || e.isDeadlock())) {
                    throw e;
                }
            }
        }
    }

    private static void bindKey(PreparedStatement ps, RecordKey key) throws SQLException {
        bindKey(ps, key, 1);
    }

    private static void bindKey(PreparedStatement ps, RecordKey key, int from) throws SQLException {
        ps.setString(from, key.stream());
        ps.setString(from + 1, key.externalId());
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
