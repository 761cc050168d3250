package io.syncline.connect;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.support.Api;
import io.syncline.support.Db;
import io.syncline.support.HttpBrowser;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connect flow through the real HTTP surface, against a real OAuth2 server: your backend
 * asks for a session, a browser (cookies and redirects, as a browser keeps them) goes through
 * the connect page, the provider's authorization endpoint and the callback, and lands on the
 * return URL with the outcome; your app gets the {@code auth} webhook. Each refusal stores no
 * connection.
 */
abstract class ConnectFlowContract {

    static final String RETURN = "https://app.example.test/integrations/done";
    static final String INTEGRATION = "oauthconnect";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The OAuth2 server, and a receiver of the webhooks to your app, both on free ports. */
    public static class Servers implements QuarkusTestResourceLifecycleManager {
        static MockOAuth2Server oauth;
        static HttpServer hooks;
        static final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();

        @Override
        public Map<String, String> start() {
            oauth = new MockOAuth2Server();
            oauth.start(InetAddress.getLoopbackAddress(), 0);
            try {
                hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            hooks.createContext("/hooks", x -> {
                received.add(JSON.readTree(x.getRequestBody().readAllBytes()));
                x.sendResponseHeaders(204, -1);
                x.close();
            });
            hooks.start();
            String issuer = oauth.issuerUrl("default").toString().replaceAll("/$", "");
            return Map.of("syncline.test.connect-oauth-url", issuer,
                    "syncline.notify.url", "http://127.0.0.1:" + hooks.getAddress().getPort() + "/hooks");
        }

        @Override
        public void stop() {
            oauth.shutdown();
            hooks.stop(0);
        }
    }

    @Inject
    Connections connections;

    @BeforeEach
    void forgetEarlierRequests() {
        drain();
        Servers.received.clear();
    }

    @Test
    void aCustomerConnectsAndYourAppHearsOfIt() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String token = session(Map.of("end_user", Map.of("id", user, "email", "ada@example.com", "display_name", "Ada"),
                "allowed_integrations", List.of(INTEGRATION), "allowed_return_urls", List.of(RETURN)));
        HttpBrowser browser = new HttpBrowser();

