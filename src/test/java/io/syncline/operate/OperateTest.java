package io.syncline.operate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.support.Api;

/** What an operator watches: metrics that move, and health that tells a stale sync from a sick replica. */
@QuarkusTest
class OperateTest {

    static double metric(String name, String... labels) {
        return io.syncline.support.Metrics.value(name, labels);
    }

    @Test
    void recordsInAndSignatureFailuresAreCounted() {
        String conn = Api.newConnection();
        double added = metric("syncline_records_in_total", "sync=\"contacts-unsigned\"", "result=\"added\"");
        double dups = metric("syncline_records_in_total", "sync=\"contacts-unsigned\"", "result=\"duplicate\"");
        double badSig = metric("syncline_webhook_signature_failures_total", "sync=\"contacts-standard\"");
        String body = Api.contact("m-" + UUID.randomUUID(), "p1", "a@b.co", "lead");
        Api.postUnsigned(conn, body).then().statusCode(200);
        Api.postUnsigned(conn, body).then().statusCode(200);
        given().contentType(ContentType.JSON).header("webhook-id", "x").header("webhook-timestamp", "1")
                .header("webhook-signature", "v1,AAAA").body(body).post("/webhooks/crm/contacts/" + conn)
                .then().statusCode(401);
        assertTrue(metric("syncline_records_in_total", "sync=\"contacts-unsigned\"", "result=\"added\"") >= added + 1);
        assertTrue(metric("syncline_records_in_total", "sync=\"contacts-unsigned\"", "result=\"duplicate\"") >= dups + 1);
        assertTrue(metric("syncline_webhook_signature_failures_total", "sync=\"contacts-standard\"") >= badSig + 1);
    }

    @Test
    void writesOutAndTheQueueAreMeasured() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(text.contains("syncline_writes_pending"), "queue depth");
        assertTrue(text.contains("syncline_writes_oldest_pending_seconds"), "oldest pending write");
        assertTrue(text.contains("syncline_circuits_open"), "open circuits");
        given().get("/q/health/group/syncs").then().body(containsString("\"writes\""));
    }

    @Test
    void aSyncThatHasNotSucceededInThreeIntervalsTurnsItsHealthDownButNotReadiness() {
        String id = "stale-" + UUID.randomUUID().toString().substring(0, 8);
        // nothing listens on port 9: every run of this 1 s sync fails
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-sched", "connection_id", id,
                "base_url", "http://127.0.0.1:9", "credentials", Map.of("access_token", "t")))
                .post("/api/connections").then().statusCode(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/syncs").then()
                .statusCode(503).body(containsString(id)));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        assertTrue(metric("syncline_sync_lag_seconds", "integration=\"src-sched\"") >= 3,
                "the sync's lag is exported");
        Api.authed().delete("/api/connections/src-sched/" + id).then().statusCode(204);
    }
}
