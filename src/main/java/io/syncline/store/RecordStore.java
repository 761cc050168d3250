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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
                 WHERE stream = ? AND deleted_at IS NULL AND (seen_by_run IS NULL OR seen_by_run <> ?)"""
                .formatted(toFeedEnd);
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
        return upsert(c, key, canonical, hash, null);
    }

    /**
     * As {@link #upsert(Connection, RecordKey, String, String)}, also noting that full-refresh run
     * {@code seenByRun} saw the record, so that the run's deletion step keeps it.
     */
    public Change upsert(Connection c, RecordKey key, String canonical, String hash, Long seenByRun)
            throws SQLException {
        OffsetDateTime now = now();
        // Most deliveries of a new record end here, in one statement; a key that exists falls through.
        if (insert(c, key, canonical, hash, now, seenByRun)) {
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
                    if (seenByRun != null) {
                        markSeen(c, key, seenByRun);
                    }
                    return Change.UNCHANGED;
                }
                // A record that comes back after a delete is new again to a reader that removed it.
                Change change = wasDeleted ? Change.ADDED : Change.UPDATED;
                try (PreparedStatement update = c.prepareStatement(this.update)) {
                    update.setString(1, canonical);
                    update.setString(2, hash);
                    update.setObject(3, now);
                    update.setString(4, change.name());
                    update.setObject(5, seenByRun);
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
     * The existing records of a page's keys, locked, in key order. On PostgreSQL each key is one
     * probe of {@code records_key} (stream, external_id): the LIMIT keeps each probe a nested
     * lookup, so the plan holds without statistics. An IN list was planned as a read of the whole
     * stream when the statistics were missing ({@code StorePlansTest}).
     */
    static String pageKeysSql(boolean postgres, int keys) {
        return postgres ? """
                SELECT r.external_id, r.content_hash, r.deleted_at, r.ctid::text
                  FROM unnest(?::varchar[]) AS k(external_id)
                 CROSS JOIN LATERAL (SELECT external_id, content_hash, deleted_at, ctid FROM records
                                      WHERE stream = ? AND external_id = k.external_id LIMIT 1 FOR UPDATE) r"""
                : "SELECT external_id, content_hash, deleted_at FROM records WHERE stream = ? AND external_id IN ("
                        + "?,".repeat(keys - 1) + "?) FOR UPDATE";
    }

    /**
     * Applies a page of records of one (connection, model) within the caller's transaction, with a
     * handful of statements instead of two per record: one SELECT ... FOR UPDATE of the page's
     * keys, then batched inserts and updates. Same outcome as calling {@link #upsert} per item.
     */
    public List<Change> upsertAll(Connection c, String providerConfigKey, String connectionId, String model,
            List<Item> items, Long seenByRun) throws SQLException {
        Map<String, String[]> existing = new HashMap<>(items.size() * 2);
        Map<String, String> rows = new HashMap<>(items.size() * 2); // PostgreSQL: where each locked row is
        if (!items.isEmpty()) {
            String stream = RecordKey.stream(providerConfigKey, connectionId, model);
            String[] keys = items.stream().map(Item::externalId).distinct().sorted().toArray(String[]::new);
            try (PreparedStatement select = c.prepareStatement(pageKeysSql(db.isPostgres(), keys.length))) {
                if (db.isPostgres()) {
                    select.setArray(1, c.createArrayOf("varchar", keys));
                    select.setString(2, stream);
                } else {
                    select.setString(1, stream);
                    for (int i = 0; i < keys.length; i++) {
                        select.setString(2 + i, keys[i]);
                    }
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        existing.put(rs.getString(1), new String[] { rs.getString(2),
                                rs.getObject(3) == null ? null : "deleted" });
                        if (db.isPostgres()) {
                            rows.put(rs.getString(1), rs.getString(4));
                        }
                    }
                }
            }
        }
        OffsetDateTime now = now();
        List<Change> out = new ArrayList<>(items.size());
        Map<String, Item> latest = new LinkedHashMap<>();
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO records (provider_config_key, connection_id, model, external_id, payload, content_hash,
                                     first_seen_at, last_modified_at, last_action, seen_by_run, stream)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?, ?)""");
                PreparedStatement update = c.prepareStatement(this.update)) {
            List<String> unchanged = new ArrayList<>();
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
                }
                // a key twice in one page: the later one is compared with the earlier one
                existing.put(item.externalId(), new String[] { item.hash(), null });
                out.add(change);
            }
            insert.executeBatch();
            update.executeBatch();
            if (!unchanged.isEmpty()) {
                markSeen(c, RecordKey.stream(providerConfigKey, connectionId, model), unchanged, rows, seenByRun);
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
    private static boolean insert(Connection c, RecordKey key, String canonical, String hash, OffsetDateTime now,
            Long seenByRun) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO records (provider_config_key, connection_id, model, external_id, payload, content_hash,
                                     first_seen_at, last_modified_at, last_action, seen_by_run, stream)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ADDED', ?, ?) ON CONFLICT DO NOTHING""")) {
            bindInsert(insert, key, canonical, hash, now, seenByRun);
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

    /**
     * PostgreSQL: the unchanged records of a page marked seen by a full-refresh run in one
     * statement, addressed by where each row is ({@code ctid}): a direct read of each (or of the
     * whole table, when it has fewer pages than the page has rows). The page's lookup locked these
     * rows, so no one else can move them; a row this page updated itself has moved, its old
     * address matches nothing, and the update that moved it marked it already.
     */
    static final String MARK_SEEN = "UPDATE records SET seen_by_run = ? WHERE ctid = ANY(?::tid[])";

    private static final String MARK_SEEN_BY_KEY = "UPDATE records SET seen_by_run = ? WHERE stream = ? AND external_id = ?";

    /** Marks a page's unchanged records seen by full-refresh run {@code run}. */
    private void markSeen(Connection c, String stream, List<String> keys, Map<String, String> rows, long run)
            throws SQLException {
        if (db.isPostgres()) {
            // a key that this page inserted has no row in {@code rows}, and was marked when inserted
            Object[] at = keys.stream().map(rows::get).filter(Objects::nonNull).toArray();
            if (at.length == 0) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(MARK_SEEN)) {
                ps.setLong(1, run);
                ps.setArray(2, c.createArrayOf("varchar", at));
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_SEEN_BY_KEY)) {
            for (String key : keys) {
                ps.setLong(1, run);
                ps.setString(2, stream);
                ps.setString(3, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void markSeen(Connection c, RecordKey key, long run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MARK_SEEN_BY_KEY)) {
            ps.setLong(1, run);
            bindKey(ps, key, 2);
            ps.executeUpdate();
        }
    }

    /** Live records of (connection, model), and how many of them full-refresh run {@code run} did not see. */
    public record Unseen(long live, long unseen) {
    }

    public Unseen countUnseen(Connection c, String providerConfigKey, String connectionId, String model, long run)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COUNT(*), COALESCE(SUM(CASE WHEN seen_by_run IS NULL OR seen_by_run <> ? THEN 1 ELSE 0 END), 0)
                  FROM records WHERE stream = ? AND deleted_at IS NULL""")) {
            ps.setLong(1, run);
            ps.setString(2, RecordKey.stream(providerConfigKey, connectionId, model));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Unseen(rs.getLong(1), rs.getLong(2));
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
            ps.setLong(4, run);
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
