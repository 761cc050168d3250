package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;


import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;

/**
 * The catalogue's Intercom app (integrations/intercom/) through Syncline's HTTP surface, against a
 * stand-in built from Intercom's documented REST answers: bearer tokens, GET /contacts paged by
 * pages.next.starting_after, times in epoch seconds, its error list ({"type":"error.list",
 * "errors":[{"code","message"}]}), and app notifications signed with X-Hub-Signature (HMAC-SHA1)
 * under the app's client secret, naming the workspace in app_id.
 */
@QuarkusTest
class IntercomTest extends AppStandIn {

    /** The test profile's syncline.oauth.intercom.client-secret. */
    static final String CLIENT_SECRET = "intercom-client-secret-not-for-production";
    String workspace;




    private String connect() {
        workspace = "ws" + UUID.randomUUID().toString().substring(0, 8);
        return connection("intercom", wm.baseUrl(), Map.of("access_token", "dG9rOmlj"), Map.of("app_id", workspace));
    }

    private static String contact(String id, String email, long updated) {
        return """
                {"type":"contact","id":"%s","workspace_id":"ecahpwf5","external_id":null,"role":"user","email":"%s",
                 "phone":null,"name":"Joe Example","created_at":1764547200,"updated_at":%d,
                 "custom_attributes":{"plan":"pro"},"tags":{"type":"list","data":[]}}""".formatted(id, email, updated);
    }

    @Test
    void contactsArePagedByStartingAfterWithEpochSecondsAsIso() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/contacts")).withHeader("Authorization", equalTo("Bearer dG9rOmlj"))
                .withQueryParam("per_page", equalTo("150")).withQueryParam("starting_after", absent())
                .willReturn(okJson("{\"type\":\"list\",\"data\":[" + contact("6762f0dd1bb69f9f2193bb83", "Joe@Example.com", 1764550800)
                        + "],\"total_count\":2,\"pages\":{\"type\":\"pages\",\"next\":{\"page\":2,\"starting_after\":\"WzE3MDcx\"},"
                        + "\"page\":1,\"per_page\":1,\"total_pages\":2}}")));
        wm.stubFor(get(urlPathEqualTo("/contacts")).withQueryParam("starting_after", equalTo("WzE3MDcx"))
                .willReturn(okJson("{\"type\":\"list\",\"data\":[" + contact("6762f0dd1bb69f9f2193bb84", "ann@x.test", 1764550900)
                        + "],\"total_count\":2,\"pages\":{\"type\":\"pages\",\"page\":2,\"per_page\":1,\"total_pages\":2}}")));

        JsonPath run = CatalogueApi.run("intercom", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "Intercom: pages.next.starting_after to the end: " + run.prettify());
        assertEquals(2, run.getInt("counts.added"));
        Map<String, Object> joe = CatalogueApi.records("intercom", c, "Contact").getMap("records.find { it.id == '6762f0dd1bb69f9f2193bb83' }");
        assertEquals("joe@example.com", joe.get("email"));
        assertEquals("2025-12-01T00:00:00Z", joe.get("created_at"), "Intercom's epoch seconds as ISO 8601");
        assertEquals(Map.of("plan", "pro"), joe.get("raw"));
    }

    @Test
    void intercomsErrorListFailsTheRunWithItsMessage() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/contacts")).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"type\":\"error.list\",\"request_id\":\"r1\",\"errors\":[{\"code\":\"parameter_invalid\",\"message\":\"per_page is too big\"}]}")));
        JsonPath run = CatalogueApi.run("intercom", c, "contacts");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("per_page is too big"), run.prettify());
    }

    @Test
    void aSignedNotificationIsStoredForItsWorkspaceADeleteDeletesAndAForgedOneIs401() throws Exception {
        String c = connect();
        String updated = notification("contact.user.updated", contact("6762f0dd1bb69f9f2193bb90", "new@x.test", 1764560000));
        post(updated, CLIENT_SECRET).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(updated, CLIENT_SECRET).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(updated, "forged").then().statusCode(401).contentType("application/problem+json");
        String ping = "{\"type\":\"notification_event\",\"app_id\":\"" + workspace + "\",\"topic\":\"ping\",\"id\":\"notif_ping\","
                + "\"data\":{\"type\":\"notification_event_data\",\"item\":{\"type\":\"ping\",\"message\":\"hi\"}}}";
        post(ping, CLIENT_SECRET).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("ignored"));
        JsonPath records = CatalogueApi.records("intercom", c, "Contact");
        assertEquals("new@x.test", records.getString("records[0].email"));
        assertNull(records.get("records[0]._sync_metadata.deleted_at"));

        post(notification("contact.deleted", "{\"type\":\"contact\",\"id\":\"6762f0dd1bb69f9f2193bb90\"}"), CLIENT_SECRET).then()
                .statusCode(200);
        assertNotNull(CatalogueApi.records("intercom", c, "Contact").get("records[0]._sync_metadata.deleted_at"),
                "Intercom: contact.deleted deletes");
    }

    private String notification(String topic, String item) {
        return "{\"type\":\"notification_event\",\"app_id\":\"" + workspace + "\",\"topic\":\"" + topic + "\",\"id\":\"notif_"
                + UUID.randomUUID() + "\",\"created_at\":1764560000,\"data\":{\"type\":\"notification_event_data\",\"item\":"
                + item + "}}";
    }

    private static io.restassured.response.Response post(String body, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String signature = "sha1=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return given().contentType(ContentType.JSON).header("X-Hub-Signature", signature).body(body).post("/webhooks/intercom");
    }
}
