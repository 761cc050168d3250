package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Intercom's webhook signature: {@code X-Hub-Signature: sha1=<hex>}, the HMAC-SHA1 of the raw
 * body under the app's client secret (Intercom signs every workspace's notifications with it).
 */
public final class IntercomVerifier implements SignatureScheme {

    static final String SIGNATURE = "X-Hub-Signature";

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String value = headers.apply(SIGNATURE);
        if (value == null || !value.trim().regionMatches(true, 0, "sha1=", 0, 5)) {
            throw new SignatureRejected("missing " + SIGNATURE + " header (sha1=<hex>)");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value.trim().substring(5).toLowerCase());
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected(SIGNATURE + " is not hex");
        }
        if (!Hmac.same(Hmac.sha1(secret.getBytes(StandardCharsets.UTF_8), rawBody), given)) {
            throw new SignatureRejected(SIGNATURE + " does not match the body");
        }
    }

    @Override
    public boolean signsWithClientSecret() {
        return true;
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty(); // the notification's "id" is in the body
    }
}
