package io.syncline.schedule;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

/** Intervals as people write them: "30s", "5m", "every 2 hours", "every day". */
public final class Frequency {

    private static final Pattern P = Pattern.compile(
            "(?:every\\s+)?(\\d{1,9})?\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days)");

    /** The longest interval: beyond it, schedule arithmetic and staleness checks stop meaning much. */
    static final Duration MAX = Duration.ofDays(366);

    private Frequency() {
    }

    /** The shortest interval a schedule may have ({@code syncline.schedule.min-interval}, 15 s by default). */
    public static Duration minimum() {
        return ConfigProvider.getConfig()
                .getOptionalValue("syncline.schedule.min-interval", Duration.class).orElse(Duration.ofSeconds(15));
    }

    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = P.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an interval such as 30s, 5m, every 2 hours");
        }
        long n = m.group(1) == null ? 1 : Long.parseLong(m.group(1));
        Duration d = switch (m.group(2).charAt(0)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than a year; use a cron expression for rarer runs");
        }
        return d;
    }
}
