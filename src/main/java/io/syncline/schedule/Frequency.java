package io.syncline.schedule;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Intervals as people write them: "30s", "5m", "every 2 hours", "every day". */
public final class Frequency {

    private static final Pattern P = Pattern.compile(
            "(?:every\\s+)?(\\d+)?\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)");

    private Frequency() {
    }

    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = P.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an interval such as 30s, 5m, every 2 hours");
        }
        long n = m.group(1) == null ? 1 : Long.parseLong(m.group(1));
        return switch (m.group(2).charAt(0)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
