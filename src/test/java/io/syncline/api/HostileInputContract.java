package io.syncline.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.syncline.support.Api;
import io.syncline.support.Db;

/**
 * Guarantee 8, table-driven: each class of hostile value (a number with a huge exponent, JSON
 * null, over-long ids and keys, NUL characters, dates beyond any calendar, overflowing
 * frequencies, broken redirects, null scopes) sent to each endpoint family. Nothing answers
 * 5xx; a refusal is a 4xx problem that names what is wrong; a record that can never be mapped
 * is acknowledged and dead-lettered; and a refused request stores nothing.
 */
abstract class HostileInputContract {

    static final RestAssuredConfig RAW = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    record Case(String what, Supplier<Response> send, int expected, String says) {
    }

    static Response webhook(String conn, String body) {
        return given().config(RAW).contentType(ContentType.JSON).body(body).post("/webhooks/open/contacts/" + conn);
    }

    static String contact(String eventId, String id, String firstName, String occurredAt) {
        return """
                {"event_id":"%s","event":"contact.updated","occurred_at":%s,
                 "data":{"id":%s,"email":"a@b.co","first_name":%s,"last_name":"L"}}"""
                .formatted(eventId, occurredAt, id, firstName);
    }

    @Test
    void everyClassOfHostileValueIsAFourHundredOrADeadLetterNeverAFiveHundred() {
        String conn = Api.newConnection();
        String longConn = "l" + "x".repeat(199);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "crm", "connection_id", longConn))
                .post("/api/connections").then().statusCode(201);
        for (String integration : List.of("crm2", "src-page")) {
            Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration,
                    "connection_id", conn)).post("/api/connections").then().statusCode(201);
        }
        String now = "\"2026-11-21T10:00:00Z\"";
        List<Case> cases = new ArrayList<>(List.of(
                // webhooks
                new Case("JSON null body", () -> webhook(conn, "null"), 400, "JSON null"),
                new Case("a bare JSON number", () -> webhook(conn, "42"), 400, "a single value"),
                new Case("a record key of 600 characters",
                        () -> webhook(conn, contact("k600", "\"" + "k".repeat(600) + "\"", "\"A\"", now)), 200,
                        "dead_lettered"),
                new Case("1e50000000 in a concatenated field",
                        () -> webhook(conn, contact("big1", "\"b1\"", "1e50000000", now)), 200, "dead_lettered"),
                new Case("1e999999999 in a concatenated field",
                        () -> webhook(conn, contact("big2", "\"b2\"", "1e999999999", now)), 200, "dead_lettered"),
                new Case("a key given as 1e400", () -> webhook(conn, contact("big3", "1e400", "\"A\"", now)), 200,
                        "stored"),
                new Case("a date beyond year 999999999",
                        () -> webhook(conn, contact("d1", "\"d1\"", "\"A\"", "\"+999999999-12-31T23:59:59Z\"")), 200,
                        "dead_lettered"),
                new Case("a NUL character in the key", () -> webhook(conn, contact("n1", "\"a\\u0000b\"", "\"A\"", now)),
                        400, "NUL"),
                new Case("a NUL character in the connection id",
                        () -> webhook(conn + "%00x", contact("n2", "\"n2\"", "\"A\"", now)), 404, null),
                new Case("an overlong UTF-8 sequence", () -> given().contentType(ContentType.JSON)
                        .body(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}' })
                        .post("/webhooks/open/contacts/" + conn), 400, "UTF-8"),
                new Case("nesting 200 levels deep", () -> webhook(conn, "[".repeat(200) + "]".repeat(200)), 400,
                        "deeper"),
                new Case("a 200-character connection id with a 300-character delivery id",
                        () -> webhook(longConn, contact("e".repeat(300), "\"c1\"", "\"A\"", now)), 200, "stored"),
                new Case("a two-way email of 600 characters", () -> given().contentType(ContentType.JSON)
                        .header("X-Delivery", "tw1").body("{\"id\":\"tw1\",\"email\":\"" + "e".repeat(590) + "@x.io\"}")
                        .post("/webhooks/crm2/contacts/" + conn), 200, "stored"),
                // events
                new Case("an event that is JSON null", () -> Api.authed().contentType(ContentType.JSON)
                        .header("Connection-Id", conn).header("Idempotency-Key", "n").body("null")
                        .post("/events/contact.put"), 400, null),
                // the changes feed
                new Case("modified_after in the year 99999", () -> Api.records(conn).queryParam("model", "Contact")
                        .queryParam("modified_after", "+99999-01-01T00:00:00Z").get("/records"), 400, "9999"),
                new Case("a NUL character in a query parameter", () -> given().config(RAW)
                        .header("Authorization", "Bearer " + Api.KEY).urlEncodingEnabled(false)
                        .get("/api/runs?connection_id=a%00b"), 400, "NUL"),
                new Case("a mistyped model", () -> Api.records(conn).queryParam("model", "Contcat").get("/records"), 404,
                        "no model 'Contcat'"),
                // sync control
                new Case("a frequency of 10^12 days", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("provider_config_key", "src-page", "connection_id", conn, "sync_name", "contacts",
                                "frequency", "every 1000000000000 days"))
                        .put("/sync/update-connection-frequency"), 400, null),
                new Case("a dry run on a connection without base_url", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("provider_config_key", "src-page", "connection_id", conn, "sync", "contacts"))
                        .post("/sync/dry-run"), 409, "base_url"),
                // the management API
                new Case("scopes [null]", () -> Api.authed().contentType(ContentType.JSON)
                        .body("{\"name\":\"n\",\"scopes\":[null]}").post("/api/keys"), 400, "scopes"),
                new Case("a 300-character integration on a key", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("name", "n", "scopes", List.of("records:read"), "provider_config_key",
                                "p".repeat(300))).post("/api/keys"), 400, "provider_config_key"),
                new Case("a limited admin key", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("name", "n", "scopes", List.of("admin"), "provider_config_key", "crm"))
                        .post("/api/keys"), 400, "admin cannot be limited"),
                new Case("base_url with port 99999", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("provider_config_key", "crm", "connection_id", "p99999", "base_url",
                                "http://[::1]:99999")).post("/api/connections"), 400, "base_url"),
                new Case("a 300-character connection id", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("provider_config_key", "crm", "connection_id", "c".repeat(300)))
                        .post("/api/connections"), 400, "connection_id"),
                new Case("since in the year 99999", () -> Api.authed().queryParam("since", "+99999-01-01T00:00:00Z")
                        .get("/api/dead-letters"), 400, "since"),
                // connecting customers' accounts
                new Case("a connect session whose end_user is a number", () -> Api.authed()
                        .contentType(ContentType.JSON).body("{\"end_user\":42}").post("/connect/sessions"), 400, null),
                new Case("a connect session returning to javascript:", () -> Api.authed().contentType(ContentType.JSON)
                        .body(Map.of("end_user", Map.of("id", "u"), "allowed_return_urls", List.of("javascript:alert(1)")))
                        .post("/connect/sessions"), 400, "allowed_return_urls"),
                new Case("a callback with a forged state of 1,500 characters", () -> given().accept(ContentType.JSON)
                        .queryParam("state", "s".repeat(1500)).queryParam("code", "c").get("/oauth/callback"), 400,
                        "state"),
                new Case("a connect link whose token holds a NUL", () -> given().config(RAW).urlEncodingEnabled(false)
                        .accept(ContentType.JSON).get("/oauth/connect/oauthconnect?connect_session_token=a%00b"), 400,
                        "NUL"),
                // the console
                new Case("a sign-in page whose next holds a line break", () -> given().redirects().follow(false)
                        .queryParam("next", "/console/dead-letters\r\nX: y").get("/console/login"), 200, null),
                new Case("a form of 1,500 fields", () -> given().contentType(ContentType.URLENC)
                        .body("api_key=x" + "&f=1".repeat(1500)).post("/console/login"), 413, "at most 1000 fields"),
                new Case("a sign-in whose next holds a space",
                        () -> io.syncline.support.ConsoleSignIn.post(Api.KEY, "/console/a b"), 303, null)));
        long before = Db.count("SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm' AND connection_id = ?", conn);
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            Response r = c.send().get();
            String body = r.asString();
            boolean ok = r.statusCode() == c.expected() && (c.says() == null || body.contains(c.says()))
                    && (r.statusCode() < 400 || String.valueOf(r.contentType()).startsWith("application/problem+json"));
            if (!ok) {
                wrong.add(c.what() + ": expected " + c.expected() + (c.says() == null ? "" : " saying '" + c.says() + "'")
                        + ", got " + r.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) : body));
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        // of this connection's deliveries only the 1e400 key was stored; the refused stored nothing
        assertEquals(before + 1, Db.count(
                "SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm' AND connection_id = ?", conn));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM connections WHERE connection_id = 'p99999'"));
    }
}
