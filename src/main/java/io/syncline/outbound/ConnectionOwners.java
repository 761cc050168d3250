package io.syncline.outbound;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.connection.Connections;
import io.syncline.metrics.Gauges;
import io.syncline.store.Database;

/**
 * Each connection is owned by exactly one live replica at a time, and only its owner sends it
 * requests (guarantee 6 for any number of replicas): the owner holds the connection's whole rate
 * budget, so no share is ever rounded up, and a full refresh runs at the connection's full rate.
 *
 * <p>Ownership is a lease row in {@code connection_owners}, renewed every heartbeat in the
 * database's clock; no session lock, so it works through PgBouncer in transaction mode. Which
 * replica should own a connection is decided by rendezvous hashing over the live replicas, so
 * replicas own similar numbers of connections and a replica that joins or leaves moves only
 * its share. A handover has no moment with two senders: the old owner stops taking new
 * requests, waits for those in flight, then clears the row; the new owner claims only a cleared
 * or expired row, and waits one rate window before its first request, so the window the old
 * owner filled has passed at the app.
 *
 * <p>A replica that cannot renew stops sending before its leases expire: it counts its lease
 * from the moment it sent the renewal, in its own monotonic clock, and stops {@code margin}
 * before that lease ends. So neither a slow database, a paused process (SIGSTOP) nor a clock
 * that disagrees with the database's lets it send once another replica may own the connection.
 *
 * <p>The embedded H2 is one process: it owns every connection.
 */
@ApplicationScoped
public class ConnectionOwners {

    private static final Logger LOG = Logger.getLogger(ConnectionOwners.class);

    /** This replica does not own the connection (any more): the request goes elsewhere or later. */
    public static final class NotOwned extends RuntimeException {
        public NotOwned(String key) {
            super("connection " + key + " is owned by another replica");
        }
    }

    /** No previous owner's requests to wait for. */
    static final long FRESH = Long.MIN_VALUE;

    /**
     * A connection this replica owns: until when it may send, when the previous owner's last
     * request may have been answered ({@link #FRESH} if none can count any more), and what is in flight.
     */
    static final class Owned {
        volatile long validUntil;
        final long since;
        /** The previous owner's usage of the connection's long windows, as it saved it (JSON), or null. */
        final String windows;
        volatile boolean releasing;
        final AtomicInteger inFlight = new AtomicInteger();

        Owned(long validUntil, long since, String windows) {
            this.validUntil = validUntil;
            this.since = since;
            this.windows = windows;
        }
    }

    private final Database db;
    private final Replicas replicas;
    private final Duration lease;
    private final Duration margin;
    private final Map<String, Owned> owned = new ConcurrentHashMap<>();
    private final BackgroundLoop loop;
    private final Counter moves;
    private final MeterRegistry registry;

    public ConnectionOwners(Database db, Replicas replicas, MeterRegistry registry,
            @ConfigProperty(name = "syncline.cluster.lease", defaultValue = "20s") Duration lease) {
        this.db = db;
        this.replicas = replicas;
        this.lease = lease;
        this.margin = lease.dividedBy(2);
        this.registry = registry;
        this.loop = new BackgroundLoop("connection-owners", replicas.heartbeat().toMillis(), this::balance);
        this.moves = Counter.builder("syncline.cluster.ownership.moves")
                .description("Connections this replica took over").register(registry);
    }

    void start(@Observes StartupEvent ignored) {
        Gauges.register(registry, "syncline.cluster.connections.owned", "Connections this replica owns", owned,
                m -> db.isPostgres() ? m.size() : 0);
        if (!db.isPostgres()) {
            return;
        }
        balance();
        loop.start();
    }

