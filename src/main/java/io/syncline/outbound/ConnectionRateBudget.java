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

import io.syncline.config.StoredJson;
import io.syncline.metrics.SyncMetrics;

/**
 * Every request to a connected app, read or write, takes a permit from its connection's budget
 * (guarantee 6): at most {@code rate} requests per {@code per} interval and {@code maxInFlight}
 * at once. A 429 or 503 pauses the whole connection until the time the server named.
 *
 * Only the connection's owner sends ({@link ConnectionOwners}), so this replica holds the whole
 * budget of every connection it owns, however many replicas run; a request for a connection it
 * does not own is refused with {@link ConnectionOwners.NotOwned}.
 *
 * Hand-written because the limit, the concurrency cap and the pause must be one object per
 * connection, changed at run time and handed over between replicas; Camel's throttle EIP sits in
 * a route, not around a call, and knows nothing of other replicas.
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
    private final ConnectionOwners owners;
    private final PermitRelay relay;
    private final SyncMetrics metrics;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public ConnectionRateBudget(ConnectionOwners owners, PermitRelay relay, SyncMetrics metrics,
            @ConfigProperty(name = "syncline.rate.requests", defaultValue = "10") int rate,
            @ConfigProperty(name = "syncline.rate.per", defaultValue = "1s") Duration per,
            @ConfigProperty(name = "syncline.rate.max-in-flight", defaultValue = "4") int maxInFlight) {
        this.owners = owners;
        this.relay = relay;
        this.metrics = metrics;
        if (owners != null) {
            owners.everyRound(this::expireGranted);
            owners.windowUsage(this::usage);
        }
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
     * answered.
     *
     * @throws ConnectionOwners.NotOwned when this replica does not own the connection, or stops
     *         owning it while the request waits
     */
    public Permit acquire(String connectionKey, Limits limits) throws InterruptedException {
        return acquire(connectionKey, limits, Use.WRITE);
    }

    /** The same, for a use that gives way to writes when a long window runs low (polls). */
    public Permit acquire(String connectionKey, Limits limits, Use use) throws InterruptedException {
        Permit p = take(connectionKey, limits, use);
        sent(connectionKey);
        return p;
    }

    private final Map<String, io.micrometer.core.instrument.Counter> sentBy = new ConcurrentHashMap<>();

    private void sent(String connectionKey) {
        if (metrics != null) {
            sentBy.computeIfAbsent(connectionKey, k -> metrics.requestsSent(k.substring(0, Math.max(0, k.indexOf('/')))))
                    .increment();
        }
    }

    private Permit take(String connectionKey, Limits limits, Use use) throws InterruptedException {
        long since = owners.ownedSince(connectionKey);
        Bucket b = buckets.compute(connectionKey, (k, old) -> {
            if (old != null && old.limits.equals(limits) && old.since == since) {
                return old;
            }
            Bucket fresh = new Bucket(limits, since);
            fresh.restoreUsage(old != null && old.since == since ? old.takeUsageAlways() : owners.windowsOf(k));
            return fresh;
        });
        Runnable exit = owners.enter(connectionKey);
        int slot;
        try {
            slot = b.reserve(use, () -> {
                if (!owners.owns(connectionKey)) {
                    throw new ConnectionOwners.NotOwned(connectionKey);
                }
            });
        } catch (InterruptedException | RuntimeException e) {
            exit.run();
            throw e;
        }
        return () -> {
            b.answered(slot);
            exit.run();
        };
    }

    /**
     * A permit for a request made while answering a delivery on whichever replica received it (a
     * route's {@code syncline:budget} or {@code syncline:fetch}): this replica's own when it owns
     * the connection, otherwise one the owner grants over the network ({@link PermitRelay}), so
     * the owner's budget still counts every request.
     */
    public Permit acquireAnywhere(String connectionKey, Limits limits, Use use) throws InterruptedException {
        if (owners.owns(connectionKey)) {
            try {
                return acquire(connectionKey, limits, use);
            } catch (ConnectionOwners.NotOwned handedOverMeanwhile) {
                // it moved while this request waited: ask the new owner
            }
        }
        Permit p = relay.acquire(connectionKey, use);
        sent(connectionKey);
        return p;
    }

    /** The server asked us to stop for a while: nothing more goes to this connection until then. */
    public void pause(String connectionKey, Duration pause) {
        if (!owners.owns(connectionKey)) {
            relay.pause(connectionKey, pause); // the owner holds the budget, so the owner pauses
            return;
        }
        Bucket b = buckets.get(connectionKey);
        if (b != null) {
            b.pauseUntil(System.nanoTime() + pause.toNanos());
        }
    }

    /** The long windows' usage of these connections that changed since last asked, as JSON by connection. */
    Map<String, String> usage(java.util.Collection<String> keys) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String key : keys) {
            Bucket b = buckets.get(key);
            String u = b == null ? null : b.takeUsage();
            if (u != null) {
                out.put(key, u);
            }
        }
        return out;
    }

    /** A permit granted to another replica: given back by it, or closed here when it is held too long. */
    private record Granted(String key, Permit permit, long expiresAt) {
    }

    private final Map<String, Granted> granted = new ConcurrentHashMap<>();

    /**
     * The owner's side of {@link #acquireAnywhere}: takes a permit for another replica's request,
     * held until that replica gives it back ({@link #giveBack}) or for {@code hold} at most.
     *
     * @return the permit's id
     */
    public String grant(String connectionKey, Limits limits, Use use, Duration hold) throws InterruptedException {
        expireGranted();
        Permit p = take(connectionKey, limits, use); // the other replica sends it, and counts it
        String id = java.util.UUID.randomUUID().toString();
        granted.put(id, new Granted(connectionKey, p, System.nanoTime() + hold.toNanos()));
        return id;
    }

    /** Another replica's request was answered: its permit's slot counts from now. */
    public boolean giveBack(String id) {
        Granted g = granted.remove(id);
        if (g != null) {
            g.permit().close();
        }
        return g != null;
    }

    /** Permits whose replica never gave them back (it stopped): their requests are long over. */
    void expireGranted() {
        long now = System.nanoTime();
        granted.entrySet().removeIf(e -> {
            if (now < e.getValue().expiresAt()) {
                return false;
            }
            e.getValue().permit().close();
            return true;
        });
    }

    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A sliding window over the last {@code rate} requests, plus a count of requests in flight.
     * A request occupies its slot from the moment it is sent until its answer arrives, and the slot
     * counts from the answer: the server received the request before it answered, so however the
     * network delays a request, no window at the server sees more than {@code rate} of them. A
     * bucket of a connection this replica has taken over starts full, as if {@code rate} requests
     * had been answered when the previous owner handed over or its lease ended: that owner's last
     * window passes first.
     * The connection's long windows ({@link LongWindow}) must each hold as well.
     */
    static final class Bucket {
        private static final long IN_FLIGHT = Long.MAX_VALUE;
        final Limits limits;
        final long since;
        final long[] slots;
        int next;
        int inFlight;
        long pausedUntil;

        final LongWindow[] windows;
        /** Whether the long windows changed since their usage was last saved for the next owner. */
        boolean dirty;

        Bucket(Limits limits) {
            this(limits, ConnectionOwners.FRESH);
        }

        Bucket(Limits limits, long since) {
            this.limits = limits;
            this.since = since;
            this.slots = new long[limits.rate()];
            Arrays.fill(slots, since == ConnectionOwners.FRESH ? Long.MIN_VALUE / 2 : since);
            this.windows = limits.windows().stream().map(LongWindow::new).toArray(LongWindow[]::new);
        }

        synchronized void pauseUntil(long nanos) {
            pausedUntil = Math.max(pausedUntil, nanos);
        }

        Permit acquire() throws InterruptedException {
            return acquire(Use.WRITE);
        }

        Permit acquire(Use use) throws InterruptedException {
            int slot = reserve(use, () -> { });
            return () -> answered(slot);
        }

        /** Waits for a slot; {@code stillMine} throws {@link ConnectionOwners.NotOwned} once the connection is not this replica's. */
        synchronized int reserve(Use use, Runnable stillMine) throws InterruptedException {
            int rate = limits.rate();
            int maxInFlight = limits.maxInFlight();
            long window = limits.per().toNanos();
            while (true) {
                stillMine.run();
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
                        wait = Math.max(wait, w.wait(now, use));
                    }
                }
                if (wait <= 0) {
                    for (LongWindow w : windows) {
                        w.count(now);
                    }
                    dirty |= windows.length > 0;
                    int slot = next;
                    slots[slot] = IN_FLIGHT;
                    next = (next + 1) % slots.length;
                    inFlight++;
                    return slot;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
            }
        }

        /** The long windows' usage as JSON ({@code {"86400": [[age, requests], …]}}), or null if unchanged since last asked. */
        synchronized String takeUsage() {
            if (!dirty) {
                return null;
            }
            dirty = false;
            long now = System.nanoTime();
            Map<String, List<long[]>> out = new java.util.LinkedHashMap<>();
            for (LongWindow w : windows) {
                out.put(Long.toString(w.window.per().toSeconds()), w.usage(now));
            }
            return StoredJson.write(out);
        }

        /** The usage whether changed or not: a bucket replaced when its limits change keeps what it counted. */
        synchronized String takeUsageAlways() {
            dirty = true;
            return takeUsage();
        }

        /** Takes over the previous owner's usage of the long windows (see {@link #takeUsage}). */
        synchronized void restoreUsage(String json) {
            if (json == null || windows.length == 0) {
                return;
            }
            Map<String, List<long[]>> saved = StoredJson.read(json,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, List<long[]>>>() { }, "window usage");
            long now = System.nanoTime();
            for (LongWindow w : windows) {
                List<long[]> usage = saved.get(Long.toString(w.window.per().toSeconds()));
                if (usage != null) {
                    w.restore(now, usage.stream().filter(u -> u.length == 2).toList());
                }
            }
            dirty = true;
        }

        synchronized void answered(int slot) {
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
        long wait(long now, Use use) {
            long current = Math.floorDiv(now, partNanos);
            long share = window.requests();
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

        /** The parts that still count, as {age in parts, requests} pairs: what the next owner takes over. */
        List<long[]> usage(long now) {
            long current = Math.floorDiv(now, partNanos);
            List<long[]> out = new ArrayList<>();
            for (int i = 0; i < KEPT; i++) {
                if (part[i] > current - KEPT && counts[i] > 0) {
                    out.add(new long[] {current - part[i], counts[i]});
                }
            }
            return out;
        }

        /**
         * Takes over a previous owner's usage. Ages count from when it was saved, so each part
         * counts here at least as long as it would have there.
         */
        void restore(long now, List<long[]> usage) {
            long current = Math.floorDiv(now, partNanos);
            for (long[] u : usage) {
                long p = current - u[0];
                int i = (int) Math.floorMod(p, KEPT);
                if (part[i] != p) {
                    part[i] = p;
                    counts[i] = 0;
                }
                counts[i] += u[1];
            }
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
