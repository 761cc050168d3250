package io.syncline.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.syncline.support.Api;

/**
 * One-way out: events from your backend become durable writes that the writer delivers to a
 * WireMock destination, with its faults scripted: search-then-create and upsert by key,
 * skip-unchanged, 429 with Retry-After, 5xx and timeouts retried, 422 dead-lettered and replayed,
 * a batch with partial failures, the rate budget, and a worker that dies mid-send.
 */
abstract class OutboundContract {

    static WireMockServer wm;

    @BeforeAll
    static void destination() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stopDestination() {
        wm.stop();
    }

    /** A new connection of the integration, whose destination lives under its own path on WireMock. */
    static String connect(String integration, Map<String, Object> metadata) {
        String id = "o" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new HashMap<>(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", wm.baseUrl() + "/" + id,
                "credentials", Map.of("access_token", "tok-" + id, "api_key", "key-" + id)));
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        Api.authed().contentType(ContentType.JSON).body(body).post("/api/connections").then().statusCode(201);
        return id;
    }

    static String contact(String id, String email, String name) {
        return "{\"id\":\"%s\",\"email\":\"%s\",\"name\":\"%s\"}".formatted(id, email, name);
    }

    static Response event(String type, String connection, String key, String body) {
        return Api.authed().contentType(ContentType.JSON).header("Connection-Id", connection)
                .header("Idempotency-Key", key).body(body).post("/events/" + type);
    }

    static List<Map<String, Object>> flow(String integration, String connection) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", connection)
                .get("/api/flow").then().statusCode(200).extract().jsonPath().getList("writes");
    }

    static List<String> results(String integration, String connection) {
        return flow(integration, connection).stream().map(w -> (String) w.get("result")).toList();
    }

    static List<LoggedRequest> requests(String connection) {
        return wm.findAll(anyRequestedFor(urlPathMatching("/" + connection + "/.*")));
    }

    static void searchFindsNothing(String c) {
        wm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).willReturn(okJson("{\"results\":[]}")));
    }

    @Test
    void anEventIsWrittenBySearchThenCreateAndLaterChangesUpdateTheSameRecord() {
        String c = connect("dest", null);
        searchFindsNothing(c);
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"rem-1\"}")));
        wm.stubFor(patch(urlPathEqualTo("/" + c + "/contacts/rem-1")).willReturn(okJson("{\"id\":\"rem-1\"}")));

        event("contact.saved", c, "e1", contact("u1", " Ada@Example.com", "Ada")).then().statusCode(200)
                .body("results[0].status", is("queued")).body("results[0].id", is("u1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> results("dest", c).contains("sent"));
        wm.verify(1, postRequestedFor(urlPathEqualTo("/" + c + "/contacts"))
                .withHeader("Authorization", equalTo("Bearer tok-" + c))
                .withRequestBody(matchingJsonPath("$.email", equalTo("ada@example.com")))
                .withRequestBody(matchingJsonPath("$.name", equalTo("Ada"))));
        Map<String, Object> sent = flow("dest", c).get(0);
        assertEquals("rem-1", sent.get("remote_id"));
        assertEquals("u1", sent.get("record_id"));
        assertEquals(201, sent.get("status"));
        assertTrue(((List<?>) sent.get("fields")).containsAll(List.of("email", "name")));

        event("contact.saved", c, "e2", contact("u1", "ada@example.com", "Ada L.")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("dest", c).stream()
                .filter("sent"::equals).count() == 2);
        wm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/rem-1"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("Ada L."))));
        wm.verify(1, postRequestedFor(urlPathEqualTo("/" + c + "/contacts")));

        // the flow log finds a record's writes by the connected app's id, and by where they went
        assertEquals(2, Api.authed().queryParam("connection_id", c).queryParam("remote_id", "rem-1").get("/api/flow")
                .then().statusCode(200).extract().jsonPath().getList("writes").size());
        List<Map<String, Object>> toRecord = Api.authed().queryParam("connection_id", c)
                .queryParam("destination", "/contacts/rem-1").get("/api/flow").then().statusCode(200).extract()
                .jsonPath().getList("writes");
        assertEquals(1, toRecord.size());
        assertTrue(((String) toRecord.get(0).get("destination")).startsWith("PATCH "), toRecord.toString());
    }

    @Test
    void aDuplicateEventChangesNothing() {
        String c = connect("putdest", null);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        event("contact.put", c, "same", contact("u1", "a@b.co", "A")).then().statusCode(200)
                .body("results[0].status", is("queued"));
        event("contact.put", c, "same", contact("u1", "a@b.co", "Changed")).then().statusCode(200)
                .body("results[0].status", is("duplicate"));
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).contains("sent"));
        wm.verify(1, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1"))
                .withHeader("X-Api-Key", equalTo("key-" + c))
                .withRequestBody(matchingJsonPath("$.name", equalTo("A"))));
    }

    @Test
    void reconciliationFindsARecordChangedBehindSynclinesBackAndRepairsItOnce() {
        String c = connect("putdest", null);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        event("contact.put", c, "r1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        event("contact.put", c, "r2", contact("u2", "b@b.co", "B")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).stream().filter("sent"::equals)
                .count() == 2);
        // the app still holds u1 as written; someone changed u2's name there behind Syncline's back
        wm.stubFor(get(urlPathEqualTo("/" + c + "/contacts/u1"))
                .willReturn(okJson("{\"id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\"}")));
        wm.stubFor(get(urlPathEqualTo("/" + c + "/contacts/u2"))
                .willReturn(okJson("{\"id\":\"u2\",\"email\":\"b@b.co\",\"name\":\"Bob\"}")));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "putdest", "sync", "contacts-put",
                "connection_id", c)).post("/api/write-checks/run").then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> checks(c).getInt("health.checked") == 2);
        io.restassured.path.json.JsonPath checked = checks(c);
        assertEquals(1, checked.getInt("health.matched"));
        assertEquals("failing", checked.getString("health.status"));
        assertEquals("differs", checked.getString("checks[0].result"));
        assertEquals("u2", checked.getString("checks[0].record_id"));
        assertEquals(Map.of("field", "name", "written", "B", "found", "Bob"), checked.getMap("checks[0].differences[0]"));
        assertEquals("match", checked.getString("checks[1].result"));
        wm.verify(getRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1")).withHeader("X-Api-Key", equalTo("key-" + c)));
        // one call repairs it: what was written is sent again, through the writer, once
        long check = checked.getLong("checks[0].id");
        Api.authed().post("/api/write-checks/" + check + "/repair").then().statusCode(200).body("status", is("queued"));
        await().atMost(Duration.ofSeconds(10)).until(() -> wm.findAll(putRequestedFor(urlPathEqualTo("/" + c
                + "/contacts/u2"))).size() == 2);
        wm.verify(2, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u2")).withRequestBody(matchingJsonPath("$.name",
                equalTo("B"))));
        Api.authed().post("/api/write-checks/" + check + "/repair").then().statusCode(409)
                .contentType("application/problem+json").body("type", containsString("already-repaired"));
        Api.authed().post("/api/write-checks/" + checked.getLong("checks[1].id") + "/repair").then().statusCode(409);
        wm.verify(1, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1")));
    }

    static io.restassured.path.json.JsonPath checks(String c) {
        return Api.authed().queryParam("provider_config_key", "putdest").queryParam("sync", "contacts-put")
                .queryParam("connection_id", c).get("/api/write-checks").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void contentTheDestinationAlreadyReceivedIsNotSentAgain() {
        String c = connect("putdest", null);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        event("contact.put", c, "k1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).equals(List.of("sent")));
        event("contact.put", c, "k2", contact("u1", "a@b.co", "A")).then().statusCode(200)
                .body("results[0].status", is("queued"));
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).equals(List.of("sent", "skipped")));
        wm.verify(1, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1")));
        assertThatDetail(flow("putdest", c).get(1), "unchanged");
    }

    private static void assertThatDetail(Map<String, Object> entry, String contains) {
        assertTrue(String.valueOf(entry.get("detail")).contains(contains), () -> "detail was " + entry.get("detail"));
    }

    @Test
    void badEventsAreRefusedWithProblemsAndStoreNothing() {
        String c = connect("putdest", null);
        given().contentType(ContentType.JSON).header("Connection-Id", c).header("Idempotency-Key", "x")
                .body(contact("u1", "a@b.co", "A")).post("/events/contact.put").then().statusCode(401)
                .contentType("application/problem+json");
        event("contact.put", c, "x", "{\"id\": ").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"));
        Api.authed().contentType(ContentType.TEXT).header("Connection-Id", c).header("Idempotency-Key", "x")
                .body("id=1").post("/events/contact.put").then().statusCode(415)
                .contentType("application/problem+json");
        event("contact.put", c, "x", "{\"id\":\"u1\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}").then()
                .statusCode(413).contentType("application/problem+json");
        event("contact.nobody-takes", c, "x", contact("u1", "a@b.co", "A")).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("contact.nobody-takes"));
        event("contact.put", "no-such-connection", "x", contact("u1", "a@b.co", "A")).then().statusCode(404)
                .contentType("application/problem+json");
        Api.authed().contentType(ContentType.JSON).header("Connection-Id", c).body(contact("u1", "a@b.co", "A"))
                .post("/events/contact.put").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Idempotency-Key"));
        // none of them took the idempotency key: the same key is still new
        event("contact.put", c, "x", "{\"id\":\"u1\"}").then().statusCode(200)
                .body("results[0].status", is("dead_lettered")).body("results[0].errors[0].field", is("email"));
        assertEquals(List.of(), flow("putdest", c));
    }

    @Test
    void a422IsDeadLetteredAtOnceAndAReplayDeliversItAfterTheFix() {
        String c = connect("putdest", null);
        wm.stubFor(put(urlPathEqualTo("/" + c + "/contacts/u1")).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"name is too short\"}")));
        event("contact.put", c, "k1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).equals(List.of("dead")));
        wm.verify(1, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1")));
        JsonPath letters = Api.authed().queryParam("connection_id", c).queryParam("kind", "write")
                .get("/api/dead-letters").then().statusCode(200).extract().jsonPath();
        assertEquals(1, letters.getList("dead_letters").size());
        assertTrue(letters.getString("dead_letters[0].reason").contains("422"));
        assertTrue(letters.getString("dead_letters[0].reason").contains("name is too short"));
        long id = letters.getLong("dead_letters[0].id");
        Api.authed().queryParam("reason", "too short").queryParam("connection_id", c).get("/api/dead-letters").then()
                .body("dead_letters.size()", is(1));

        wm.stubFor(put(urlPathEqualTo("/" + c + "/contacts/u1")).willReturn(okJson("{}")));
        Api.authed().post("/api/dead-letters/" + id + "/replay").then().statusCode(200).body("status", is("queued"));
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).equals(List.of("dead", "sent")));
        Api.authed().get("/api/dead-letters/" + id).then().body("status", is("replayed"));
        Api.authed().post("/api/dead-letters/" + id + "/replay").then().statusCode(409)
                .contentType("application/problem+json");
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedUntilTheWriteGoesThrough() {
        String c = connect("dest", null);
        searchFindsNothing(c);
        String s = "flaky-" + c;
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("500 again"));
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs("500 again")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("slow"));
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs("slow")
                .willReturn(aResponse().withStatus(201).withFixedDelay(2500)).willSetStateTo("fine"));
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs("fine")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"rem-7\"}")));
        event("contact.saved", c, "k1", contact("u7", "g@h.io", "G")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> results("dest", c).contains("sent"));
        List<Map<String, Object>> log = flow("dest", c);
        assertEquals(List.of("retry", "retry", "retry", "sent"), log.stream().map(w -> w.get("result")).toList());
        assertEquals(List.of(500, 503), log.subList(0, 2).stream().map(w -> w.get("status")).toList());
        assertThatDetail(log.get(2), "no answer");
        assertEquals(4, log.get(3).get("attempts"));
        assertEquals("rem-7", log.get(3).get("remote_id"));
    }

    @Test
    void exhaustedRetriesBecomeADeadLetter() {
        String c = connect("putdest", null);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(aResponse().withStatus(500)));
        event("contact.put", c, "k1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> results("putdest", c).contains("dead"));
        assertEquals(8, wm.findAll(putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1"))).size());
        Api.authed().queryParam("connection_id", c).get("/api/dead-letters").then()
                .body("dead_letters[0].reason", containsString("failed 8 times"));
    }

    @Test
    void a429PausesTheConnectionForItsRetryAfter() {
        String c = connect("putdest", null);
        String s = "limited-" + c;
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("ok"));
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).inScenario(s).whenScenarioStateIs("ok")
                .willReturn(okJson("{}")));
        event("contact.put", c, "k1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).contains("sent"));
        List<LoggedRequest> r = requests(c);
        assertEquals(2, r.size());
        long pause = r.get(1).getLoggedDate().getTime() - r.get(0).getLoggedDate().getTime();
        assertTrue(pause >= 1900 && pause < 4000, "paused " + pause + " ms for Retry-After: 2");
    }

    @Test
    void a503WithRateLimitResetPausesTheWholeConnection() {
        String c = connect("putdest", null);
        String s = "reset-" + c;
        wm.stubFor(put(urlPathEqualTo("/" + c + "/contacts/u1")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("X-RateLimit-Reset", "2")).willSetStateTo("ok"));
        wm.stubFor(put(urlPathEqualTo("/" + c + "/contacts/u1")).inScenario(s).whenScenarioStateIs("ok")
                .willReturn(okJson("{}")));
        wm.stubFor(put(urlPathEqualTo("/" + c + "/contacts/u2")).willReturn(okJson("{}")));
        event("contact.put", c, "k1", contact("u1", "a@b.co", "A")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).contains("retry"));
        event("contact.put", c, "k2", contact("u2", "b@b.co", "B")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).stream()
                .filter("sent"::equals).count() == 2);
        List<LoggedRequest> r = requests(c);
        long first = r.get(0).getLoggedDate().getTime();
        // the other record waited too: nothing reached the connection during the pause
        for (LoggedRequest later : r.subList(1, r.size())) {
            assertTrue(later.getLoggedDate().getTime() - first >= 1900, "a request came "
                    + (later.getLoggedDate().getTime() - first) + " ms into a 2 s pause");
        }
    }

    @Test
    void aBatchWithPartialFailuresSettlesEachRecordOnItsOwn() {
        String c = connect("batchdest", null);
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts/batch/upsert")).willReturn(aResponse().withStatus(207)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"status":"COMPLETE",
                         "results":[{"id":"101","properties":{"email":"a@b.co"}},{"id":"102","properties":{"email":"b@b.co"}}],
                         "errors":[{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR",
                                    "context":{"ids":["bad@b.co"]}}]}""")));
        // three events while the writer is not looking would batch; post them in one go and let the linger gather them
        for (String[] r : new String[][] {{"a", "a@b.co"}, {"b", "b@b.co"}, {"bad", "bad@b.co"}}) {
            Api.authed().contentType(ContentType.JSON).header("Connection-Id", c)
                    .body("{\"event_id\":\"ev-" + r[0] + "\",\"id\":\"" + r[0] + "\",\"email\":\"" + r[1] + "\"}")
                    .post("/events/contact.batched").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> results("batchdest", c).size() == 3);
        Map<String, String> byRecord = new HashMap<>();
        Map<String, Object> remote = new HashMap<>();
        flow("batchdest", c).forEach(w -> {
            byRecord.put((String) w.get("record_id"), (String) w.get("result"));
            remote.put((String) w.get("record_id"), w.get("remote_id"));
        });
        assertEquals(Map.of("a", "sent", "b", "sent", "bad", "dead"), byRecord);
        assertEquals("101", remote.get("a"));
        Api.authed().queryParam("connection_id", c).get("/api/dead-letters").then()
                .body("dead_letters.size()", is(1)).body("dead_letters[0].reason", containsString("not valid"));
        wm.findAll(postRequestedFor(urlPathEqualTo("/" + c + "/contacts/batch/upsert"))).forEach(r -> assertTrue(
                r.getBodyAsString().contains("\"idProperty\":\"email\""), r.getBodyAsString()));
    }

    @Test
    void noOneSecondWindowSeesMoreRequestsThanTheConnectionsLimit() {
        int limit = 5;
        String c = connect("putdest", Map.of("rate_requests", limit, "rate_per_seconds", 1));
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        int n = 16;
        for (int i = 0; i < n; i++) {
            event("contact.put", c, "k" + i, contact("u" + i, "u" + i + "@b.co", "U")).then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> results("putdest", c).size() == n);
        List<Long> at = requests(c).stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
        assertEquals(n, at.size());
        for (int i = 0; i + limit < at.size(); i++) {
            long window = at.get(i + limit) - at.get(i);
            assertTrue(window >= 1000, (limit + 1) + " requests within " + window + " ms");
        }
    }

    @Test
    void aWriteRepeatedAfterItsWorkerDiedLeavesOneRecordAtTheDestination() {
        // The first create reaches the destination, but its answer never comes back (the read
        // times out), exactly as when the worker dies between sending and recording: the write is
        // tried again, the search now finds the record, and the repeat updates it instead of
        // creating a second one.
        String c = connect("dest", null);
        String s = "slow-create-" + c;
        wm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"results\":[]}")));
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"rem-1\"}").withFixedDelay(2500)).willSetStateTo("created"));
        wm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).inScenario(s).whenScenarioStateIs("created")
                .willReturn(okJson("{\"results\":[{\"id\":\"rem-1\",\"email\":\"k@l.io\"}]}")));
        wm.stubFor(patch(urlPathEqualTo("/" + c + "/contacts/rem-1")).willReturn(okJson("{\"id\":\"rem-1\"}")));
        event("contact.saved", c, "k1", contact("u9", "k@l.io", "K")).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> results("dest", c).contains("sent"));
        wm.verify(1, postRequestedFor(urlPathEqualTo("/" + c + "/contacts")));
        assertEquals(List.of("retry", "sent"), results("dest", c));
        wm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/rem-1")));
    }

    @Test
    void aStoredWebhookIsPushedOnAsAWriteAndADuplicateIsNot() {
        String c = connect("putdest", null);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "relayin", "connection_id", c))
                .post("/api/connections").then().statusCode(201);
        wm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).header("X-Delivery", "d-1").body(contact("u1", "a@b.co", "Ada"))
                    .post("/webhooks/relay/contacts/" + c).then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> results("putdest", c).equals(List.of("sent")));
        wm.verify(1, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/u1"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("Ada"))));
        Api.authed().header("Connection-Id", c).header("Provider-Config-Key", "relayin").queryParam("model", "Contact")
                .get("/records").then().statusCode(200).body("records.size()", is(1));
    }

    @Test
    void aBatchAnsweredWithoutPerRecordResultsIsSentAsAWhole() {
        String c = connect("batchdest", null);
        wm.stubFor(post(urlPathEqualTo("/" + c + "/contacts/batch/upsert")).willReturn(aResponse().withStatus(204)));
        for (String r : new String[] {"a", "b"}) {
            Api.authed().contentType(ContentType.JSON).header("Connection-Id", c)
                    .body("{\"event_id\":\"ev-" + r + "\",\"id\":\"" + r + "\",\"email\":\"" + r + "@b.co\"}")
                    .post("/events/contact.batched").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> results("batchdest", c).equals(List.of("sent", "sent")));
    }
}
