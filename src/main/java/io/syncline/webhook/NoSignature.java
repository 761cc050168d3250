package io.syncline.webhook;

import java.time.Instant;
import java.util.Optional;

/** Accepts every body. A sync must name it explicitly; there is no unsigned default. */
public final class NoSignature implements SignatureScheme {

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        // explicitly unsigned
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty();
    }
}
