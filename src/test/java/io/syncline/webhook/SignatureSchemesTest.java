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

    @Test
    void hubSpotV3SignsMethodDecodedUrlBodyAndTimestamp() {
        var scheme = new HubSpotV3Verifier(Duration.ofMinutes(5));
        byte[] body = "[{\"eventId\":1}]".getBytes(StandardCharsets.UTF_8);
        var h = headers(Map.of("X-HubSpot-Signature-v3", "gV0RiR5eWwV8SW7w8sKp4UvuxJ84VoPV5+FS8pG18Cc=",
                "X-HubSpot-Request-Timestamp", "1764547200000", HubSpotV3Verifier.METHOD, "POST",
                HubSpotV3Verifier.URL, "https://www.example.com/webhook_uri?q=%3A"));
        String secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
        assertDoesNotThrow(() -> scheme.verify(h, body, secret, Instant.ofEpochMilli(1764547200000L)));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(h, body, secret,
                Instant.ofEpochMilli(1764547200000L + 301_000)), "older than five minutes");
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(h, body, "other", Instant.ofEpochMilli(1764547200000L)));
    }

    @Test
    void zendeskSignsTheTimestampThenTheBody() {
        var scheme = new ZendeskVerifier(Duration.ofMinutes(5));
        byte[] body = "{\"id\":\"e1\"}".getBytes(StandardCharsets.UTF_8);
        var h = headers(Map.of("X-Zendesk-Webhook-Signature", "NKkhDvDbvG8Skeyiy72cjjmf/bUV1IPlS9imTuyFpXc=",
                "X-Zendesk-Webhook-Signature-Timestamp", "2026-12-01T00:00:00Z"));
        assertDoesNotThrow(() -> scheme.verify(h, body, "zendesk-secret", Instant.parse("2026-12-01T00:01:00Z")));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(h, body, "zendesk-secret",
                Instant.parse("2026-12-01T00:06:00Z")));
    }

    @Test
    void intercomSignsTheBodyWithSha1() {
        var scheme = new IntercomVerifier();
        byte[] body = "{\"id\":\"n1\"}".getBytes(StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> scheme.verify(headers(Map.of("X-Hub-Signature", "sha1=d5bebe3fd131af65818ca2cdd6437d38ed191914")),
                body, "ic-secret", Instant.now()));
        assertThrows(SignatureScheme.SignatureRejected.class, () -> scheme.verify(headers(Map.of("X-Hub-Signature",
                "sha256=d5bebe3fd131af65818ca2cdd6437d38ed191914")), body, "ic-secret", Instant.now()));
    }
}
