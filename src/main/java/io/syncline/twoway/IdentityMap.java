package io.syncline.twoway;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;

/**
 * Local id ↔ remote id per (connection, model), filled when a write creates or finds the record
 * at the destination, with what both sides last agreed on per field ({@link FieldState}) and the
 * hash of what the destination last received. Rows are read {@code FOR UPDATE}: the two sides of
 * one record never reconcile at the same time.
 */
@Unremovable
@ApplicationScoped
public class IdentityMap {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    public IdentityMap(Database db) {
        this.db = db;
    }

    /** A record first seen on the remote side has no local id until your app names it. */
    public static final String UNLINKED = "remote:";

    public record Scope(String providerConfigKey, String connectionId, String model) {
    }

    public record Link(String localId, String remoteId, String matchValue, Map<String, FieldState> agreed,
            String lastSentHash) {

        public Link withRemote(String remote) {
            return new Link(localId, remote, matchValue, agreed, lastSentHash);
        }

        public Link withSentHash(String hash) {
            return new Link(localId, remoteId, matchValue, agreed, hash);
        }

        public Link withAgreed(Map<String, FieldState> fields) {
            return new Link(localId, remoteId, matchValue, fields, lastSentHash);
        }

        public boolean linked() {
            return !localId.startsWith(UNLINKED);
        }
    }

    public Optional<Link> byLocal(Connection c, Scope s, String localId) throws SQLException {
        return one(c, s, "local_id", localId);
    }

    /** The row without locking it: for a decision that is checked again under the lock. */
    public Optional<Link> peekLocal(Connection c, Scope s, String localId) throws SQLException {
        return one(c, s, "local_id", localId, false);
    }

