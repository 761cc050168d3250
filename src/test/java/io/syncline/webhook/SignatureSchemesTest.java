package io.syncline.webhook;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.syncline.support.Signing;

/** Each scheme against vectors computed independently of Syncline's code. */
class SignatureSchemesTest {

    static SignatureScheme.Headers headers(Map<String, String> values) {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(values);
        return h::get;
    }

    static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    @Test
    void standardWebhooksPublishedVectorVerifies() {
        // the example from the Standard Webhooks specification's reference libraries
        var scheme = new StandardWebhookVerifier(Duration.ofMinutes(5));
        var h = headers(Map.of("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assertDoesNotThrow(() -> scheme.verify(h, BODY, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                Instant.ofEpochSecond(1614265330)));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(h, BODY,
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Instant.ofEpochSecond(1614265330 + 301)));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(h, "{\"test\": 2432232315}"
                .getBytes(StandardCharsets.UTF_8), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                Instant.ofEpochSecond(1614265330)));
    }

    @Test
    void standardWebhooksSignatureThatSyncLineSendsVerifiesIndependently() {
        String sig = StandardWebhookVerifier.signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id1", "1700000000",
                BODY);
        org.junit.jupiter.api.Assertions.assertEquals(Signing.standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id1",
                1700000000L, new String(BODY, StandardCharsets.UTF_8)), sig);
    }

    @Test
    void githubNeedsTheSha256Prefix() {
        var scheme = new GithubVerifier();
        String body = new String(BODY, StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> scheme.verify(headers(Map.of("X-Hub-Signature-256", Signing.github("s", body))), BODY,
                "s", Instant.now()));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(headers(Map.of("X-Hub-Signature-256",
                Signing.github("s", body).substring(7))), BODY, "s", Instant.now()));
    }

    @Test
    void stripeChecksTimestampAndAnyV1() {
        var scheme = new StripeVerifier(Duration.ofSeconds(300));
        String body = new String(BODY, StandardCharsets.UTF_8);
        long t = 1_700_000_000L;
        String header = Signing.stripe("whsec_x", t, body) + ",v1=00ff";
        assertDoesNotThrow(() -> scheme.verify(headers(Map.of("Stripe-Signature", header)), BODY, "whsec_x",
                Instant.ofEpochSecond(t + 299)));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(headers(Map.of("Stripe-Signature",
                header)), BODY, "whsec_x", Instant.ofEpochSecond(t + 301)));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(headers(Map.of("Stripe-Signature",
                "t=" + t)), BODY, "whsec_x", Instant.ofEpochSecond(t)));
    }

    @Test
    void hmacHeaderInHexOrBase64() {
        String body = new String(BODY, StandardCharsets.UTF_8);
        String hex = java.util.HexFormat.of().formatHex(Signing.hmac("k".getBytes(), body));
        assertDoesNotThrow(() -> new HeaderHmacVerifier("X-Sig", "hex").verify(headers(Map.of("x-sig", hex)), BODY, "k",
                Instant.now()));
        assertDoesNotThrow(() -> new HeaderHmacVerifier("X-Sig", "hex").verify(headers(Map.of("x-sig", "sha256=" + hex)),
                BODY, "k", Instant.now()));
        assertDoesNotThrow(() -> new HeaderHmacVerifier("X-Sig", "base64").verify(headers(Map.of("X-Sig",
                Signing.hmacBase64("k", body))), BODY, "k", Instant.now()));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> new HeaderHmacVerifier("X-Sig", "base64")
                .verify(headers(Map.of("X-Sig", hex)), BODY, "k", Instant.now()));
    }

    @Test
    void unknownSchemeIsRefusedAndNoneMustBeExplicit() {
        assertThrows(IllegalArgumentException.class, () -> WebhookAdmission.scheme("", "h", "hex", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> WebhookAdmission.scheme("md5", "h", "hex", Duration.ZERO));
    }
}
