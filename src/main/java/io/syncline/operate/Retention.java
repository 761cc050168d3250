package io.syncline.operate;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.schedule.Frequency;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
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
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

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
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
    }

    /** @return rows deleted per table */
    public Map<String, Integer> prune() {
        OffsetDateTime now = RecordStore.now();
        Map<String, Integer> deleted = new LinkedHashMap<>();
        deleted.put("flow_log", delete("DELETE FROM flow_log WHERE at < ?", now.minus(flow)));
        deleted.put("writes", delete("DELETE FROM writes WHERE status <> 'pending' AND updated_at < ?", now.minus(flow)));
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

    private int delete(String sql, OffsetDateTime before) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, before);
                return ps.executeUpdate();
            }
        });
    }
}
