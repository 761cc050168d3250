package io.syncline.demo;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.syncline.support.Api;
import io.syncline.support.HttpBrowser;

/**
 * The quickstart: the demo CRM's signed webhooks arrive in the changes feed by themselves, and
 * the two-way demo keeps your app's contacts and the CRM's in agreement, each change once.
 */
@QuarkusTest
@TestProfile(DemoTest.Demo.class)
class DemoTest {

    public static class Demo implements QuarkusTestProfile {
        /** The demo calls the service's own HTTP port, so it needs the port before start: a free one. */
        static final String PORT = Integer.toString(io.syncline.support.PackagedService.freePortOrFail());

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.demo.enabled", "true", "syncline.demo.interval-ms", "200",
                    "syncline.demo.first-delay-ms", "100", "quarkus.http.test-port", PORT,
                    "syncline.demo.target-url", "http://127.0.0.1:" + PORT,
                    "syncline.demo.oauth.token-seconds", "12"); // the provider refreshes 10 s before expiry
        }
    }

    @Test
    void demoContactsArriveInTheChangesFeed() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authed()
                .header("Connection-Id", "demo").header("Provider-Config-Key", "demo-crm")
                .queryParam("model", "Contact").get("/records/")
                .then().statusCode(200)
                .body("records.size()", greaterThanOrEqualTo(5))
                .body("records.email", hasItem("ada.lovelace@example.com"))
                .body(not(containsString("phone"))));
        Api.authed().get("/api/connections/demo-crm/demo").then().statusCode(200)
                .body("credential_fields", hasItem("webhook_secret"))
                .body(not(containsString("whsec_")));
    }

    @Inject
    DemoApp app;

    @Inject
    DemoCrm crm;

    @Test
    void aChangeOnEitherSideArrivesOnTheOtherOnce() {
        // the CRM's contacts arrive in your app, CRM-owned fields included
        await().atMost(Duration.ofSeconds(30)).until(() -> app.contacts().values().stream()
                .filter(c -> c.get("crm_id") != null && c.get("is_customer") != null).count() >= 5);

        // a contact your app created is created in the CRM once, and linked back to it
        await().atMost(Duration.ofSeconds(30)).until(() -> crm.byEmail("hedy.lamarr@example.com").size() == 1
                && app.contacts().values().stream().anyMatch(c -> "hedy.lamarr@example.com".equals(c.get("email"))
                        && c.get("crm_id") != null));

        // an edit in your app reaches the CRM
        await().atMost(Duration.ofSeconds(30)).until(() -> app.edits().stream().anyMatch(e -> e.field().equals("country")));
        DemoApp.Edit first = app.edits().stream().filter(e -> e.field().equals("country")).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> crm.get(first.crmId()) != null
                && app.edits().stream().filter(e -> e.localId().equals(first.localId())).map(e -> e.value().toString()
                        .toLowerCase()).toList().contains(crm.get(first.crmId()).get("country")));
        // once: never more writes to the CRM for a contact than changes of it in your app (its creation included)
        long edits = app.edits().stream().filter(e -> e.localId().equals(first.localId())).count();
        long written = Api.authed().queryParam("provider_config_key", "demo-crm").queryParam("connection_id", "demo")
                .queryParam("sync", "contacts-out").queryParam("record_id", first.localId()).queryParam("result", "sent")
                .get("/api/flow").then()
                .statusCode(200).extract().jsonPath().getList("writes").size();
        assertTrue(written >= 1 && written <= edits, written + " writes for " + edits + " edits");
        assertEquals(1, crm.byEmail("hedy.lamarr@example.com").size());

        // your app's purchases make Hedy a high-value customer: the CRM gets the tag, not the amount
        await().atMost(Duration.ofSeconds(40)).until(() -> String.valueOf(crm.byEmail("hedy.lamarr@example.com").get(0)
                .get("tags")).contains("high-value"));
        // your app's id for Hedy depends on the order in which the CRM's contacts arrived before her
        String hedy = app.contacts().entrySet().stream()
                .filter(c -> "hedy.lamarr@example.com".equals(c.getValue().get("email"))).findFirst().orElseThrow()
                .getKey();
        List<Object> fields = Api.authed().queryParam("sync", "high-value").queryParam("record_id", hedy)
                .queryParam("result", "sent").get("/api/flow").then().statusCode(200).extract().jsonPath()
                .getList("writes[0].fields");
        assertEquals(List.of("email", "high_value", "id"), fields.stream().sorted().toList());
    }

    @Inject
    DemoOAuth oauth;

    @Test
    void aCustomerConnectsTheOAuthDemoAndItsTokenIsRefreshed() throws Exception {
        String token = Api.authed().contentType(io.restassured.http.ContentType.JSON).body(Map.of("end_user",
                Map.of("id", "demo-test"), "allowed_integrations", List.of("demo-crm-oauth"), "connection_id",
                "oauth-test")).post("/connect/sessions").then().statusCode(201).extract().path("data.token");
        HttpBrowser browser = new HttpBrowser();
        var page = browser.get(RestAssured.baseURI + ":" + RestAssured.port
                + "/oauth/connect/demo-crm-oauth?connect_session_token=" + token);
        assertEquals(200, page.statusCode(), page.body());
        String consentUrl = HttpBrowser.link(page.body(), "continue");
        var consent = browser.get(consentUrl);
        assertTrue(consent.body().contains("asks to read your Demo CRM contacts"), consent.body());
        var done = browser.follow(URI.create(consentUrl).resolve(HttpBrowser.link(consent.body(), "allow")).toString(),
                null).page();
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("Connected"), done.body());

        // the new connection imports the demo CRM's contacts with its OAuth2 token
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authed().header("Connection-Id", "oauth-test")
                .header("Provider-Config-Key", "demo-crm-oauth").queryParam("model", "Contact").get("/records/")
                .then().statusCode(200).body("records.size()", greaterThanOrEqualTo(5)));
        // and once the token is within its margin, a run refreshes it and goes on
        int before = oauth.refreshes.get();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Api.authed().contentType(io.restassured.http.ContentType.JSON).body(Map.of("provider_config_key",
                    "demo-crm-oauth", "connection_id", "oauth-test", "syncs", List.of("contacts")))
                    .post("/sync/trigger").then().statusCode(200);
            return oauth.refreshes.get() > before;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authed()
                .queryParam("provider_config_key", "demo-crm-oauth").queryParam("connection_id", "oauth-test")
                .get("/api/runs").then().body("runs[0].status", org.hamcrest.Matchers.equalTo("SUCCESS")));
    }
}
