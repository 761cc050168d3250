package io.syncline.outbound;

import java.time.Duration;
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

    /**
     * What the server asked for, if anything.
     *
     * @param retryAfter the Retry-After header, or null
     * @param rateLimitReset the X-RateLimit-Reset header, or null
     */
    public static Optional<Duration> requested(String retryAfter, String rateLimitReset, Instant now) {
        if (retryAfter != null && !retryAfter.isBlank()) {
            String v = retryAfter.trim();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException e) {
                try {
                    Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Optional.of(nonNegative(Duration.between(now, at)));
                } catch (DateTimeParseException e2) {
                    // unreadable: fall through to the other header, then to our own backoff
                }
            }
        }
        if (rateLimitReset != null && !rateLimitReset.isBlank()) {
            try {
                long v = (long) Double.parseDouble(rateLimitReset.trim());
                // Providers differ: GitHub sends epoch seconds, others seconds to go.
                Duration d = v > 1_000_000_000L ? Duration.between(now, Instant.ofEpochSecond(v)) : Duration.ofSeconds(v);
                return Optional.of(nonNegative(d));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