        HttpResponse<String> page = browser.get(connectUrl(token, null));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("Connect oauthconnect") && page.body().contains("Ada"), page.body());
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""),
                "the page's URL holds the session token: it must not travel on as a Referer");
        String consent = HttpBrowser.link(page.body(), "continue");
        Map<String, String> asked = query(URI.create(consent));
        assertEquals("code", asked.get("response_type"));
        assertEquals("syncline-connect", asked.get("client_id"));
        assertEquals("openid contacts.read", asked.get("scope"));
        assertEquals("offline", asked.get("access_type"), "the provider file's authorization_params");
        assertEquals("S256", asked.get("code_challenge_method"));
        assertNotNull(asked.get("state"));

        HttpBrowser.Landing landed = browser.follow(consent, RETURN);
        assertNotNull(landed.stoppedAt(), "the browser ends on the return URL, not on " + landed.page());
        Map<String, String> outcome = query(landed.stoppedAt());
        assertEquals("true", outcome.get("success"), outcome.toString());
        assertEquals(INTEGRATION, outcome.get("provider_config_key"));
        String connectionId = outcome.get("connection_id");

        RecordedRequest authorize = Servers.oauth.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest exchange = Servers.oauth.takeRequest(5, TimeUnit.SECONDS);
        assertTrue(authorize.getPath().contains("/authorize"), authorize.getPath());
        Map<String, String> form = form(exchange.getBody().readUtf8());
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals(asked.get("code_challenge"), ConnectPage.challenge(form.get("code_verifier")),
                "the token request proves it is the one that asked (PKCE)");
        assertEquals("connect-secret-not-for-production", form.get("client_secret"), "client_secret_post");

        Connection stored = connections.find(INTEGRATION, connectionId).orElseThrow();
        assertEquals("https://api.oauthconnect.example", stored.baseUrl(), "the provider file's base_url");
        assertNotNull(stored.credential("access_token"));
        assertNotNull(stored.credential("expires_at"));
        Api.authed().get("/api/connections/" + INTEGRATION + "/" + connectionId).then().statusCode(200)
                .body("credential_fields", hasItems("access_token", "expires_at"))
                .body("metadata.end_user.id", org.hamcrest.Matchers.equalTo(user));

        JsonNode hook = Servers.received.poll(20, TimeUnit.SECONDS);
        assertNotNull(hook, "the auth webhook reaches your app");
        assertEquals("auth", hook.path("type").asText());
        assertEquals("creation", hook.path("operation").asText());
        assertEquals(connectionId, hook.path("connectionId").asText());
        assertEquals(INTEGRATION, hook.path("providerConfigKey").asText());
        assertEquals(user, hook.path("endUser").path("endUserId").asText());
        assertTrue(hook.path("success").asBoolean());

        // guarantee 9: the tokens are sealed in the database, and the answers never show them
        String everything = Db.dump();
        assertTrue(everything.contains(connectionId), "the dump reads the tables");
        assertFalse(everything.contains(stored.credential("access_token")), "a plaintext access token is stored");
        assertFalse(everything.contains(token), "a plaintext session token is stored");
        assertFalse(everything.contains(form.get("code_verifier")), "a plaintext PKCE verifier is stored");
        String log = java.nio.file.Files.readString(java.nio.file.Path.of("target/syncline-test.log"));
        for (String secret : List.of(stored.credential("access_token"), token, "connect-secret-not-for-production")) {
            assertFalse(log.contains(secret), "the log holds a secret");
        }

        // the link is spent: the page and the callback refuse it again, and nothing changes
        assertEquals(410, browser.get(connectUrl(token, null)).statusCode());
        HttpResponse<String> replay = browser.get(RestAssured.baseURI + ":" + RestAssured.port
                + "/oauth/callback?code=again&state=" + asked.get("state"));
        assertEquals(410, replay.statusCode(), replay.body());
        assertEquals(1, Db.count("SELECT COUNT(*) FROM connections WHERE connection_id = ?", connectionId));
    }

    @Test
    void aReconnectKeepsTheConnectionAndSaysOverride() throws Exception {
        String connectionId = "acme-" + UUID.randomUUID();
        String first = session(Map.of("end_user", Map.of("id", "u1"), "connection_id", connectionId,
                "allowed_return_urls", List.of(RETURN)));
        HttpBrowser customer = new HttpBrowser();
        assertEquals("true", query(customer.follow(consentLink(customer, first), RETURN).stoppedAt()).get("success"));
        String before = connections.find(INTEGRATION, connectionId).orElseThrow().credential("access_token");

        Api.authed().contentType(ContentType.JSON).body(Map.of("connection_id", "nobody", "integration_id", INTEGRATION))
                .post("/connect/sessions/reconnect").then().statusCode(404)
                .contentType("application/problem+json");
        String again = Api.authed().contentType(ContentType.JSON).body(Map.of("connection_id", connectionId,
                "integration_id", INTEGRATION, "allowed_return_urls", List.of(RETURN)))
                .post("/connect/sessions/reconnect").then().statusCode(201).extract().path("data.token");
        HttpBrowser browser = new HttpBrowser();
        HttpResponse<String> page = browser.get(connectUrl(again, null));
        assertTrue(page.body().contains("Reconnect oauthconnect"), page.body());
        assertEquals("true", query(browser.follow(HttpBrowser.link(page.body(), "continue"), RETURN).stoppedAt())
                .get("success"));
        Connection after = connections.find(INTEGRATION, connectionId).orElseThrow();
        assertFalse(before.equals(after.credential("access_token")), "new tokens replace the old ones");
        assertEquals("u1", ((Map<?, ?>) after.metadata().get("end_user")).get("id"), "the end user stays");
        List<String> operations = hooks(2).stream().map(h -> h.path("operation").asText()).toList();
        assertEquals(List.of("creation", "override"), operations);
    }

    @Test
    void eachRefusalStoresNothing() throws Exception {
        long connectionsBefore = Db.count("SELECT COUNT(*) FROM connections WHERE provider_config_key = ?", INTEGRATION);

        // an unknown or expired link
        assertEquals(404, new HttpBrowser().get(connectUrl("connect_session_nope", null)).statusCode());
        String expired = session(Map.of("end_user", Map.of("id", "u2"), "allowed_return_urls", List.of(RETURN)));
        Db.update("UPDATE connect_sessions SET expires_at = ? WHERE token_hash = ?",
                java.time.OffsetDateTime.now().minusMinutes(1), ConnectSessions.hash(expired));
        HttpResponse<String> gone = new HttpBrowser().get(connectUrl(expired, null));
        assertEquals(410, gone.statusCode());
        assertTrue(gone.body().contains("expired"), gone.body());

        // a return URL the session did not allow
        String s = session(Map.of("end_user", Map.of("id", "u3"), "allowed_return_urls", List.of(RETURN)));
        HttpResponse<String> elsewhere = new HttpBrowser().get(connectUrl(s, "https://evil.example/steal"));
        assertEquals(400, elsewhere.statusCode());
        assertTrue(elsewhere.body().contains("not one this connect link allows"), elsewhere.body());

        // an integration the session does not allow
        String narrow = session(Map.of("end_user", Map.of("id", "u4"), "allowed_integrations", List.of(INTEGRATION)));
        assertEquals(403, new HttpBrowser().get(RestAssured.baseURI + ":" + RestAssured.port
                + "/oauth/connect/oauthpoll?connect_session_token=" + narrow).statusCode());

        // a state Syncline never started, and a state started in another browser
        String base = RestAssured.baseURI + ":" + RestAssured.port;
        assertEquals(400, new HttpBrowser().get(base + "/oauth/callback?code=x&state=forged").statusCode());
        String stolen = state(consentLink(new HttpBrowser(), session(Map.of("end_user", Map.of("id", "u5")))));
        HttpResponse<String> otherBrowser = new HttpBrowser().get(base + "/oauth/callback?code=x&state=" + stolen);
        assertEquals(400, otherBrowser.statusCode());
        assertTrue(otherBrowser.body().contains("another browser"), otherBrowser.body());

        // the customer says no on the consent screen
        HttpBrowser browser = new HttpBrowser();
        String denied = state(consentLink(browser, session(Map.of("end_user", Map.of("id", "u6"),
                "allowed_return_urls", List.of(RETURN)))));
        Map<String, String> no = query(browser.follow(base + "/oauth/callback?error=access_denied&state=" + denied,
                RETURN).stoppedAt());
        assertEquals("false", no.get("success"));
        assertEquals("access_denied", no.get("error"));

        assertEquals(connectionsBefore, Db.count("SELECT COUNT(*) FROM connections WHERE provider_config_key = ?",
                INTEGRATION), "no refusal stored a connection");
        JsonNode hook = hooks(1).get(0);
        assertEquals("access_denied", hook.path("error").path("type").asText());
        assertFalse(hook.path("success").asBoolean());
        // A code that fails to exchange is refused the same way; this OAuth2 server issues tokens for any
        // code, so OAuthPollTest shows it with a provider that refuses codes it did not issue.
    }

    @Test
    void sessionsNeedTheScopeAndAnEndUserAndAConnectableIntegration() {
        Api.authed().contentType(ContentType.JSON).body(Map.of("allowed_integrations", List.of(INTEGRATION)))
                .post("/connect/sessions").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("end_user"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("end_user", Map.of("id", "u"),
                "allowed_integrations", List.of("oauthcc-none"))).post("/connect/sessions").then().statusCode(400)
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("allowed_integrations"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("end_user", Map.of("id", "u"),
                "allowed_return_urls", List.of("javascript:alert(1)"))).post("/connect/sessions").then()
                .statusCode(400);
        String reader = Api.authed().contentType(ContentType.JSON).body(Map.of("name", "reader-" + UUID.randomUUID(),
                "scopes", List.of("records:read"))).post("/api/keys").then().statusCode(201).extract().path("key");
        RestAssured.given().header("Authorization", "Bearer " + reader).contentType(ContentType.JSON)
                .body(Map.of("end_user", Map.of("id", "u"))).post("/connect/sessions").then().statusCode(403)
                .body("detail", containsString("connect:write"));
        assertNull(Servers.received.poll(), "no webhook for a refused session");
    }

    // ---- helpers

    static String session(Map<String, Object> body) {
        return Api.authed().contentType(ContentType.JSON).body(body).post("/connect/sessions").then().statusCode(201)
                .body("data.expires_at", org.hamcrest.Matchers.notNullValue()).extract().path("data.token");
    }

    static String connectUrl(String token, String returnUrl) {
        return RestAssured.baseURI + ":" + RestAssured.port + "/oauth/connect/" + INTEGRATION
                + "?connect_session_token=" + token + (returnUrl == null ? ""
                        : "&return_url=" + java.net.URLEncoder.encode(returnUrl, StandardCharsets.UTF_8));
    }

    /** Opens the connect page in {@code browser}, which gets its cookie, and returns the link to the consent screen. */
    static String consentLink(HttpBrowser browser, String token) throws Exception {
        HttpResponse<String> page = browser.get(connectUrl(token, null));
        assertEquals(200, page.statusCode(), page.body());
        return HttpBrowser.link(page.body(), "continue");
    }

    static String state(String consentLink) {
        return query(URI.create(consentLink)).get("state");
    }

    static Map<String, String> query(URI u) {
        return form(u.getRawQuery());
    }

    static Map<String, String> form(String raw) {
        return Arrays.stream(raw.split("&")).map(p -> p.split("=", 2)).collect(Collectors.toMap(
                p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "", (a, b) -> b,
                LinkedHashMap::new));
    }

    /** The next {@code n} webhooks to your app, in the order they came. */
    static List<JsonNode> hooks(int n) {
        List<JsonNode> out = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Servers.received.drainTo(out);
            return out.size() >= n;
        });
        return out;
    }

    static void drain() {
        try {
            while (Servers.oauth.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
                // forget it
            }
        } catch (RuntimeException timedOut) {
            // nothing left
        }
    }
}
