package io.syncline.sqlsource;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.StartupEvent;
import io.syncline.connection.Connections;
import io.syncline.mapping.Mapping;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Change;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;
import io.syncline.twoway.IdentityMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs SQL sources. A run holds its source's lease in {@code sql_source_state}, renewed with each
 * batch it commits, so one replica runs it at a time (a row lock held for the whole run would hold
 * the changes feed back on PostgreSQL: {@code ChangesFeed}); it reads the keys changed since the
 * high-water mark minus the lookback, computes their properties one batch of keys per query, evaluates the groups, stores
 * each group membership as a record (so joining and leaving are in the changes feed, with their
 * time), and queues a write for each key whose mapped content the destination does not already
 * hold. The high-water mark moves only when the whole run has committed: a run that fails is
 * repeated from the same mark, and what it already queued is recognised as unchanged.
 */
@Unremovable
@ApplicationScoped
public class SqlSyncRunner {

    private static final Logger LOG = Logger.getLogger(SqlSyncRunner.class);
    public static final String MEMBERSHIP = "GroupMembership";

    private final Database db;
    private final Instance<AgroalDataSource> app;
    private final Connections connections;
    private final WriteQueue queue;
    private final Writer writer;
    private final IdentityMap identities;
    private final RecordStore store;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Duration lease;

    public SqlSyncRunner(Database db, @DataSource("app") Instance<AgroalDataSource> app, Connections connections,
            WriteQueue queue, Writer writer, IdentityMap identities, RecordStore store, DeadLetters deadLetters,
            MeterRegistry registry, @ConfigProperty(name = "syncline.sql.lease", defaultValue = "5m") Duration lease) {
        this.db = db;
        this.app = app;
        this.connections = connections;
        this.queue = queue;
        this.writer = writer;
        this.identities = identities;
        this.store = store;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.lease = lease;
    }

