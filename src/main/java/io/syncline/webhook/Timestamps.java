package io.syncline.webhook;

import java.time.Duration;
import java.time.Instant;

/** The replay window shared by the schemes that sign a timestamp. */
final class Timestamps {

    private Timestamps() {
    }

    static void requireFresh(String unixSeconds, Instant now, Duration tolerance) {
        long t;
        try {
            t = Long.parseLong(unixSeconds.trim());
        } catch (NumberFormatException e) {
            throw new SignatureScheme.SignatureRejected("timestamp '" + unixSeconds + "' is not unix seconds");
        }
        requireFresh(t, now, tolerance);
    }

    /** An ISO 8601 timestamp (Zendesk's), within the tolerance. */
    static void requireFreshIso(String iso, Instant now, Duration tolerance) {
        try {
            requireFresh(Instant.parse(iso.trim()).getEpochSecond(), now, tolerance);
        } catch (java.time.format.DateTimeParseException e) {
            throw new SignatureScheme.SignatureRejected("timestamp '" + iso + "' is not an ISO 8601 instant");
        }
    }

    private static void requireFresh(long t, Instant now, Duration tolerance) {
        long skew = Math.abs(now.getEpochSecond() - t);
        if (skew > tolerance.toSeconds()) {
            throw new SignatureScheme.SignatureRejected("timestamp is " + skew + " s away from now; the tolerance is "
                    + tolerance.toSeconds() + " s");
        }
    }
}
