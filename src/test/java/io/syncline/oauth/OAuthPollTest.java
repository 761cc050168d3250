package io.syncline.oauth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;
import io.syncline.support.Db;
import org.junit.jupiter.api.Test;

/**
 * A polling sync with {@code auth: oauth2}, end to end through the real HTTP surface: the run
 * gets its token from the provider file's token endpoint, a 401 from the connected app costs one
 * refresh and one more try, and a revoked grant fails the run as {@code reconnect_needed}.
 */
@QuarkusTest
@QuarkusTestResource(value = OAuthPollTest.Provider.class, restrictToAnnotatedClass = true)
class OAuthPollTest {

    /** The provider's token endpoint and the connected app, on a free port handed to the provider file. */
    public static class Provider implements QuarkusTestResourceLifecycleManager {
        static RotatingTokenProvider server;

        @Override
        public Map<String, String> start() {
            try {
                server = new RotatingTokenProvider(3600);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("syncline.test.oauth-url", server.url());
        }

        @Override
        public void stop() {
            server.close();
        }
    }

    @Test
    void aPollRefreshesItsTokenRetriesA401OnceAndStopsOnARevokedGrant() throws Exception {
        RotatingTokenProvider provider = Provider.server;
        String conn = "oauth-" + UUID.randomUUID();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "oauthpoll", "connection_id", conn,
                "base_url", provider.url(), "credentials", Map.of("refresh_token", provider.refreshToken())))
                .post("/api/connections").then().statusCode(201);

        assertEquals("SUCCESS", trigger(conn).getString("status"), "the first run gets a token and reads the page");
        assertEquals(1, provider.refreshes.get());
        assertEquals("SUCCESS", trigger(conn).getString("status"));
        assertEquals(1, provider.refreshes.get(), "a valid token is used again");

        provider.dropAccessToken();
        assertEquals("SUCCESS", trigger(conn).getString("status"), "a 401 costs one refresh and one more try");
        assertEquals(2, provider.refreshes.get());

        provider.revokeGrant();
        JsonPath failed = trigger(conn);
        assertEquals("ERROR", failed.getString("status"));
        assertEquals("reconnect_needed", failed.getString("error.type"), failed.prettify());
        assertEquals(0, provider.revocations.get(), "no refresh token was ever spent twice");
        String shown = Api.authed().get("/api/connections/oauthpoll/" + conn).then().statusCode(200)
                .body("credential_fields", hasItem("reconnect_needed")).extract().asString();
        assertFalse(shown.contains(provider.refreshToken()), "the API names the credentials, never their values");

        // guarantee 9 for OAuth2: no token and no client secret in plaintext, in the database or the log
        String everything = Db.dump();
        String log = Files.readString(Path.of("target/syncline-test.log"));
        assertTrue(everything.contains(conn), "the dump reads the tables");
        assertTrue(provider.issued.size() >= 4, "tokens were issued");
        for (String secret : provider.issued) {
            assertFalse(everything.contains(secret), "the database holds a plaintext token");
            assertFalse(log.contains(secret), "the log holds a plaintext token");
        }
        String clientSecret = "poll-secret-not-for-production";
        assertFalse(everything.contains(clientSecret) || log.contains(clientSecret), "the client secret stays out");
    }

    private JsonPath trigger(String conn) {
        int before = runs(conn).getList("runs").size();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "oauthpoll", "connection_id", conn,
                "syncs", List.of("contacts"))).post("/sync/trigger").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath runs = runs(conn);
            return runs.getList("runs").size() > before && !"RUNNING".equals(runs.getString("runs[0].status"));
        });
        return new JsonPath(runs(conn).prettify()).setRootPath("runs[0]");
    }

    private static JsonPath runs(String conn) {
        return Api.authed().queryParam("provider_config_key", "oauthpoll").queryParam("connection_id", conn)
                .get("/api/runs").then().extract().jsonPath();
    }
}
