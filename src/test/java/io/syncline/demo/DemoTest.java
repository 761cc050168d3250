package io.syncline.demo;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.support.Api;

/** The quickstart: the demo CRM's signed webhooks arrive in the changes feed by themselves. */
@QuarkusTest
@TestProfile(DemoTest.Demo.class)
class DemoTest {

    public static class Demo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.demo.enabled", "true", "syncline.demo.interval-ms", "200",
                    "syncline.demo.first-delay-ms", "100");
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
}
