package io.syncline.webhook;

import static io.restassured.RestAssured.given;
import static io.syncline.support.Api.contact;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.syncline.support.Api;
import io.syncline.support.Signing;

/**
 * Inbound webhooks through the real HTTP surface and the real database: every signature
 * scheme accepted and refused, every refusal in DESIGN.md's table, duplicates, dead letters,
 * and change detection. Run once per database by its subclasses.
 */
abstract class WebhookContract {

    String conn;

    @BeforeEach
    void connection() {
        conn = Api.newConnection();
    }

    // ---- signature schemes ----

    Response postStandard(String id, long ts, String body, String signature) {
        return given().contentType(ContentType.JSON).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", signature)
                .body(body).post("/webhooks/crm/contacts/" + conn);
    }

    @Test
    void standardWebhookSignedWithTheConnectionSecretIsStored() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now();
        postStandard("msg_1", ts, body, Signing.standard(Api.STANDARD_SECRET, "msg_1", ts, body))
                .then().statusCode(200).body("status", is("stored")).body("change", is("added"));
    }

    @Test
    void standardWebhookAcceptsAnyOneOfSeveralSignatures() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now();
        String good = Signing.standard(Api.STANDARD_SECRET, "msg_2", ts, body);
        String other = Signing.standard("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), "msg_2",
                ts, body);
        postStandard("msg_2", ts, body, other + " " + good).then().statusCode(200);
    }

    @Test
    void standardWebhookWithWrongSecretIsRefused() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now();
        String wrong = Signing.standard("whsec_" + java.util.Base64.getEncoder().encodeToString("x".repeat(24)
                .getBytes()), "msg_3", ts, body);
        refusedAs401(postStandard("msg_3", ts, body, wrong));
    }

    @Test
    void standardWebhookWithStaleTimestampIsRefused() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now() - 330; // clearly outside the 300 s tolerance, whatever the second boundaries
        refusedAs401(postStandard("msg_4", ts, body, Signing.standard(Api.STANDARD_SECRET, "msg_4", ts, body)))
                .body("detail", containsString("tolerance"));
    }

    @Test
    void standardWebhookWithFutureTimestampIsRefused() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now() + 330; // clearly outside the 300 s tolerance, whatever the second boundaries
        refusedAs401(postStandard("msg_4b", ts, body, Signing.standard(Api.STANDARD_SECRET, "msg_4b", ts, body)));
    }

    @Test
    void bodyAlteredByOneByteIsRefused() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now();
        String sig = Signing.standard(Api.STANDARD_SECRET, "msg_5", ts, body);
        refusedAs401(postStandard("msg_5", ts, body.replace("ada@", "adb@"), sig));
    }

    @Test
    void missingSignatureHeadersAreRefused() {
        given().contentType(ContentType.JSON).body(contact("e1", "p1", "ada@example.com", "lead"))
                .post("/webhooks/crm/contacts/" + conn).then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("webhook-signature"));
        assertNoRecords();
    }

    @Test
    void githubSignatureIsVerified() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        refusedAs401(given().contentType(ContentType.JSON).header("X-GitHub-Delivery", "gh-2")
                .header("X-Hub-Signature-256", Signing.github("not-the-secret", body)).body(body)
                .post("/webhooks/github/contacts/" + conn));
        given().contentType(ContentType.JSON).header("X-GitHub-Delivery", "gh-1")
                .header("X-Hub-Signature-256", Signing.github("gh-secret", body)).body(body)
                .post("/webhooks/github/contacts/" + conn).then().statusCode(200).body("status", is("stored"))
                // this sync is a route from kamelet:webhook-sync: its own step after the Kamelet ran
                .header("X-Stored-By", "test-github");
    }

    @Test
    void stripeSignatureIsVerifiedWithItsTolerance() {
        String body = contact("evt_1", "p1", "ada@example.com", "customer").replace("\"event_id\"", "\"id\"");
        long ts = Signing.now();
        given().contentType(ContentType.JSON).header("X-Connection-Id", conn)
                .header("Stripe-Signature", Signing.stripe("whsec_stripe_test", ts, body)).body(body)
                .post("/webhooks/stripe/contacts").then().statusCode(200).body("status", is("stored"));
        long old = ts - 400;
        given().contentType(ContentType.JSON).header("X-Connection-Id", conn)
                .header("Stripe-Signature", Signing.stripe("whsec_stripe_test", old, body)).body(body)
                .post("/webhooks/stripe/contacts").then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).header("X-Connection-Id", conn)
                .header("Stripe-Signature", Signing.stripe("whsec_other", ts, body)).body(body)
                .post("/webhooks/stripe/contacts").then().statusCode(401);
    }

    @Test
    void genericHmacHeaderIsVerified() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        refusedAs401(given().contentType(ContentType.JSON).header("X-Delivery", "d-2")
                .header("X-Sig", Signing.hmacBase64("hmac-secret", body + " ")).body(body)
                .post("/webhooks/hmac/contacts/" + conn));
        given().contentType(ContentType.JSON).header("X-Delivery", "d-1")
                .header("X-Sig", Signing.hmacBase64("hmac-secret", body)).body(body)
                .post("/webhooks/hmac/contacts/" + conn).then().statusCode(200).body("status", is("stored"));
    }

    // ---- the refusal table ----

    @Test
    void aFailureInsideAnHttpRouteIsA500ProblemWithoutItsInternals() {
        given().contentType(ContentType.JSON).body("{}").post("/test/fails-inside").then().statusCode(500)
                .contentType("application/problem+json").body("type", containsString("internal-error"))
                .body(not(containsString("secret-db"))).body(not(containsString("IllegalStateException")));
    }

    @Test
    void unknownConnectionIs404() {
        Api.postUnsigned("no-such-connection", contact("e1", "p1", "ada@example.com", "lead"))
                .then().statusCode(404).contentType("application/problem+json")
                .body("status", is(404)).body("title", notNullValue()).body("type", notNullValue())
                .body("detail", containsString("no-such-connection"));
    }

    @Test
    void malformedJsonIs400AndStoresNothing() {
        Api.postUnsigned(conn, "{\"event_id\": \"e1\", \"data\": {").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("not valid JSON"));
        Api.postUnsigned(conn, "{\"event_id\": \"e1\"} trailing").then().statusCode(400);
        Api.postUnsigned(conn, "").then().statusCode(400);
        assertNoRecords();
        assertNoDeadLetters();
    }

    @Test
    void oversizedBodyIs413() {
        String big = contact("e1", "p1", "ada@example.com", "lead").replace("Lovelace", "L".repeat(5000));
        Api.postUnsigned(conn, big).then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("4096"));
        assertNoRecords();
    }

    @Test
    void unsupportedMediaTypeIs415() {
        given().contentType("text/plain").body(contact("e1", "p1", "ada@example.com", "lead"))
                .post("/webhooks/open/contacts/" + conn).then().statusCode(415)
                .contentType("application/problem+json");
        given().contentType("application/x-www-form-urlencoded").formParam("a", "b")
                .post("/webhooks/open/contacts/" + conn).then().statusCode(415);
        assertNoRecords();
    }

    @Test
    void missingDeliveryIdIs400() {
        Api.postUnsigned(conn, contact("e1", "p1", "ada@example.com", "lead").replace("\"event_id\":\"e1\",", ""))
                .then().statusCode(400).body("detail", containsString("event_id"));
        assertNoRecords();
    }

    @Test
    void answersCarryNoRequestHeadersBack() {
        String body = contact("e1", "p1", "ada@example.com", "customer");
        long ts = Signing.now();
        Response r = postStandard("msg_h", ts, body, Signing.standard(Api.STANDARD_SECRET, "msg_h", ts, body));
        r.then().statusCode(200);
        assertEquals(null, r.header("webhook-signature"));
    }

    // ---- idempotency, dead letters, change detection ----

    @Test
    void duplicateWebhookChangesNothing() {
        String body = contact("dup-1", "p1", "ada@example.com", "customer");
        Api.postUnsigned(conn, body).then().statusCode(200).body("change", is("added"));
        String before = awaitFeed(1).asString();
        Api.postUnsigned(conn, body).then().statusCode(200).body("status", is("duplicate"));
        // same id, different content: still a duplicate of a delivery already applied
        Api.postUnsigned(conn, contact("dup-1", "p1", "other@example.com", "lead")).then().statusCode(200)
                .body("status", is("duplicate"));
        assertEquals(before, feed().asString());
    }

    @Test
    void recordThatFailsValidationIsAcknowledgedAndDeadLettered() {
        String body = contact("bad-1", "p9", "", "customer");
        Api.postUnsigned(conn, body).then().statusCode(200).body("status", is("dead_lettered"))
                .body("errors[0].field", is("email"));
        Api.authed().queryParam("connection_id", conn).get("/api/dead-letters").then().statusCode(200)
                .body("dead_letters", hasSize(1))
                .body("dead_letters[0].reason", containsString("email"))
                .body("dead_letters[0].payload.data.id", is("p9"))
                .body("dead_letters[0].sync", is("contacts-unsigned"));
        assertNoRecords();
    }

    @Test
    void mappingTransformsAndTheAllowListShapeTheRecord() {
        Api.postUnsigned(conn, contact("t-1", "p1", "  Ada@Example.COM ", "customer")).then().statusCode(200);
        awaitFeed(1).then()
                .body("records[0].id", is("p1"))
                .body("records[0].email", is("ada@example.com"))
                .body("records[0].name", is("Ada Lovelace"))
                .body("records[0].country", is("GB"))
                .body("records[0].is_customer", is(true))
                .body("records[0].updated_at_ms", is(1795255200000L))
                .body("records[0].source", is("crm"))
                .body("records[0].phone", nullValue())
                .body("records[0].first_name", nullValue());
    }

    @Test
    void aConnectionsOverlayShapesItsWebhookRecordsAndNoOneElses() {
        String other = conn;
        conn = Api.newConnection();
        Api.authed().contentType(io.restassured.http.ContentType.JSON).body(java.util.Map.of("overlay",
                "fields:\n  mobile: { path: $.data.phone }\ndrop: [country]\n")).put("/api/overlays/crm/" + conn
                + "/contacts-unsigned").then().statusCode(200).body("version", is(1)).body("backfill", nullValue());
        Api.postUnsigned(conn, contact("o-1", "p1", "ada@example.com", "customer")).then().statusCode(200)
                .body("status", is("stored"));
        awaitFeed(1).then().body("records[0].mobile", is("+44 20 7946 0000"))
                .body("records[0]", not(hasKey("country")));
        conn = other;
        Api.postUnsigned(conn, contact("o-2", "p1", "ada@example.com", "customer")).then().statusCode(200);
        awaitFeed(1).then().body("records[0].country", is("GB")).body("records[0]", not(hasKey("mobile")));
    }

    @Test
    void addedUpdatedUnchangedAndDeletedAreDetected() {
        Api.postUnsigned(conn, contact("a-1", "p1", "ada@example.com", "lead")).then().body("change", is("added"));
        Api.postUnsigned(conn, contact("a-2", "p1", "ada@example.com", "lead")).then().body("change", is("unchanged"));
        Api.postUnsigned(conn, contact("a-3", "p1", "ada@example.com", "customer")).then().body("change", is("updated"));
        awaitFeed(1).then().body("records[0].is_customer", is(true))
                .body("records[0]._sync_metadata.last_action", is("UPDATED"));
        Api.postUnsigned(conn, Api.deleted("a-4", "p1")).then().body("change", is("deleted"));
        Api.postUnsigned(conn, Api.deleted("a-5", "p1")).then().body("change", is("unchanged"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> feed().then()
                .body("records", hasSize(1))
                .body("records[0]._sync_metadata.last_action", is("DELETED"))
                .body("records[0]._sync_metadata.deleted_at", notNullValue())
                .body("records[0].email", is("ada@example.com")));
        Api.postUnsigned(conn, contact("a-6", "p1", "ada@example.com", "customer")).then().body("change", is("added"));
    }

    @Test
    void contentHashDoesNotDependOnKeyOrder() {
        Api.postUnsigned(conn, """
                {"event_id":"k-1","occurred_at":"2026-11-21T10:00:00Z","data":{"id":"p1","email":"a@b.co","country":"gb"}}""")
                .then().body("change", is("added"));
        Api.postUnsigned(conn, """
                {"data":{"country":"gb","email":"a@b.co","id":"p1"},"occurred_at":"2026-11-21T10:00:00Z","event_id":"k-2"}""")
                .then().body("change", is("unchanged"));
    }

    // ---- helpers ----

    io.restassured.response.ValidatableResponse refusedAs401(Response r) {
        io.restassured.response.ValidatableResponse v = r.then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));
        assertNoRecords();
        return v;
    }

    Response feed() {
        return Api.records(conn).queryParam("model", "Contact").get("/records");
    }

    Response awaitFeed(int n) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> feed().then().body("records", hasSize(n)));
        return feed();
    }

    void assertNoRecords() {
        // give the sequencer a chance to place anything that was (wrongly) stored
        String probe = "probe-" + UUID.randomUUID();
        Api.postUnsigned(conn, contact(probe, probe, "probe@example.com", "lead")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> records = feed().then().statusCode(200).extract().path("records");
            assertEquals(1, records.size(), "only the probe record may be stored, found " + records);
            assertEquals(probe, records.get(0).get("id"));
        });
    }

    void assertNoDeadLetters() {
        Api.authed().queryParam("connection_id", conn).get("/api/dead-letters").then()
                .body("dead_letters", hasSize(0));
    }
}