    /** Many rows by local id, without locking them. */
    public Map<String, Link> peekLocal(Connection c, Scope s, List<String> localIds)
            throws SQLException {
        Map<String, Link> out = new HashMap<>();
        for (int from = 0; from < localIds.size(); from += 500) {
            List<String> part = localIds.subList(from, Math.min(localIds.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement(manySql(db.isPostgres(), part.size()))) {
                int i = 1;
                if (db.isPostgres()) {
                    ps.setArray(i++, c.createArrayOf("varchar", part.toArray()));
                }
                ps.setString(i++, s.providerConfigKey());
                ps.setString(i++, s.connectionId());
                ps.setString(i++, s.model());
                if (!db.isPostgres()) {
                    for (String id : part) {
                        ps.setString(i++, id);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String agreed = rs.getString(4);
                        out.put(rs.getString(1), new Link(rs.getString(1), rs.getString(2), rs.getString(3),
                                agreed == null ? new LinkedHashMap<>() : read(agreed), rs.getString(5)));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Many identities by local id. On PostgreSQL each id is one probe of the primary key (the
     * LIMIT keeps each probe a nested lookup), so the plan holds without statistics; an IN list
     * was planned as a read of every identity of the connection when they were missing.
     */
    static String manySql(boolean postgres, int ids) {
        return postgres ? """
                SELECT i.local_id, i.remote_id, i.match_value, i.agreed, i.last_sent_hash
                  FROM unnest(?::varchar[]) AS k(local_id)
                 CROSS JOIN LATERAL (SELECT local_id, remote_id, match_value, agreed, last_sent_hash FROM identity_map
                                      WHERE provider_config_key = ? AND connection_id = ? AND model = ?
                                        AND local_id = k.local_id LIMIT 1) i"""
                : "SELECT local_id, remote_id, match_value, agreed, last_sent_hash FROM identity_map"
                        + " WHERE provider_config_key = ? AND connection_id = ? AND model = ? AND local_id IN ("
                        + "?,".repeat(ids - 1) + "?)";
    }

    public Optional<Link> byRemote(Connection c, Scope s, String remoteId) throws SQLException {
        return one(c, s, "remote_id", remoteId);
    }

    public Optional<Link> byMatch(Connection c, Scope s, String matchValue) throws SQLException {
        return matchValue == null ? Optional.empty() : one(c, s, "match_value", matchValue);
    }

    private Optional<Link> one(Connection c, Scope s, String column, String value) throws SQLException {
        return one(c, s, column, value, true);
    }

    /**
     * The lookup of one identity by a column: (scope, column) leads an index that ends with
     * local_id, so the lookup and its order are served by one index whatever the statistics.
     */
    static String lookupSql(String column, boolean lock) {
        return "SELECT local_id, remote_id, match_value, agreed, last_sent_hash FROM identity_map"
                + " WHERE provider_config_key = ? AND connection_id = ? AND model = ? AND " + column
                + " = ? ORDER BY local_id LIMIT 1" + (lock ? " FOR UPDATE" : "");
    }

    private Optional<Link> one(Connection c, Scope s, String column, String value, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(lookupSql(column, lock))) {
            ps.setString(1, s.providerConfigKey());
            ps.setString(2, s.connectionId());
            ps.setString(3, s.model());
            ps.setString(4, value);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String agreed = rs.getString(4);
                Map<String, FieldState> fields = agreed == null ? new LinkedHashMap<>() : read(agreed);
                return Optional.of(new Link(rs.getString(1), rs.getString(2), rs.getString(3), fields, rs.getString(5)));
            }
        }
    }

    /** Inserts or replaces the row of {@code link.localId()}; {@code previousLocalId} renames it. */
    public void save(Connection c, Scope s, Link link, String previousLocalId) throws SQLException {
        String agreed;
        try {
            agreed = JSON.writeValueAsString(link.agreed());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE identity_map SET local_id = ?, remote_id = ?, match_value = ?, agreed = ?, last_sent_hash = ?,
                       updated_at = ?
                 WHERE provider_config_key = ? AND connection_id = ? AND model = ? AND local_id = ?""")) {
            bind(ps, link, agreed);
            ps.setString(7, s.providerConfigKey());
            ps.setString(8, s.connectionId());
            ps.setString(9, s.model());
            ps.setString(10, previousLocalId == null ? link.localId() : previousLocalId);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO identity_map (local_id, remote_id, match_value, agreed, last_sent_hash, updated_at,
                                          provider_config_key, connection_id, model)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            bind(ps, link, agreed);
            ps.setString(7, s.providerConfigKey());
            ps.setString(8, s.connectionId());
            ps.setString(9, s.model());
            ps.executeUpdate();
        }
    }

    /** A write reached the destination: the record's remote id and the content it now holds. */
    public record Sent(Scope scope, String localId, String remoteId, String hash) {
    }

    /**
     * Records many sent one-way writes at once (no two-way state to reconcile). On PostgreSQL one
     * upsert of the whole set, each row found through the primary key by ON CONFLICT; on H2 a
     * batch of standard MERGEs.
     */
    public void recordSent(Connection c, List<Sent> sent) throws SQLException {
        if (sent.isEmpty()) {
            return;
        }
        if (db.isPostgres()) {
            upsertSent(c, sent);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                MERGE INTO identity_map t
                USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)),
                               CAST(? AS VARCHAR(500)), CAST(? AS VARCHAR(500)), CAST(? AS VARCHAR(64)),
                               CAST(? AS TIMESTAMP WITH TIME ZONE)))
                      AS s (pck, cid, model, local_id, remote_id, hash, at)
                   ON t.provider_config_key = s.pck AND t.connection_id = s.cid AND t.model = s.model
                  AND t.local_id = s.local_id
                WHEN MATCHED THEN UPDATE SET remote_id = COALESCE(s.remote_id, t.remote_id), last_sent_hash = s.hash,
                                             updated_at = s.at
                WHEN NOT MATCHED THEN INSERT (provider_config_key, connection_id, model, local_id, remote_id,
                                              last_sent_hash, updated_at)
                                      VALUES (s.pck, s.cid, s.model, s.local_id, s.remote_id, s.hash, s.at)""")) {
            for (Sent x : sent) {
                ps.setString(1, x.scope().providerConfigKey());
                ps.setString(2, x.scope().connectionId());
                ps.setString(3, x.scope().model());
                ps.setString(4, x.localId());
                ps.setString(5, x.remoteId());
                ps.setString(6, x.hash());
                ps.setObject(7, RecordStore.now());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void upsertSent(Connection c, List<Sent> sent) throws SQLException {
        // one row per identity: ON CONFLICT may not touch a row twice in one statement
        Map<List<String>, Sent> last = new LinkedHashMap<>();
        for (Sent x : sent) {
            last.put(List.of(x.scope().providerConfigKey(), x.scope().connectionId(), x.scope().model(), x.localId()), x);
        }
        List<Sent> rows = new ArrayList<>(last.values());
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO identity_map (provider_config_key, connection_id, model, local_id, remote_id,
                                          last_sent_hash, updated_at)
                SELECT pck, cid, model, local_id, remote_id, hash, ?
                  FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[])
                       AS s (pck, cid, model, local_id, remote_id, hash)
                ON CONFLICT (provider_config_key, connection_id, model, local_id) DO UPDATE
                   SET remote_id = COALESCE(EXCLUDED.remote_id, identity_map.remote_id),
                       last_sent_hash = EXCLUDED.last_sent_hash, updated_at = EXCLUDED.updated_at""")) {
            ps.setObject(1, RecordStore.now());
            ps.setArray(2, c.createArrayOf("varchar", rows.stream().map(x -> x.scope().providerConfigKey()).toArray()));
            ps.setArray(3, c.createArrayOf("varchar", rows.stream().map(x -> x.scope().connectionId()).toArray()));
            ps.setArray(4, c.createArrayOf("varchar", rows.stream().map(x -> x.scope().model()).toArray()));
            ps.setArray(5, c.createArrayOf("varchar", rows.stream().map(Sent::localId).toArray()));
            ps.setArray(6, c.createArrayOf("varchar", rows.stream().map(Sent::remoteId).toArray()));
            ps.setArray(7, c.createArrayOf("varchar", rows.stream().map(Sent::hash).toArray()));
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Link link, String agreed) throws SQLException {
        ps.setString(1, link.localId());
        ps.setString(2, link.remoteId());
        ps.setString(3, link.matchValue());
        ps.setString(4, agreed);
        ps.setString(5, link.lastSentHash());
        ps.setObject(6, RecordStore.now());
    }

    private static Map<String, FieldState> read(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, FieldState>>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException("identity_map.agreed is not readable: " + e.getMessage(), e);
        }
    }
}
