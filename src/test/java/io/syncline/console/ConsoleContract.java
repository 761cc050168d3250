package io.syncline.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.syncline.support.Api;

/**
 * The console's rules over plain HTTP, so they hold on a machine without a browser too: who
 * may sign in and see what, forms that only this console can post, credentials that no page
 * shows, and payload fields the mapping leaves out that no page shows either.
 */
abstract class ConsoleContract {

    static String signIn(String key) {
        return io.syncline.support.ConsoleSignIn.post(key, "/console").then().statusCode(303)
                .extract().cookie(ConsoleSession.COOKIE);
    }

    static Response page(String cookie, String path) {
        return given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).get(path);
    }

    /** The form token a page hands out to its forms. */
    static String token(String cookie) {
        String html = page(cookie, "/console/connections").then().statusCode(200).extract().asString();
        return html.replaceAll("(?s).*name=\"token\" value=\"([^\"]+)\".*", "$1");
    }

    static String key(List<String> scopes) {
        return Api.authed().contentType(ContentType.JSON).body(Map.of("name", "console-" + UUID.randomUUID(),
                "scopes", scopes)).post("/api/keys").then().statusCode(201).extract().path("key");
    }

    @Test
    void withoutASessionEveryPageSendsYouToSignInAndBackAfterwards() {
        given().redirects().follow(false).get("/console/dead-letters?status=all").then().statusCode(303)
                .header("Location", endsWith("/console/login?next=%2Fconsole%2Fdead-letters%3Fstatus%3Dall"));
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, "forged").get("/console").then()
                .statusCode(303);
        io.syncline.support.ConsoleSignIn.post(Api.KEY, "https://elsewhere.example/console").then().statusCode(303)
                .header("Location", endsWith("/console"));
        io.syncline.support.ConsoleSignIn.post(Api.KEY, "/console/a b\r\nX: y").then().statusCode(303)
                .header("Location", endsWith("/console"));
        // a sign-in posted from elsewhere (no form token and cookie of this console) opens nothing
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("api_key", Api.KEY)
                .post("/console/login").then().statusCode(403).header("Set-Cookie", not(containsString(ConsoleSession.COOKIE)));
    }

    @Test
    void signingOutEndsTheSessionEverywhereEvenForACopiedCookie() {
        String cookie = signIn(key(List.of("admin", "connections:write")));
        page(cookie, "/console").then().statusCode(200);
        // a sign-out form without the session's token changes nothing
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("token", "forged").post("/console/logout").then().statusCode(403);
        page(cookie, "/console").then().statusCode(200);
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("token", token(cookie)).post("/console/logout").then().statusCode(303);
        // the same cookie, kept by someone (or sent to another replica), opens nothing any more
        page(cookie, "/console").then().statusCode(303).header("Location", containsString("/console/login"));
    }

    @Test
    void aWrongRevokedOrLimitedKeyOpensNothing() {
        io.syncline.support.ConsoleSignIn.post("sk_wrong", null).then().statusCode(401).body(containsString("not valid"));
        String limited = Api.authed().contentType(ContentType.JSON).body(Map.of("name", "limited", "scopes",
                List.of("records:read"), "provider_config_key", "crm")).post("/api/keys").then().statusCode(201)
                .extract().path("key");
        io.syncline.support.ConsoleSignIn.post(limited, null).then().statusCode(401)
                .body(containsString("limited to one integration"));

        String admin = key(List.of("admin"));
        String cookie = signIn(admin);
        page(cookie, "/console").then().statusCode(200);
        Map<String, Object> listed = Api.authed().get("/api/keys").then().extract().jsonPath()
                .getMap("keys.find { it.prefix == '" + admin.substring(0, 8) + "' }");
        Api.authed().delete("/api/keys/" + listed.get("id")).then().statusCode(204);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> page(cookie, "/console").statusCode() == 303);
    }

    @Test
    void eachPageNeedsTheScopeItsApiNeeds() {
        String cookie = signIn(key(List.of("records:read")));
        page(cookie, "/console/records").then().statusCode(200);
        page(cookie, "/console/dead-letters").then().statusCode(403).contentType(containsString("text/html"))
                .body(containsString("lacks the scope &#39;admin&#39;"));
        page(cookie, "/console/connections").then().statusCode(403);
    }

    @Test
    void aFormWithoutThisSessionsTokenChangesNothing() {
        String cookie = signIn(Api.KEY);
        String id = "f" + UUID.randomUUID().toString().substring(0, 8);
        given().cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("provider_config_key", "crm").formParam("connection_id", id).formParam("token", "guess")
                .post("/console/connections").then().statusCode(403);
        Api.authed().get("/api/connections/crm/" + id).then().statusCode(404);

        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("provider_config_key", "crm").formParam("connection_id", id)
                .formParam("token", token(cookie)).post("/console/connections").then().statusCode(303);
        Api.authed().get("/api/connections/crm/" + id).then().statusCode(200);
    }

    @Test
    void credentialsAreWrittenButNeverShown() {
        String cookie = signIn(Api.KEY);
        String id = "s" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "sk_live_" + UUID.randomUUID();
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("provider_config_key", "crm").formParam("connection_id", id)
                .formParam("base_url", "https://crm.example").formParam("credential_name", "api_key", "", "")
                .formParam("credential_value", secret, "", "").formParam("token", token(cookie))
                .post("/console/connections").then().statusCode(303)
                .header("Location", endsWith("/console/connections/crm/" + id + "?notice=Created."));
        page(cookie, "/console/connections").then().statusCode(200).body(containsString(id))
                .body(not(containsString(secret)));
        page(cookie, "/console/connections/crm/" + id).then().statusCode(200).body(containsString("api_key"))
                .body(not(containsString(secret)));
        assertEquals(1, Api.authed().get("/api/connections/crm/" + id).then().extract().jsonPath()
                .getList("credential_fields").size());
    }

    @Test
    void anOAuthConnectionShowsItsTokenStateAndMakesAReconnectLinkForKeysThatMayConnect() {
        String id = "o" + UUID.randomUUID().toString().substring(0, 8);
        String refresh = "rt-" + UUID.randomUUID();
        String access = "at-" + UUID.randomUUID();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "oauthconnect", "connection_id", id,
                "base_url", "https://api.oauthconnect.example", "credentials", Map.of("refresh_token", refresh,
                        "access_token", access, "expires_at", "2030-01-01T00:00:00Z", "reconnect_needed",
                        "the token endpoint answered 400 invalid_grant"))).post("/api/connections").then().statusCode(201);
        String path = "/console/connections/oauthconnect/" + id;

        String operator = signIn(key(List.of("connections:write")));
        page(operator, path).then().statusCode(200).body(containsString("authorization_code"))
                .body(containsString("2030-01-01T00:00:00Z")).body(containsString("Needs reconnect"))
                .body(not(containsString(refresh))).body(not(containsString(access)));
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, operator).contentType(ContentType.URLENC)
                .formParam("token", token(operator)).post(path + "/reconnect").then().statusCode(403)
                .body(containsString("connect:write"));

        String admin = signIn(Api.KEY);
        String html = given().redirects().follow(false).cookie(ConsoleSession.COOKIE, admin)
                .contentType(ContentType.URLENC).formParam("token", token(admin)).post(path + "/reconnect").then()
                .statusCode(200).body(not(containsString(refresh))).extract().asString();
        String link = html.replaceAll("(?s).*id=\"reconnect-link\" href=\"([^\"]+)\".*", "$1").replace("&amp;", "&");
        given().get(java.net.URI.create(link).getRawPath() + "?" + java.net.URI.create(link).getRawQuery()).then()
                .statusCode(200).body(containsString("Reconnect oauthconnect"));
        Api.authed().delete("/api/connections/oauthconnect/" + id).then().statusCode(204); // health is shared
    }

    @Test
    void aDeadLetterShowsOnlyWhatTheMappingReads() {
        String connection = Api.newConnection();
        String body = """
                {"event_id":"%s","event":"contact.updated","data":{"id":"p1","first_name":"Ada","last_name":"L",
                 "phone":"+44 20 5555 0199","notes":"private notes"}}""".formatted(UUID.randomUUID());
        Api.postUnsigned(connection, body).then().statusCode(200).body(containsString("dead_lettered"));
        Map<String, Object> letter = Api.authed().queryParam("connection_id", connection).get("/api/dead-letters")
                .then().extract().jsonPath().getMap("dead_letters[0]");
        String cookie = signIn(Api.KEY);
        page(cookie, "/console/dead-letters/" + letter.get("id")).then().statusCode(200)
                .body(containsString("$.data.first_name")).body(containsString("Ada"))
                .body(not(containsString("5555 0199"))).body(not(containsString("private notes")));
    }

    @Test
    void aScheduledSyncIsRunPausedAndResumedFromItsPageAndItsFailureIsShown() {
        String id = "p" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-cursor",
                "connection_id", id, "base_url", "http://127.0.0.1:9", "credentials", Map.of("access_token", "t")))
                .post("/api/connections").then().statusCode(201);
        String cookie = signIn(Api.KEY);
        String syncPage = "/console/syncs/src-cursor/contacts";
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("connection_id", id).formParam("token", token(cookie)).post(syncPage + "/trigger").then()
                .statusCode(303).header("Location", containsString("notice=Started+a+run+for+" + id));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> page(cookie,
                syncPage + "?connection=" + id).asString().contains("network_error"));
        page(cookie, "/console").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*<td>" + id + "</td>\\s*<td><span class=\"badge failing\">.*"));

        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("connection_id", id).formParam("token", token(cookie)).post(syncPage + "/pause").then()
                .statusCode(303);
        Api.authed().queryParam("provider_config_key", "src-cursor").queryParam("syncs", "contacts")
                .queryParam("connection_id", id).get("/sync/status").then().body("syncs[0].status",
                        org.hamcrest.Matchers.is("PAUSED"));
        given().redirects().follow(false).cookie(ConsoleSession.COOKIE, cookie).contentType(ContentType.URLENC)
                .formParam("connection_id", id).formParam("token", token(cookie)).post(syncPage + "/resume").then()
                .statusCode(303);
        Api.authed().queryParam("provider_config_key", "src-cursor").queryParam("syncs", "contacts")
                .queryParam("connection_id", id).get("/sync/status").then().body("syncs[0].status",
                        not(org.hamcrest.Matchers.is("PAUSED")));
        page(cookie, syncPage).then().statusCode(200).body(containsString("routes/test-polling.camel.yaml"))
                .body(containsString("routeTemplateRef: poll-sync"));
    }

    @Test
    void anUnknownDeadLetterIsAPageSayingSo() {
        String cookie = signIn(Api.KEY);
        page(cookie, "/console/dead-letters/987654321").then().statusCode(404).contentType(containsString("text/html"))
                .body(containsString("no dead letter 987654321"));
    }
}
