package io.syncline.console;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.quarkus.qute.TemplateExtension;

/** Times in the console, {@code {utc:at(t)}}: UTC to the second, readable at a glance. */
@TemplateExtension(namespace = "utc")
public class Times {

    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    /** An ISO-8601 time as the API writes it, shortened; a dash for none; anything else as it is. */
    static String at(Object iso) {
        if (iso == null) {
            return "—";
        }
        try {
            return OffsetDateTime.parse(iso.toString()).withOffsetSameInstant(ZoneOffset.UTC).format(SHORT);
        } catch (DateTimeParseException e) {
            return iso.toString();
        }
    }
}
