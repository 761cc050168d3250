package io.syncline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;

/**
 * The records a full-refresh pass read and found unchanged, as narrow rows keyed by the pass
 * ({@code seen_keys}, V20), so that an unchanged record is neither locked nor rewritten. New and
 * changed records carry the pass in {@code records.seen_by_run}, as they are written anyway.
 * Whatever the pass did not see by either is what it may delete ({@link #UNSEEN}, guarantee 4).
 * <p>
 * A pass registers before its first mark ({@link #begin}) and removes its marks when it ends
 * ({@link #end}). On PostgreSQL both tables are unlogged: a crash of the database empties them,
 * and a pass that resumes without its registration deletes nothing.
 */
public final class SeenKeys {

    private SeenKeys() {
    }

    /**
     * The records of a stream that pass {@code generation} did not see: a condition on
     * {@code records} that takes the generation twice ({@link #bindUnseen}).
     */
    public static final String UNSEEN = """
            (records.seen_by_run IS NULL OR records.seen_by_run <> ?)
            AND NOT EXISTS (SELECT 1 FROM seen_keys s WHERE s.generation = ? AND s.external_id = records.external_id)""";

    /** Binds {@link #UNSEEN}'s parameters from {@code index}; returns the next index. */
    public static int bindUnseen(PreparedStatement ps, int index, long generation) throws SQLException {
        ps.setLong(index, generation);
        ps.setLong(index + 1, generation);
        return index + 2;
    }

    /**
     * A pass begins or resumes. A new pass drops what earlier passes of the same sync and
     * connection left (one that was given up) and registers; a resumed pass finds its
     * registration. Returns whether the pass's marks are whole, so that it may delete.
     */
    public static boolean begin(Connection c, String providerConfigKey, String connectionId, String syncName,
            long generation, boolean resumed) throws SQLException {
        if (resumed) {
            Boolean registered = registration(c, generation);
            if (registered != null) {
                return registered;
            }
            // its marks are gone (the database restarted without them): registered as broken, so
            // that the marks it makes from here are still removed with it
            register(c, providerConfigKey, connectionId, syncName, generation, false);
            return false;
        }
        try (PreparedStatement keys = c.prepareStatement("""
                DELETE FROM seen_keys WHERE generation IN (SELECT generation FROM seen_passes
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?)""");
                PreparedStatement passes = c.prepareStatement("""
                        DELETE FROM seen_passes WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            for (PreparedStatement ps : new PreparedStatement[] { keys, passes }) {
                ps.setString(1, providerConfigKey);
                ps.setString(2, connectionId);
                ps.setString(3, syncName);
                ps.executeUpdate();
            }
        }
        register(c, providerConfigKey, connectionId, syncName, generation, true);
        return true;
    }

    /**
     * Whether the pass's marks are whole, asked again in its last transaction: PostgreSQL may have
     * restarted (and emptied the tables) while the pass ran.
     */
    public static boolean intact(Connection c, long generation) throws SQLException {
        return Boolean.TRUE.equals(registration(c, generation));
    }

    /** Whether the pass's registration says its marks are whole; null when it has none. */
    private static Boolean registration(Connection c, long generation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT intact FROM seen_passes WHERE generation = ?")) {
            ps.setLong(1, generation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static void register(Connection c, String providerConfigKey, String connectionId, String syncName,
            long generation, boolean intact) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO seen_passes (generation, provider_config_key, connection_id, sync_name, intact, started_at)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            ps.setLong(1, generation);
            ps.setString(2, providerConfigKey);
            ps.setString(3, connectionId);
            ps.setString(4, syncName);
            ps.setBoolean(5, intact);
            ps.setObject(6, RecordStore.now());
            ps.executeUpdate();
        }
    }

    /** Marks records the pass read unchanged, in the caller's transaction (a key twice is one mark). */
    static void mark(Connection c, boolean postgres, long generation, Collection<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        if (postgres) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO seen_keys (generation, external_id) SELECT ?, unnest(?::varchar[])
                    ON CONFLICT DO NOTHING""")) {
                ps.setLong(1, generation);
                ps.setArray(2, c.createArrayOf("varchar", keys.toArray()));
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "MERGE INTO seen_keys (generation, external_id) KEY (generation, external_id) VALUES (?, ?)")) {
            for (String key : keys) {
                ps.setLong(1, generation);
                ps.setString(2, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * The pass ended, in its last transaction, after its deletion step: the deletions held for
     * review by earlier passes of the same sync and connection learn which of their records this
     * pass read again (their preview no longer holds), and the pass's marks go.
     */
    public static void end(Connection c, String providerConfigKey, String connectionId, String syncName,
            long generation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE delete_review_records SET seen_again = TRUE
                 WHERE review_id IN (SELECT id FROM delete_reviews WHERE provider_config_key = ? AND connection_id = ?
                                        AND sync_name = ? AND status = 'pending' AND run_id < ?)
                   AND external_id IN (SELECT external_id FROM seen_keys WHERE generation = ?)""")) {
            ps.setString(1, providerConfigKey);
            ps.setString(2, connectionId);
            ps.setString(3, syncName);
            ps.setLong(4, generation);
            ps.setLong(5, generation);
            ps.executeUpdate();
        }
        for (String sql : new String[] { "DELETE FROM seen_keys WHERE generation = ?",
                "DELETE FROM seen_passes WHERE generation = ?" }) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, generation);
                ps.executeUpdate();
            }
        }
    }

    /**
     * A condition on a held deletion {@code h} (delete_review_records) that a pass still running
     * for the review's sync and connection has read the record again since the review's run. Takes
     * the sync's provider config key, connection, name and the review's run.
     */
    public static final String SEEN_BY_A_RUNNING_PASS = """
            EXISTS (SELECT 1 FROM seen_keys s JOIN seen_passes p ON p.generation = s.generation
                     WHERE p.provider_config_key = ? AND p.connection_id = ? AND p.sync_name = ?
                       AND s.generation > ? AND s.external_id = h.external_id)""";

    /** Removes what passes registered before {@code before} left behind (a sync removed mid-pass). */
    public static int prune(Connection c, OffsetDateTime before) throws SQLException {
        try (PreparedStatement keys = c.prepareStatement("""
                DELETE FROM seen_keys WHERE generation IN (SELECT generation FROM seen_passes WHERE started_at < ?)""");
                PreparedStatement passes = c.prepareStatement("DELETE FROM seen_passes WHERE started_at < ?")) {
            keys.setObject(1, before);
            int n = keys.executeUpdate();
            passes.setObject(1, before);
            passes.executeUpdate();
            return n;
        }
    }
}
