package io.syncline.outbound;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
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
 * Which replicas share the database, so that {@link ConnectionOwners} can give each connection to
 * one of them. Each replica writes a heartbeat every {@code syncline.cluster.heartbeat} (2s) and
 * counts as live while it was heard from within three heartbeats. Heartbeats are written and
 * compared in the database's clock, never a replica's own. A replica also writes the address at
 * which the others reach it ({@code syncline.cluster.address}). The embedded H2 is one process:
 * always one.
 */
@ApplicationScoped
public class Replicas {

    private static final Logger LOG = Logger.getLogger(Replicas.class);

    private final Database db;
    private final Duration heartbeat;
    private final String id = UUID.randomUUID().toString();
    private final BackgroundLoop loop;
    private final String address;
    private volatile List<String> live = List.of(id);

    public Replicas(Database db,
            @ConfigProperty(name = "syncline.cluster.heartbeat", defaultValue = "2s") Duration heartbeat,
            @ConfigProperty(name = "syncline.cluster.address") Optional<String> address,
            @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host) {
        this.db = db;
        this.heartbeat = heartbeat;
        // bound to one address (127.0.0.1, say): that one; bound to all: the host's own address
        String reachable = host.equals("0.0.0.0") || host.equals("::") ? hostAddress() : host;
        this.address = address.filter(a -> !a.isBlank()).orElseGet(() -> "http://" + reachable + ":" + port);
        this.loop = new BackgroundLoop("replicas", heartbeat.toMillis(), this::beat);
    }

    void start(@Observes StartupEvent ignored) {
        if (!db.isPostgres()) {
            return;
        }
        beat();
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

    /** This replica's id. */
    public String id() {
        return id;
    }

    /** The ids of the replicas alive now, this one always included, sorted. */
    public List<String> live() {
        return live;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    /** The pod's or host's address, as other replicas on the network reach it. */
    private static String hostAddress() {
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    private void beat() {
        long window = heartbeat.multipliedBy(3).toMillis();
        long forget = heartbeat.multipliedBy(30).toMillis();
        // Every time here is the database's (now()), never this replica's clock: replicas on hosts
        // whose clocks disagree by seconds still count each other right.
        List<String> n = db.inLazyTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE replicas SET heartbeat_at = now() WHERE id = ?")) {
                ps.setString(1, id);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement in = c.prepareStatement(
                            "INSERT INTO replicas (id, started_at, heartbeat_at, address) VALUES (?, now(), now(), ?)")) {
                        in.setString(1, id);
                        in.setString(2, address);
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
                    "SELECT id FROM replicas WHERE heartbeat_at >= now() - ? * INTERVAL '1 millisecond' ORDER BY id")) {
                ps.setLong(1, window);
                TreeSet<String> ids = new TreeSet<>(List.of(id));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return List.copyOf(ids);
            }
        });
        if (n.size() != live.size()) {
            LOG.infof("%d replica(s) share the database; each owns about 1/%d of the connections", n.size(), n.size());
        }
        live = n;
    }
}
