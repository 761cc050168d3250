package io.syncline.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** A flood from one address is refused with 429 problem+json; health and metrics stay reachable. */
@QuarkusTest
@TestProfile(RequestLimitsTest.Tight.class)
class RequestLimitsTest {

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.limits.requests-per-ip", "20");
        }
    }

    @Test
    void aFloodFromOneAddressGetsTooManyRequests() {
        List<Response> answers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            answers.add(given().contentType("application/json").body("{}").post("/webhooks/open/contacts/nobody"));
        }
        long windows = (System.nanoTime() - t0) / 1_000_000_000L + 2; // each second, and the one it started in
        Response refused = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow(
                () -> new AssertionError("200 requests in a row and none refused"));
        assertEquals("application/problem+json", refused.contentType());
        assertEquals("1", refused.header("Retry-After"));
        assertEquals(429, refused.jsonPath().getInt("status"));
        long passed = answers.stream().filter(r -> r.statusCode() != 429).count();
        assertTrue(passed <= 20 * windows, passed + " passed in " + windows + " windows of 20");
        for (int i = 0; i < 30; i++) {
            given().get("/q/health/live").then().statusCode(200);
        }
    }
}
