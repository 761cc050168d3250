package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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

import java.util.Date;
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
 * The catalogue's Shopify app (integrations/shopify/) through Syncline's HTTP surface, against a
 * stand-in built from Shopify's documented REST Admin answers: X-Shopify-Access-Token, lists
 * paged by the Link header's page_info, updated_at_min, times with the shop's offset, the
 * leaky bucket's 429 with Retry-After "1.0", its error shape ({"errors": …}), and app webhooks
 * signed with X-Shopify-Hmac-Sha256 under the app's client secret, naming the shop in
 * X-Shopify-Shop-Domain and the topic in X-Shopify-Topic.
 */
@QuarkusTest
class ShopifyTest extends AppStandIn {

    /** The test profile's syncline.oauth.shopify.client-secret. */
    static final String CLIENT_SECRET = "shopify-client-secret-not-for-production";
    static final String API = "/admin/api/2025-07";
    String shop;




    private String connect() {
        shop = "acme-" + UUID.randomUUID().toString().substring(0, 8) + ".myshopify.com";
        return connection("shopify", wm.baseUrl() + API, Map.of("api_key", "shpat_test_token"),
                Map.of("shop_domain", shop));
    }

    private static String customer(long id, String first, String updated) {
        return """
                {"id":%d,"email":"%s@Example.com","first_name":"%s","last_name":"Norman","phone":"+16136120707",
                 "state":"enabled","tags":"vip","created_at":"2026-11-01T10:00:00-05:00","updated_at":"%s",
                 "default_address":{"company":"Acme"}}""".formatted(id, first, first, updated);
    }

    @Test
    void customersArePagedByPageInfoTheBucketsRetryAfterIsWaitedOutAndTheNextRunAsksSinceTheNewest() {
        String c = connect();
        String next = wm.baseUrl() + API + "/customers.json?limit=250&page_info=eyJsYXN0X2lkIjo";
        wm.stubFor(get(urlPathEqualTo(API + "/customers.json")).withHeader("X-Shopify-Access-Token", equalTo("shpat_test_token"))
                .withQueryParam("page_info", absent()).withQueryParam("updated_at_min", absent())
                .withQueryParam("limit", equalTo("250"))
                .willReturn(okJson("{\"customers\":[" + customer(207119551, "Bob", "2026-11-20T10:00:00-05:00") + "]}")
                        .withHeader("Link", "<" + next + ">; rel=\"next\"")
                        .withHeader("X-Shopify-Shop-Api-Call-Limit", "39/40")));
        wm.stubFor(get(urlPathEqualTo(API + "/customers.json")).withQueryParam("page_info", equalTo("eyJsYXN0X2lkIjo"))
                .inScenario("bucket").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("drained")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1.0").withHeader("Content-Type", "application/json")
                        .withBody("{\"errors\":\"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.\"}")));
        wm.stubFor(get(urlPathEqualTo(API + "/customers.json")).withQueryParam("page_info", equalTo("eyJsYXN0X2lkIjo"))
                .inScenario("bucket").whenScenarioStateIs("drained")
                .willReturn(okJson("{\"customers\":[" + customer(207119552, "Ann", "2026-11-21T10:00:00-05:00") + "]}")
                        .withHeader("Link", "<" + wm.baseUrl() + API + "/customers.json?page_info=prev>; rel=\"previous\"")));

        JsonPath run = CatalogueApi.run("shopify", c, "customers");
        assertEquals("SUCCESS", run.getString("status"), "Shopify: page_info links to the end: " + run.prettify());
        assertEquals(2, run.getInt("counts.added"));
        List<Date> paged = wm.findAll(getRequestedFor(urlPathEqualTo(API + "/customers.json"))
                .withQueryParam("page_info", equalTo("eyJsYXN0X2lkIjo"))).stream().map(r -> r.getLoggedDate()).sorted().toList();
        assertEquals(2, paged.size());
        assertTrue(paged.get(1).getTime() - paged.get(0).getTime() >= 950,
                "Shopify's Retry-After: 1.0 is waited out: " + (paged.get(1).getTime() - paged.get(0).getTime()) + " ms");
        Map<String, Object> bob = CatalogueApi.records("shopify", c, "Contact").getMap("records.find { it.id == '207119551' }");
        assertEquals("bob@example.com", bob.get("email"));
        assertEquals("Bob Norman", bob.get("name"));
        assertEquals("Acme", bob.get("company_name"));
        assertEquals("2026-11-01T15:00:00Z", bob.get("created_at"), "Shopify's local time with offset, as UTC");

