package io.syncline.events;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.syncline.support.Api;
import io.syncline.support.RequiresPostgres;

/** A transactional outbox in your app's PostgreSQL, read by two pollers at once. */
@QuarkusTest
@TestProfile(OutboxProfile.class)
@RequiresPostgres
class OutboxPostgresTest {

    static final String APP_DB = io.syncline.support.TestPostgres.url();
    static WireMockServer wm;

    @Inject
    Outboxes outboxes;

    @BeforeAll
    static void appDatabase() throws Exception {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        try (Connection c = DriverManager.getConnection(APP_DB, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS app_outbox CASCADE");
            s.execute("CREATE SCHEMA app_outbox");
            s.execute("""
                    CREATE TABLE app_outbox.outbox (id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL,
                        aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload jsonb,
                        created_at timestamptz NOT NULL DEFAULT now())""");
        }
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @Test
    void twoPollersNeverTakeTheSameRowAndEachRowIsWrittenOnce() throws Exception {
        String c = "ob" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "putdest", "connection_id", c,
                "base_url", wm.baseUrl() + "/" + c, "credentials", Map.of("api_key", "k")))
                .post("/api/connections").then().statusCode(201);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        int n = 120;
        try (Connection db = DriverManager.getConnection(APP_DB, "postgres", "");
                PreparedStatement ps = db.prepareStatement("INSERT INTO app_outbox.outbox (id, aggregatetype, "
                        + "aggregateid, type, payload) VALUES (?, 'Contact', ?, 'contact.put', ?::jsonb)")) {
            for (int i = 0; i < n; i++) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, "u" + i);
                ps.setString(3, "{\"connection_id\":\"%s\",\"id\":\"u%d\",\"email\":\"u%d@b.co\",\"name\":\"U\"}"
                        .formatted(c, i, i));
                ps.addBatch();
            }
            ps.executeBatch();
        }

        OutboxPoller poller = outboxes.find("app-outbox").orElseThrow();
        Callable<List<String>> drain = () -> {
            List<String> mine = new ArrayList<>();
            for (int round = 0; round < 200; round++) {
                List<String> batch = poller.pollOnce();
                if (batch.isEmpty()) {
                    return mine;
                }
                mine.addAll(batch);
            }
            return mine;
        };
        ExecutorService two = Executors.newFixedThreadPool(2);
        Future<List<String>> a = two.submit(drain);
        Future<List<String>> b = two.submit(drain);
        List<String> first = a.get();
        List<String> second = b.get();
        two.shutdown();

        Set<String> overlap = new HashSet<>(first);
        overlap.retainAll(second);
        assertEquals(Set.of(), overlap, "rows taken by both pollers");
        assertEquals(n, first.size() + second.size());
        assertTrue(!first.isEmpty() && !second.isEmpty(), "both pollers took part: " + first.size() + " / "
                + second.size());
        try (Connection db = DriverManager.getConnection(APP_DB, "postgres", "");
                ResultSet rs = db.createStatement().executeQuery("SELECT COUNT(*) FROM app_outbox.outbox")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "handled rows are deleted");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> wm.findAll(putRequestedFor(
                urlPathMatching("/" + c + "/contacts/.*"))).size() >= n);
        Set<String> paths = new HashSet<>();
        wm.findAll(putRequestedFor(urlPathMatching("/" + c + "/contacts/.*"))).forEach(r -> paths.add(r.getUrl()));
        assertEquals(n, paths.size());
        assertEquals(n, wm.findAll(putRequestedFor(urlPathMatching("/" + c + "/contacts/.*"))).size());
    }
}
