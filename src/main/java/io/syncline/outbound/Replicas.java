package io.syncline.outbound;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.store.Database;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * How many replicas share the database, so that each takes 1/N of every connection's rate budget
 * and the sum over the cluster stays within it (guarantee 6). Each replica writes a heartbeat
 * every {@code syncline.cluster.heartbeat} (2s) and counts the replicas heard from within three
 * heartbeats. A replica that joins waits two heartbeats before it sends anything, so that the
 * others have already lowered their share; one that leaves is forgotten after three, and until
 * then the others simply stay below the budget. Heartbeats are written and compared in the
 * database's clock. The embedded H2 is one process: always one.
 */
@ApplicationScoped
public class Replicas {

    private static final Logger LOG = Logger.getLogger(Replicas.class);

    private final Database db;
    private final Duration heartbeat;
    private final String id = UUID.randomUUID().toString();
    private final BackgroundLoop loop;
    private volatile int live = 1;
    private volatile long sendAfterNanos;

    public Replicas(Database db,
            @ConfigProperty(name = "syncline.cluster.heartbeat", defaultValue = "2s") Duration heartbeat) {
        this.db = db;
        this.heartbeat = heartbeat;
        this.loop = new BackgroundLoop("replicas", heartbeat.toMillis(), this::beat);
    }

    void start(@Observes StartupEvent ignored) {
        if (!db.isPostgres()) {
            return;
        }
        beat();
        sendAfterNanos = System.nanoTime() + heartbeat.multipliedBy(2).toNanos();
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        if (!db.isPostgres()) {
            return;
        }
        loop.stop();
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM replicas WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Replicas alive now, this one included. */
    public int live() {
        return live;
    }

    /** Blocks a replica that has just joined until the others have seen it. */
    public void awaitJoined() throws InterruptedException {
        long wait = sendAfterNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000 + 1);
        }
    }

    private void beat() {
        long window = heartbeat.multipliedBy(3).toMillis();
        long forget = heartbeat.multipliedBy(30).toMillis();
        // Every time here is the database's (now()), never this replica's clock: replicas on hosts
        // whose clocks disagree by seconds still count each other right.
        int n = db.inLazyTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE replicas SET heartbeat_at = now() WHERE id = ?")) {
                ps.setString(1, id);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement in = c.prepareStatement(
                            "INSERT INTO replicas (id, started_at, heartbeat_at) VALUES (?, now(), now())")) {
                        in.setString(1, id);
                        in.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM replicas WHERE heartbeat_at < now() - ? * INTERVAL '1 millisecond'")) {
                ps.setLong(1, forget);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM replicas WHERE heartbeat_at >= now() - ? * INTERVAL '1 millisecond'")) {
                ps.setLong(1, window);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Math.max(1, rs.getInt(1));
                }
            }
        });
        if (n != live) {
            LOG.infof("%d replica(s) share the database; each takes 1/%d of every connection's rate budget", n, n);
        }
        live = n;
    }
}
