package io.syncline.connection;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.fasterxml.jackson.core.type.TypeReference;

import io.syncline.config.StoredJson;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

/**
 * Connections in the database, with credentials sealed by {@link CredentialCipher}. Lookups on
 * the webhook path are cached briefly; every change through this class drops the cache entry.
 */
@Unremovable // looked up by the Kamelets' declarations and the steps
@ApplicationScoped
public class Connections {

    private static final long CACHE_MILLIS = 5_000;

    private final Database db;
    private final CredentialCipher cipher;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Connection> connection, long loadedAt) {
    }

    private final Event<Created> created;

    /** Fired after a connection is committed, so that its syncs can run their first import. */
    public record Created(String providerConfigKey, String connectionId) {
    }

    public Connections(Database db, CredentialCipher cipher, Event<Created> created) {
        this.db = db;
        this.cipher = cipher;
        this.created = created;
    }

    public Optional<Connection> find(String providerConfigKey, String connectionId) {
        if (!possibleId(providerConfigKey) || !possibleId(connectionId)) {
            return Optional.empty(); // no such connection can exist: no query, and nothing cached
        }
        String key = providerConfigKey + "\u0000" + connectionId;
        long now = System.currentTimeMillis();
        Cached hit = cache.get(key);
        if (hit != null && now - hit.loadedAt() < CACHE_MILLIS) {
            return hit.connection();
        }
        Optional<Connection> loaded = load(providerConfigKey, connectionId);
        cache.put(key, new Cached(loaded, now));
        return loaded;
    }

    /** Ids are at most 200 characters, none of them NUL (which PostgreSQL cannot even compare). */
    static boolean possibleId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 200 && id.indexOf('\u0000') < 0;
    }

    private Optional<Connection> load(String providerConfigKey, String connectionId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT provider_config_key, connection_id, base_url, credentials, metadata, created_at, updated_at
                      FROM connections WHERE provider_config_key = ? AND connection_id = ?""")) {
                ps.setString(1, providerConfigKey);
                ps.setString(2, connectionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Connection>empty();
                }
            }
        });
    }

    public List<Connection> list(String providerConfigKey) {
        return db.inTransaction(c -> {
            String sql = """
                    SELECT provider_config_key, connection_id, base_url, credentials, metadata, created_at, updated_at
                      FROM connections""" + (providerConfigKey == null ? "" : " WHERE provider_config_key = ?")
                    + " ORDER BY provider_config_key, connection_id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (providerConfigKey != null) {
                    ps.setString(1, providerConfigKey);
                }
                List<Connection> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * The connection of the integration whose metadata {@code key} holds {@code value} (as text),
     * e.g. the HubSpot portal an app-wide webhook's event names.
     */
    public Optional<Connection> findByMetadata(String providerConfigKey, String key, String value) {
        return list(providerConfigKey).stream()
                .filter(c -> c.metadata() != null && c.metadata().get(key) != null
                        && value.equals(String.valueOf(c.metadata().get(key))))
                .findFirst();
    }

    /** @return false when a connection with that key already exists */
    public boolean create(Connection conn) {
        OffsetDateTime now = RecordStore.now();
        try {
            db.inTransaction(c -> {
                insert(c, conn, now);
                return null;
            });
        } catch (Database.StoreException e) {
            if (e.isUniqueViolation()) {
                return false;
            }
            throw e;
        } finally {
            forget(conn.providerConfigKey(), conn.connectionId());
        }
        created.fire(new Created(conn.providerConfigKey(), conn.connectionId()));
        return true;
    }

    private void insert(java.sql.Connection c, Connection conn, OffsetDateTime now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO connections (provider_config_key, connection_id, base_url, credentials, metadata,
                                         created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, conn.providerConfigKey());
            ps.setString(2, conn.connectionId());
            ps.setString(3, conn.baseUrl());
            ps.setString(4, seal(conn.credentials()));
            ps.setString(5, json(conn.metadata()));
            ps.setObject(6, now);
            ps.setObject(7, now);
            ps.executeUpdate();
        }
    }

    /** Changes what is given; null leaves a part as it is, and an empty credentials map clears them. */
    public boolean update(String providerConfigKey, String connectionId, String baseUrl,
            Map<String, String> credentials, Map<String, Object> metadata) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE connections SET base_url = COALESCE(?, base_url),
                               credentials = CASE WHEN ? THEN NULL ELSE COALESCE(?, credentials) END,
                               metadata = COALESCE(?, metadata), updated_at = ?
                         WHERE provider_config_key = ? AND connection_id = ?""")) {
                    ps.setString(1, baseUrl);
                    ps.setBoolean(2, credentials != null && credentials.isEmpty()); // an empty map clears them
                    ps.setString(3, credentials == null ? null : seal(credentials));
                    ps.setString(4, metadata == null ? null : json(metadata));
                    ps.setObject(5, RecordStore.now());
                    ps.setString(6, providerConfigKey);
                    ps.setString(7, connectionId);
                    return ps.executeUpdate() == 1;
                }
            });
        } finally {
            forget(providerConfigKey, connectionId);
        }
    }

    /** What {@link #authorize} runs in its transaction, knowing whether the connection is new. */
    @FunctionalInterface
    public interface Announce {
        void run(java.sql.Connection tx, boolean created) throws SQLException;
    }

    /**
     * Stores what a customer's consent brought: the connection is created, or, when it exists,
     * its credentials are replaced as a whole (which also clears a "needs reconnect" mark), its
     * base_url kept unless a new one is given, and the metadata merged. {@code also} runs in
     * the same transaction, so that what announces the change commits with it or not at all.
     *
     * @return true when the connection is new
     */
    public boolean authorize(Connection conn, Announce also) {
        boolean createdNow;
        try {
            createdNow = db.inTransaction(c -> {
                Connection before = null;
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT provider_config_key, connection_id, base_url, credentials, metadata, created_at, updated_at
                          FROM connections WHERE provider_config_key = ? AND connection_id = ? FOR UPDATE""")) {
                    ps.setString(1, conn.providerConfigKey());
                    ps.setString(2, conn.connectionId());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            before = read(rs);
                        }
                    }
                }
                OffsetDateTime now = RecordStore.now();
                if (before == null) {
                    insert(c, conn, now);
                } else {
                    Map<String, Object> metadata = new LinkedHashMap<>(before.metadata());
                    if (conn.metadata() != null) {
                        metadata.putAll(conn.metadata());
                    }
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE connections SET base_url = COALESCE(?, base_url), credentials = ?, metadata = ?,
                                   updated_at = ?
                             WHERE provider_config_key = ? AND connection_id = ?""")) {
                        ps.setString(1, conn.baseUrl());
                        ps.setString(2, seal(conn.credentials()));
                        ps.setString(3, json(metadata));
                        ps.setObject(4, now);
                        ps.setString(5, conn.providerConfigKey());
                        ps.setString(6, conn.connectionId());
                        ps.executeUpdate();
                    }
                }
                also.run(c, before == null);
                return before == null;
            });
        } finally {
            forget(conn.providerConfigKey(), conn.connectionId());
        }
        if (createdNow) {
            created.fire(new Created(conn.providerConfigKey(), conn.connectionId()));
        }
        return createdNow;
    }

    public boolean delete(String providerConfigKey, String connectionId) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM connections WHERE provider_config_key = ? AND connection_id = ?")) {
                    ps.setString(1, providerConfigKey);
                    ps.setString(2, connectionId);
                    return ps.executeUpdate() == 1;
                }
            });
        } finally {
            forget(providerConfigKey, connectionId);
        }
    }

    /**
     * Reseals every connection's credentials that an older key sealed, one row per transaction,
     * with the current key. A row changed meanwhile is left for the next call (compare-and-set).
     *
     * @return how many connections were resealed
     */
    public int resealCredentials() {
        List<String[]> stale = db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT provider_config_key, connection_id, credentials FROM connections WHERE credentials IS NOT NULL");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (cipher.sealedWithOlderKey(rs.getString(3))) {
                        out.add(new String[] { rs.getString(1), rs.getString(2), rs.getString(3) });
                    }
                }
            }
            return out;
        });
        int done = 0;
        for (String[] row : stale) {
            String resealed = cipher.encrypt(cipher.decrypt(row[2]));
            done += db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE connections SET credentials = ?
                         WHERE provider_config_key = ? AND connection_id = ? AND credentials = ?""")) {
                    ps.setString(1, resealed);
                    ps.setString(2, row[0]);
                    ps.setString(3, row[1]);
                    ps.setString(4, row[2]);
                    return ps.executeUpdate();
                }
            });
            forget(row[0], row[1]);
        }
        return done;
    }

    /** What {@link #withLockedCredentials} stores (null: nothing changes) and what it returns. */
    public record Locked<T>(Map<String, String> store, T result) {
    }

    /**
     * Runs {@code work} on a connection's current credentials under a row lock on the connection
     * ({@code SELECT … FOR UPDATE}), and seals and stores the credentials it returns in the same
     * transaction. Every replica that changes one connection's credentials this way waits for the
     * one before it and then reads what that one committed: a token refresh is decided on the
     * latest tokens, never on a copy.
     *
     * @return empty when there is no such connection
     */
    public <T> Optional<T> withLockedCredentials(String providerConfigKey, String connectionId,
            Function<Map<String, String>, Locked<T>> work) {
        Optional<T> out = db.inTransaction(c -> {
            Map<String, String> current;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT provider_config_key, connection_id, base_url, credentials, metadata, created_at, updated_at
                      FROM connections WHERE provider_config_key = ? AND connection_id = ?
                       FOR UPDATE""")) {
                ps.setString(1, providerConfigKey);
                ps.setString(2, connectionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<T>empty();
                    }
                    current = read(rs).credentials();
                }
            }
            Locked<T> done = work.apply(current);
            if (done.store() != null) {
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE connections SET credentials = ?, updated_at = ?
                         WHERE provider_config_key = ? AND connection_id = ?""")) {
                    ps.setString(1, seal(done.store()));
                    ps.setObject(2, RecordStore.now());
                    ps.setString(3, providerConfigKey);
                    ps.setString(4, connectionId);
                    ps.executeUpdate();
                }
            }
            return Optional.ofNullable(done.result());
        });
        forget(providerConfigKey, connectionId);
        return out;
    }

    private void forget(String providerConfigKey, String connectionId) {
        cache.remove(providerConfigKey + "\u0000" + connectionId);
    }

    private Connection read(ResultSet rs) throws SQLException {
        String sealed = rs.getString(4);
        Map<String, String> credentials = sealed == null ? Map.of()
                : parse(cipher.decrypt(sealed), new TypeReference<LinkedHashMap<String, String>>() {
                });
        String meta = rs.getString(5);
        Map<String, Object> metadata = meta == null ? Map.of()
                : parse(meta, new TypeReference<LinkedHashMap<String, Object>>() {
                });
        return new Connection(rs.getString(1), rs.getString(2), rs.getString(3), credentials, metadata,
                rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class));
    }

    private String seal(Map<String, String> credentials) {
        return credentials == null || credentials.isEmpty() ? null : cipher.encrypt(json(credentials));
    }

    private static String json(Object value) {
        return StoredJson.write(value);
    }

    private static <T> T parse(String text, TypeReference<T> type) {
        return StoredJson.read(text, type, "connection data");
    }
}
