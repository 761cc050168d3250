package io.syncline.mapping;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.connection.Connections;
import io.syncline.metrics.SyncMetrics;
import io.syncline.outbound.AppWebhooks;
import io.syncline.schedule.Frequency;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Field discovery and drift. Every source document a sync maps is walked for its fields (JSON
 * paths and types, never values, at most {@value #MAX_PATHS} per document); the set is held in
 * memory and written to {@code source_fields} every {@code syncline.drift.flush}. Three changes
 * are reported, each once (the row that records it is claimed by one conditional statement, so
 * one replica reports it): a field that appears and the mapping does not read ({@code new}), a
 * field the mapping reads that arrives with another type ({@code retyped}), and a field the
 * mapping reads that has not arrived for {@code syncline.drift.vanished-after} while others
 * have ({@code vanished}). Reports go to {@code /api/drift}, the metric
 * {@code syncline_drift_reports_total} and a webhook to your app of type {@code drift}.
 */
@Unremovable
@ApplicationScoped
public class SourceFields {

    static final int MAX_PATHS = 200;
    private static final int MAX_FIELDS = 2000;
    private static final int MAX_DEPTH = 8;
    private static final int ARRAY_ITEMS = 3;

    /** A field as this replica has seen it since it last wrote it down. */
    private static final class Seen {
        final String path;
        final String type;
        volatile long last;
        long written = -1; // never written

        Seen(String path, String type, long last) {
            this.path = path;
            this.type = type;
            this.last = last;
        }
    }

    /** One drift report. */
    public record Report(SyncKey key, String kind, String path, String type, String previousType,
            OffsetDateTime firstSeenAt, OffsetDateTime lastSeenAt) {
    }

    /** A field as stored: its types, when it was first and last seen, and whether the mapping reads it. */
    public record Field(String path, List<String> types, OffsetDateTime firstSeenAt, OffsetDateTime lastSeenAt,
            boolean mapped, boolean baseline) {
    }

    private final Database db;
    private final Connections connections;
    private final AppWebhooks webhooks;
    private final SyncMetrics metrics;
    private final Overlays overlays;
    private final boolean enabled;
    private final Duration vanishedAfter;
    private final long rewriteMillis;
    private final String notifyUrl;
    private final BackgroundLoop loop;
    private final Map<SyncKey, Map<String, Seen>> seen = new ConcurrentHashMap<>();
    private final Map<SyncKey, Mapping> bases = new ConcurrentHashMap<>();

    public SourceFields(Database db, Connections connections, AppWebhooks webhooks, SyncMetrics metrics,
            Overlays overlays, @ConfigProperty(name = "syncline.drift.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "syncline.drift.flush", defaultValue = "10s") String flush,
            @ConfigProperty(name = "syncline.drift.vanished-after", defaultValue = "7d") String vanishedAfter,
            @ConfigProperty(name = "syncline.notify.url") Optional<String> notifyUrl) {
        this.db = db;
        this.connections = connections;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.overlays = overlays;
        this.enabled = enabled;
        this.vanishedAfter = Frequency.parse(vanishedAfter);
        // last_seen_at is rewritten at most this often per field: often enough to tell a vanished field
        this.rewriteMillis = Math.min(60_000, this.vanishedAfter.toMillis() / 4);
        this.notifyUrl = notifyUrl.filter(u -> !u.isBlank()).orElse(null);
        this.loop = new BackgroundLoop("drift", Frequency.parse(flush).toMillis(), this::flush);
    }

    void start(@Observes StartupEvent ignored) {
        if (enabled) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
        if (enabled) {
            flush();
        }
    }

    /** Notes the fields of one document the sync's mapping {@code base} reads for the connection. */
    public void observe(SyncKey key, Mapping base, Object document) {
        if (!enabled || !(document instanceof Map<?, ?>)) {
            return;
        }
        bases.putIfAbsent(key, base);
        Map<String, String> fields = new LinkedHashMap<>();
        walk(document, "$", 0, fields);
        long now = System.currentTimeMillis();
        Map<String, Seen> known = seen.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        for (Map.Entry<String, String> f : fields.entrySet()) {
            Seen s = known.get(f.getKey() + "\u0000" + f.getValue());
            if (s == null && known.size() < MAX_FIELDS) { // a source keyed by ids must not grow this for ever
                known.putIfAbsent(f.getKey() + "\u0000" + f.getValue(), new Seen(f.getKey(), f.getValue(), now));
            } else if (s != null) {
                s.last = now;
            }
        }
    }

    /** The leaf fields of a document as JSONPaths in bracket form (what JsonPath.getPath() prints), arrays as [*]. */
    static void walk(Object v, String path, int depth, Map<String, String> out) {
        if (out.size() >= MAX_PATHS) {
            return;
        }
        if (v instanceof Map<?, ?> m && !m.isEmpty() && depth < MAX_DEPTH) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getValue(), path + "['" + e.getKey() + "']", depth + 1, out);
            }
        } else if (v instanceof List<?> l && !l.isEmpty() && depth < MAX_DEPTH) {
            for (int i = 0; i < Math.min(l.size(), ARRAY_ITEMS); i++) {
                walk(l.get(i), path + "[*]", depth + 1, out);
            }
        } else if (v != null) {
            out.putIfAbsent(path, type(v));
        }
    }

    private static String type(Object v) {
        return v instanceof String ? "string" : v instanceof Number ? "number" : v instanceof Boolean ? "boolean"
                : v instanceof Map ? "object" : v instanceof List ? "array" : "string";
    }

    /** The source paths a mapping reads, in the form {@link #walk} names fields. */
    public static Set<String> paths(Mapping m) {
        Set<String> out = new HashSet<>();
        for (Mapping.Field f : m.fields()) {
            if (f.source() instanceof Mapping.PathSource p) {
                out.add(normal(p.compiled().getPath()));
            } else if (f.source() instanceof Mapping.ConcatSource c) {
                c.parts().stream().filter(x -> x instanceof com.jayway.jsonpath.JsonPath)
                        .forEach(x -> out.add(normal(((com.jayway.jsonpath.JsonPath) x).getPath())));
            }
        }
        return out;
    }

    private static String normal(String path) {
        return path.replaceAll("\\[\\d+\\]", "[*]");
    }

    /** Whether the mapping reads the field: the path itself, or an object or list that holds it. */
    public static boolean mapped(Set<String> read, String path) {
        for (String r : read) {
            if (path.equals(r) || path.startsWith(r + "[")) {
                return true;
            }
        }
        return false;
    }

    /** Writes what was seen since the last flush and reports what changed. */
    public void flush() {
        for (Map.Entry<SyncKey, Map<String, Seen>> e : seen.entrySet()) {
            SyncKey key = e.getKey();
            List<Seen> fresh = new ArrayList<>();
            List<Seen> touched = new ArrayList<>();
            for (Seen s : e.getValue().values()) {
                if (s.written < 0) {
                    fresh.add(s);
                } else if (s.last - s.written >= rewriteMillis) {
                    touched.add(s);
                }
            }
            if (!fresh.isEmpty() || !touched.isEmpty()) {
                write(key, fresh, touched);
                vanished(key); // only while documents arrive can a field be missing from them
            }
        }
    }

    private void write(SyncKey key, List<Seen> fresh, List<Seen> touched) {
        Set<String> read = paths(overlays.mapping(bases.get(key), key));
        List<Report> reports = db.inTransaction(c -> {
            List<Report> out = new ArrayList<>();
            // what was known before matters only for new fields; a refresh of last-seen times needs none of it
            Map<String, String> before = fresh.isEmpty() ? Map.of() : known(c, key);
            boolean baseline = before.isEmpty(); // the first fields of a sync are its schema, not a change
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO source_fields (provider_config_key, connection_id, sync_name, path, type, first_seen_at,
                                               last_seen_at, baseline)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
                for (Seen s : fresh) {
                    OffsetDateTime at = time(s.last);
                    bind(ps, key, 1);
                    ps.setString(4, s.path);
                    ps.setString(5, s.type);
                    ps.setObject(6, at);
                    ps.setObject(7, at);
                    ps.setBoolean(8, baseline);
                    // one replica's insert wins; only the winner reports
                    if (ps.executeUpdate() == 1 && !baseline) {
                        boolean isMapped = mapped(read, s.path);
                        String old = before.get(s.path);
                        if (old != null && !old.equals(s.type) && isMapped) {
                            out.add(new Report(key, "retyped", s.path, s.type, old, at, at));
                        } else if (old == null && !isMapped) {
                            out.add(new Report(key, "new", s.path, s.type, null, at, at));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE source_fields SET last_seen_at = ?, vanished_reported_at = NULL
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND path = ? AND type = ?
                       AND last_seen_at < ?""")) {
                for (Seen s : touched) {
                    ps.setObject(1, time(s.last));
                    bind(ps, key, 2);
                    ps.setString(5, s.path);
                    ps.setString(6, s.type);
                    ps.setObject(7, time(s.last));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return out;
        });
        for (Seen s : fresh) {
            s.written = s.last;
        }
        for (Seen s : touched) {
            s.written = s.last;
        }
        reports.forEach(this::report);
    }

    /** A type stored for each field the sync of the connection has delivered. */
    private static Map<String, String> known(java.sql.Connection c, SyncKey key) throws java.sql.SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT path, type FROM source_fields
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            bind(ps, key, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.merge(rs.getString(1), rs.getString(2), (a, b) -> a);
                }
            }
        }
        return out;
    }

    /** Mapped fields not seen for vanished-after while the sync's documents kept arriving; each reported once. */
    private void vanished(SyncKey key) {
        Mapping base = bases.get(key);
        if (base == null) {
            return;
        }
        Set<String> read = paths(overlays.mapping(base, key));
        List<Report> reports = db.inTransaction(c -> {
            List<Report> out = new ArrayList<>();
            List<Field> fields = fields(c, key, read);
            OffsetDateTime newest = fields.stream().map(Field::lastSeenAt).max(OffsetDateTime::compareTo).orElse(null);
            if (newest == null) {
                return out;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE source_fields SET vanished_reported_at = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND path = ?
                       AND vanished_reported_at IS NULL""")) {
                for (Field f : fields) {
                    if (f.mapped() && f.lastSeenAt().isBefore(newest.minus(vanishedAfter))) {
                        ps.setObject(1, RecordStore.now());
                        bind(ps, key, 2);
                        ps.setString(5, f.path());
                        if (ps.executeUpdate() > 0) {
                            out.add(new Report(key, "vanished", f.path(), f.types().get(f.types().size() - 1), null,
                                    f.firstSeenAt(), f.lastSeenAt()));
                        }
                    }
                }
            }
            return out;
        });
        reports.forEach(this::report);
    }

    private void report(Report r) {
        metrics.driftReport(r.key().integration(), r.key().sync(), r.kind());
        String url = connections.find(r.key().integration(), r.key().connectionId())
                .map(c -> c.metadata() == null ? null : c.metadata().get("notify_url"))
                .map(Object::toString).orElse(notifyUrl);
        if (url == null) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", "syncline");
        body.put("type", "drift");
        body.put("connectionId", r.key().connectionId());
        body.put("providerConfigKey", r.key().integration());
        body.put("syncName", r.key().sync());
        body.put("kind", r.kind());
        body.put("path", r.path());
        body.put("fieldType", r.type());
        if (r.previousType() != null) {
            body.put("previousType", r.previousType());
        }
        body.put("lastSeenAt", r.lastSeenAt().toString());
        webhooks.enqueue(url, body);
    }

    /** The fields a sync of a connection has delivered, with whether the mapping in force reads each. */
    public List<Field> fields(SyncKey key, Mapping mapping) {
        Set<String> read = paths(mapping);
        return db.inTransaction(c -> fields(c, key, read));
    }

    private List<Field> fields(java.sql.Connection c, SyncKey key, Set<String> read) throws java.sql.SQLException {
        Map<String, Field> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT path, type, first_seen_at, last_seen_at, baseline FROM source_fields
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? ORDER BY path, first_seen_at""")) {
            bind(ps, key, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String path = rs.getString(1);
                    OffsetDateTime first = rs.getObject(3, OffsetDateTime.class);
                    OffsetDateTime last = rs.getObject(4, OffsetDateTime.class);
                    Field f = out.get(path);
                    List<String> types = new ArrayList<>(f == null ? List.of() : f.types());
                    types.add(rs.getString(2));
                    out.put(path, new Field(path, types, f == null || first.isBefore(f.firstSeenAt()) ? first
                            : f.firstSeenAt(), f == null || last.isAfter(f.lastSeenAt()) ? last : f.lastSeenAt(),
                            mapped(read, path), rs.getBoolean(5) && (f == null || f.baseline())));
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /**
     * The drift of a sync of a connection, as it stands: fields the mapping does not read that
     * appeared after the first documents, mapped fields that arrive with a new type, and mapped
     * fields that stopped arriving.
     */
    public List<Report> drift(SyncKey key, Mapping mapping) {
        List<Field> fields = fields(key, mapping);
        List<Report> out = new ArrayList<>();
        OffsetDateTime newest = fields.stream().map(Field::lastSeenAt).max(OffsetDateTime::compareTo).orElse(null);
        for (Field f : fields) {
            String type = f.types().get(f.types().size() - 1);
            if (!f.mapped()) {
                if (!f.baseline()) {
                    out.add(new Report(key, "new", f.path(), type, null, f.firstSeenAt(), f.lastSeenAt()));
                }
                continue;
            }
            if (f.types().size() > 1) {
                out.add(new Report(key, "retyped", f.path(), type, f.types().get(0), f.firstSeenAt(), f.lastSeenAt()));
            }
            if (f.lastSeenAt().isBefore(newest.minus(vanishedAfter))) {
                out.add(new Report(key, "vanished", f.path(), type, null, f.firstSeenAt(), f.lastSeenAt()));
            }
        }
        return out;
    }

    private static OffsetDateTime time(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }

    private static void bind(PreparedStatement ps, SyncKey key, int from) throws java.sql.SQLException {
        ps.setString(from, key.integration());
        ps.setString(from + 1, key.connectionId());
        ps.setString(from + 2, key.sync());
    }
}
