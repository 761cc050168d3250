package io.syncline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.syncline.support.KafkaBroker;
import io.syncline.support.PackagedService;
import io.syncline.support.RequiresPostgres;
import io.syncline.support.TestPostgres;

/**
 * Kafka in front of ingest (#20): three replicas, one Kafka broker and PostgreSQL, and a storm of
 * webhooks for three connections. Mid-storm one replica is killed (SIGKILL), then the broker;
 * while the broker is down every webhook is answered 503 and the senders retry; then it comes
 * back. Every delivery answered 202 ends as exactly one record, and each connection's records
 * are in the changes feed in the order they were acknowledged.
 */
@RequiresPostgres
class KafkaIntakeIT {

    static final String SCHEMA = "syncline_kafka_intake";
    static final String DB = TestPostgres.url(SCHEMA);
    static final List<String> CONNECTIONS = List.of("acme", "beta", "gamma");
    static final int PER_CONNECTION = 250;

    final KafkaBroker broker = new KafkaBroker();
    final Map<Integer, Process> replicas = new ConcurrentHashMap<>();
    final ExecutorService senders = Executors.newFixedThreadPool(CONNECTIONS.size());

    @AfterEach
    void stop() {
        senders.shutdownNow();
        replicas.values().forEach(Process::destroyForcibly);
        broker.stop();
    }

    @Test
    void everyAcknowledgedWebhookIsStoredOnceInOrderThroughKillsOfAReplicaAndTheBroker() throws Exception {
        String bootstrap = broker.start().get("kafka.bootstrap");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("syncline.intake", 3, (short) 1))).all().get();
        }
        Path home = Files.createTempDirectory("syncline-kafka-intake");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("intake.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: webhook-sync
                    parameters:
                      - { name: name, value: contacts-in }
                      - { name: integration, value: crm }
                      - { name: path, value: "crm/contacts/{connectionId}" }
                      - { name: signature, value: none }
                      - { name: mapping, value: contact.mapping.yaml }
                """);
        PackagedService.writeContactMapping(routes);
        int first = start(home, bootstrap, "quarkus.flyway.pg.clean-at-start=true", "quarkus.flyway.pg.clean-disabled=false");
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(first));
        start(home, bootstrap);
        start(home, bootstrap);
        await().atMost(Duration.ofSeconds(120)).until(() -> replicas.keySet().stream().allMatch(PackagedService::ready));
        for (String c : CONNECTIONS) {
            PackagedService.send(first, "POST", "/api/connections", Map.of(),
                    "{\"provider_config_key\":\"crm\",\"connection_id\":\"" + c + "\"}");
        }

        // refusals still come before Kafka: nothing invalid is acknowledged or journaled
        assertEquals(400, PackagedService.send(first, "POST", "/webhooks/crm/contacts/acme", Map.of(), "{not json").statusCode());
        assertEquals(404, PackagedService.send(first, "POST", "/webhooks/crm/contacts/nobody", Map.of(),
                "{\"id\":\"x\",\"email\":\"x@x.io\"}").statusCode());

        // one sender per connection, each delivery retried (on 503 or a dead replica) until acknowledged
        Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        for (String c : CONNECTIONS) {
            List<String> acked = new CopyOnWriteArrayList<>();
            acknowledged.put(c, acked);
            running.add(senders.submit(() -> {
                for (int i = 0; i < PER_CONNECTION && System.nanoTime() < until; i++) {
                    String id = c + "-" + i;
                    int attempt = 0;
                    while (System.nanoTime() < until) {
                        List<Integer> ports = new ArrayList<>(replicas.keySet());
                        int port = ports.get(attempt++ % ports.size());
                        try {
                            HttpResponse<String> r = PackagedService.send(port, "POST", "/webhooks/crm/contacts/" + c,
                                    Map.of(), "{\"id\":\"" + id + "\",\"email\":\"" + id + "@x.io\"}");
                            if (r.statusCode() == 202) {
                                acked.add(id);
                                break;
                            }
                            assertEquals(503, r.statusCode(), r.body());
                            unavailable.incrementAndGet();
                        } catch (IOException replicaGone) {
                            // killed: the next attempt goes to another replica
                        }
                    }
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> total(acknowledged) >= 150);
        int victim = replicas.keySet().stream().filter(p -> p != first).findFirst().orElseThrow();
        replicas.remove(victim).destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(60)).until(() -> total(acknowledged) >= 350);

        broker.kill();
        int before = total(acknowledged);
        HttpResponse<String> down = PackagedService.send(first, "POST", "/webhooks/crm/contacts/acme", Map.of(),
                "{\"id\":\"probe\",\"email\":\"probe@x.io\"}");
        assertEquals(503, down.statusCode(), "nothing is acknowledged while Kafka is down: " + down.body());
        assertEquals("5", down.headers().firstValue("Retry-After").orElse(null));
        await().atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() >= 3);
        assertTrue(total(acknowledged) <= before + CONNECTIONS.size(),
                "only deliveries already on their way when the broker died may have been acknowledged");
        broker.startAgain();

        for (Future<?> f : running) {
            f.get();
        }
        assertEquals(CONNECTIONS.size() * PER_CONNECTION, total(acknowledged), "every delivery acknowledged in the end");
        await().atMost(Duration.ofSeconds(90)).until(() -> count("SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm' AND feed_position IS NOT NULL")
                >= CONNECTIONS.size() * PER_CONNECTION);
        assertEquals(CONNECTIONS.size() * PER_CONNECTION, count("SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm'"),
                "each acknowledged delivery is one record, and the probe refused with 503 is none");
        assertEquals(0, count("SELECT COUNT(*) FROM dead_letters"));
        // the store has caught up with every partition, as the lag gauge says
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String metrics = PackagedService.send(first, "GET", "/q/metrics", Map.of(), "").body();
            return metrics.lines().filter(l -> l.startsWith("syncline_intake_kafka_lag{")).count() == 3
                    && metrics.lines().filter(l -> l.startsWith("syncline_intake_kafka_lag{")).allMatch(l -> l.endsWith(" 0.0"));
        });
        for (String c : CONNECTIONS) {
            assertEquals(acknowledged.get(c), feed(c), "the feed of " + c + " is in the order its deliveries were acknowledged");
        }
    }

    static int total(Map<String, List<String>> acknowledged) {
        return acknowledged.values().stream().mapToInt(List::size).sum();
    }

    /** A connection's record ids in the order of the changes feed. */
    static List<String> feed(String connection) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(DB, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(
                "SELECT external_id FROM records WHERE provider_config_key = 'crm' AND connection_id = '" + connection
                        + "' ORDER BY feed_xid, feed_position")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    int start(Path home, String bootstrap, String... more) throws IOException {
        int port = PackagedService.freePort();
        String[] common = {"syncline.db.url=" + DB, "syncline.db.username=postgres", "quarkus.flyway.pg.schemas=" + SCHEMA,
                "syncline.intake.kafka.enabled=true", "syncline.intake.kafka.brokers=" + bootstrap,
                "syncline.cluster.heartbeat=1s", "syncline.cluster.lease=4s", "syncline.limits.requests-per-ip=0",
                "-Xmx256m", "-XX:TieredStopAtLevel=1"};
        replicas.put(port, PackagedService.start(home, port, home.resolve("replica-" + port + ".log"),
                PackagedService.with(common, more)));
        return port;
    }

    static long count(String sql) throws Exception {
        return io.syncline.support.TestPostgres.count(DB, sql);
    }
}
