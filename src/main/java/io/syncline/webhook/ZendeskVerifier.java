package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Zendesk's webhook signature: {@code X-Zendesk-Webhook-Signature} is the base64 HMAC-SHA256,
 * under the webhook's signing secret, of {@code X-Zendesk-Webhook-Signature-Timestamp} (an ISO
 * 8601 instant) followed directly by the raw body; the timestamp must be within the tolerance.
 */
public final class ZendeskVerifier implements SignatureScheme {

    static final String SIGNATURE = "X-Zendesk-Webhook-Signature";
    static final String TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp";

    private final Duration tolerance;

    public ZendeskVerifier(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String signature = Hmac.required(headers, SIGNATURE);
        String timestamp = Hmac.required(headers, TIMESTAMP);
        Timestamps.requireFreshIso(timestamp, now, tolerance);
        byte[] given = Hmac.base64(signature, SIGNATURE);
        byte[] expected = Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8),
                timestamp.getBytes(StandardCharsets.UTF_8), rawBody);
        if (!Hmac.same(expected, given)) {
            throw new SignatureRejected(SIGNATURE + " does not match the timestamp and body");
        }
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty(); // the event's "id" is in the body
    }
}
