package io.syncline.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * HubSpot's v3 request signature: {@code X-HubSpot-Signature-v3} is the base64 HMAC-SHA256,
 * keyed with the app's client secret, of method + URL + body + {@code X-HubSpot-Request-Timestamp}
 * (epoch milliseconds); a timestamp more than five minutes away is refused. The URL is the one
 * HubSpot called, with the characters HubSpot's documentation lists decoded
 * (https://developers.hubspot.com/docs/api/webhooks/validating-requests).
 */
public final class HubSpotV3Verifier implements SignatureScheme {

    static final String SIGNATURE = "X-HubSpot-Signature-v3";
    static final String TIMESTAMP = "X-HubSpot-Request-Timestamp";
    /** Pseudo-headers the admission answers: the request's method and the URL the sender called. */
    public static final String METHOD = ":method";
    public static final String URL = ":url";

    private static final String[][] DECODED = { { "%3A", ":" }, { "%2F", "/" }, { "%3F", "?" }, { "%40", "@" },
            { "%21", "!" }, { "%24", "$" }, { "%27", "'" }, { "%28", "(" }, { "%29", ")" }, { "%2A", "*" },
            { "%2C", "," }, { "%3B", ";" } };

    private final Duration tolerance;

    public HubSpotV3Verifier(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public void verify(Headers headers, byte[] rawBody, String secret, Instant now) {
        String signature = Hmac.required(headers, SIGNATURE);
        String timestamp = Hmac.required(headers, TIMESTAMP);
        long ms;
        try {
            ms = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new SignatureRejected(TIMESTAMP + " is not epoch milliseconds");
        }
        if (Math.abs(now.toEpochMilli() - ms) > tolerance.toMillis()) {
            throw new SignatureRejected(TIMESTAMP + " is more than " + tolerance.toSeconds() + " s away from now");
        }
        byte[] given = Hmac.base64(signature, SIGNATURE);
        String source = headers.apply(METHOD) + decoded(headers.apply(URL));
        byte[] expected = Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), source.getBytes(StandardCharsets.UTF_8),
                rawBody, timestamp.getBytes(StandardCharsets.UTF_8));
        if (!Hmac.same(expected, given)) {
            throw new SignatureRejected(SIGNATURE + " does not match the request (if Syncline is behind a proxy, "
                    + "set syncline.public-url to the address HubSpot calls)");
        }
    }

    static String decoded(String url) {
        String out = url == null ? "" : url;
        for (String[] d : DECODED) {
            out = out.replace(d[0], d[1]).replace(d[0].toLowerCase(), d[1]);
        }
        return out;
    }

    @Override
    public boolean signsWithClientSecret() {
        return true;
    }

    @Override
    public Optional<String> deliveryIdHeader() {
        return Optional.empty(); // each event of the batch has its own eventId
    }
}