    /**
     * A run whose replica stopped leaves its lease behind. On the embedded database only this
     * process can have the store open, so a lease found at start belongs to a dead process.
     */
    void expireLeasesOfTheDead(@Observes StartupEvent ignored) {
        if (!db.isPostgres()) {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sql_source_state SET lease_until = NULL WHERE lease_until IS NOT NULL")) {
                    return ps.executeUpdate();
                }
            });
        }
    }

    /** What one run did. */
    public record Run(int keys, int batches, int queued, int unchanged, int failed, OffsetDateTime hwm) {
    }

    public void tick(SqlSync s) {
        if (connections.find(s.out().integration(), s.connectionId()).isEmpty()) {
            return; // nothing to write to yet
        }
        Optional<Claim> claimed = db.inTransaction(c -> claim(c, s));
        if (claimed.isEmpty()) {
            return;
        }
        try {
            Run r = run(s, claimed.get().hwm());
            db.inTransaction(c -> {
                save(c, s, r.hwm(), r.keys(), r.batches(), null);
                return null;
            });
            if (r.keys() > 0) {
                LOG.infof("sql source %s: %d changed keys in %d batches, %d writes queued, %d unchanged, %d failed",
                        s.id(), r.keys(), r.batches(), r.queued(), r.unchanged(), r.failed());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("sql source %s failed, the next run starts from the same mark: %s", s.id(), e.getMessage());
            db.inTransaction(c -> {
                save(c, s, null, 0, 0, e.getMessage());
                return null;
            });
        }
    }

    /** A run's lease was taken: it runs from {@code hwm} (null: from the start). */
    private record Claim(OffsetDateTime hwm) {
    }

    /** Takes the source's lease if it is due and no live run holds it. */
    private Optional<Claim> claim(Connection c, SqlSync s) throws SQLException {
        try (PreparedStatement in = c.prepareStatement(
                "INSERT INTO sql_source_state (sync_name) VALUES (?) ON CONFLICT DO NOTHING")) {
            in.setString(1, s.id());
            in.executeUpdate();
        }
        OffsetDateTime now = RecordStore.now();
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sql_source_state SET lease_until = ?
                 WHERE sync_name = ? AND (lease_until IS NULL OR lease_until < ?) AND (ran_at IS NULL OR ran_at <= ?)""")) {
            ps.setObject(1, now.plus(lease));
            ps.setString(2, s.id());
            ps.setObject(3, now);
            ps.setObject(4, now.minus(s.every()));
            if (ps.executeUpdate() == 0) {
                return Optional.empty(); // not due, or another replica is running it
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT hwm FROM sql_source_state WHERE sync_name = ?")) {
            ps.setString(1, s.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(new Claim(rs.getObject(1, OffsetDateTime.class)));
            }
        }
    }

    /** Within a batch's transaction: the run is alive, its lease goes on. */
    private void renew(Connection c, SqlSync s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sql_source_state SET lease_until = ? WHERE sync_name = ?")) {
            ps.setObject(1, RecordStore.now().plus(lease));
            ps.setString(2, s.id());
            ps.executeUpdate();
        }
    }

    private static void save(Connection c, SqlSync s, OffsetDateTime hwm, int keys, int batches, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE sql_source_state SET hwm = COALESCE(?, hwm), ran_at = ?, last_keys = ?, last_batches = ?,
                       last_error = ?, lease_until = NULL WHERE sync_name = ?""")) {
            ps.setObject(1, hwm);
            ps.setObject(2, RecordStore.now());
            ps.setLong(3, keys);
            ps.setLong(4, batches);
            ps.setString(5, error);
            ps.setString(6, s.id());
            ps.executeUpdate();
        }
    }

    /** One run from {@code hwm}; public so that a benchmark can count its queries. */
    public Run run(SqlSync s, OffsetDateTime hwm) throws SQLException {
        OffsetDateTime since = hwm == null ? OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
                : hwm.minus(s.lookback());
        javax.sql.DataSource source = s.database().equals("app") ? app.get() : db.dataSource();
        Counter queries = Counter.builder("syncline_sql_property_queries_total")
                .description("Property queries run by SQL sources").tag("sync", s.name()).register(registry);
        try (Connection sc = source.getConnection()) {
            LinkedHashSet<String> keys = new LinkedHashSet<>();
            OffsetDateTime newHwm = hwm;
            try (PreparedStatement ps = sc.prepareStatement(s.changedKeys().replace(":since", "?"))) {
                ps.setObject(1, since);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                        OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
                        if (t != null && (newHwm == null || t.isAfter(newHwm))) {
                            newHwm = t;
                        }
                    }
                }
            }
            List<String> all = new ArrayList<>(keys);
            int batches = 0;
            int[] counts = new int[3];
            for (int from = 0; from < all.size(); from += s.keyBatch()) {
                List<String> batch = all.subList(from, Math.min(all.size(), from + s.keyBatch()));
                Map<String, Map<String, Object>> props = properties(sc, s, batch);
                queries.increment();
                batches++;
                apply(s, batch, props, counts);
            }
            return new Run(all.size(), batches, counts[0], counts[1], counts[2], newHwm);
        }
    }

    private static Map<String, Map<String, Object>> properties(Connection sc, SqlSync s, List<String> keys)
            throws SQLException {
        Map<String, Map<String, Object>> out = new HashMap<>();
        try (PreparedStatement ps = sc.prepareStatement(s.properties().replace(":keys", "?"))) {
            ps.setArray(1, sc.createArrayOf("varchar", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 2; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), json(rs.getObject(i)));
                    }
                    out.put(rs.getString(1), row);
                }
            }
        }
        return out;
    }

    /** A database value as the mapping sees it: numbers and text as they are, times as ISO-8601. */
    private static Object json(Object v) {
        if (v instanceof Timestamp t) {
            return t.toInstant().toString();
        }
        if (v instanceof OffsetDateTime t) {
            return t.toInstant().toString();
        }
        if (v instanceof Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof TemporalAccessor t) {
            return t.toString();
        }
        return v instanceof Array ? null : v;
    }

    private void apply(SqlSync s, List<String> batch, Map<String, Map<String, Object>> props, int[] counts) {
        String integration = s.out().integration();
        Mapping mapping = s.out().mapping();
        IdentityMap.Scope scope = new IdentityMap.Scope(integration, s.connectionId(), mapping.model());
        List<Object[]> failures = new ArrayList<>();
        boolean[] moved = {false};
        int queuedBefore = counts[0];
        db.inTransaction(c -> {
            Map<String, IdentityMap.Link> links = identities.peekLocal(c, scope, batch);
            for (String key : batch) {
                Map<String, Object> p = props.get(key);
                if (p == null) {
                    continue; // the key is gone from the source: nothing to recompute
                }
                Map<String, Boolean> groups = s.groups().of(p);
                for (Map.Entry<String, Boolean> g : groups.entrySet()) {
                    String payload = CanonicalJson.write(Map.of("group", g.getKey(), "key", key, "member", g.getValue()));
                    Change ch = store.upsert(c, new RecordKey(integration, s.connectionId(), MEMBERSHIP,
                            g.getKey() + ":" + key), payload, CanonicalJson.sha256(payload));
                    moved[0] |= ch != Change.UNCHANGED;
                }
                Map<String, Object> document = new LinkedHashMap<>(p);
                document.put("key", key);
                document.put("groups", groups);
                Mapping.Result r = mapping.apply(document);
                if (!r.ok()) {
                    failures.add(new Object[] {key, r, document});
                    continue;
                }
                String canonical = CanonicalJson.write(r.record());
                String hash = CanonicalJson.sha256(canonical);
                IdentityMap.Link link = links.get(key);
                if (link != null && hash.equals(link.lastSentHash())) {
                    counts[1]++; // the destination already holds exactly this
                    continue;
                }
                queue.enqueue(c, s.name(), integration, s.connectionId(), mapping.model(), key, "upsert", canonical, hash);
                counts[0]++;
            }
            renew(c, s);
            return null;
        });
        for (Object[] f : failures) {
            Mapping.Result r = (Mapping.Result) f[1];
            counts[2]++;
            deadLetters.add("inbound", s.name(), integration, s.connectionId(), mapping.model(), (String) f[0],
                    "mapping or validation failed: " + r.errors(), r.errors(), CanonicalJson.write(castMap(f[2])));
        }
        if (moved[0]) {
            store.poke();
        }
        if (counts[0] > queuedBefore) {
            writer.wake();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> castMap(Object o) {
        return (Map<String, ?>) o;
    }
}
