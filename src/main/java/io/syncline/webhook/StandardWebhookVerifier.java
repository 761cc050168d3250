package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Standard Webhooks (standardwebhooks.com): {@code webhook-signature} holds space-separated
 * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}; any one matching signature is enough
 * (senders list several while they rotate secrets). The secret is base64, optionally prefixed
 * {@code whsec_}.
 */
public final class StandardWebhookVerifier implements SignatureScheme {

    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";

    private final Duration tolerance;

    public StandardWebhookVerifier(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String id = headers.apply(ID);
        String timestamp = headers.apply(TIMESTAMP);
        String signatures = headers.apply(SIGNATURE);
        if (id == null || timestamp == null || signatures == null) {
            throw new SignatureRejected("missing " + ID + ", " + TIMESTAMP + " or " + SIGNATURE + " header");
        }
        Timestamps.requireFresh(timestamp, now, tolerance);
        byte[] expected = sign(keyBytes(secret), id, timestamp, rawBody);
        for (String candidate : signatures.trim().split(" +")) {
            if (candidate.startsWith("v1,")) {
                byte[] given;
                try {
                    given = Base64.getDecoder().decode(candidate.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (Hmac.same(expected, given)) {
                    return;
                }
            }
        }
        throw new SignatureRejected("no v1 signature in " + SIGNATURE + " matches the body");
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.of(ID);
    }

    /** Signs as a Standard Webhooks sender does; Syncline uses it for the webhooks it sends. */
    public static String signature(String secret, String id, String timestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(sign(keyBytes(secret), id, timestamp, body));
    }

    static byte[] sign(byte[] key, String id, String timestamp, byte[] body) {
        return Hmac.sha256(key, (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
    }

    /** The key is the base64 after an optional "whsec_"; a secret that is not base64 is used as text. */
    static byte[] keyBytes(String secret) {
        String s = secret.startsWith("whsec_") ? secret.substring(6) : secret;
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
    }
}
