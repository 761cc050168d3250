package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}; the id is {@code X-GitHub-Delivery}. */
public final class GithubVerifier implements SignatureScheme {

    static final String SIGNATURE = "X-Hub-Signature-256";

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String header = headers.apply(SIGNATURE);
        if (header == null || !header.startsWith("sha256=")) {
            throw new SignatureRejected("missing " + SIGNATURE + " header of the form sha256=<hex>");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(7).trim().toLowerCase());
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected(SIGNATURE + " is not hex");
        }
        if (!Hmac.same(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), rawBody), given)) {
            throw new SignatureRejected(SIGNATURE + " does not match the body");
        }
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.of("X-GitHub-Delivery");
    }
}
