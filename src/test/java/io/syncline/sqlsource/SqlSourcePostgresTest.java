package io.syncline.sqlsource;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.syncline.events.OutboxProfile;
import io.syncline.support.Api;
import io.syncline.support.Db;
import io.syncline.support.RequiresPostgres;

/**
 * Your database as the source of truth (test-sql.camel.yaml): properties recomputed from the
 * purchases, in batches; the high_value group joined and left; only the declared fields leave;
 * an unchanged source writes nothing.
 */
@QuarkusTest
@TestProfile(OutboxProfile.class)
@RequiresPostgres
class SqlSourcePostgresTest {

    static final String APP_DB = io.syncline.support.TestPostgres.url();
    static WireMockServer tool;

    @BeforeAll
    static void appDatabase() throws Exception {
        tool = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        tool.start();
        tool.stubFor(put(urlPathMatching("/acme/contacts/.*")).willReturn(okJson("{}")));
        sql("DROP SCHEMA IF EXISTS app_src CASCADE", "CREATE SCHEMA app_src",
                "CREATE TABLE app_src.users (id text PRIMARY KEY, email text, country text, updated_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE app_src.purchases (id serial PRIMARY KEY, user_id text NOT NULL, amount_cents int NOT NULL,"
                        + " created_at timestamptz NOT NULL DEFAULT now())");
    }

