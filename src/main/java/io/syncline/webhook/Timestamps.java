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
        long skew = Math.abs(now.getEpochSecond() - t);
        if (skew > tolerance.toSeconds()) {
            throw new SignatureScheme.SignatureRejected("timestamp is " + skew + " s away from now; the tolerance is "
                    + tolerance.toSeconds() + " s");
        }
    }
}
