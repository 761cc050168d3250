package io.syncline.outbound;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every request to a connected app, read or write, takes a permit from its connection's budget
 * (guarantee 6): at most {@code rate} requests per {@code per} interval and {@code maxInFlight}
 * at once. A 429 or 503 pauses the whole connection until the time the server named.
 *
 * Hand-written because the limit, the concurrency cap and the pause must be one object per
 * connection, changed at run time and shared out among the replicas ({@link Replicas}); Camel's
 * throttle EIP sits in a route, not around a call, and knows nothing of other replicas.
 */
@ApplicationScoped
public class ConnectionRateBudget {

    /** A connection's limits. */
    public record Limits(int rate, Duration per, int maxInFlight) {
    }

    private final Limits defaults;
    private final Replicas replicas;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public ConnectionRateBudget(Replicas replicas,
            @ConfigProperty(name = "syncline.rate.requests", defaultValue = "10") int rate,
            @ConfigProperty(name = "syncline.rate.per", defaultValue = "1s") Duration per,
            @ConfigProperty(name = "syncline.rate.max-in-flight", defaultValue = "4") int maxInFlight) {
        this.replicas = replicas;
        this.defaults = new Limits(rate, per, maxInFlight);
    }

    /**
     * A connection's limits: its metadata's {@code rate_requests}, {@code rate_per_seconds} and
     * {@code max_in_flight} where set (a customer's own plan), the defaults otherwise.
     */
    public Limits limitsFor(Map<String, Object> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return defaults;
        }
        return new Limits(number(metadata, "rate_requests", defaults.rate()),
                Duration.ofSeconds(number(metadata, "rate_per_seconds", (int) Math.max(1, defaults.per().toSeconds()))),
                number(metadata, "max_in_flight", defaults.maxInFlight()));
    }

    private static int number(Map<String, Object> metadata, String key, int fallback) {
        Object v = metadata.get(key);
        if (v instanceof Number n && n.intValue() > 0) {
            return n.intValue();
        }
        return fallback;
    }

    /**
     * Blocks until the connection may send one request; call {@link Permit#close()} when it is
     * answered. With several replicas on one database, this replica takes its share of the budget.
     */
    public Permit acquire(String connectionKey, Limits limits) throws InterruptedException {
        Bucket b = buckets.compute(connectionKey, (k, old) -> old != null && old.limits.equals(limits) ? old
                : new Bucket(limits));
        replicas.awaitJoined();
        return b.acquire(replicas.live());
    }

    /** The server asked us to stop for a while: nothing more goes to this connection until then. */
    public void pause(String connectionKey, Duration pause) {
        Bucket b = buckets.get(connectionKey);
        if (b != null) {
            b.pauseUntil(System.nanoTime() + pause.toNanos());
        }
    }

    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A sliding window over the last {@code rate} requests, plus a count of requests in flight.
     * A request occupies its slot from the moment it is sent until its answer arrives, and the slot
     * counts from the answer: the server received the request before it answered, so however the
     * network delays a request, no window at the server sees more than {@code rate} of them. With
     * N replicas each one allows rate/N in a window and maxInFlight/N at once (at least one).
     */
    static final class Bucket {
        private static final long IN_FLIGHT = Long.MAX_VALUE;
        final Limits limits;
        final long[] slots;
        int next;
        int inFlight;
        long pausedUntil;

        Bucket(Limits limits) {
            this.limits = limits;
            this.slots = new long[limits.rate()];
            Arrays.fill(slots, Long.MIN_VALUE / 2);
        }

        synchronized void pauseUntil(long nanos) {
            pausedUntil = Math.max(pausedUntil, nanos);
        }

        Permit acquire(int replicas) throws InterruptedException {
            int slot = reserve(Math.max(1, replicas));
            return () -> answered(slot);
        }

        private synchronized int reserve(int replicas) throws InterruptedException {
            int rate = Math.max(1, limits.rate() / replicas);
            int maxInFlight = Math.max(1, limits.maxInFlight() / replicas);
            long window = limits.per().toNanos();
            while (true) {
                long now = System.nanoTime();
                long wait;
                if (inFlight >= maxInFlight) {
                    wait = TimeUnit.SECONDS.toNanos(1); // an answer wakes us sooner
                } else {
                    long rateth = slots[(next - rate + slots.length) % slots.length]; // the rate-th most recent
                    wait = rateth == IN_FLIGHT ? TimeUnit.SECONDS.toNanos(1)
                            : Math.max(pausedUntil - now, rateth + window - now);
                }
                if (wait <= 0) {
                    int slot = next;
                    slots[slot] = IN_FLIGHT;
                    next = (next + 1) % slots.length;
                    inFlight++;
                    return slot;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
            }
        }

        private synchronized void answered(int slot) {
            slots[slot] = System.nanoTime();
            inFlight--;
            notifyAll();
        }
    }
}
