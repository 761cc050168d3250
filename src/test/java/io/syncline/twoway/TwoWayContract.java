package io.syncline.twoway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;

/**
 * Two-way sync between your app (events in, the changes feed out) and a WireMock CRM (writes
 * out, webhooks in), under test-contact.twoway.yaml: plan is your app's, name is the CRM's,
 * the rest goes to the newest change. Every loop must settle: a change on one side is written
 * to the other once, and its echo is written nowhere.
 */
abstract class TwoWayContract {

    static WireMockServer crm;

    @BeforeAll
    static void start() {
        crm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        crm.start();
    }

    @AfterAll
    static void stop() {
        crm.stop();
    }

    static String connect(String integration) {
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", crm.baseUrl() + "/" + id, "credentials", Map.of("access_token", "tok")))
                .post("/api/connections").then().statusCode(201);
        crm.stubFor(get(urlPathEqualTo("/" + id + "/contacts")).willReturn(okJson("{\"results\":[]}")));
        crm.stubFor(post(urlPathEqualTo("/" + id + "/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"r-new\"}")));
        crm.stubFor(patch(urlPathMatching("/" + id + "/contacts/.*")).willReturn(okJson("{}")));
        return id;
    }

    static String contact(String id, String email, String name, String plan, String updatedAt) {
        return "{\"id\":\"%s\",\"email\":\"%s\",\"name\":\"%s\",\"plan\":\"%s\",\"updated_at\":\"%s\"}"
                .formatted(id, email, name, plan, updatedAt);
    }

    /** Your app reports a change. */
    static JsonPath fromApp(String type, String c, String body) {
        return Api.authed().contentType(ContentType.JSON).header("Connection-Id", c)
                .header("Idempotency-Key", UUID.randomUUID().toString()).body(body).post("/events/" + type).then()
                .statusCode(200).extract().jsonPath();
    }

    /** The CRM reports a change. */
    static JsonPath fromCrm(String integration, String c, String body) {
        return given().contentType(ContentType.JSON).header("X-Delivery", UUID.randomUUID().toString()).body(body)
                .post("/webhooks/" + integration + "/contacts/" + c).then().statusCode(200).extract().jsonPath();
    }

    /** The feed once it serves every committed change of the connection. */
    static List<Map<String, Object>> feed(String integration, String c) {
        await().atMost(Duration.ofSeconds(10)).until(() -> io.syncline.support.Db.unserved(integration, c) == 0);
        return Api.authed().header("Connection-Id", c).header("Provider-Config-Key", integration)
                .queryParam("model", "Contact").get("/records").then().statusCode(200).extract().jsonPath()
                .getList("records");
    }

    static int crmRequests(String c) {
        return crm.findAll(anyRequestedFor(urlPathMatching("/" + c + "/.*"))).size();
    }

