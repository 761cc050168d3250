package io.syncline.webhook;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * One way a connected app signs its webhooks. Verification runs over the raw bytes as
 * received, before the body is parsed, so a reformatted or re-encoded body never verifies.
 */
public interface SignatureScheme {

    /** The header values of the request, looked up case-insensitively. */
    interface Headers extends Function<String, String> {
    }

    /** @throws SignatureRejected with a reason fit for the sender when the signature does not hold */
    void verify(Headers headers, byte[] rawBody, String secret, Instant now);

    /** Whether the app signs with its OAuth2 client secret (one for all its connections), as HubSpot does. */
    default boolean signsWithClientSecret() {
        return false;
    }

    /** The delivery id the scheme carries in a header, if it has one. */
    Optional<String> deliveryIdHeader();

    /** The signature did not verify: answered 401, and counted. */
    class SignatureRejected extends RuntimeException {
        public SignatureRejected(String reason) {
            super(reason, null, false, false);
        }
    }
}
