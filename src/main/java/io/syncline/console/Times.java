package io.syncline.console;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.quarkus.qute.TemplateExtension;

/** Times in the console, {@code {utc:at(t)}}: UTC to the second, readable at a glance. */
@TemplateExtension(namespace = "utc")
public class Times {

    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    /**
     * An ISO-8601 time as the API writes it: how long ago (or how soon), then the time in UTC to
     * the second, e.g. "3 min ago (2026-12-03 12:31:02 UTC)"; a dash for none; anything else as it is.
     */
    static String at(Object iso) {
        if (iso == null) {
            return "—";
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(iso.toString()).withOffsetSameInstant(ZoneOffset.UTC);
            return relative(Duration.between(Instant.now(), t.toInstant())) + " (" + t.format(SHORT) + ")";
        } catch (DateTimeParseException e) {
            return iso.toString();
        }
    }

    /** "just now", "5 s ago", "in 3 min", "2 h ago", "4 d ago". */
    static String relative(Duration d) {
        long s = Math.abs(d.toSeconds());
        if (s < 2) {
            return "just now";
        }
        String amount = s < 60 ? s + " s" : s < 3600 ? s / 60 + " min" : s < 86_400 ? s / 3600 + " h" : s / 86_400 + " d";
        return d.isNegative() ? amount + " ago" : "in " + amount;
    }
}