    static long sent(String integration, String c) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", c)
                .get("/api/flow").then().extract().jsonPath().getList("writes.result").stream()
                .filter("sent"::equals).count();
    }

    @Test
    void aChangeInYourAppIsWrittenToTheCrmOnceAndItsEchoGoesNowhere() {
        String c = connect("crm2");
        assertEquals("queued", fromApp("contact.changed", c, contact("u1", "ada@x.io", "Ada", "pro", "2026-11-21T10:00:00Z"))
                .getString("results[0].status"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm2", c) == 1);
        crm.verify(1, postRequestedFor(urlPathEqualTo("/" + c + "/contacts"))
                .withRequestBody(matchingJsonPath("$.plan", equalTo("pro"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> feed("crm2", c).size() == 1);
        int requests = crmRequests(c);

        // the CRM's webhook about the record Syncline just created there: an echo
        fromCrm("crm2", c, contact("r-new", "ada@x.io", "Ada", "pro", "2026-11-21T10:00:01Z"));
        // your app applies the feed and reports the same values back: an echo too
        fromApp("contact.changed", c, contact("u1", "ada@x.io", "Ada", "pro", "2026-11-21T10:00:02Z"));

        assertEquals(requests, crmRequests(c), "nothing more was written to the CRM");
        assertEquals(1, sent("crm2", c));
        List<Map<String, Object>> records = feed("crm2", c);
        assertEquals(1, records.size());
        assertEquals("ADDED", ((Map<?, ?>) records.get(0).get("_sync_metadata")).get("last_action"));
        assertEquals("r-new", records.get(0).get("id"));
    }

    @Test
    void aChangeInTheCrmReachesYourAppAndYourEchoIsNotWrittenBack() {
        String c = connect("crm2");
        fromCrm("crm2", c, contact("r2", "bo@x.io", "Bo", "free", "2026-11-21T10:00:00Z"));
        List<Map<String, Object>> records = feed("crm2", c);
        assertEquals(1, records.size());
        assertEquals("Bo", records.get(0).get("name"));

        // your app creates its own copy (initial match by email) and reports it: linked, not duplicated
        assertEquals("unchanged", fromApp("contact.changed", c, contact("u2", "bo@x.io", "Bo", "free", "2026-11-21T10:00:05Z"))
                .getString("results[0].status"));
        assertEquals(0, crmRequests(c));

        // a real change in your app goes to the record the CRM already has
        fromApp("contact.changed", c, contact("u2", "bo@x.io", "Bo", "pro", "2026-11-21T10:01:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm2", c) == 1);
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r2"))
                .withRequestBody(matchingJsonPath("$.plan", equalTo("pro"))));
        crm.verify(0, postRequestedFor(urlPathEqualTo("/" + c + "/contacts")));
    }

    @Test
    void aRecordBothSidesAlreadyHaveIsFoundByEmailAndNotCreatedTwice() {
        String c = connect("crm2");
        crm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).withQueryParam("email", equalTo("cy@x.io"))
                .willReturn(okJson("{\"results\":[{\"id\":\"r3\",\"email\":\"cy@x.io\"}]}")));
        fromApp("contact.changed", c, contact("u3", "cy@x.io", "Cy", "team", "2026-11-21T10:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm2", c) == 1);
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r3")));
        crm.verify(0, postRequestedFor(urlPathEqualTo("/" + c + "/contacts")));
        assertEquals("r3", feed("crm2", c).get(0).get("id"));
    }

    @Test
    void fieldsOwnedByOneSideAreNeverWrittenFromTheOther() {
        String c = connect("crm2");
        fromCrm("crm2", c, contact("r4", "di@x.io", "Di", "free", "2026-11-21T10:00:00Z"));
        fromApp("contact.changed", c, contact("u4", "di@x.io", "Di", "free", "2026-11-21T10:00:01Z"));
        // the CRM changes the plan (your app's) and your app changes the name (the CRM's)
        fromCrm("crm2", c, contact("r4", "di@x.io", "Di", "enterprise", "2026-11-21T10:05:00Z"));
        assertEquals("unchanged", fromApp("contact.changed", c, contact("u4", "di@x.io", "Diana", "free", "2026-11-21T10:06:00Z"))
                .getString("results[0].status"));
        assertEquals(0, crmRequests(c));
        Map<String, Object> record = feed("crm2", c).get(0);
        assertEquals("free", record.get("plan"));
        assertEquals("Di", record.get("name"));
    }

    @Test
    void underLatestTheNewerOfTwoConcurrentChangesWins() {
        String c = connect("crm2");
        fromCrm("crm2", c, contact("r5", "ed@x.io", "Ed", "free", "2026-11-21T10:00:00Z"));
        fromApp("contact.changed", c, contact("u5", "ed@x.io", "Ed", "free", "2026-11-21T10:00:01Z"));
        // the CRM renames the email at 10:10; your app, not having seen it, changed it at 10:09
        fromCrm("crm2", c, contact("r5", "ed@crm.io", "Ed", "free", "2026-11-21T10:10:00Z"));
        assertEquals("unchanged", fromApp("contact.changed", c,
                contact("u5", "ed@app.io", "Ed", "free", "2026-11-21T10:09:00Z")).getString("results[0].status"));
        assertEquals(0, crmRequests(c));
        assertEquals("ed@crm.io", feed("crm2", c).get(0).get("email"));
        // a later change of your app's is newer, and wins
        assertEquals("queued", fromApp("contact.changed", c,
                contact("u5", "ed@app.io", "Ed", "free", "2026-11-21T10:11:00Z")).getString("results[0].status"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm2", c) == 1);
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r5"))
                .withRequestBody(matchingJsonPath("$.email", equalTo("ed@app.io"))));
    }

    @Test
    void underReviewAConflictWaitsForAPersonAndTheChoiceIsWritten() {
        String c = connect("crm3");
        fromCrm("crm3", c, contact("r6", "fi@x.io", "Fi", "free", "2026-11-21T10:00:00Z"));
        fromApp("contact.reviewed", c, contact("u6", "fi@x.io", "Fi", "free", "2026-11-21T10:00:01Z"));
        fromCrm("crm3", c, contact("r6", "fi@x.io", "Fiona (CRM)", "free", "2026-11-21T10:10:00Z"));
        JsonPath answer = fromApp("contact.reviewed", c,
                contact("u6", "fi@x.io", "Fiona (app)", "free", "2026-11-21T10:11:00Z"));
        assertEquals("unchanged", answer.getString("results[0].status"));
        assertEquals(1, answer.getInt("results[0].conflicts"));

        JsonPath open = Api.authed().queryParam("connection_id", c).get("/api/conflicts").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(1, open.getList("conflicts").size());
        assertEquals("name", open.getString("conflicts[0].field"));
        assertEquals("Fiona (app)", open.getString("conflicts[0].app_value"));
        assertEquals("Fiona (CRM)", open.getString("conflicts[0].remote_value"));
        assertEquals("u6", open.getString("conflicts[0].record_id"));
        assertEquals(0, crmRequests(c));

        long id = open.getLong("conflicts[0].id");
        Api.authed().contentType(ContentType.JSON).body("{\"pick\":\"sideways\"}").post("/api/conflicts/" + id
                + "/resolve").then().statusCode(400).contentType("application/problem+json");
        Api.authed().contentType(ContentType.JSON).body("{\"pick\":\"app\"}").post("/api/conflicts/" + id + "/resolve")
                .then().statusCode(200).body("status", is("resolved")).body("resolution", is("Fiona (app)"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm3", c) == 1);
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r6"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("Fiona (app)"))));
        assertEquals("Fiona (app)", feed("crm3", c).get(0).get("name"));
        Api.authed().contentType(ContentType.JSON).body("{\"pick\":\"app\"}").post("/api/conflicts/" + id + "/resolve")
                .then().statusCode(409);
    }

    @Test
    void byPollingTooAChangeInYourAppIsWrittenOnceAndReadBackAsAnEcho() {
        String c = connect("crm4");
        // the CRM's list API: first the record as it was, then (after Syncline's write) with the new plan
        crm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).atPriority(1).willReturn(okJson(
                "{\"results\":[" + contact("r7", "gus@x.io", "Gus", "free", "2026-11-21T10:00:00Z") + "]}")));
        await().atMost(Duration.ofSeconds(15)).until(() -> feed("crm4", c).size() == 1);
        assertEquals("unchanged", fromApp("contact.polled", c,
                contact("u7", "gus@x.io", "Gus", "free", "2026-11-21T10:00:01Z")).getString("results[0].status"));
        fromApp("contact.polled", c, contact("u7", "gus@x.io", "Gus", "pro", "2026-11-21T10:05:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent("crm4", c) == 1);
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r7"))
                .withRequestBody(matchingJsonPath("$.plan", equalTo("pro"))));
        crm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).atPriority(1).willReturn(okJson(
                "{\"results\":[" + contact("r7", "gus@x.io", "Gus", "pro", "2026-11-21T10:05:01Z") + "]}")));
        int polls = crm.findAll(getRequestedFor(urlPathEqualTo("/" + c + "/contacts"))).size();
        await().atMost(Duration.ofSeconds(15)).until(() -> crm.findAll(getRequestedFor(urlPathEqualTo("/" + c
                + "/contacts"))).size() >= polls + 2);
        assertEquals(1, sent("crm4", c), "the poll read back Syncline's own write: nothing more was written");
        assertEquals("pro", feed("crm4", c).get(0).get("plan"));
        crm.verify(1, patchRequestedFor(urlPathMatching("/" + c + "/contacts/.*")));
        crm.verify(0, postRequestedFor(urlPathEqualTo("/" + c + "/contacts")));
    }
}
