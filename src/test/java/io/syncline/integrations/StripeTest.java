package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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

import java.util.Map;

import org.junit.jupiter.api.Test;


import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;
import io.syncline.support.Signing;

/**
 * The catalogue's Stripe app (integrations/stripe/) through Syncline's HTTP surface, against a
 * stand-in built from Stripe's documented list answers ({"object":"list","data":[…],"has_more"},
 * paged by starting_after), its error shape ({"error":{"type","message"}}), 429s, and signed
 * events (Stripe-Signature: t=…,v1=…).
 */
@QuarkusTest
class StripeTest extends AppStandIn {

    static final String WHSEC = "whsec_stripe_test_secret";




    private String connect() {
        return connection("stripe", wm.baseUrl(), Map.of("access_token", "rk_test_stripe_key",
                "webhook_secret", WHSEC));
    }

    private static String customer(String id, String email, long created) {
        return """
                {"id":"%s","object":"customer","email":"%s","name":"Jenny Rosen","phone":null,"balance":0,
                 "currency":"usd","delinquent":false,"created":%d,"metadata":{"plan":"team"}}""".formatted(id, email, created);
    }

    private static String list(boolean more, String... customers) {
        return "{\"object\":\"list\",\"url\":\"/v1/customers\",\"has_more\":" + more + ",\"data\":["
                + String.join(",", customers) + "]}";
    }

    @Test
    void customersArePagedByStartingAfterUntilHasMoreIsFalse() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/v1/customers")).withHeader("Authorization", equalTo("Bearer rk_test_stripe_key"))
                .withQueryParam("limit", equalTo("100")).withQueryParam("starting_after", absent())
                .willReturn(okJson(list(true, customer("cus_1", "Jenny@Example.com", 1764547200), customer("cus_2", "b@x.test", 1764547100)))));
        // the first answer is a 429 (Stripe's rate limiter), then the page
        wm.stubFor(get(urlPathEqualTo("/v1/customers")).withQueryParam("starting_after", equalTo("cus_2"))
                .inScenario("429").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willSetStateTo("ok").willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\",\"message\":\"Too many requests\"}}")));
        wm.stubFor(get(urlPathEqualTo("/v1/customers")).withQueryParam("starting_after", equalTo("cus_2"))
                .inScenario("429").whenScenarioStateIs("ok").willReturn(okJson(list(false, customer("cus_3", "c@x.test", 1764547000)))));

        JsonPath run = CatalogueApi.run("stripe", c, "customers");
        assertEquals("SUCCESS", run.getString("status"), "Stripe: starting_after the last id, until has_more is false: " + run.prettify());
        assertEquals(3, run.getInt("counts.added"));
        assertEquals(2, run.getInt("pages"), "has_more: false ends the pass without asking for an empty page");
        wm.verify(3, getRequestedFor(urlPathEqualTo("/v1/customers")));
        Map<String, Object> jenny = CatalogueApi.records("stripe", c, "Customer").getMap("records.find { it.id == 'cus_1' }");
        assertEquals("jenny@example.com", jenny.get("email"));
        assertEquals("2025-12-01T00:00:00Z", jenny.get("created_at"), "Stripe's epoch seconds as ISO 8601");
        assertEquals(Map.of("plan", "team"), jenny.get("metadata"));
    }

    @Test
    void stripesErrorShapeFailsTheRunWithItsMessage() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo("/v1/customers")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid limit: must be at most 100\",\"param\":\"limit\"}}")));
        JsonPath run = CatalogueApi.run("stripe", c, "customers");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("Invalid limit: must be at most 100"),
                "Stripe's error message reaches the run: " + run.prettify());
    }

    @Test
    void aSignedCustomerEventIsStoredAForgedOneIsRefusedAndOtherEventsAreIgnored() {
        String c = connect();
        String updated = event("evt_1", "customer.updated", customer("cus_9", "new@x.test", 1764547200));
        post(c, updated, Signing.stripe(WHSEC, Signing.now(), updated)).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(c, updated, Signing.stripe(WHSEC, Signing.now(), updated)).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(c, updated, Signing.stripe("whsec_forged", Signing.now(), updated)).then().statusCode(401)
                .contentType("application/problem+json");
        String invoice = "{\"id\":\"evt_2\",\"object\":\"event\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"id\":\"in_1\",\"object\":\"invoice\"}}}";
        post(c, invoice, Signing.stripe(WHSEC, Signing.now(), invoice)).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("ignored"));
        JsonPath records = CatalogueApi.records("stripe", c, "Customer");
        assertEquals(1, records.getList("records").size(), "only the customer event is a record");
        assertEquals("new@x.test", records.getString("records[0].email"));
        assertNull(records.get("records[0]._sync_metadata.deleted_at"));

        String deleted = event("evt_3", "customer.deleted", customer("cus_9", "new@x.test", 1764547200));
        post(c, deleted, Signing.stripe(WHSEC, Signing.now(), deleted)).then().statusCode(200);
        assertNotNull(CatalogueApi.records("stripe", c, "Customer").get("records[0]._sync_metadata.deleted_at"),
                "Stripe: customer.deleted deletes the record");
    }

    private static String event(String id, String type, String object) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"created\":1764547300,"
                + "\"type\":\"" + type + "\",\"data\":{\"object\":" + object + "}}";
    }

    private static io.restassured.response.Response post(String conn, String body, String signature) {
        return given().contentType(ContentType.JSON).header("Stripe-Signature", signature).body(body)
                .post("/webhooks/stripe-app/" + conn);
    }
}
