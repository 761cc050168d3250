package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;
import io.syncline.support.Signing;

/**
 * The catalogue's Zendesk app (integrations/zendesk/) through Syncline's HTTP surface, against a
 * stand-in built from Zendesk's documented cursor-based incremental export (start_time on the
 * first request, then after_url, until end_of_stream), its 429 with Retry-After, its error shape
 * ({"error","description"}), API-token basic auth, and event webhooks signed with
 * X-Zendesk-Webhook-Signature over the timestamp and the body.
 */
@QuarkusTest
class ZendeskTest extends AppStandIn {

    static final String SECRET = "zendesk-signing-secret";
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            "agent@acme.test/token:zd-api-token".getBytes(StandardCharsets.UTF_8));
    static final String EXPORT = "/api/v2/incremental/tickets/cursor.json";




    private String connect() {
        return connection("zendesk", wm.baseUrl(), Map.of("username", "agent@acme.test/token",
                "password", "zd-api-token", "webhook_secret", SECRET));
    }

    private static String ticket(long id, String status, long generated) {
        return """
                {"id":%d,"url":"https://acme.zendesk.com/api/v2/tickets/%d.json","subject":"Printer on fire","description":"Smoke",
                 "status":"%s","priority":"high","type":"incident","requester_id":20978392,"assignee_id":null,
                 "organization_id":509974,"tags":["hardware"],"created_at":"2026-11-01T10:00:00Z",
                 "updated_at":"2026-11-20T10:00:00Z","generated_timestamp":%d}""".formatted(id, id, status, generated);
    }

    @Test
    void theExportStartsAtZeroFollowsAfterUrlToEndOfStreamAndTheNextRunStartsAtTheNewestChange() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo(EXPORT)).withHeader("Authorization", equalTo(BASIC))
                .withQueryParam("start_time", equalTo("0"))
                .willReturn(okJson("{\"tickets\":[" + ticket(35436, "open", 1764547200) + "," + ticket(35437, "new", 1764547300)
                        + "],\"after_url\":\"" + wm.baseUrl() + EXPORT + "?cursor=c1\",\"after_cursor\":\"c1\","
                        + "\"before_url\":null,\"before_cursor\":null,\"end_of_stream\":false}")));
        wm.stubFor(get(urlPathEqualTo(EXPORT)).withQueryParam("cursor", equalTo("c1"))
                .willReturn(okJson("{\"tickets\":[" + ticket(35437, "deleted", 1764547400) + "],\"after_url\":\""
                        + wm.baseUrl() + EXPORT + "?cursor=c2\",\"after_cursor\":\"c2\",\"end_of_stream\":true}")));

        JsonPath run = CatalogueApi.run("zendesk", c, "tickets");
        assertEquals("SUCCESS", run.getString("status"), "Zendesk: start_time=0, then after_url until end_of_stream: " + run.prettify());
        assertEquals(2, run.getInt("pages"), "end_of_stream: true is the last page, though it has an after_url");
        JsonPath records = CatalogueApi.records("zendesk", c, "Ticket");
        Map<String, Object> open = records.getMap("records.find { it.id == '35436' }");
        assertEquals("open", open.get("status"));
        assertEquals("509974", open.get("organization_id"));
        assertEquals(List.of("hardware"), open.get("tags"));
        assertNotNull(records.getMap("records.find { it.id == '35437' }._sync_metadata").get("deleted_at"),
                "Zendesk: a ticket exported with status deleted is deleted");

        // the next run asks from the newest generated_timestamp, less the 60 s lookback; first a 429
        wm.resetMappings();
        wm.stubFor(get(urlPathEqualTo(EXPORT)).inScenario("429").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        wm.stubFor(get(urlPathEqualTo(EXPORT)).inScenario("429").whenScenarioStateIs("ok")
                .withQueryParam("start_time", equalTo(Long.toString(1764547400 - 60)))
                .willReturn(okJson("{\"tickets\":[" + ticket(35436, "solved", 1764550000) + "],\"after_url\":\""
                        + wm.baseUrl() + EXPORT + "?cursor=c3\",\"end_of_stream\":true}")));
        run = CatalogueApi.run("zendesk", c, "tickets");
        assertEquals("SUCCESS", run.getString("status"), "Zendesk: Retry-After is waited out: " + run.prettify());
        assertEquals(1, run.getInt("counts.updated"));
        wm.verify(getRequestedFor(urlPathEqualTo(EXPORT)).withQueryParam("start_time", equalTo("1764547340")));
    }

    @Test
    void zendesksErrorShapeFailsTheRunWithItsDescription() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo(EXPORT)).willReturn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"InvalidPaginationParameter\",\"description\":\"cursor is invalid\"}")));
        JsonPath run = CatalogueApi.run("zendesk", c, "tickets");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("cursor is invalid"), run.prettify());
        assertEquals(0, CatalogueApi.records("zendesk", c, "Ticket").getList("records").size());
    }

    @Test
    void aSignedTicketEventIsStoredADeleteDeletesAForgedOrStaleOneIsRefusedAndOtherEventsAreIgnored() {
        String c = connect();
        String created = event("zen:event-type:ticket.created", "OPEN");
        post(c, created, Instant.now().toString(), SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(c, created, Instant.now().toString(), SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(c, created, Instant.now().toString(), "forged").then().statusCode(401).contentType("application/problem+json");
        post(c, created, Instant.now().minusSeconds(600).toString(), SECRET).then().statusCode(401);
        String user = "{\"type\":\"zen:event-type:user.active_changed\",\"id\":\"" + UUID.randomUUID()
                + "\",\"detail\":{\"id\":\"6596848315901\"},\"event\":{\"current\":false}}";
        post(c, user, Instant.now().toString(), SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("ignored"));
        JsonPath records = CatalogueApi.records("zendesk", c, "Ticket");
        assertEquals("open", records.getString("records[0].status"), "Zendesk's event status, in the export's case");
        assertNull(records.get("records[0]._sync_metadata.deleted_at"));

        post(c, event("zen:event-type:ticket.soft_deleted", "OPEN"), Instant.now().toString(), SECRET).then().statusCode(200);
        assertNotNull(CatalogueApi.records("zendesk", c, "Ticket").get("records[0]._sync_metadata.deleted_at"),
                "Zendesk: ticket.soft_deleted deletes");
    }

    @Test
    void aContactFromYourAppIsUpsertedAsAZendeskUserByCreateOrUpdate() {
        String c = connect();
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlPathEqualTo("/api/v2/users/create_or_update"))
                .withHeader("Authorization", equalTo(BASIC))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(
                        "{\"user\":{\"id\":9000001,\"email\":\"ada@x.test\",\"name\":\"Ada Lovelace\",\"role\":\"end-user\"}}")));
        io.syncline.support.Api.authed().contentType(ContentType.JSON).header("Connection-Id", c)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body("{\"email\":\" Ada@X.test\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}")
                .post("/events/zendesk.user").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                io.syncline.support.Api.authed().queryParam("connection_id", c).queryParam("result", "sent").get("/api/flow")
                        .then().extract().jsonPath().getList("writes").size() == 1);
        wm.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/api/v2/users/create_or_update"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson(
                        "{\"user\":{\"email\":\"ada@x.test\",\"name\":\"Ada Lovelace\",\"phone\":null}}")));
        assertEquals("9000001", io.syncline.support.Api.authed().queryParam("connection_id", c).queryParam("result", "sent")
                .get("/api/flow").then().extract().path("writes[0].remote_id"), "Zendesk's user id is kept");
    }

    private static String event(String type, String status) {
        return """
                {"type":"%s","account_id":88888888,"id":"%s","time":"2026-11-30T17:18:10Z",
                 "zendesk_event_version":"2022-11-06","subject":"zen:ticket:35436",
                 "detail":{"id":"35436","subject":"Printer on fire","status":"%s","priority":"HIGH","type":"INCIDENT",
                  "requester_id":"20978392","organization_id":"509974","tags":["hardware"],"via":{"channel":"web"},
                  "created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-30T17:18:10Z"},
                 "event":{"current":{"status":"%s"}}}""".formatted(type, UUID.randomUUID(), status, status);
    }

    private static io.restassured.response.Response post(String conn, String body, String timestamp, String secret) {
        String signature = Base64.getEncoder().encodeToString(Signing.hmac(secret.getBytes(StandardCharsets.UTF_8),
                timestamp + body));
        return given().contentType(ContentType.JSON).header("X-Zendesk-Webhook-Signature", signature)
                .header("X-Zendesk-Webhook-Signature-Timestamp", timestamp).body(body).post("/webhooks/zendesk/" + conn);
    }
}
