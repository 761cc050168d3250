package io.syncline.outbound;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one retry policy: exponential backoff with full jitter, capped, for a bounded number of
 * attempts; and how long a server asked us to wait ({@code Retry-After} as seconds or an HTTP
 * date, or {@code X-RateLimit-Reset} as epoch seconds or seconds to go).
 */
public record Backoff(int maxAttempts, Duration base, Duration cap) {

    public static Backoff standard(int maxAttempts) {
        return new Backoff(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(60));
    }

    /** The pause before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
    public Duration delay(int attempt) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() * (1L << Math.min(attempt - 1, 20)));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }

    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** The answer headers that say how long to wait, in the order they are read. */
    public static final List<String> WAIT_HEADERS = List.of("Retry-After", "X-RateLimit-Reset",
            "X-HubSpot-RateLimit-Interval-Milliseconds");

    /**
     * What the server asked for, if anything: {@code Retry-After} (seconds, "2.0" too, or an HTTP date), else
     * {@code X-RateLimit-Reset} (epoch seconds, as GitHub sends it, or seconds to go), else
     * HubSpot's window, {@code X-HubSpot-RateLimit-Interval-Milliseconds}: its 429s name the
     * rolling window that is full and no time, so the connection waits one window.
     *
     * @param header an answer header by name (any case), or null when absent
     */
    public static Optional<Duration> requested(Function<String, String> header, Instant now) {
        String retryAfter = header.apply("Retry-After");
        if (retryAfter != null && !retryAfter.isBlank()) {
            String v = retryAfter.trim();
            try {
                // seconds, whole or not: Shopify sends "2.0"
                double seconds = Double.parseDouble(v);
                if (!Double.isFinite(seconds)) {
                    throw new NumberFormatException(v);
                }
                return Optional.of(Duration.ofMillis(Math.max(0, Math.round(seconds * 1000))));
            } catch (NumberFormatException e) {
                try {
                    Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Optional.of(nonNegative(Duration.between(now, at)));
                } catch (DateTimeParseException e2) {
                    // unreadable: fall through to the other headers, then to our own backoff
                }
            }
        }
        String rateLimitReset = header.apply("X-RateLimit-Reset");
        if (rateLimitReset != null && !rateLimitReset.isBlank()) {
            try {
                long v = (long) Double.parseDouble(rateLimitReset.trim());
                // Providers differ: GitHub sends epoch seconds, others seconds to go.
                Duration d = v > 1_000_000_000L ? Duration.between(now, Instant.ofEpochSecond(v)) : Duration.ofSeconds(v);
                return Optional.of(nonNegative(d));
            } catch (NumberFormatException e) {
                // unreadable: fall through
            }
        }
        String window = header.apply("X-HubSpot-RateLimit-Interval-Milliseconds");
        if (window != null && window.trim().matches("[0-9]{1,9}")) {
            return Optional.of(Duration.ofMillis(Long.parseLong(window.trim())));
        }
        return Optional.empty();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
