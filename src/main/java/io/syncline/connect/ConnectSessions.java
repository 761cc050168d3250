package io.syncline.connect;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import io.syncline.config.StoredJson;
import io.syncline.connection.CredentialCipher;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Connect sessions in the database. A session token exists in plaintext only in the answer that
 * creates it; the table keeps its SHA-256. A session goes through three states: created, started
 * (the connect page chose a provider flow and its {@code state}), and used (a callback claimed it).
 * It can be claimed once, before it expires: {@link #claim} is one conditional UPDATE, so of two
 * callbacks with the same {@code state}, on any replicas, exactly one goes on.
 */
@ApplicationScoped
public class ConnectSessions {

    /** What a session was created with. {@code reconnectIntegration} is set for a reconnect session. */
    public record Session(String tokenHash, Map<String, Object> endUser, Map<String, Object> organization,
            List<String> allowedIntegrations, Map<String, Object> integrationsConfig, String connectionId,
            String reconnectIntegration, List<String> returnUrls, OffsetDateTime expiresAt, OffsetDateTime usedAt) {

        public boolean allows(String integration) {
            if (reconnectIntegration != null) {
                return reconnectIntegration.equals(integration);
            }
            return allowedIntegrations == null || allowedIntegrations.contains(integration);
        }

        public String endUserId() {
            return String.valueOf(endUser.get("id"));
        }

        /** The session's defaults for one integration ({@code integrations_config_defaults}). */
        @SuppressWarnings("unchecked")
        public Map<String, Object> defaults(String integration) {
            Object v = integrationsConfig == null ? null : integrationsConfig.get(integration);
            return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }
    }

    /** What the connect page started and the callback needs: never sent to the browser or the provider. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Flow(String integration, String connectionId, String redirectUri, String returnUrl,
            String codeVerifier, String bindingHash) {
        @Override
        public String toString() {
            return "Flow[" + integration + "/" + connectionId + ", codeVerifier=(hidden)]";
        }
    }

    /** A started session found by its flow's {@code state}. */
    public record Started(Session session, Flow flow) {
    }

    public record Created(String token, OffsetDateTime expiresAt) {
    }

    private final Database db;
    private final CredentialCipher cipher;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();

    public ConnectSessions(Database db, CredentialCipher cipher,
            @ConfigProperty(name = "syncline.connect.session-ttl", defaultValue = "30m") Duration ttl) {
        this.db = db;
        this.cipher = cipher;
        this.ttl = ttl;
    }

    /** A random token of 256 bits, URL-safe, with a prefix that says what it is. */
    public String randomToken(String prefix) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    public static String hash(String token) {
        return CanonicalJson.sha256(token);
    }

    public Created create(Map<String, Object> endUser, Map<String, Object> organization, List<String> allowed,
            Map<String, Object> integrationsConfig, String connectionId, String reconnectIntegration,
            List<String> returnUrls) {
        String token = randomToken("connect_session_");
        OffsetDateTime now = RecordStore.now();
        OffsetDateTime expires = now.plus(ttl);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO connect_sessions (token_hash, end_user, organization, allowed_integrations,
                           integrations_config, connection_id, reconnect_integration, return_urls, expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, hash(token));
                ps.setString(2, json(endUser));
                ps.setString(3, json(organization));
                ps.setString(4, json(allowed));
                ps.setString(5, json(integrationsConfig));
                ps.setString(6, connectionId);
                ps.setString(7, reconnectIntegration);
                ps.setString(8, json(returnUrls));
                ps.setObject(9, expires);
                ps.setObject(10, now);
                return ps.executeUpdate();
            }
        });
        return new Created(token, expires);
    }

    private static final String COLUMNS = """
            token_hash, end_user, organization, allowed_integrations, integrations_config, connection_id,
            reconnect_integration, return_urls, expires_at, used_at, flow""";

    public Optional<Session> find(String token) {
        if (token == null || token.isBlank() || token.length() > 200) {
            return Optional.empty();
        }
        return one("SELECT " + COLUMNS + " FROM connect_sessions WHERE token_hash = ?", hash(token))
                .map(Started::session);
    }

    /** The session whose flow was started with {@code state}. */
    public Optional<Started> byState(String state) {
        if (state == null || state.isBlank() || state.length() > 200) {
            return Optional.empty();
        }
        return one("SELECT " + COLUMNS + " FROM connect_sessions WHERE state_hash = ?", hash(state));
    }

    /**
     * Starts (or starts again, when the customer reloads the connect page) the provider flow of
     * an unused session: only the latest {@code state} is good from then on.
     */
    public boolean start(Session s, String state, Flow flow) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE connect_sessions SET state_hash = ?, flow = ?
                     WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?""")) {
                ps.setString(1, hash(state));
                ps.setString(2, cipher.encrypt(json(flow)));
                ps.setString(3, s.tokenHash());
                ps.setObject(4, RecordStore.now());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Spends the session for the callback of {@code state}: true once, false for every later try and after expiry. */
    public boolean claim(String state) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE connect_sessions SET used_at = ?
                     WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?""")) {
                OffsetDateTime now = RecordStore.now();
                ps.setObject(1, now);
                ps.setString(2, hash(state));
                ps.setObject(3, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private Optional<Started> one(String sql, String key) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Started>empty();
                }
            }
        });
    }

    private Started read(ResultSet rs) throws SQLException {
        Session s = new Session(rs.getString(1), map(rs.getString(2)), map(rs.getString(3)),
                parse(rs.getString(4), new TypeReference<List<String>>() {
                }), map(rs.getString(5)), rs.getString(6), rs.getString(7),
                Optional.ofNullable(parse(rs.getString(8), new TypeReference<List<String>>() {
                })).orElse(List.of()), rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class));
        String sealed = rs.getString(11);
        return new Started(s, sealed == null ? null : parse(cipher.decrypt(sealed), new TypeReference<Flow>() {
        }));
    }

    private static Map<String, Object> map(String text) {
        return Optional.ofNullable(parse(text, new TypeReference<LinkedHashMap<String, Object>>() {
        })).map(m -> (Map<String, Object>) m).orElse(null);
    }

    private static String json(Object value) {
        return StoredJson.write(value);
    }

    private static <T> T parse(String text, TypeReference<T> type) {
        return StoredJson.read(text, type, "connect session");
    }
}
