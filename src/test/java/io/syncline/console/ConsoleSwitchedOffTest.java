package io.syncline.console;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Where the console is switched off (production's default), it is not there at all. */
@QuarkusTest
@TestProfile(ConsoleSwitchedOffTest.Off.class)
class ConsoleSwitchedOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.console.enabled", "false");
        }
    }

    @Test
    void everyConsolePathIsNotFound() {
        for (String path : new String[] {"/console", "/console/login", "/console/dead-letters"}) {
            given().redirects().follow(false).get(path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
        given().contentType("application/x-www-form-urlencoded").formParam("api_key", "test-api-key")
                .post("/console/login").then().statusCode(404);
    }
}
