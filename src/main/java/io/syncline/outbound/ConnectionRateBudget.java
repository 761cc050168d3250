package io.syncline.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /**
     * A connection's limits: {@code rate} per {@code per} and {@code maxInFlight} at once, and
     * any longer windows the app also counts (a daily budget), each of which must hold too.
     */
    public record Limits(int rate, Duration per, int maxInFlight, List<Window> windows) {
        public Limits(int rate, Duration per, int maxInFlight) {
            this(rate, per, maxInFlight, List.of());
        }
    }

    /** One more window a connection's requests must keep within, e.g. 25,000 a day. */
    public record Window(int requests, Duration per) {
    }

    /** Who asks: a poll (or a read for a webhook) gives way to writes when a long window runs low. */
    public enum Use {
        WRITE, READ
    }

    /** The share of each long window that reads may use; the rest is kept for writes. */
    static final double READ_SHARE = 0.9;

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
                number(metadata, "max_in_flight", defaults.maxInFlight()), windows(metadata.get("rate_windows")));
    }

    /** {@code rate_windows}: a list of {@code {"requests": 25000, "per_seconds": 86400}}; malformed entries are skipped. */
    private static List<Window> windows(Object v) {
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        List<Window> out = new ArrayList<>();
        for (Object o : list) {
            if (o instanceof Map<?, ?> m && m.get("requests") instanceof Number r && m.get("per_seconds") instanceof Number p
                    && r.intValue() > 0 && p.longValue() > 0) {
                out.add(new Window(r.intValue(), Duration.ofSeconds(p.longValue())));
            }
        }
        return List.copyOf(out);
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
        return acquire(connectionKey, limits, Use.WRITE);
    }

    /** The same, for a use that gives way to writes when a long window runs low (polls). */
    public Permit acquire(String connectionKey, Limits limits, Use use) throws InterruptedException {
        Bucket b = buckets.compute(connectionKey, (k, old) -> old != null && old.limits.equals(limits) ? old
                : new Bucket(limits));
        replicas.awaitJoined();
        return b.acquire(replicas.live(), use);
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
     * The connection's long windows ({@link LongWindow}) must each hold as well.
     */
    static final class Bucket {
        private static final long IN_FLIGHT = Long.MAX_VALUE;
        final Limits limits;
        final long[] slots;
        int next;
        int inFlight;
        long pausedUntil;

        final LongWindow[] windows;

        Bucket(Limits limits) {
            this.limits = limits;
            this.slots = new long[limits.rate()];
            Arrays.fill(slots, Long.MIN_VALUE / 2);
            this.windows = limits.windows().stream().map(LongWindow::new).toArray(LongWindow[]::new);
        }

        synchronized void pauseUntil(long nanos) {
            pausedUntil = Math.max(pausedUntil, nanos);
        }

        Permit acquire(int replicas) throws InterruptedException {
            return acquire(replicas, Use.WRITE);
        }

        Permit acquire(int replicas, Use use) throws InterruptedException {
            int slot = reserve(Math.max(1, replicas), use);
            return () -> answered(slot);
        }

        private synchronized int reserve(int replicas, Use use) throws InterruptedException {
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
                    for (LongWindow w : windows) {
                        wait = Math.max(wait, w.wait(now, replicas, use));
                    }
                }
                if (wait <= 0) {
                    for (LongWindow w : windows) {
                        w.count(now);
                    }
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

    /**
     * A long window (a day) cannot keep a slot per request, so it counts requests in parts of
     * 1/60 of the window. A request is let through only if the parts that overlap the last window,
     * and one part more, hold fewer than the limit (the current part and the 61 before it, each
     * counted whole). So the count errs high, never low: the window holds in every span of its
     * length, and the extra part covers a request that reaches the app later than it was sent
     * (for windows of an hour or more, a part is a minute or more). Reads stop at {@link #READ_SHARE} of it, so writes still go out when
     * polls have spent most of a day's budget.
     */
    static final class LongWindow {
        static final int PARTS = 60;
        final Window window;
        final long partNanos;
        static final int KEPT = PARTS + 2;
        final long[] counts = new long[KEPT];
        final long[] part = new long[KEPT];

        LongWindow(Window window) {
            this.window = window;
            this.partNanos = Math.max(1, window.per().toNanos() / PARTS);
            Arrays.fill(part, Long.MIN_VALUE);
        }

        /** How long to wait before one more request of this use fits; 0 when it fits now. */
        long wait(long now, int replicas, Use use) {
            long current = Math.floorDiv(now, partNanos);
            long share = Math.max(1, window.requests() / replicas);
            long allowed = use == Use.READ ? Math.max(1, (long) Math.floor(share * READ_SHARE)) : share;
            long used = 0;
            long oldest = Long.MAX_VALUE;
            for (int i = 0; i < KEPT; i++) {
                if (part[i] > current - KEPT && counts[i] > 0) {
                    used += counts[i];
                    oldest = Math.min(oldest, part[i]);
                }
            }
            // a request of the oldest part was sent before that part ended: a full window and one
            // part after that end, the part stops counting
            return used < allowed ? 0 : Math.max(1, (oldest + KEPT) * partNanos - now);
        }

        void count(long now) {
            long current = Math.floorDiv(now, partNanos);
            int i = (int) Math.floorMod(current, KEPT);
            if (part[i] != current) {
                part[i] = current;
                counts[i] = 0;
            }
            counts[i]++;
        }
    }
}
