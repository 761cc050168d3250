package io.syncline.outbound;

import java.io.IOException;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.mapping.Mapping;
import io.syncline.schedule.Frequency;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.RunFailure;
import io.syncline.schedule.SourceClient;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reconciliation of writes: proof that the connected app still holds what Syncline wrote. For
 * each outbound sync and connection, a check reads back the records written most recently (a
 * sample of {@code syncline.reconcile.sample} every {@code syncline.reconcile.every} on the
 * connection's owner, or every written record on demand) and compares each written field with
 * what the app answers. Reads go through the connection's rate budget like any request, and are
 * paced to take at most {@code syncline.reconcile.share} of it. A difference is repaired by one
 * call, which queues the written payload again (once per check).
 */
@Unremovable
@ApplicationScoped
public class WriteChecks {

    private static final Logger LOG = Logger.getLogger(WriteChecks.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record's check. */
    public record Check(long id, String sync, String integration, String connectionId, String model, String recordId,
            String remoteId, long writeId, String result, Object differences, OffsetDateTime checkedAt,
            Long repairWriteId) {
    }

    /** The newest check of each record of a sync, summed up. */
    public record Health(String integration, String sync, long checked, long matched, Double matchRate, String status) {
    }

    private final Database db;
    private final OutboundSyncs syncs;
    private final Connections connections;
    private final ConnectionRateBudget budget;
    private final ConnectionOwners owners;
    private final WriteQueue queue;
    private final Writer writer;
    private final PollRunner runner;
    private final int sample;
    private final double share;
    private final BackgroundLoop loop;
    private final ExecutorService onDemand = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "write-checks");
        t.setDaemon(true);
        return t;
    });

    public WriteChecks(Database db, OutboundSyncs syncs, Connections connections, ConnectionRateBudget budget,
            ConnectionOwners owners, WriteQueue queue, Writer writer, PollRunner runner,
            @ConfigProperty(name = "syncline.reconcile.every", defaultValue = "1h") String every,
            @ConfigProperty(name = "syncline.reconcile.sample", defaultValue = "20") int sample,
            @ConfigProperty(name = "syncline.reconcile.share", defaultValue = "0.05") double share) {
        this.db = db;
        this.syncs = syncs;
        this.connections = connections;
        this.budget = budget;
        this.owners = owners;
        this.queue = queue;
        this.writer = writer;
        this.runner = runner;
        this.sample = sample;
        this.share = Math.max(0.001, Math.min(1, share));
        this.loop = new BackgroundLoop("write-checks", Frequency.parse(every).toMillis(), this::checkOwned);
    }

    void start(@Observes StartupEvent ignored) {
        if (sample > 0) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
        onDemand.shutdownNow();
    }

    /** The background round: a sample of each outbound sync of each connection this replica owns. */
    void checkOwned() {
        for (OutboundSync s : syncs.all()) {
            for (Connection c : connections.list(s.integration())) {
                if (loop.running() && owners.owns(c.providerConfigKey() + "/" + c.connectionId()) && c.baseUrl() != null) {
                    check(s, c, sample, loop::running);
                }
            }
        }
    }

    /** On demand: every written record of the sync (of one connection, or all), in the background. */
    public void checkAll(String integration, String sync, String connectionId) {
        OutboundSync s = syncs.find(integration, sync).orElseThrow(() -> ProblemException.notFound(
                "no outbound sync '" + sync + "' in integration '" + integration + "'"));
        List<Connection> targets = connectionId == null || connectionId.isBlank() ? connections.list(integration)
                : List.of(connections.find(integration, connectionId).orElseThrow(() -> ProblemException.notFound(
                        "no connection '" + connectionId + "' in integration '" + integration + "'")));
        onDemand.submit(() -> targets.stream().filter(c -> c.baseUrl() != null)
                .forEach(c -> check(s, c, Integer.MAX_VALUE, () -> !onDemand.isShutdown())));
    }

    /** Reads back up to {@code limit} records written to the connection, newest first, and keeps each result. */
    void check(OutboundSync s, Connection c, int limit, java.util.function.BooleanSupplier goOn) {
        List<Written> written = written(s, c, limit);
        if (written.isEmpty()) {
            return;
        }
        ConnectionRateBudget.Limits limits = budget.limitsFor(c.metadata());
        // at most the configured share of the connection's rate: one read, then the gap the rest leaves
        long gapMillis = (long) (limits.per().toMillis() / (double) limits.rate() / share);
        SourceClient client = runner.client(3);
        for (Written w : written) {
            if (!goOn.getAsBoolean()) {
                return; // the service is stopping
            }
            String result;
            Object differences;
            try {
                URI uri = URI.create(base(c) + s.destination().readPath(w.remoteId()));
                SourceClient.Page page = client.get(c, uri, s.destination().auth(), true);
                if (page.status() == 404) {
                    result = "missing";
                    differences = null;
                } else {
                    List<Map<String, Object>> diff = compare(s, w.fields(), JSON.readValue(page.body(), Object.class));
                    result = diff.isEmpty() ? "match" : "differs";
                    differences = diff.isEmpty() ? null : diff;
                }
            } catch (RunFailure | IOException | IllegalArgumentException e) {
                result = "failed";
                differences = Map.of("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            save(s, c, w, result, differences);
            try {
                Thread.sleep(gapMillis); // pacing that keeps checks to their share of the budget, not a wait for a result
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String base(Connection c) {
        String b = c.baseUrl();
        return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    }

    /** The fields written that the app answers differently (text-compared: apps often answer numbers as strings). */
    static List<Map<String, Object>> compare(OutboundSync s, Map<String, Object> fields, Object answer) {
        Object record = s.destination().readRecordPath().read(answer, Mapping.JSONPATH);
        Map<?, ?> found = record instanceof Map<?, ?> m ? m : Map.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (f.getKey().equals(s.destination().omitField())) {
                continue;
            }
            Object got = found.get(f.getKey());
            if (!Objects.equals(text(f.getValue()), text(got))) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("field", f.getKey());
                d.put("written", f.getValue());
                d.put("found", got);
                out.add(d);
            }
        }
        return out;
    }

    private static String text(Object v) {
        if (v == null || (v instanceof String s && s.isEmpty())) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            try {
                return JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                return String.valueOf(v);
            }
        }
        return String.valueOf(v);
    }

    /** A sent upsert to read back: the newest per record, whose record has no write pending. */
    private record Written(long writeId, String recordId, String remoteId, Map<String, Object> fields, String payload,
            String hash) {
    }

    private List<Written> written(OutboundSync s, Connection c, int limit) {
        return db.inTransaction(tx -> {
            List<Written> out = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            try (PreparedStatement ps = tx.prepareStatement("""
                    SELECT w.id, w.record_id, w.payload, w.content_hash, i.remote_id FROM writes w
                      LEFT JOIN identity_map i ON i.provider_config_key = w.provider_config_key
                           AND i.connection_id = w.connection_id AND i.model = w.model AND i.local_id = w.record_id
                     WHERE w.sync_name = ? AND w.provider_config_key = ? AND w.connection_id = ? AND w.status = 'sent'
                       AND w.operation = 'upsert'
                       AND NOT EXISTS (SELECT 1 FROM writes p WHERE p.pending_key IS NOT NULL
                                          AND p.sync_name = w.sync_name AND p.provider_config_key = w.provider_config_key
                                          AND p.connection_id = w.connection_id AND p.record_id = w.record_id)
                     ORDER BY w.id DESC""")) {
                ps.setString(1, s.name());
                ps.setString(2, c.providerConfigKey());
                ps.setString(3, c.connectionId());
                ps.setFetchSize(500);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && out.size() < limit) {
                        String recordId = rs.getString(2);
                        if (!seen.add(recordId)) {
                            continue; // an older write of a record already taken
                        }
                        String remote = rs.getString(5);
                        out.add(new Written(rs.getLong(1), recordId, remote == null ? recordId : remote,
                                fields(rs.getString(3)), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return out;
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(String payload) {
        try {
            return payload == null ? Map.of() : JSON.readValue(payload, Map.class);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private void save(OutboundSync s, Connection c, Written w, String result, Object differences) {
        db.inTransaction(tx -> {
            try (PreparedStatement ps = tx.prepareStatement("""
                    INSERT INTO write_checks (sync_name, provider_config_key, connection_id, model, record_id, remote_id,
                                              write_id, result, differences, checked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, s.name());
                ps.setString(2, c.providerConfigKey());
                ps.setString(3, c.connectionId());
                ps.setString(4, s.model());
                ps.setString(5, w.recordId());
                ps.setString(6, w.remoteId());
                ps.setLong(7, w.writeId());
                ps.setString(8, result);
                ps.setString(9, differences == null ? null : JSON.writeValueAsString(differences));
                ps.setObject(10, RecordStore.now());
                return ps.executeUpdate();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        if (!result.equals("match")) {
            LOG.infof("write check of %s/%s sync %s record %s: %s", c.providerConfigKey(), c.connectionId(), s.name(),
                    w.recordId(), result);
        }
    }

    /** The newest check of each record of a sync (of one connection, or all), differing ones first. */
    public List<Check> latest(String integration, String sync, String connectionId, String result) {
        return db.inTransaction(tx -> {
            StringBuilder sql = new StringBuilder("""
                    SELECT id, sync_name, provider_config_key, connection_id, model, record_id, remote_id, write_id,
                           result, differences, checked_at, repair_write_id FROM write_checks k
                     WHERE provider_config_key = ? AND sync_name = ?
                       AND id = (SELECT MAX(id) FROM write_checks l WHERE l.provider_config_key = k.provider_config_key
                                  AND l.sync_name = k.sync_name AND l.connection_id = k.connection_id
                                  AND l.record_id = k.record_id)""");
            List<String> args = new ArrayList<>(List.of(integration, sync));
            if (connectionId != null && !connectionId.isBlank()) {
                sql.append(" AND connection_id = ?");
                args.add(connectionId);
            }
            if (result != null && !result.isBlank()) {
                sql.append(" AND result = ?");
                args.add(result);
            }
            sql.append(" ORDER BY CASE WHEN result = 'match' THEN 1 ELSE 0 END, id DESC");
            try (PreparedStatement ps = tx.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                ps.setMaxRows(1000);
                List<Check> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(check(rs));
                    }
                }
                return out;
            }
        });
    }

    public Health health(String integration, String sync, String connectionId) {
        List<Check> checks = latest(integration, sync, connectionId, null);
        long matched = checks.stream().filter(k -> k.result().equals("match")).count();
        Double rate = checks.isEmpty() ? null : matched / (double) checks.size();
        String status = rate == null ? "unchecked" : rate >= 0.99 ? "healthy" : rate >= 0.9 ? "degraded" : "failing";
        return new Health(integration, sync, checks.size(), matched, rate, status);
    }

    /**
     * Queues the written payload again for a check that found a difference or a missing record,
     * once per check; the writer sends it within the connection's rate budget.
     */
    public long repair(long checkId) {
        long id = db.inTransaction(tx -> {
            Check k = find(tx, checkId).orElseThrow(() -> ProblemException.notFound("no write check " + checkId));
            if (k.result().equals("match") || k.result().equals("failed")) {
                throw new ProblemException(Problem.of(409, "nothing-to-repair", "Nothing to repair",
                        "check " + checkId + " found " + k.result() + "; only a difference or a missing record is repaired"));
            }
            String payload;
            String hash;
            try (PreparedStatement ps = tx.prepareStatement("SELECT payload, content_hash FROM writes WHERE id = ?")) {
                ps.setLong(1, k.writeId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new ProblemException(Problem.of(409, "write-gone", "The write is no longer kept",
                                "the write check " + checkId + " compared with is past retention; send the record again"));
                    }
                    payload = rs.getString(1);
                    hash = rs.getString(2);
                }
            }
            try (PreparedStatement ps = tx.prepareStatement(
                    "UPDATE write_checks SET repaired_at = ? WHERE id = ? AND repaired_at IS NULL")) {
                ps.setObject(1, RecordStore.now());
                ps.setLong(2, checkId);
                if (ps.executeUpdate() == 0) {
                    throw new ProblemException(Problem.of(409, "already-repaired", "Already repaired",
                            "check " + checkId + " was repaired by write " + k.repairWriteId()));
                }
            }
            // the app no longer holds what it was last sent: the writer must not skip it as unchanged
            try (PreparedStatement ps = tx.prepareStatement("""
                    UPDATE identity_map SET last_sent_hash = NULL
                     WHERE provider_config_key = ? AND connection_id = ? AND model = ? AND local_id = ?""")) {
                ps.setString(1, k.integration());
                ps.setString(2, k.connectionId());
                ps.setString(3, k.model());
                ps.setString(4, k.recordId());
                ps.executeUpdate();
            }
            long write = queue.enqueue(tx, k.sync(), k.integration(), k.connectionId(), k.model(), k.recordId(),
                    "upsert", payload, hash);
            try (PreparedStatement ps = tx.prepareStatement("UPDATE write_checks SET repair_write_id = ? WHERE id = ?")) {
                ps.setLong(1, write);
                ps.setLong(2, checkId);
                ps.executeUpdate();
            }
            return write;
        });
        writer.wake();
        return id;
    }

    public java.util.Optional<Check> find(long id) {
        return db.inTransaction(tx -> find(tx, id));
    }

    private static java.util.Optional<Check> find(java.sql.Connection tx, long id) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("""
                SELECT id, sync_name, provider_config_key, connection_id, model, record_id, remote_id, write_id,
                       result, differences, checked_at, repair_write_id FROM write_checks WHERE id = ?""")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of(check(rs)) : java.util.Optional.empty();
            }
        }
    }

    private static Check check(ResultSet rs) throws SQLException {
        Object differences;
        try {
            differences = rs.getString(10) == null ? null : JSON.readValue(rs.getString(10), Object.class);
        } catch (JsonProcessingException e) {
            differences = rs.getString(10);
        }
        Long repair = rs.getObject(12) == null ? null : rs.getLong(12);
        return new Check(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9), differences,
                rs.getObject(11, OffsetDateTime.class), repair);
    }
}
