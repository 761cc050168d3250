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
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;

/**
 * The catalogue's Pipedrive app (integrations/pipedrive/) through Syncline's HTTP surface, against a
 * stand-in built from Pipedrive's documented v2 API: x-api-token, GET /api/v2/persons with
 * updated_since, sort_by and a cursor in additional_data.next_cursor, emails as a list, custom
 * fields by hashed key, its 429 with x-ratelimit-reset, its error shape ({"success":false,"error"}),
 * and v2 webhooks with HTTP Basic credentials and a meta object.
 */
@QuarkusTest
class PipedriveTest extends AppStandIn {

    static final String HOOK_AUTH = "syncline:pd-hook-password";




    private String connect() {
        return connection("pipedrive", wm.baseUrl(), Map.of("api_key", "pd-api-token", "webhook_secret", HOOK_AUTH));
    }

    private static String person(long id, String name, String updated) {
        return """
                {"id":%d,"name":"%s","first_name":"%s","last_name":"Smith","owner_id":123,"org_id":1234,
                 "emails":[{"value":"Will@Example.com","primary":true,"label":"work"}],
                 "phones":[{"value":"12345","primary":true,"label":"work"}],
                 "add_time":"2026-11-01T10:00:00Z","update_time":"%s",
                 "custom_fields":{"d4de1c1518b4531717c676029a45911c340390a6":"Gold"}}""".formatted(id, name, name.split(" ")[0], updated);
    }

    @Test
    void personsArePagedByNextCursorAndTheNextRunAsksUpdatedSinceTheNewest() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/api/v2/persons")).withHeader("x-api-token", equalTo("pd-api-token"))
                .withQueryParam("sort_by", equalTo("update_time")).withQueryParam("limit", equalTo("500"))
                .withQueryParam("cursor", absent()).withQueryParam("updated_since", absent())
                .willReturn(okJson("{\"success\":true,\"data\":[" + person(1, "Will Smith", "2026-11-20T10:00:00Z")
                        + "],\"additional_data\":{\"next_cursor\":\"eyJmaWVsZCI6ImlkIiwiaWQiOjF9\"}}")));
        wm.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", equalTo("eyJmaWVsZCI6ImlkIiwiaWQiOjF9"))
                .inScenario("limit").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withStatus(429).withHeader("x-ratelimit-reset", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"success\":false,\"error\":\"Request over limit\",\"errorCode\":429}")));
        wm.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("cursor", equalTo("eyJmaWVsZCI6ImlkIiwiaWQiOjF9"))
                .inScenario("limit").whenScenarioStateIs("ok")
                .willReturn(okJson("{\"success\":true,\"data\":[" + person(2, "Jada Smith", "2026-11-21T10:00:00Z")
                        + "],\"additional_data\":{\"next_cursor\":null}}")));

        JsonPath run = CatalogueApi.run("pipedrive", c, "persons");
        assertEquals("SUCCESS", run.getString("status"), "Pipedrive: next_cursor to the end: " + run.prettify());
        assertEquals(2, run.getInt("counts.added"));
        assertTrue(run.getInt("retries") >= 1, "Pipedrive's 429 was waited out");
        Map<String, Object> will = CatalogueApi.records("pipedrive", c, "Contact").getMap("records.find { it.id == '1' }");
        assertEquals("will@example.com", will.get("email"), "Pipedrive: the first of the emails list");
        assertEquals("12345", will.get("phone"));
        assertEquals(Map.of("d4de1c1518b4531717c676029a45911c340390a6", "Gold"), will.get("raw"),
                "custom fields stay available by their hashed keys");

        wm.resetMappings();
        wm.stubFor(get(urlPathEqualTo("/api/v2/persons")).withQueryParam("updated_since", equalTo("2026-11-21T09:59:00Z"))
                .willReturn(okJson("{\"success\":true,\"data\":[],\"additional_data\":{\"next_cursor\":null}}")));
        run = CatalogueApi.run("pipedrive", c, "persons");
        assertEquals("SUCCESS", run.getString("status"), "Pipedrive: updated_since the newest update_time less 60 s: " + run.prettify());
    }

    @Test
    void pipedrivesErrorShapeFailsTheRunWithItsMessage() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/api/v2/persons")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"error\":\"Invalid updated_since\",\"error_info\":\"Please check developers.pipedrive.com\"}")));
        JsonPath run = CatalogueApi.run("pipedrive", c, "persons");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("Invalid updated_since"), run.prettify());
    }

    @Test
    void aWebhookWithTheRightBasicCredentialsIsStoredADeleteDeletesAndWrongCredentialsAre401() {
        String c = connect();
        String change = "{\"meta\":{\"action\":\"change\",\"entity\":\"person\",\"entity_id\":\"7\",\"id\":\"" + UUID.randomUUID()
                + "\",\"version\":\"2.0\",\"timestamp\":\"2026-11-30T10:00:00.000Z\"},\"data\":" + person(7, "Ana Smith", "2026-11-30T10:00:00Z")
                + ",\"previous\":{\"name\":\"Ana S\"}}";
        post(c, change, HOOK_AUTH).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(c, change, HOOK_AUTH).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(c, change, "syncline:wrong").then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(change).post("/webhooks/pipedrive/" + c).then().statusCode(401);
        String activity = "{\"meta\":{\"action\":\"create\",\"entity\":\"activity\",\"entity_id\":\"9\",\"id\":\"" + UUID.randomUUID()
                + "\"},\"data\":{\"id\":9}}";
        post(c, activity, HOOK_AUTH).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("ignored"));
        JsonPath records = CatalogueApi.records("pipedrive", c, "Contact");
        assertEquals("Ana Smith", records.getString("records[0].name"));
        assertNull(records.get("records[0]._sync_metadata.deleted_at"));

        String delete = "{\"meta\":{\"action\":\"delete\",\"entity\":\"person\",\"entity_id\":\"7\",\"id\":\"" + UUID.randomUUID()
                + "\",\"version\":\"2.0\"},\"data\":null,\"previous\":" + person(7, "Ana Smith", "2026-11-30T10:00:00Z") + "}";
        post(c, delete, HOOK_AUTH).then().statusCode(200);
        assertNotNull(CatalogueApi.records("pipedrive", c, "Contact").get("records[0]._sync_metadata.deleted_at"),
                "Pipedrive: a delete event deletes");
    }

    private static io.restassured.response.Response post(String conn, String body, String userPassword) {
        return given().contentType(ContentType.JSON).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8))).body(body)
                .post("/webhooks/pipedrive/" + conn);
    }
}
