package io.syncline.oauth;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;
import io.syncline.support.Db;
import io.syncline.support.HttpBrowser;
import io.syncline.support.Metrics;
import org.junit.jupiter.api.Test;

/**
 * A polling sync with {@code auth: oauth2}, end to end through the real HTTP surface: the run
 * gets its token from the provider file's token endpoint, a 401 from the connected app costs one
 * refresh and one more try, and a revoked grant fails the run as {@code reconnect_needed} and
 * tells your app; a reconnect through a connect session whose code the provider refuses changes
 * nothing, and one that succeeds brings the sync back.
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
    void aPollRefreshesItsTokenRetriesA401OnceStopsOnARevokedGrantAndResumesAfterAReconnect() throws Exception {
        RotatingTokenProvider provider = Provider.server;
        String conn = "oauth-" + UUID.randomUUID();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "oauthpoll", "connection_id", conn,
                "base_url", provider.url(), "credentials", Map.of("refresh_token", provider.refreshToken()),
                "metadata", Map.of("notify_url", provider.url() + "/hooks")))
                .post("/api/connections").then().statusCode(201);

        assertEquals("SUCCESS", trigger(conn).getString("status"), "the first run gets a token and reads the page");
        assertEquals(1, provider.refreshes.get());
        assertEquals("SUCCESS", trigger(conn).getString("status"));
        assertEquals(1, provider.refreshes.get(), "a valid token is used again");

        provider.dropAccessToken();
        assertEquals("SUCCESS", trigger(conn).getString("status"), "a 401 costs one refresh and one more try");
        assertEquals(2, provider.refreshes.get());

        // writes take the same token path: one goes out with the valid token, and after a 401 one refresh
        write(conn, "w1");
        await().atMost(Duration.ofSeconds(20)).until(() -> sent(conn) == 1);
        assertEquals(2, provider.refreshes.get(), "a valid token is used for writes too");
        provider.dropAccessToken();
        write(conn, "w2");
        await().atMost(Duration.ofSeconds(20)).until(() -> sent(conn) == 2);
        assertEquals(3, provider.refreshes.get(), "a write's 401 costs one refresh and one more try");

        double waitingBefore = Metrics.value("syncline_connections_reconnect_needed");
        provider.revokeGrant();
        JsonPath failed = trigger(conn);
        assertEquals("ERROR", failed.getString("status"));
        assertEquals("reconnect_needed", failed.getString("error.type"), failed.prettify());
        String shown = Api.authed().get("/api/connections/oauthpoll/" + conn).then().statusCode(200)
                .body("credential_fields", hasItem("reconnect_needed")).extract().asString();
        assertFalse(shown.contains(provider.refreshToken()), "the API names the credentials, never their values");
        // paused with its reason, in the status, health and metrics, until its customer reconnects
        Api.authed().queryParam("provider_config_key", "oauthpoll").queryParam("syncs", "*")
                .queryParam("connection_id", conn).get("/sync/status").then().statusCode(200)
                .body("syncs[0].status", org.hamcrest.Matchers.equalTo("PAUSED"))
                .body("syncs[0].pausedReason", org.hamcrest.Matchers.startsWith("reconnect_needed"));
        RestAssured.get("/q/health/group/syncs").then().statusCode(503)
                .body(org.hamcrest.Matchers.containsString("oauthpoll/" + conn));
        assertEquals(waitingBefore + 1, Metrics.value("syncline_connections_reconnect_needed"));
        JsonNode refused = authHook(provider);
        assertEquals("refresh", refused.path("operation").asText(), "your app hears that the grant is gone");
        assertFalse(refused.path("success").asBoolean());
        assertEquals("reconnect_needed", refused.path("error").path("type").asText());

        // the customer reconnects, but the provider refuses the code: nothing changes
        provider.refuseNextCode();
        Map<String, String> outcome = reconnect(conn);
        assertEquals("false", outcome.get("success"));
        assertEquals("invalid_grant", outcome.get("error"), "a code that fails to exchange");
        Api.authed().get("/api/connections/oauthpoll/" + conn).then().body("credential_fields", hasItem("reconnect_needed"));
        assertFalse(authHook(provider).path("success").asBoolean());
        assertEquals("ERROR", trigger(conn).getString("status"), "still waiting for a reconnect");

        // the customer reconnects: new tokens, the mark is gone, and the sync runs again
        assertEquals("true", reconnect(conn).get("success"));
        JsonNode override = authHook(provider);
        assertEquals("override", override.path("operation").asText());
        assertTrue(override.path("success").asBoolean());
        Api.authed().get("/api/connections/oauthpoll/" + conn).then()
                .body("credential_fields", not(hasItem("reconnect_needed")));
        assertEquals("SUCCESS", trigger(conn).getString("status"), "the sync resumes after the reconnect");
        await().atMost(Duration.ofSeconds(20)).until(() -> Metrics.value("syncline_connections_reconnect_needed")
                == waitingBefore);
        assertEquals(0, provider.revocations.get(), "no refresh token was ever spent twice");

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

    static final String RETURN = "https://app.example.test/reconnected";

    /** A reconnect session for the connection, and a browser that goes through it: the outcome on the return URL. */
    private static Map<String, String> reconnect(String conn) throws Exception {
        String token = Api.authed().contentType(ContentType.JSON).body(Map.of("connection_id", conn, "integration_id",
                "oauthpoll", "allowed_return_urls", List.of(RETURN))).post("/connect/sessions/reconnect").then()
                .statusCode(201).extract().path("data.token");
        HttpBrowser browser = new HttpBrowser();
        java.net.http.HttpResponse<String> page = browser.get(RestAssured.baseURI + ":" + RestAssured.port
                + "/oauth/connect/oauthpoll?connect_session_token=" + token);
        assertEquals(200, page.statusCode(), page.body());
        URI back = browser.follow(HttpBrowser.link(page.body(), "continue"), RETURN).stoppedAt();
        Map<String, String> out = new java.util.HashMap<>();
        for (String pair : back.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The next auth webhook the provider's /hooks received (sync webhooks go there too, and are skipped). */
    private static JsonNode authHook(RotatingTokenProvider provider) {
        java.util.concurrent.atomic.AtomicReference<JsonNode> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (String body = provider.hooks.poll(); body != null; body = provider.hooks.poll()) {
                JsonNode hook = new ObjectMapper().readTree(body);
                if ("auth".equals(hook.path("type").asText())) {
                    found.set(hook);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    private static void write(String conn, String id) {
        Api.authed().contentType(ContentType.JSON).header("Connection-Id", conn).header("Idempotency-Key", id)
                .body(Map.of("id", id, "email", id + "@example.com")).post("/events/contact.oauth").then()
                .statusCode(200);
    }

    /** Writes of the connection that the connected app accepted. */
    private static long sent(String conn) {
        return Api.authed().queryParam("provider_config_key", "oauthpoll").queryParam("connection_id", conn)
                .queryParam("result", "sent").get("/api/flow").then().statusCode(200).extract().jsonPath()
                .getList("writes").size();
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
