package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Stripe: {@code Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=...]}; 300 s tolerance. */
public final class StripeVerifier implements SignatureScheme {

    static final String SIGNATURE = "Stripe-Signature";
    private final Duration tolerance;

    public StripeVerifier(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String header = headers.apply(SIGNATURE);
        if (header == null) {
            throw new SignatureRejected("missing " + SIGNATURE + " header");
        }
        String t = null;
        List<String> v1 = new ArrayList<>();
        for (String item : header.split(",")) {
            int eq = item.indexOf('=');
            if (eq > 0) {
                String k = item.substring(0, eq).trim();
                String v = item.substring(eq + 1).trim();
                if (k.equals("t")) {
                    t = v;
                } else if (k.equals("v1")) {
                    v1.add(v);
                }
            }
        }
        if (t == null || v1.isEmpty()) {
            throw new SignatureRejected(SIGNATURE + " must carry t=<unix seconds> and at least one v1=<hex>");
        }
        Timestamps.requireFresh(t, now, tolerance);
        byte[] expected = Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8),
                (t + ".").getBytes(StandardCharsets.UTF_8), rawBody);
        for (String candidate : v1) {
            try {
                if (Hmac.same(expected, HexFormat.of().parseHex(candidate.toLowerCase()))) {
                    return;
                }
            } catch (IllegalArgumentException e) {
                // not hex: try the next one
            }
        }
        throw new SignatureRejected("no v1 signature in " + SIGNATURE + " matches the body");
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty(); // Stripe's event id is the body's "id"
    }
}