        wm.resetMappings();
        wm.stubFor(get(urlPathEqualTo(API + "/customers.json")).withQueryParam("updated_at_min", equalTo("2026-11-21T14:59:00Z"))
                .willReturn(okJson("{\"customers\":[]}")));
        run = CatalogueApi.run("shopify", c, "customers");
        assertEquals("SUCCESS", run.getString("status"), "Shopify: updated_at_min is the newest updated_at less 60 s: " + run.prettify());
    }

    @Test
    void shopifysErrorShapeFailsTheRunWithItsMessage() {
        String c = connect();
        wm.stubFor(get(urlPathEqualTo(API + "/customers.json")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"errors\":{\"updated_at_min\":\"is invalid\"}}")));
        JsonPath run = CatalogueApi.run("shopify", c, "customers");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("is invalid"), run.prettify());
    }

    @Test
    void anAppWebhookIsStoredForItsShopADeleteDeletesAForgedOneIs401AndAnUnknownShop404() {
        String c = connect();
        String update = customer(207119551, "Bob", "2026-11-22T10:00:00-05:00");
        String delivery = UUID.randomUUID().toString();
        post(shop, "customers/update", delivery, update, CLIENT_SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(shop, "customers/update", delivery, update, CLIENT_SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(shop, "customers/update", UUID.randomUUID().toString(), update, "forged").then().statusCode(401)
                .contentType("application/problem+json");
        post("stranger.myshopify.com", "customers/update", UUID.randomUUID().toString(), update, CLIENT_SECRET).then()
                .statusCode(404).contentType("application/problem+json");
        String order = "{\"id\":450789469,\"name\":\"#1001\",\"email\":\"bob@example.com\",\"total_price\":\"598.94\","
                + "\"currency\":\"USD\",\"financial_status\":\"paid\",\"fulfillment_status\":null,\"customer\":{\"id\":207119551},"
                + "\"created_at\":\"2026-11-22T10:00:00-05:00\",\"updated_at\":\"2026-11-22T10:00:00-05:00\"}";
        post(shop, "orders/create", UUID.randomUUID().toString(), order, CLIENT_SECRET).then().statusCode(200);
        post(shop, "app/uninstalled", UUID.randomUUID().toString(), "{\"id\":1}", CLIENT_SECRET).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("ignored"));

        assertNull(CatalogueApi.records("shopify", c, "Contact").get("records[0]._sync_metadata.deleted_at"));
        Map<String, Object> stored = CatalogueApi.records("shopify", c, "Order").getMap("records[0]");
        assertEquals(598.94f, ((Number) stored.get("total")).floatValue(), "Shopify's money as text becomes a number");
        assertEquals("207119551", stored.get("customer_id"));

        post(shop, "customers/delete", UUID.randomUUID().toString(), "{\"id\":207119551}", CLIENT_SECRET).then().statusCode(200);
        assertNotNull(CatalogueApi.records("shopify", c, "Contact").get("records[0]._sync_metadata.deleted_at"),
                "Shopify: customers/delete deletes");
    }

    private static io.restassured.response.Response post(String shop, String topic, String webhookId, String body, String secret) {
        return given().contentType(ContentType.JSON).header("X-Shopify-Topic", topic).header("X-Shopify-Shop-Domain", shop)
                .header("X-Shopify-Webhook-Id", webhookId).header("X-Shopify-Api-Version", "2025-07")
                .header("X-Shopify-Hmac-Sha256", Signing.hmacBase64(secret, body)).body(body).post("/webhooks/shopify");
    }
}
