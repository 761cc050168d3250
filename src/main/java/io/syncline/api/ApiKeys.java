package io.syncline.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

import io.quarkus.runtime.Startup;
import io.syncline.config.GeneratedSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The API key that guards /records, /sync and /api. Only its SHA-256 is kept in memory, and a
 * presented key is compared by hash in constant time.
 *
 * Unset outside production, a key is generated once into the data directory (readable by the
 * owner only) and printed once, so the quickstart works; in production an unset key locks the API.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final byte[] keyHash;

    public ApiKeys(@ConfigProperty(name = "syncline.api-key") Optional<String> configured,
            @ConfigProperty(name = "syncline.data-dir", defaultValue = "./data") String dataDir,
            @ConfigProperty(name = "syncline.generate-missing-secrets", defaultValue = "true") boolean generate) {
        String key = configured.filter(k -> !k.isBlank()).orElseGet(() -> generate ? generated(Path.of(dataDir)) : null);
        if (key == null) {
            LOG.warn("syncline.api-key is not set: /records, /sync and /api answer 401 to every request");
        }
        this.keyHash = key == null ? null : sha256(key.trim());
    }

    public enum Verdict {
        MISSING, WRONG, OK
    }

    /** @param authorization the Authorization header as received */
    public Verdict check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Verdict.MISSING;
        }
        String presented = authorization.trim();
        if (presented.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = presented.substring(7).trim();
        }
        if (keyHash == null) {
            return Verdict.WRONG;
        }
        return MessageDigest.isEqual(keyHash, sha256(presented)) ? Verdict.OK : Verdict.WRONG;
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

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
