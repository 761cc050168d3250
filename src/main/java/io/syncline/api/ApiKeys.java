package io.syncline.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.syncline.config.GeneratedSecrets;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * API keys and their scopes. Keys are stored as SHA-256 hashes only; the plaintext exists once,
 * in the answer that creates it. The bootstrap key ({@code syncline.api-key}) has every scope.
 *
 * Unset outside production, the bootstrap key is generated once into the data directory and
 * printed once, so the quickstart works; in production an unset key leaves only stored keys.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final long CACHE_MILLIS = 5_000;

    public static final String RECORDS_READ = "records:read";
    public static final String SYNC_CONTROL = "sync:control";
    public static final String CONNECTIONS_WRITE = "connections:write";
    public static final String EVENTS_WRITE = "events:write";
    /** Creates connect sessions: your customers connect their own accounts. */
    public static final String CONNECT_WRITE = "connect:write";
    public static final String ADMIN = "admin";
    public static final List<String> SCOPES = List.of(RECORDS_READ, SYNC_CONTROL, CONNECTIONS_WRITE, EVENTS_WRITE,
            CONNECT_WRITE, ADMIN);

    /** Who a request is: a key's name, its scopes, and what it is limited to (null: everything). */
    public record Principal(String name, Set<String> scopes, String providerConfigKey, String connectionId) {
        public boolean may(String scope) {
            return scopes.contains(scope);
        }
    }

    /** A stored key as listed: never its plaintext or hash. */
    public record Key(long id, String name, String prefix, List<String> scopes, String providerConfigKey,
            String connectionId, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
    }

    private record Cached(Optional<Principal> principal, long loadedAt) {
    }

    private final Database db;
    private final String bootstrapHash;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    static final int MAX_CACHED = 10_000;

    /** How many keys are cached now (valid ones only). */
    int cached() {
        return cache.size();
    }
    private final SecureRandom random = new SecureRandom();

    public ApiKeys(Database db, @ConfigProperty(name = "syncline.api-key") Optional<String> configured,
            @ConfigProperty(name = "syncline.data-dir", defaultValue = "./data") String dataDir,
            @ConfigProperty(name = "syncline.generate-missing-secrets", defaultValue = "true") boolean generate) {
        this.db = db;
        String key = configured.filter(k -> !k.isBlank()).orElseGet(() -> generate ? generated(Path.of(dataDir)) : null);
        if (key == null) {
            LOG.warn("syncline.api-key is not set: only keys created through /api/keys are accepted");
        }
        this.bootstrapHash = key == null ? null : sha256(key.trim());
    }

    public enum Verdict {
        MISSING, WRONG, OK
    }

    public record Check(Verdict verdict, Principal principal) {
    }

    /** @param authorization the Authorization header as received */
    public Check check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Check(Verdict.MISSING, null);
        }
        String presented = authorization.trim();
        if (presented.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = presented.substring(7).trim();
        }
        String hash = sha256(presented);
        if (bootstrapHash != null && MessageDigest.isEqual(bootstrapHash.getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII))) {
            return new Check(Verdict.OK, new Principal("bootstrap", Set.copyOf(SCOPES), null, null));
        }
        long now = System.currentTimeMillis();
        Cached hit = cache.get(hash);
        if (hit == null || now - hit.loadedAt() > CACHE_MILLIS) {
            hit = new Cached(load(hash), now);
            // Only keys that exist are kept, and never more than MAX_CACHED: a flood of made-up
            // keys costs a lookup each and leaves nothing behind.
            if (hit.principal().isPresent()) {
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
                cache.put(hash, hit);
            } else {
                cache.remove(hash);
            }
        }
        return hit.principal().map(p -> new Check(Verdict.OK, p)).orElse(new Check(Verdict.WRONG, null));
    }

    /** Creates a key; the returned plaintext is the only copy there will ever be. */
    public Map.Entry<Key, String> create(String name, List<String> scopes, String providerConfigKey,
            String connectionId) {
        byte[] raw = new byte[24];
        random.nextBytes(raw);
        String plaintext = "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        long id = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO api_keys (name, key_hash, key_prefix, scopes, provider_config_key, connection_id,
                                          created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setString(2, sha256(plaintext));
                ps.setString(3, plaintext.substring(0, 8));
                ps.setString(4, String.join(",", new LinkedHashSet<>(scopes)));
                ps.setString(5, providerConfigKey);
                ps.setString(6, connectionId);
                ps.setObject(7, RecordStore.now());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return Map.entry(find(id).orElseThrow(), plaintext);
    }

    public List<Key> list() {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                List<Key> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(key(rs));
                }
                return out;
            }
        });
    }

    public Optional<Key> find(long id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(key(rs)) : Optional.<Key>empty();
                }
            }
        });
    }

    /** @return false when there is no such key, or it was revoked already */
    public boolean revoke(long id) {
        boolean done = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, RecordStore.now());
                ps.setLong(2, id);
                return ps.executeUpdate() == 1;
            }
        });
        cache.clear(); // this replica forgets at once; others within the cache's 5 s
        return done;
    }

    private Optional<Principal> load(String hash) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT name, scopes, provider_config_key, connection_id FROM api_keys
                     WHERE key_hash = ? AND revoked_at IS NULL""")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Principal(rs.getString(1),
                            Set.copyOf(Arrays.asList(rs.getString(2).split(","))), rs.getString(3), rs.getString(4)))
                            : Optional.<Principal>empty();
                }
            }
        });
    }

    private static final String COLUMNS = "id, name, key_prefix, scopes, provider_config_key, connection_id, created_at, "
            + "revoked_at";

    private static Key key(ResultSet rs) throws SQLException {
        return new Key(rs.getLong(1), rs.getString(2), rs.getString(3), List.of(rs.getString(4).split(",")),
                rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class),
                rs.getObject(8, OffsetDateTime.class));
    }

    private static String generated(Path dataDir) {
        GeneratedSecrets.Secret key = GeneratedSecrets.readOrCreate(dataDir, "api-key", 24,
                raw -> "sk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        if (key.created()) {
            // Printed once, at generation; never again, and never in production.
            LOG.warnf("*** No syncline.api-key configured: generated API key %s (saved to %s). "
                    + "Set SYNCLINE_API_KEY in production. ***", key.value(), key.file().toAbsolutePath());
        } else {
            LOG.infof("API key: using the generated key in %s", key.file().toAbsolutePath());
        }
        return key.value();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