    @AfterAll
    static void stop() {
        tool.stop();
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(APP_DB, "postgres", ""); Statement s = c.createStatement()) {
            for (String q : statements) {
                s.execute(q);
            }
        }
    }

    static List<LoggedRequest> received(String user) {
        return tool.findAll(putRequestedFor(urlPathMatching("/acme/contacts/" + user)));
    }

    static long runs() {
        return Db.count("SELECT COUNT(*) FROM sql_source_state WHERE sync_name = 'sqldest/customers' AND ran_at IS NOT NULL");
    }

    static void awaitNextRun() {
        java.time.OffsetDateTime before = java.time.OffsetDateTime.now();
        await().atMost(Duration.ofSeconds(20)).until(() -> Db.count(
                "SELECT COUNT(*) FROM sql_source_state WHERE sync_name = 'sqldest/customers' AND ran_at > ?", before) == 1);
    }

    @Test
    void customersFlowOutWithTheirGroupAndNothingUndeclared() throws Exception {
        // 1,200 customers: three batches of 500 keys, three property queries
        StringBuilder users = new StringBuilder("INSERT INTO app_src.users (id, email, country) VALUES ");
        for (int i = 0; i < 1200; i++) {
            users.append(i == 0 ? "" : ",").append("('u").append(i).append("','u").append(i).append("@x.io','")
                    .append(i % 2 == 0 ? "US" : "FR").append("')");
        }
        sql(users.toString(), "INSERT INTO app_src.purchases (user_id, amount_cents) VALUES ('u0', 150000), ('u1', 250000)");
        double queries = OutboundMetrics.value("syncline_sql_property_queries_total");
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "sqldest", "connection_id", "acme",
                "base_url", tool.baseUrl() + "/acme")).post("/api/connections").then().statusCode(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> tool.findAll(putRequestedFor(
                urlPathMatching("/acme/contacts/.*"))).size() == 1200);
        // every run that reads the 1,200 keys (the first, and those whose lookback still covers them)
        // makes three property queries: batches of 500
        assertEquals(3, Db.count("SELECT last_batches FROM sql_source_state WHERE sync_name = 'sqldest/customers'"
                + " AND last_keys = 1200"));
        assertTrue(OutboundMetrics.value("syncline_sql_property_queries_total") - queries >= 3);

        // only what the mapping declares leaves: no lifetime value, no country, anywhere
        for (LoggedRequest r : tool.findAll(putRequestedFor(urlPathMatching("/acme/contacts/.*")))) {
            String body = r.getBodyAsString();
            assertFalse(body.contains("ltv") || body.contains("country") || body.contains("250000")
                    || body.contains("\"US\""), body);
        }
        assertTrue(received("u0").get(0).getBodyAsString().contains("\"high_value\":true"));   // US, 1,500.00
        assertTrue(received("u1").get(0).getBodyAsString().contains("\"high_value\":false"));  // FR
        List<Map<String, Object>> flow = Api.authed().queryParam("provider_config_key", "sqldest")
                .queryParam("record_id", "u0").get("/api/flow").then().extract().jsonPath().getList("writes");
        assertEquals("sent", flow.get(0).get("result"));
        assertFalse(String.valueOf(flow.get(0).get("fields")).contains("ltv"));

        // an unchanged source writes nothing
        awaitNextRun();
        awaitNextRun();
        assertEquals(1200, tool.findAll(putRequestedFor(urlPathMatching("/acme/contacts/.*"))).size());

        // a purchase cascades into u2's lifetime value and group: joined, and the tool is told
        sql("INSERT INTO app_src.purchases (user_id, amount_cents) VALUES ('u2', 120000)");
        await().atMost(Duration.ofSeconds(20)).until(() -> received("u2").size() == 2);
        assertTrue(received("u2").get(1).getBodyAsString().contains("\"high_value\":true"));
        assertEquals(1200 + 1, tool.findAll(putRequestedFor(urlPathMatching("/acme/contacts/.*"))).size());
        // a refund: left, and the tool is told again
        sql("INSERT INTO app_src.purchases (user_id, amount_cents) VALUES ('u2', -50000)");
        await().atMost(Duration.ofSeconds(20)).until(() -> received("u2").size() == 3);
        assertTrue(received("u2").get(2).getBodyAsString().contains("\"high_value\":false"));
        List<Map<String, Object>> membership = Api.authed().header("Connection-Id", "acme")
                .header("Provider-Config-Key", "sqldest").queryParam("model", "GroupMembership")
                .queryParam("ids", "high_value:u2").get("/records").then().extract().jsonPath().getList("records");
        assertEquals(Boolean.FALSE, membership.get(0).get("member"));
        assertEquals("UPDATED", ((Map<?, ?>) membership.get(0).get("_sync_metadata")).get("last_action"));

        // a run another replica holds (a live lease, taken between two runs as a replica takes it)
        // keeps this replica's runs off; once it has ended (its lease cleared), the next run reads
        // what changed meanwhile
        await().atMost(Duration.ofSeconds(20)).until(() -> Db.update("UPDATE sql_source_state"
                + " SET lease_until = now() + interval '5 minutes'"
                + " WHERE sync_name = 'sqldest/customers' AND lease_until IS NULL") == 1);
        sql("INSERT INTO app_src.purchases (user_id, amount_cents) VALUES ('u6', 100000)");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> received("u6").size() == 1);
        Db.update("UPDATE sql_source_state SET lease_until = NULL WHERE sync_name = 'sqldest/customers'");
        await().atMost(Duration.ofSeconds(20)).until(() -> received("u6").size() == 2);
        assertTrue(received("u6").get(1).getBodyAsString().contains("\"high_value\":true"));

        // a purchase committed late, inside the lookback, is still read
        sql("INSERT INTO app_src.purchases (user_id, amount_cents, created_at) VALUES ('u4', 200000, now() - interval '20 seconds')");
        await().atMost(Duration.ofSeconds(20)).until(() -> received("u4").size() == 2);
        assertTrue(received("u4").get(1).getBodyAsString().contains("\"high_value\":true"));
        assertTrue(runs() == 1);
    }

    /** Reads a counter from /q/metrics. */
    static final class OutboundMetrics {
        static double value(String name) {
            String text = io.restassured.RestAssured.given().get("/q/metrics").then().extract().asString();
            Map<String, Double> sums = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    sums.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
            return sums.getOrDefault(name, 0.0);
        }
    }
}
