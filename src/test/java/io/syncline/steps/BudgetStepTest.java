package io.syncline.steps;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.syncline.support.Api;

/**
 * Writes sent by a route through Camel's http component, with syncline:budget before it: no
 * second of requests at the connected app holds more than the connection's rate, a 429 with
 * Retry-After pauses the connection, and a status the route names is dead-lettered at once.
 */
@QuarkusTest
@TestProfile(BudgetStepTest.Profile.class)
@QuarkusTestResource(value = BudgetStepTest.Sink.class, restrictToAnnotatedClass = true)
class BudgetStepTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern",
                    "file:target/test-routes/*.camel.yaml,file:target/test-routes/budget/*.camel.yaml");
        }
    }

    /** The connected app: a WireMock server, its address handed to the route as budget.sink. */
    public static class Sink implements QuarkusTestResourceLifecycleManager {
        static WireMockServer wm;

        @Override
        public Map<String, String> start() {
            wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
            wm.start();
            return Map.of("budget.sink", wm.baseUrl());
        }

        @Override
        public void stop() {
            wm.stop();
        }
    }

    @Test
    void writesKeepTheRateA429PausesTheConnectionAndANamedStatusIsADeadLetter() {
        WireMockServer wm = Sink.wm;
        String conn = Api.newConnection();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "hooks", "connection_id", conn,
                "metadata", Map.of("rate_requests", 2, "rate_per_seconds", 1, "max_in_flight", 2)))
                .post("/api/connections").then().statusCode(201);
        wm.stubFor(put(urlPathMatching("/contacts/b.*")).willReturn(ok()));
        // the first write of b0 is refused with 429 and Retry-After: 2; it is sent again after the pause
        wm.stubFor(put(urlPathEqualTo("/contacts/b0")).inScenario("429").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("paused").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));
        wm.stubFor(put(urlPathEqualTo("/contacts/b0")).inScenario("429").whenScenarioStateIs("paused")
                .willReturn(ok()));
        wm.stubFor(put(urlPathEqualTo("/contacts/bad")).willReturn(aResponse().withStatus(422)));
        for (int i = 0; i < 6; i++) {
            post(conn, Api.contact("b-e" + i, "b" + i, "b" + i + "@example.com", "lead"));
        }
        post(conn, Api.contact("b-bad", "bad", "bad@example.com", "lead"));

        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            for (int i = 0; i < 6; i++) {
                assertTrue(!wm.findAll(putRequestedFor(urlPathEqualTo("/contacts/b" + i))).isEmpty(), "b" + i);
            }
            Api.authed().get("/api/dead-letters?connection_id=" + conn).then().statusCode(200)
                    .body("dead_letters", hasSize(1)).body("dead_letters[0].sync", is("contacts-http"));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> wm.findAll(putRequestedFor(urlPathEqualTo("/contacts/b0")))
                .size() == 2);

        List<Long> at = wm.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().startsWith("/contacts/"))
                .map(e -> e.getRequest().getLoggedDate().getTime()).sorted().toList();
        for (int i = 2; i < at.size(); i++) {
            assertTrue(at.get(i) - at.get(i - 2) >= 990, "three requests within one second: " + at);
        }
        long refused = wm.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() == 429)
                .mapToLong(e -> e.getRequest().getLoggedDate().getTime()).findFirst().orElseThrow();
        assertTrue(at.stream().filter(t -> t > refused).allMatch(t -> t - refused >= 1900),
                "nothing went to the paused connection for the 2 s it asked: " + at + ", 429 at " + refused);
    }

    private static void post(String conn, String body) {
        given().contentType(ContentType.JSON).body(body).post("/webhooks/budget/contacts/" + conn).then().statusCode(200)
                .body("status", is("stored"));
    }
}
