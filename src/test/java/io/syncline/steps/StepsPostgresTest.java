package io.syncline.steps;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.syncline.support.Api;
import io.syncline.support.RequiresPostgres;
import io.syncline.support.TestPostgres;

/**
 * Syncs composed of the engine's steps in YAML: a user's own filter and log between
 * {@code syncline:map} and {@code syncline:store}, your app's database as destination through
 * Camel's jdbc producer fed by {@code syncline:writes}, and RabbitMQ as trigger.
 */
@QuarkusTest
@TestProfile(StepsProfile.class)
@RequiresPostgres
class StepsPostgresTest {

    static final String APP_DB = TestPostgres.url();

    @BeforeAll
    static void appTable() throws Exception {
        try (Connection c = DriverManager.getConnection(APP_DB, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS app_steps");
            s.execute("CREATE TABLE IF NOT EXISTS app_steps.contacts (id text PRIMARY KEY, email text NOT NULL, name text)");
        }
    }

    @Test
    void aFilterWrittenInYamlDropsWhatTheUserExcludesAndTheRestIsStoredAndLandsInTheAppDatabase() throws Exception {
        String conn = Api.newConnection();
        post(conn, Api.contact("e1", "s1", "ada@example.com", "customer")).then().statusCode(200)
                .body("status", is("stored")).body("change", is("added"));
        post(conn, Api.contact("e2", "s2", "bob@ignored.test", "lead")).then().statusCode(200)
                .body("email", is("bob@ignored.test")); // the mapped record, not stored
        Api.records(conn).get("/records?model=Contact").then().statusCode(200)
                .body("records", hasSize(1)).body("records[0].id", is("s1"));

        // the stored change is forwarded to syncline:writes, and the jdbc producer writes it into the app's table
        await().atMost(Duration.ofSeconds(30)).until(() -> "ada@example.com".equals(appEmail("s1")));
        post(conn, Api.contact("e3", "s1", "ada@lovelace.example", "customer")).then().statusCode(200)
                .body("change", is("updated"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "ada@lovelace.example".equals(appEmail("s1")));
        assertNull(appEmail("s2"), "a filtered contact reaches neither the store nor the app");

        // a redelivered webhook is a duplicate through the user's steps too
        post(conn, Api.contact("e3", "s1", "ada@lovelace.example", "customer")).then().statusCode(200)
                .body("status", is("duplicate"));
        post(conn, Api.deleted("e4", "s1")).then().statusCode(200).body("change", is("deleted"));
        await().atMost(Duration.ofSeconds(30)).until(() -> appEmail("s1") == null);
    }

    @Test
    void aRefusalOfTheAdmitStepIsAProblemAndStoresNothing() {
        String conn = Api.newConnection();
        given().contentType(ContentType.JSON).body("{\"event_id\":").post("/webhooks/steps/contacts/" + conn)
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Api.contact("e1", "x1", "x@example.com", "lead"))
                .post("/webhooks/steps/contacts/no-such-connection")
                .then().statusCode(404).contentType("application/problem+json");
        Api.records(conn).get("/records?model=Contact").then().statusCode(200).body("records", hasSize(0));
    }

    @Test
    void aBrokerMessageIsStoredOnceAndAMalformedOneIsDeadLetteredAndAcknowledged() throws Exception {
        String conn = Api.newConnection();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(5672);
        try (com.rabbitmq.client.Connection rabbit = factory.newConnection(); Channel ch = rabbit.createChannel()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> queueExists(ch));
            publish(ch, conn, "m1", Api.contact("m1", "r1", "rita@example.com", "lead"));
            publish(ch, conn, "m1", Api.contact("m1", "r1", "rita@example.com", "lead")); // redelivered
            publish(ch, conn, "m2", "{\"data\": not json");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authed()
                    .get("/api/dead-letters?connection_id=" + conn).then().statusCode(200)
                    .body("dead_letters", hasSize(1)));
            Api.records(conn).get("/records?model=Contact").then().statusCode(200)
                    .body("records", hasSize(1)).body("records[0].email", is("rita@example.com"));
            // everything was acknowledged: nothing waits in the queue
            await().atMost(Duration.ofSeconds(30)).until(() -> ch.queueDeclarePassive(StepsProfile.QUEUE)
                    .getMessageCount() == 0);
        }
    }

    private static boolean queueExists(Channel ch) {
        try {
            return ch.queueDeclarePassive(StepsProfile.QUEUE).getConsumerCount() > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void publish(Channel ch, String connection, String messageId, String body) throws Exception {
        ch.basicPublish(StepsProfile.EXCHANGE, "contacts", new AMQP.BasicProperties.Builder()
                .contentType("application/json").messageId(messageId).headers(Map.of("connection", connection))
                .deliveryMode(2).build(), body.getBytes(StandardCharsets.UTF_8));
    }

    private static io.restassured.response.Response post(String conn, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/webhooks/steps/contacts/" + conn);
    }

    private static String appEmail(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(APP_DB, "postgres", "");
                PreparedStatement ps = c.prepareStatement("SELECT email FROM app_steps.contacts WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