    /**
     * A new connection gets its owner before its creation is answered, not at the next heartbeat:
     * a trigger right after it then starts on the owner instead of being queued. First among the
     * observers, so the poll runner's first import sees the owner.
     */
    void connected(@Observes @jakarta.annotation.Priority(1) Connections.Created ignored) {
        if (db.isPostgres()) {
            balance();
        }
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        if (!db.isPostgres()) {
            return;
        }
        loop.stop();
        // hand everything over: no new requests, the ones in flight finish (a few seconds at most)
        owned.values().forEach(o -> o.releasing = true);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (owned.values().stream().anyMatch(o -> o.inFlight.get() > 0) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE connection_owners SET owner = NULL WHERE owner = ?")) {
                ps.setString(1, replicas.id());
                return ps.executeUpdate();
            }
        });
        owned.clear();
    }

    /** Whether this replica may send requests to the connection now. */
    public boolean owns(String key) {
        if (!db.isPostgres()) {
            return true;
        }
        Owned o = owned.get(key);
        return o != null && !o.releasing && System.nanoTime() < o.validUntil;
    }

    /**
     * When the previous owner's last request may have been answered, in this replica's monotonic
     * clock, or {@link #FRESH} (always on the embedded database): the budget counts the previous
     * owner's window as full until then.
     */
    long ownedSince(String key) {
        Owned o = owned.get(key);
        return o == null ? FRESH : o.since;
    }

    /** The previous owner's usage of the connection's long windows, for the budget to take over; null if none. */
    String windowsOf(String key) {
        Owned o = owned.get(key);
        return o == null ? null : o.windows;
    }

    private volatile java.util.function.Function<java.util.Collection<String>, Map<String, String>> windowUsage = keys -> Map.of();

    /** Where this replica's usage of long windows comes from, saved each round for whoever owns a connection next. */
    void windowUsage(java.util.function.Function<java.util.Collection<String>, Map<String, String>> usage) {
        this.windowUsage = usage;
    }

    /**
     * Counts a request of the connection as in flight, so a handover waits for it.
     *
     * @return what ends the count, on the same ownership it began on (a later claim of the same
     *         connection starts a count of its own)
     */
    Runnable enter(String key) {
        if (!db.isPostgres()) {
            return () -> { };
        }
        Owned o = owned.get(key);
        if (o == null) {
            throw new NotOwned(key);
        }
        o.inFlight.incrementAndGet();
        if (!owns(key)) {
            o.inFlight.decrementAndGet();
            throw new NotOwned(key);
        }
        return o.inFlight::decrementAndGet;
    }

    /** Where the connection's owner answers, if it has a live one. */
    public java.util.Optional<String> ownerAddress(String integration, String connectionId) {
        return java.util.Optional.ofNullable(db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT r.address FROM connection_owners o JOIN replicas r ON r.id = o.owner
                     WHERE o.provider_config_key = ? AND o.connection_id = ? AND o.lease_until > now()""")) {
                ps.setString(1, integration);
                ps.setString(2, connectionId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }));
    }

    private final List<Runnable> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Work to do on every ownership round (closing permits granted to replicas that went away). */
    void everyRound(Runnable r) {
        rounds.add(r);
    }

    /**
     * A connection as the database sees it now: its owner if any, whether that owner's lease
     * still runs, and how long ago it ended or was handed over (null if it never had an owner).
     */
    private record Row(String integration, String connectionId, String owner, boolean held, Double idleMillis,
            String windows) {
        String key() {
            return integration + "/" + connectionId;
        }

        String[] pair() {
            return new String[] {integration, connectionId};
        }
    }

    private List<Row> rows() {
        return db.inTransaction(c -> {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT c.provider_config_key, c.connection_id, o.owner, o.lease_until > now(),
                           EXTRACT(EPOCH FROM now() - o.lease_until) * 1000, o.windows
                      FROM connections c LEFT JOIN connection_owners o
                        ON o.provider_config_key = c.provider_config_key AND o.connection_id = c.connection_id""");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String owner = rs.getString(3);
                    boolean held = owner != null && rs.getBoolean(4);
                    double idle = rs.getDouble(5);
                    Double idleMillis = rs.wasNull() ? null : idle;
                    rows.add(new Row(rs.getString(1), rs.getString(2), owner, held, idleMillis, rs.getString(6)));
                }
            }
            return rows;
        });
    }

    /** One round: renew what stays, hand over what should move, claim what is free and ours (one at a time). */
    synchronized void balance() {
        rounds.forEach(Runnable::run);
        List<String> live = replicas.live();
        String me = replicas.id();
        List<Row> rows = rows();
        Map<String, Row> byKey = new HashMap<>();
        rows.forEach(r -> byKey.put(r.key(), r));
        Map<String, String> holders = new HashMap<>();
        rows.forEach(r -> holders.put(r.key(), r.held() ? r.owner() : null));
        Map<String, String> chosen = assign(holders, live);
        Map<String, String[]> renew = new HashMap<>();
        Map<String, String[]> claim = new HashMap<>();
        Map<String, String[]> release = new HashMap<>();
        for (Row row : rows) {
            String key = row.key();
            boolean ours = me.equals(row.owner()) && row.held();
            Owned o = owned.get(key);
            if (me.equals(chosen.get(key))) {
                if (ours) {
                    if (o != null) {
                        o.releasing = false; // it was to move, and the replica it was for left again
                    }
                    renew.put(key, row.pair());
                } else if (!row.held()) {
                    claim.put(key, row.pair());
                }
            } else if (ours) {
                if (o != null) {
                    o.releasing = true; // no new requests; hand over once the last one is answered
                }
                (o == null || o.inFlight.get() == 0 ? release : renew).put(key, row.pair());
            }
        }
        owned.keySet().removeIf(k -> !byKey.containsKey(k)); // the connection was deleted
        // what this replica used of long windows, saved before a handover so the next owner counts it too
        java.util.Set<String> mine = new java.util.HashSet<>(renew.keySet());
        mine.addAll(release.keySet());
        saveWindows(windowUsage.apply(mine));
        long sent = System.nanoTime();
        long validUntil = sent + lease.toNanos() - margin.toNanos();
        String leaseUntil = "now() + INTERVAL '" + lease.toMillis() + " milliseconds'";
        List<String> renewed = apply(renew, """
                UPDATE connection_owners o SET lease_until = %s
                  FROM unnest(?::text[], ?::text[]) AS k(p, c)
                 WHERE o.provider_config_key = k.p AND o.connection_id = k.c AND o.owner = ?
                RETURNING o.provider_config_key, o.connection_id""".formatted(leaseUntil));
        List<String> claimed = apply(claim, """
                INSERT INTO connection_owners AS o (provider_config_key, connection_id, owner, lease_until, moves)
                SELECT k.p, k.c, ?, %s, 1 FROM unnest(?::text[], ?::text[]) AS k(p, c)
                ON CONFLICT (provider_config_key, connection_id) DO UPDATE
                   SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, moves = o.moves + 1
                 WHERE o.owner IS NULL OR o.lease_until <= now()
                RETURNING o.provider_config_key, o.connection_id""".formatted(leaseUntil));
        List<String> released = apply(release, """
                UPDATE connection_owners o SET owner = NULL, lease_until = now()
                  FROM unnest(?::text[], ?::text[]) AS k(p, c)
                 WHERE o.provider_config_key = k.p AND o.connection_id = k.c AND o.owner = ?
                RETURNING o.provider_config_key, o.connection_id""");
        java.util.Set<String> kept = new java.util.HashSet<>(renewed);
        kept.addAll(claimed);
        for (String key : renewed) {
            Owned o = owned.get(key);
            if (o != null) {
                o.validUntil = validUntil;
            } else {
                // ours without a record of it here: count a full window first
                owned.put(key, new Owned(validUntil, sent, byKey.get(key).windows()));
            }
        }
        for (String key : claimed) {
            Double idle = byKey.get(key).idleMillis();
            owned.put(key, new Owned(validUntil, idle == null ? FRESH : sent - (long) (idle * 1_000_000),
                    byKey.get(key).windows()));
            moves.increment();
        }
        released.forEach(owned::remove);
        // what we believed ours and the database no longer gives us (taken over while we were away)
        long now = System.nanoTime();
        owned.entrySet().removeIf(e -> !kept.contains(e.getKey()) && now >= e.getValue().validUntil);
        if (!claimed.isEmpty() || !released.isEmpty()) {
            LOG.infof("this replica took over %d connection(s) and handed over %d; it owns %d of them, with %d replica(s) live",
                    claimed.size(), released.size(), owned.size(), live.size());
        }
    }

    private void saveWindows(Map<String, String> usage) {
        if (usage.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(usage.keySet());
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE connection_owners o SET windows = k.w
                      FROM unnest(?::text[], ?::text[], ?::text[]) AS k(p, c, w)
                     WHERE o.provider_config_key = k.p AND o.connection_id = k.c AND o.owner = ?""")) {
                ps.setArray(1, c.createArrayOf("text", keys.stream().map(k -> k.substring(0, k.indexOf('/'))).toArray()));
                ps.setArray(2, c.createArrayOf("text", keys.stream().map(k -> k.substring(k.indexOf('/') + 1)).toArray()));
                ps.setArray(3, c.createArrayOf("text", keys.stream().map(usage::get).toArray()));
                ps.setString(4, replicas.id());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Runs one ownership statement over a set of connections. Its parameters are the integrations
     * and the connection ids as arrays, and this replica's id, in the order they appear (a claim
     * names this replica first).
     */
    private List<String> apply(Map<String, String[]> pairs, String sql) {
        if (pairs.isEmpty()) {
            return List.of();
        }
        String[] integrations = pairs.values().stream().map(v -> v[0]).toArray(String[]::new);
        String[] ids = pairs.values().stream().map(v -> v[1]).toArray(String[]::new);
        boolean meFirst = sql.startsWith("INSERT");
        return db.inTransaction(c -> {
            List<String> done = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (meFirst) {
                    ps.setString(i++, replicas.id());
                }
                ps.setArray(i++, c.createArrayOf("text", integrations));
                ps.setArray(i++, c.createArrayOf("text", ids));
                if (!meFirst) {
                    ps.setString(i, replicas.id());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        done.add(rs.getString(1) + "/" + rs.getString(2));
                    }
                }
            }
            return done;
        });
    }

    /**
     * Which live replica should own each connection. Every replica computes the same answer from
     * the same rows. Replicas own even shares: {@code base = connections / replicas} each, and
     * {@code connections % replicas} of them one more. A connection stays with its owner while
     * that owner is live and within its share, so a replica that joins or leaves moves only what
     * it must. Any other connection goes to the replica that ranks highest for it by a hash of the
     * pair (rendezvous hashing) among those with room.
     */
    static Map<String, String> assign(Map<String, String> holders, List<String> live) {
        List<String> keys = new ArrayList<>(holders.keySet());
        java.util.Collections.sort(keys);
        int base = keys.size() / Math.max(1, live.size());
        int[] extras = {keys.size() % Math.max(1, live.size())};
        Map<String, Integer> load = new HashMap<>();
        Map<String, String> owner = new HashMap<>();
        java.util.function.BiPredicate<String, Boolean> room = (r, extra) -> {
            int n = load.getOrDefault(r, 0);
            return n < base || extra && n == base && extras[0] > 0;
        };
        java.util.function.BiConsumer<String, String> give = (key, r) -> {
            if (load.merge(r, 1, Integer::sum) > base) {
                extras[0]--;
            }
            owner.put(key, r);
        };
        for (boolean extra : new boolean[] {false, true}) { // the holders keep their share first, then their one more
            for (String key : keys) {
                String holder = holders.get(key);
                if (!owner.containsKey(key) && holder != null && live.contains(holder) && room.test(holder, extra)) {
                    give.accept(key, holder);
                }
            }
        }
        for (String key : keys) {
            if (owner.containsKey(key)) {
                continue;
            }
            List<String> ranked = new ArrayList<>(live);
            ranked.sort(java.util.Comparator.comparingLong((String r) -> mix(key.hashCode() * 31L + r.hashCode()))
                    .reversed().thenComparing(r -> r));
            ranked.stream().filter(r -> room.test(r, false)).findFirst()
                    .or(() -> ranked.stream().filter(r -> room.test(r, true)).findFirst())
                    .ifPresent(r -> give.accept(key, r));
        }
        return owner;
    }

    /** SplitMix64's finalizer: spreads close inputs over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
