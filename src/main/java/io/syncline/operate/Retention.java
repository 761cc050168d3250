package io.syncline.operate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.schedule.Frequency;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.syncline.store.SeenKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the bookkeeping tables from growing for ever: once an hour it deletes data-flow log
 * entries and settled writes older than {@code syncline.flow.retention} (default 30d), and
 * idempotency keys and delivered webhooks to your app older than
 * {@code syncline.idempotency.retention} (default 30d; a sender retrying a delivery later than
 * that is treated as new). Records, dead letters and open conflicts are never pruned. Every
 * replica may run it; the deletes are idempotent.
 *
 * <p>On PostgreSQL the data-flow log is partitioned by UTC day ({@code V18}): each round creates
 * the partitions of the next days ahead of their lines, and drops a day once all of it is older
 * than the retention, so a day of lines leaves in one statement instead of a DELETE of each. Lines
 * are kept up to a day longer than the retention. Lines with no day of their own (the default
 * partition, and the partition of everything before the upgrade) are deleted as before; the
 * latter is dropped once it is empty.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final String DAY_PREFIX = "flow_log_day_";
    private static final String BEFORE_DAYS = "flow_log_before_days";
    /** Days of the flow log given their partitions ahead of today. */
    static final int DAYS_AHEAD = 3;
    /** One replica at a time changes the flow log's partitions (any constant all replicas share). */
    private static final long PARTITIONS_LOCK = 0x5f10_1065L;

    private final Database db;
    private final Duration flow;
    private final Duration keys;
    private final BackgroundLoop loop;

    public Retention(Database db, @ConfigProperty(name = "syncline.flow.retention", defaultValue = "30d") String flow,
            @ConfigProperty(name = "syncline.idempotency.retention", defaultValue = "30d") String keys,
            @ConfigProperty(name = "syncline.retention.every", defaultValue = "1h") String every) {
        this.db = db;
        this.flow = Frequency.parse(flow);
        this.keys = Frequency.parse(keys);
        this.loop = new BackgroundLoop("retention", Frequency.parse(every).toMillis(), this::prune);
    }

    void start(@Observes StartupEvent ignored) {
        loop.start();
        loop.wake(); // the flow log's next days get their partitions now, not in an hour
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
    }

    /** @return rows deleted per table (and, on PostgreSQL, days of the flow log dropped) */
    public Map<String, Integer> prune() {
        return prune(RecordStore.now());
    }

    /** {@link #prune()} as if the time were {@code now}. */
    Map<String, Integer> prune(OffsetDateTime now) {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        if (db.isPostgres()) {
            flowLogDays(now, deleted);
        } else {
            deleted.put("flow_log", delete("DELETE FROM flow_log WHERE at < ?", now.minus(flow)));
        }
        deleted.put("writes", delete("DELETE FROM writes WHERE status <> 'pending' AND updated_at < ?", now.minus(flow)));
        // what passes left that never ended (a sync removed mid-pass): a pass that old has its marks dropped
        deleted.put("seen_keys", db.inTransaction(c -> SeenKeys.prune(c, now.minus(flow))));
        deleted.put("idempotency_keys", delete("DELETE FROM idempotency_keys WHERE created_at < ?", now.minus(keys)));
        deleted.put("notifications", delete("DELETE FROM notifications WHERE status = 'delivered' AND created_at < ?",
                now.minus(keys)));
        // a connect session is worth nothing a day after it expired: used or not, it cannot be spent again
        deleted.put("connect_sessions", delete("DELETE FROM connect_sessions WHERE expires_at < ?", now.minusDays(1)));
        if (deleted.values().stream().anyMatch(n -> n > 0)) {
            LOG.infof("retention pruned %s", deleted);
        }
        return deleted;
    }

    /**
     * The flow log's partitions on PostgreSQL: creates the next days', drops the days past the
     * retention, and deletes old lines from the partitions that are not one day's. Partitions
     * change in a short transaction of their own that waits at most 2 s for its locks (a change
     * of partitions locks the whole flow log while it runs). Skipped when another replica is
     * doing the same.
     */
    private void flowLogDays(OffsetDateTime now, Map<String, Integer> out) {
        OffsetDateTime before = now.minus(flow);
        LocalDate today = now.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        List<String> partitions = db.inTransaction(c -> {
            if (!partitionsLock(c)) {
                return null;
            }
            List<String> names = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                     WHERE i.inhparent = 'flow_log'::regclass""")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            int dropped = 0;
            try (Statement st = c.createStatement()) {
                for (String name : names) {
                    // a day's partition goes once its last instant is older than the retention
                    if (name.matches(DAY_PREFIX + "[0-9]{8}") && !dayEnd(name).isAfter(before)) {
                        st.execute("DROP TABLE " + name);
                        dropped++;
                    }
                }
            }
            for (int ahead = 1; ahead <= DAYS_AHEAD; ahead++) {
                LocalDate day = today.plusDays(ahead);
                if (!names.contains(DAY_PREFIX + DAY.format(day))) {
                    createDay(c, day);
                }
            }
            out.put("flow_log_days_dropped", dropped);
            return names;
        });
        if (partitions == null) {
            return;
        }
        int lines = delete("DELETE FROM flow_log_default WHERE at < ?", before);
        if (partitions.contains(BEFORE_DAYS)) {
            lines += delete("DELETE FROM " + BEFORE_DAYS + " WHERE at < ?", before);
            db.inTransaction(c -> {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + BEFORE_DAYS + ")")) {
                    if (rs.next() && rs.getBoolean(1) && partitionsLock(c)) {
                        st.execute("DROP TABLE " + BEFORE_DAYS);
                    }
                }
                return null;
            });
        }
        out.put("flow_log", lines);
    }

    /** The first instant after a day partition's day. */
    private static OffsetDateTime dayEnd(String partition) {
        return LocalDate.parse(partition.substring(DAY_PREFIX.length()), DAY).plusDays(1).atStartOfDay()
                .atOffset(ZoneOffset.UTC);
    }

    /** Takes the right to change the flow log's partitions for this transaction, if no replica holds it. */
    private static boolean partitionsLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '2s'");
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, PARTITIONS_LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * One day's partition, created before the day starts. Creating it scans the default partition
     * for lines of that day; a line stamped ahead of the database's clock makes it fail, inside a
     * savepoint, and that day's lines then go to the default partition.
     */
    private static void createDay(Connection c, LocalDate day) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + DAY_PREFIX + DAY.format(day) + " PARTITION OF flow_log FOR VALUES FROM ('"
                    + day + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
            c.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            c.rollback(savepoint);
            LOG.warnf("the flow log's partition for %s was not created (its lines go to the default partition): %s",
                    day, new Database.StoreException(e).getMessage());
        }
    }

    private int delete(String sql, OffsetDateTime before) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, before);
                return ps.executeUpdate();
            }
        });
    }
}
