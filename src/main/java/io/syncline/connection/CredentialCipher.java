package io.syncline.connection;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.syncline.config.GeneratedSecrets;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Encrypts connection credentials at rest with AES-256-GCM (JDK only). Each value carries the
 * id of the key that sealed it ("v1:&lt;key id&gt;:&lt;base64 nonce+ciphertext&gt;"), so a later key
 * rotation can tell old values from new ones.
 *
 * Rotation: set the new key as {@code syncline.encryption-key} and the old one in
 * {@code syncline.encryption-previous-keys}; everything stays readable, new values are sealed
 * with the new key, and {@code POST /api/admin/reseal-credentials} reseals the old ones while the
 * service runs. Then the old key can go.
 *
 * Without {@code syncline.encryption-key} the service generates a key into the data directory
 * and warns loudly, except in the prod profile, where it refuses to start: a generated key on a
 * pod's disk would make every stored credential unreadable after a reschedule.
 */
@Startup // refuse to start without a key in production, not at the first credential
@ApplicationScoped
public class CredentialCipher {

    private static final Logger LOG = Logger.getLogger(CredentialCipher.class);
    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keyId;
    /** Every key that can open a stored value: the current one and the previous ones, by key id. */
    private final Map<String, SecretKeySpec> readable = new HashMap<>();
    private final SecureRandom random = new SecureRandom();

    public CredentialCipher(@ConfigProperty(name = "syncline.encryption-key") Optional<String> configured,
            @ConfigProperty(name = "syncline.data-dir", defaultValue = "./data") String dataDir,
            @ConfigProperty(name = "syncline.generate-missing-secrets", defaultValue = "true") boolean generate,
            @ConfigProperty(name = "syncline.encryption-previous-keys") Optional<List<String>> previous) {
        byte[] raw = configured.filter(s -> !s.isBlank())
                .map(CredentialCipher::decodeKey)
                .orElseGet(() -> generatedKey(Path.of(dataDir), generate));
        this.key = new SecretKeySpec(raw, "AES");
        this.keyId = keyIdOf(raw);
        readable.put(keyId, key);
        for (String old : previous.orElse(List.of())) {
            if (!old.isBlank()) {
                byte[] oldRaw = decodeKey(old);
                readable.putIfAbsent(keyIdOf(oldRaw), new SecretKeySpec(oldRaw, "AES"));
            }
        }
    }

    /** Whether a stored value was sealed with a key other than the current one (and wants resealing). */
    public boolean sealedWithOlderKey(String stored) {
        return !stored.startsWith(VERSION + ":" + keyId + ":");
    }

    public String encrypt(String plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(keyId.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return VERSION + ":" + keyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("credential encryption failed", e);
        }
    }

    public String decrypt(String stored) {
        String[] parts = stored.split(":", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            throw new IllegalStateException("stored credentials are not in a known format");
        }
        SecretKeySpec opening = readable.get(parts[1]);
        if (opening == null) {
            throw new IllegalStateException("stored credentials were sealed with key " + parts[1]
                    + ", which is neither the encryption key (" + keyId + ") nor one of syncline.encryption-previous-keys");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, opening, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(parts[1].getBytes(StandardCharsets.US_ASCII));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("stored credentials could not be decrypted (wrong key or altered data)");
        }
    }

    public String keyId() {
        return keyId;
    }

    /**
     * A secret derived from the encryption key for one purpose (HMAC-SHA256 of the purpose), as
     * base64url: every replica has the key, so replicas authenticate each other with it, and the
     * key itself never travels.
     */
    public String derived(String purpose) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                io.syncline.webhook.Hmac.sha256(key.getEncoded(), purpose.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] decodeKey(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("syncline.encryption-key must be base64 of 32 bytes; it is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("syncline.encryption-key must be base64 of 32 bytes; it decodes to "
                    + raw.length + " bytes");
        }
        return raw;
    }

    static String keyIdOf(byte[] raw) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] generatedKey(Path dataDir, boolean generate) {
        if (!generate) {
            throw new IllegalStateException("syncline.encryption-key is not set. In production Syncline will not "
                    + "generate one: set SYNCLINE_ENCRYPTION_KEY to base64 of 32 random bytes "
                    + "(for example: openssl rand -base64 32) and keep it with your other secrets.");
        }
        GeneratedSecrets.Secret key = GeneratedSecrets.readOrCreate(dataDir, "encryption.key", 32,
                raw -> Base64.getEncoder().encodeToString(raw));
        if (key.created()) {
            LOG.warnf("*** No syncline.encryption-key configured: generated one into %s. Credentials are encrypted "
                    + "with it; losing the file makes them unreadable. Set SYNCLINE_ENCRYPTION_KEY in production. ***",
                    key.file().toAbsolutePath());
        }
        return decodeKey(key.value());
    }
}
