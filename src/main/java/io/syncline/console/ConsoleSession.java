package io.syncline.console;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.qute.TemplateData;
import io.syncline.api.ApiKeys;
import io.syncline.connection.CredentialCipher;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.syncline.webhook.Hmac;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The console's sign-in: the API key a person typed, sealed into an HttpOnly cookie with the
 * credential cipher (AES-GCM), so any replica can open it and nothing is kept in memory. The key
 * is checked again on every request, so revoking it ends the session at once. A random token
 * sealed beside it is the form token that every POST must echo (cross-site request forgery), and
 * the session's name: signing out records it in the database, so every replica refuses the cookie
 * from then on.
 */
@ApplicationScoped
public class ConsoleSession {

    public static final String COOKIE = "syncline_console";

    /** Who is looking at the console, and the token their forms carry. */
    @TemplateData
    public record Viewer(ApiKeys.Principal principal, String formToken) {
        public String name() {
            return principal.name();
        }
    }

    private final CredentialCipher cipher;
    private final ApiKeys keys;
    private final Database db;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    public ConsoleSession(CredentialCipher cipher, ApiKeys keys, Database db,
            @ConfigProperty(name = "syncline.console.session-hours", defaultValue = "12") long hours) {
        this.cipher = cipher;
        this.keys = keys;
        this.db = db;
        this.lifetime = Duration.ofHours(hours);
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** The key's check as the API would make it; a session is only ever opened for an OK key. */
    public ApiKeys.Check check(String apiKey) {
        return keys.check(apiKey == null ? null : "Bearer " + apiKey.trim());
    }

    /** The cookie value for a key that passed {@link #check}. */
    public String open(String apiKey) {
        String formToken = randomToken();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cipher.encrypt(
                Instant.now().getEpochSecond() + "\n" + formToken + "\n" + apiKey.trim())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The viewer of a cookie that opens, is younger than the lifetime, and holds a key that is still valid. */
    public Optional<Viewer> viewer(String cookie) {
        if (cookie == null || cookie.isBlank()) {
            return Optional.empty();
        }
        String[] parts;
        try {
            parts = cipher.decrypt(new String(Base64.getUrlDecoder().decode(cookie), StandardCharsets.UTF_8))
                    .split("\n", 3);
        } catch (RuntimeException altered) {
            return Optional.empty();
        }
        if (parts.length != 3 || Instant.ofEpochSecond(Long.parseLong(parts[0])).plus(lifetime)
                .isBefore(Instant.now())) {
            return Optional.empty();
        }
        if (signedOut(parts[1])) {
            return Optional.empty();
        }
        ApiKeys.Check check = check(parts[2]);
        return check.verdict() == ApiKeys.Verdict.OK ? Optional.of(new Viewer(check.principal(), parts[1]))
                : Optional.empty();
    }

    /** Ends a session on every replica: its token is refused from now until it would have expired. */
    public void close(Viewer viewer) {
        OffsetDateTime now = RecordStore.now();
        db.inTransaction(c -> {
            try (var clean = c.prepareStatement("DELETE FROM console_signouts WHERE expires_at < ?");
                    var add = c.prepareStatement("""
                            INSERT INTO console_signouts (session_token, expires_at)
                            SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM console_signouts WHERE session_token = ?)""")) {
                clean.setObject(1, now);
                clean.executeUpdate();
                add.setString(1, viewer.formToken());
                add.setObject(2, now.plus(lifetime));
                add.setString(3, viewer.formToken());
                return add.executeUpdate();
            }
        });
    }

    private boolean signedOut(String token) {
        return db.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT 1 FROM console_signouts WHERE session_token = ?")) {
                ps.setString(1, token);
                try (var rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** A fresh random token, for a form that has no session yet (the sign-in form). */
    public String randomToken() {
        byte[] token = new byte[18];
        random.nextBytes(token);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** Constant-time comparison of the form's token with the session's. */
    public static boolean sameToken(Viewer viewer, String given) {
        return sameToken(viewer.formToken(), given);
    }

    /** Constant-time comparison of a token a form sent with the one it was given. */
    public static boolean sameToken(String expected, String given) {
        return expected != null && given != null && Hmac.same(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }
}
