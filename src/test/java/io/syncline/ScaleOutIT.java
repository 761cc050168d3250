package io.syncline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.syncline.support.PackagedService;
import io.syncline.support.RequiresPostgres;
import io.syncline.support.TestPostgres;

/**
 * Guarantee 6 for any number of replicas, and connection ownership (#20): six replica processes
 * on one PostgreSQL write to one connection limited to 4 requests a second and 2 in flight, more
 * replicas than either limit. A sink counts what arrives. Then the connection's owner and one
 * more replica are killed with SIGKILL, a new replica starts, and the next owner is paused with
 * SIGSTOP until its lease is gone and resumed: the limits hold throughout, the connection is used
 * at 0.9 of its limit or more while it has an owner, every connection always has exactly one
 * owner among the live replicas, the owners are balanced, and the paused replica sends nothing
 * once it resumes.
 */
@RequiresPostgres
class ScaleOutIT {

    static final String SCHEMA = "syncline_scale";
    static final String DB = TestPostgres.url(SCHEMA);
    static final int RATE = 4;
    static final int IN_FLIGHT = 2;
    static final int CONNECTIONS = 12;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final Map<Integer, Process> replicas = new LinkedHashMap<>();
    final List<Process> paused = new ArrayList<>();
    HttpServer sink;
    ScheduledExecutorService answers;
    final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger probes = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        for (Process p : paused) {
            signal(p, "CONT");
        }
        replicas.values().forEach(Process::destroyForcibly);
        if (sink != null) {
            sink.stop(0);
            answers.shutdownNow();
        }
    }

    @Test
    void sixReplicasKeepOneConnectionsBudgetThroughKillsAndAPause() throws Exception {
        startSink();
        Path home = Files.createTempDirectory("syncline-scale");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("scale.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: event-sync
                    parameters:
                      - { name: name, value: contacts-out }
                      - { name: integration, value: dest }
                      - { name: events, value: contact.saved }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: path, value: /contacts }
                      - { name: upsert, value: put }
                      - { name: auth, value: none }
                # a request made where a delivery arrives, under the budget of a connection another replica may own
                - route:
                    id: probe
                    from:
                      uri: "platform-http:/probe/acme?httpMethodRestrict=POST"
                      steps:
                        - setHeader: { name: SynclineConnectionId, constant: acme }
                        - to: "syncline:budget?integration=dest"
                        - removeHeaders: { pattern: "Camel*" }
                        - setHeader: { name: CamelHttpMethod, constant: POST }
                        - to: "{{probe.sink}}/acme/probe"
                """);
        PackagedService.writeContactMapping(routes);

        int first = start(home, "quarkus.flyway.pg.clean-at-start=true", "quarkus.flyway.pg.clean-disabled=false");
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(first)); // the schema is fresh before the others
        for (int i = 1; i < 6; i++) {
            start(home);
        }
        await().atMost(Duration.ofSeconds(180)).until(() -> replicas.keySet().stream().allMatch(PackagedService::ready));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT COUNT(*) FROM replicas") == 6);

        for (int i = 0; i < CONNECTIONS; i++) {
            String id = i == 0 ? "acme" : "other" + i;
            PackagedService.send(first, "POST", "/api/connections", Map.of(), "{\"provider_config_key\":\"dest\","
                    + "\"connection_id\":\"" + id + "\",\"base_url\":\"http://127.0.0.1:" + sink.getAddress().getPort()
                    + "/" + id + "\",\"metadata\":{\"rate_requests\":" + RATE + ",\"rate_per_seconds\":1,\"max_in_flight\":"
                    + IN_FLIGHT + "}}");
        }
        // each connection has exactly one owner, and six replicas own two each
        await().atMost(Duration.ofSeconds(30)).until(() -> balanced(6));

        // events for acme, sent to every replica in turn; the owner alone writes them
        List<Integer> ports = new ArrayList<>(replicas.keySet());
        sendEvents(ports, 0, 100);
        int first30 = queued(100);

        // SIGKILL the owner of acme and one other replica; one more starts
        int owner = ownerPort("acme");
        kill(owner);
        kill(replicas.keySet().stream().filter(p -> p != owner).findFirst().orElseThrow());
        int late = start(home);
        await().atMost(Duration.ofSeconds(120)).until(() -> PackagedService.ready(late));
        await().atMost(Duration.ofSeconds(30)).until(() -> balanced(5));
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT COUNT(*) FROM writes WHERE connection_id = 'acme' AND status = 'sent'") == 100);
        ports = new ArrayList<>(replicas.keySet());
        sendEvents(ports, 100, 180);
        int second = queued(180);
        // requests made on the replicas that do not own acme take their permits from its owner
        int holder = ownerPort("acme");
        List<Integer> others = replicas.keySet().stream().filter(p -> p != holder).toList();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = PackagedService.send(others.get(i % others.size()), "POST", "/probe/acme", Map.of(), "{}");
            assertEquals(200, r.statusCode(), r.body());
        }
        assertEquals(12, probes.get());

        // SIGSTOP acme's owner while it holds writes, until its lease has gone to another replica, then SIGCONT
        int stopped = ownerPort("acme");
        sendEvents(ports, 180, 220);
        double sentBefore = requestsSent(stopped);
        Process frozen = replicas.get(stopped);
        signal(frozen, "STOP");
        paused.add(frozen);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Integer now = ownerPortOrNull("acme");
            return now != null && now != stopped;
        });
        signal(frozen, "CONT");
        paused.remove(frozen);
        // it resumes with writes it had claimed and a budget it no longer holds: it sends none of them
        // (at most one request could have gone out between reading its count and stopping it)
        double resumed = requestsSent(stopped);
        assertTrue(resumed - sentBefore <= 1, "the paused replica sent " + (resumed - sentBefore) + " after resuming");
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() -> requestsSent(stopped) == resumed
                || Integer.valueOf(stopped).equals(ownerPortOrNull("acme"))); // unless it has been handed acme again

        int events = 220;
        await().atMost(Duration.ofSeconds(120)).until(() -> count(
                "SELECT COUNT(*) FROM writes WHERE connection_id = 'acme' AND status = 'sent'") == events);

        List<Long> at = arrivals.stream().sorted().toList();
        for (int i = 0; i + RATE < at.size(); i++) {
            long apart = at.get(i + RATE) - at.get(i);
            assertTrue(apart >= TimeUnit.SECONDS.toNanos(1), (RATE + 1) + " requests within " + apart / 1_000_000
                    + " ms, for a limit of " + RATE + " a second across all replicas");
        }
        assertTrue(maxInFlight.get() <= IN_FLIGHT, maxInFlight.get() + " requests at once, for a limit of " + IN_FLIGHT);
        // while it has work queued and an owner, the connection gets at least 0.9 of its limit: before any
        // replica was killed, and after the handover
        assertTrue(rate(at, first30, first30 + 20) >= 0.9 * RATE,
                "one owner used " + rate(at, first30, first30 + 20) + "/s of " + RATE + "/s");
        assertTrue(rate(at, second, second + 20) >= 0.9 * RATE,
                "the next owner used " + rate(at, second, second + 20) + "/s of " + RATE + "/s");
        assertEquals(0, count("SELECT COUNT(*) FROM writes WHERE connection_id = 'acme' AND status <> 'sent'"));
    }

    /**
     * Waits until {@code total} writes of acme are queued, then for 21 more requests: returns the
     * index of the first request sent with all of them queued.
     */
    int queued(int total) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT COUNT(*) FROM writes WHERE connection_id = 'acme'") == total);
        int from = arrivals.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> arrivals.size() >= from + 21);
        return from;
    }

    static void sendEvents(List<Integer> ports, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            HttpResponse<String> r = PackagedService.send(ports.get(i % ports.size()), "POST", "/events/contact.saved",
                    Map.of("Connection-Id", "acme", "Idempotency-Key", "e" + i),
                    "{\"id\":\"e" + i + "\",\"email\":\"e" + i + "@x.io\"}");
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** Requests per second from the {@code from}-th arrival to the {@code to}-th. */
    static double rate(List<Long> at, int from, int to) {
        return (to - from) / ((at.get(to) - at.get(from)) / 1e9);
    }

    /** Every connection has one owner with a running lease, the owners are live replicas, and each owns its even share. */
    boolean balanced(int live) throws Exception {
        Map<String, Long> perOwner = new HashMap<>();
        try (Connection c = DriverManager.getConnection(DB, "postgres", ""); ResultSet rs = c.createStatement().executeQuery("""
                SELECT o.owner, COUNT(*) FROM connection_owners o JOIN replicas r ON r.id = o.owner
                 WHERE o.lease_until > now() AND r.heartbeat_at > now() - INTERVAL '3 seconds' GROUP BY o.owner""")) {
            while (rs.next()) {
                perOwner.put(rs.getString(1), rs.getLong(2));
            }
        }
        long owned = perOwner.values().stream().mapToLong(Long::longValue).sum();
        long most = (CONNECTIONS + live - 1) / live;
        return owned == CONNECTIONS && perOwner.size() == live && perOwner.values().stream().allMatch(n -> n <= most);
    }

    int ownerPort(String connection) throws Exception {
        Integer port = ownerPortOrNull(connection);
        assertTrue(port != null, "no owner for " + connection);
        return port;
    }

    Integer ownerPortOrNull(String connection) throws Exception {
        try (Connection c = DriverManager.getConnection(DB, "postgres", ""); ResultSet rs = c.createStatement().executeQuery(
                "SELECT r.address FROM connection_owners o JOIN replicas r ON r.id = o.owner WHERE o.connection_id = '"
                        + connection + "' AND o.lease_until > now()")) {
            return rs.next() ? Integer.valueOf(URI.create(rs.getString(1)).getPort()) : null;
        }
    }

    int start(Path home, String... more) throws IOException {
        int port = PackagedService.freePort();
        String[] common = {"syncline.db.url=" + DB, "syncline.db.username=postgres", "quarkus.flyway.pg.schemas=" + SCHEMA,
                "syncline.cluster.heartbeat=1s", "syncline.cluster.lease=4s", "syncline.writer.lease=4s",
                "syncline.limits.requests-per-ip=0",
                "probe.sink=http://127.0.0.1:" + sink.getAddress().getPort(),
                "quarkus.datasource.pg.jdbc.max-size=10", "-Xmx160m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};
        replicas.put(port, PackagedService.start(home, port, home.resolve("replica-" + port + ".log"),
                PackagedService.with(common, more)));
        return port;
    }

    void kill(int port) throws InterruptedException {
        replicas.remove(port).destroyForcibly().waitFor();
    }

    static void signal(Process p, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
    }

    /** This replica's count of requests sent to connected apps ({@code syncline_requests_sent_total}). */
    static double requestsSent(int port) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^syncline_requests_sent_total\\{[^}]*integration=\"dest\"[^}]*} ([0-9.E]+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The connected app: answers each PUT after 20 ms, and records when each arrived and how many were open at once. */
    void startSink() throws IOException {
        answers = Executors.newScheduledThreadPool(4);
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        sink.createContext("/", exchange -> {
            arrivals.add(System.nanoTime());
            if (exchange.getRequestURI().getPath().endsWith("/probe")) {
                probes.incrementAndGet();
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            exchange.getRequestBody().readAllBytes();
            answers.schedule(() -> {
                try {
                    inFlight.decrementAndGet();
                    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } catch (IOException e) {
                    // the replica that sent it was killed
                } finally {
                    exchange.close();
                }
            }, 20, TimeUnit.MILLISECONDS);
        });
        sink.setExecutor(Executors.newFixedThreadPool(8));
        sink.start();
    }

    static long count(String sql) throws Exception {
        return io.syncline.support.TestPostgres.count(DB, sql);
    }
}
