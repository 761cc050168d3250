package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Webhooks that authenticate with HTTP Basic credentials instead of a signature (Pipedrive's:
 * the webhook is created with an http_auth_user and http_auth_password). The secret is
 * {@code user:password}; the {@code Authorization} header must carry exactly those, compared in
 * constant time. The body is not signed, so this is only as strong as TLS and the password.
 */
public final class BasicAuthVerifier implements SignatureScheme {

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String header = headers.apply("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new SignatureRejected("missing Basic credentials in the Authorization header");
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected("the Authorization header's credentials are not base64");
        }
        if (!Hmac.same(secret.getBytes(StandardCharsets.UTF_8), given)) {
            throw new SignatureRejected("the Basic credentials do not match");
        }
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty();
    }
}
