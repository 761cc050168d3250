package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The generic scheme: an HMAC-SHA256 of the raw body in a header the sync names, hex or
 * base64, with an optional "sha256=" prefix (many providers add one).
 */
public final class HeaderHmacVerifier implements SignatureScheme {

    private final String header;
    private final boolean base64;

    public HeaderHmacVerifier(String header, String encoding) {
        this.header = header;
        this.base64 = switch (encoding.toLowerCase()) {
            case "base64" -> true;
            case "hex" -> false;
            default -> throw new IllegalArgumentException("signatureEncoding must be hex or base64, not '" + encoding + "'");
        };
    }

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String value = headers.apply(header);
        if (value == null || value.isBlank()) {
            throw new SignatureRejected("missing " + header + " header");
        }
        value = value.trim();
        if (value.regionMatches(true, 0, "sha256=", 0, 7)) {
            value = value.substring(7);
        }
        byte[] given;
        try {
            given = base64 ? Base64.getDecoder().decode(value) : HexFormat.of().parseHex(value.toLowerCase());
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected(header + " is not " + (base64 ? "base64" : "hex"));
        }
        if (!Hmac.same(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), rawBody), given)) {
            throw new SignatureRejected(header + " does not match the body");
        }
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty();
    }
}
