package io.syncline.schedule;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
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
import io.syncline.support.Api;
import io.syncline.support.Signing;

/**
 * Polling syncs against a WireMock source: every pagination style, incremental reads with a
 * lookback, full refresh with deletion detection and its guards, resuming after a failed page,
 * Retry-After, rejected credentials, overlapping slots, the control API, and the signed
 * webhook to your app.
 */
abstract class PollingContract {

    static WireMockServer wm;

    @BeforeAll
    static void source() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stopSource() {
        wm.stop();
    }

    /** A new connection of the integration whose source lives under its own path on WireMock. */
    String connect(String integration, Map<String, Object> metadata) {
        String id = "p" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> body = new HashMap<>(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", wm.baseUrl() + "/" + id, "credentials", Map.of("access_token", "tok-" + id)));
        if (metadata != null) {
            body.put("metadata", metadata);
        }
        Api.authed().contentType(ContentType.JSON).body(body).post("/api/connections").then().statusCode(201);
        return id;
    }

    String connect(String integration) {
        return connect(integration, null);
    }

    static String contact(String id, String updatedAt) {
        return "{\"id\":\"%s\",\"email\":\"%s@EXAMPLE.com\",\"updated_at\":\"%s\"}".formatted(id, id, updatedAt);
    }

    static String items(String... contacts) {
        return "{\"items\":[" + String.join(",", contacts) + "]}";
    }

    int runCount(String integration, String conn) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", conn)
                .get("/api/runs").then().statusCode(200).extract().jsonPath().getList("runs").size();
    }

    /** Triggers the sync and waits for the run it causes to finish; returns that run. */
    JsonPath triggerAndWait(String integration, String conn, Map<String, Object> opts) {
        return triggerAndWait(integration, conn, opts, null);
    }

    /** {@link #triggerAndWait} of a scoped run. */
    JsonPath triggerAndWait(String integration, String conn, Map<String, Object> opts, Map<String, Object> scope) {
        int before = runCount(integration, conn);
        Map<String, Object> body = new HashMap<>(Map.of("provider_config_key", integration, "connection_id", conn,
                "syncs", List.of("contacts")));
        if (opts != null) {
            body.put("opts", opts);
        }
        if (scope != null) {
            body.put("scope", scope);
        }
        JsonPath started = Api.authed().contentType(ContentType.JSON).body(body).post("/sync/trigger").then()
                .statusCode(200).body("success", is(true)).body("runs[0].status", is("started"))
                .extract().jsonPath();
        long id = started.getLong("runs[0].run_id");
        // the answer names the run, which can be polled until it finishes
        await().atMost(Duration.ofSeconds(30)).until(() -> !"RUNNING".equals(Api.authed().get("/api/runs/" + id)
                .then().statusCode(200).extract().jsonPath().getString("status")));
        JsonPath run = awaitRun(integration, conn, before + 1);
        assertEquals(id, run.getLong("id"), "the run the trigger named is the newest one");
        return run;
    }

    JsonPath awaitRun(String integration, String conn, int nth) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath runs = runs(integration, conn);
            return runs.getList("runs").size() >= nth && !"RUNNING".equals(runs.getString("runs[0].status"));
        });
        return new JsonPath(runs(integration, conn).prettify()).setRootPath("runs[0]");
    }

    JsonPath runs(String integration, String conn) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", conn)
                .get("/api/runs").then().extract().jsonPath();
    }

    List<Map<String, Object>> feed(String integration, String conn) {
        await().atMost(Duration.ofSeconds(10)).until(() -> unserved(integration, conn) == 0);
        return Api.authed().header("Connection-Id", conn).header("Provider-Config-Key", integration)
                .queryParam("model", "Contact").queryParam("limit", 1000).get("/records").then().statusCode(200)
                .extract().jsonPath().getList("records");
    }

    /** Records committed but not served by the feed yet. */
    long unserved(String integration, String conn) {
        return io.syncline.support.Db.unserved(integration, conn);
    }

    static Map<String, String> actions(List<Map<String, Object>> feed) {
        Map<String, String> out = new HashMap<>();
        for (Map<String, Object> r : feed) {
            out.put((String) r.get("id"), (String) ((Map<?, ?>) r.get("_sync_metadata")).get("last_action"));
        }
        return out;
    }

    List<LoggedRequest> requests(String conn) {
        return wm.findAll(getRequestedFor(urlPathEqualTo("/" + conn + "/contacts")));
    }

    // ---- pagination styles ----

    @Test
    void cursorPagesIncrementallyAndRereadsTheLookbackWithoutCountingTwice() {
        String conn = connect("src-cursor");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withHeader("Authorization", equalTo("Bearer tok-" + conn))
                .withQueryParam("cursor", absent())
                .willReturn(okJson("{\"results\":[" + contact("a", "2026-11-20T10:00:00Z") + ","
                        + contact("b", "2026-11-20T11:00:00Z") + "],\"next_cursor\":\"c2\"}")));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("cursor", equalTo("c2"))
                .willReturn(okJson("{\"results\":[" + contact("c", "2026-11-20T12:00:00Z") + "],\"next_cursor\":null}")));
        JsonPath run = triggerAndWait("src-cursor", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(3, run.getInt("counts.added"));
        assertEquals(2, run.getInt("pages"));
        assertEquals(List.of("a", "b", "c"), feed("src-cursor", conn).stream().map(r -> r.get("id")).toList());
        assertEquals("a@example.com", feed("src-cursor", conn).get(0).get("email"));
        assertFalse(requests(conn).get(0).queryParameter("updated_since").isPresent(), "the first run reads everything");

        JsonPath second = triggerAndWait("src-cursor", conn, null);
        assertEquals("SUCCESS", second.getString("status"));
        assertEquals(0, second.getInt("counts.added") + second.getInt("counts.updated"));
        assertEquals(3, second.getInt("counts.unchanged"), "re-read records are recognised, not updated");
        List<LoggedRequest> all = requests(conn);
        assertEquals("2026-11-20T11:59:00Z", all.get(all.size() - 2).queryParameter("updated_since").firstValue(),
                "the high-water mark minus the 60 s lookback");
    }

    @Test
    void linkHeaderPagination() {
        String conn = connect("src-link");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("page", absent())
                .willReturn(okJson("[" + contact("a", "2026-11-20T10:00:00Z") + "]")
                        .withHeader("Link", "<" + wm.baseUrl() + path + "?page=2>; rel=\"next\", <"
                                + wm.baseUrl() + path + "?page=9>; rel=\"last\"")));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("[" + contact("b", "2026-11-20T10:00:00Z") + "]")));
        JsonPath run = triggerAndWait("src-link", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(List.of("a", "b"), feed("src-link", conn).stream().map(r -> r.get("id")).toList());
    }

    @Test
    void aRouteOfYourOwnAsksForARunWithSynclinePoll() {
        String conn = connect("src-offset");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("0"))
                .willReturn(okJson(items(contact("r1", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("1"))
                .willReturn(okJson(items())));
        long id = io.restassured.RestAssured.given().post("/test/poll-now/" + conn).then().statusCode(200)
                .body("runs[0].status", is("started")).extract().jsonPath().getLong("runs[0].run_id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCESS".equals(Api.authed().get("/api/runs/" + id)
                .then().statusCode(200).extract().jsonPath().getString("status")));
        assertEquals("route", Api.authed().get("/api/runs/" + id).then().extract().jsonPath().getString("trigger"));
        assertEquals(List.of("r1"), feed("src-offset", conn).stream().map(r -> r.get("id")).toList());
    }

    @Test
    void offsetPagination() {
        String conn = connect("src-offset");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("0")).withQueryParam("limit", equalTo("2"))
                .willReturn(okJson(items(contact("a", "x"), contact("b", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("2"))
                .willReturn(okJson(items(contact("c", "x")))));
        JsonPath run = triggerAndWait("src-offset", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(List.of("a", "b", "c"), feed("src-offset", conn).stream().map(r -> r.get("id")).toList());
    }

    @Test
    void pageNumberPagination() {
        String conn = connect("src-page");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("1"))
                .willReturn(okJson(items(contact("a", "x"), contact("b", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("2"))
                .willReturn(okJson(items())));
        JsonPath run = triggerAndWait("src-page", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(2, run.getInt("pages"));
        assertEquals(List.of("a", "b"), feed("src-page", conn).stream().map(r -> r.get("id")).toList());
    }

    @Test
    void nextUrlPaginationResolvesRelativeUrls() {
        String conn = connect("src-nexturl");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("after", absent())
                .willReturn(okJson("{\"data\":[" + contact("a", "x") + "],\"next\":\"contacts?after=a\"}")));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("after", equalTo("a"))
                .willReturn(okJson("{\"data\":[" + contact("b", "x") + "],\"next\":null}")));
        JsonPath run = triggerAndWait("src-nexturl", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(List.of("a", "b"), feed("src-nexturl", conn).stream().map(r -> r.get("id")).toList());
    }

    // ---- full refresh and deletes ----

    void fullSource(String conn, String... ids) {
        fullSourceOf(conn, java.util.Arrays.stream(ids).map(i -> contact(i, "x")).toArray(String[]::new));
    }

    @Test
    void fullRefreshDeletesOnlyWhatACompleteRunDidNotSee() {
        String conn = connect("src-full");
        fullSource(conn, "a", "b", "c", "d", "e");
        assertEquals(5, triggerAndWait("src-full", conn, null).getInt("counts.added"));
        fullSource(conn, "a", "b", "c", "e");
        JsonPath second = triggerAndWait("src-full", conn, null);
        assertEquals("SUCCESS", second.getString("status"), second.prettify());
        assertEquals(1, second.getInt("counts.deleted"));
        assertEquals(4, second.getInt("counts.unchanged"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "DELETED".equals(actions(feed("src-full", conn)).get("d")));
        assertEquals("ADDED", actions(feed("src-full", conn)).get("a"));
    }

    @Test
    void aFailedRunDeletesNothing() {
        String conn = connect("src-full");
        fullSource(conn, "a", "b", "c", "d");
        triggerAndWait("src-full", conn, null);
        wm.removeStubsByMetadata(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.conn",
                equalTo(conn)));
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("page", equalTo("1")).withMetadata(Map.of("conn", conn))
                .willReturn(okJson(items(contact("a", "x"), contact("b", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("page", equalTo("2")).withMetadata(Map.of("conn", conn))
                .willReturn(aResponse().withStatus(500)));
        JsonPath failed = triggerAndWait("src-full", conn, null);
        assertEquals("ERROR", failed.getString("status"));
        assertEquals("source_error", failed.getString("error.type"));
        assertEquals(0, failed.getInt("counts.deleted"));
        assertTrue(actions(feed("src-full", conn)).values().stream().noneMatch("DELETED"::equals));
    }

    @Test
    void anEmptySourceIsSuspiciousAndItsDeletesWaitForApproval() {
        String hook = "/review-hook-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo(hook)).willReturn(aResponse().withStatus(204)));
        String conn = connect("src-full", Map.of("notify_url", wm.baseUrl() + hook));
        fullSource(conn, "a", "b", "c");
        triggerAndWait("src-full", conn, null);
        fullSource(conn);
        JsonPath held = triggerAndWait("src-full", conn, null);
        assertEquals("AWAITING_APPROVAL", held.getString("status"), held.prettify());
        assertEquals("awaiting_approval", held.getString("error.type"));
        assertTrue(held.getString("error.description").contains("3 of 3"), held.getString("error.description"));
        assertEquals(3, feed("src-full", conn).size());
        assertTrue(actions(feed("src-full", conn)).values().stream().noneMatch("DELETED"::equals));
        // your app is told, and the review shows exactly what would go
        await().atMost(Duration.ofSeconds(15)).until(() -> wm.findAll(postRequestedFor(urlPathEqualTo(hook))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("\"delete_review\"")));
        assertTrue(wm.findAll(postRequestedFor(urlPathEqualTo(hook))).stream().anyMatch(r -> r.getBodyAsString()
                .contains("\"awaiting_approval\"")), "the run's failure notice goes out as before");
        // the Nango-shaped status keeps its statuses: the run did not finish its work
        Api.authed().queryParam("provider_config_key", "src-full").queryParam("syncs", "contacts")
                .queryParam("connection_id", conn).get("/sync/status").then().statusCode(200)
                .body("syncs[0].status", is("ERROR")).body("syncs[0].error.type", is("awaiting_approval"));
        long review = Api.authed().queryParam("provider_config_key", "src-full").queryParam("connection_id", conn)
                .queryParam("status", "pending").get("/api/delete-reviews").then().statusCode(200)
                .body("reviews.size()", is(1)).body("reviews[0].deletes", is(3)).extract().jsonPath()
                .getLong("reviews[0].id");
        Api.authed().get("/api/delete-reviews/" + review).then().statusCode(200)
                .body("records.id", org.hamcrest.Matchers.contains("a", "b", "c"))
                .body("records[0].record.email", is("a@example.com"));
        // approval applies exactly the preview, once
        Api.authed().post("/api/delete-reviews/" + review + "/approve").then().statusCode(200).body("deleted", is(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> actions(feed("src-full", conn)).values().stream()
                .allMatch("DELETED"::equals));
        Api.authed().post("/api/delete-reviews/" + review + "/approve").then().statusCode(409)
                .contentType("application/problem+json").body("type", containsString("review-decided"));
    }

    @Test
    void anApprovalForAPreviewTheSourceNoLongerMatchesIsRefused() {
        String conn = connect("src-full");
        fullSource(conn, "a", "b", "c");
        triggerAndWait("src-full", conn, null);
        fullSource(conn);
        assertEquals("AWAITING_APPROVAL", triggerAndWait("src-full", conn, null).getString("status"));
        long review = Api.authed().queryParam("provider_config_key", "src-full").queryParam("connection_id", conn)
                .get("/api/delete-reviews").then().statusCode(200).extract().jsonPath().getLong("reviews[0].id");
        // the source lists the records again: a later run sees them, so the preview is stale
        fullSource(conn, "a", "b", "c");
        assertEquals("SUCCESS", triggerAndWait("src-full", conn, null).getString("status"));
        Api.authed().post("/api/delete-reviews/" + review + "/approve").then().statusCode(409)
                .contentType("application/problem+json").body("type", containsString("preview-stale"))
                .body("detail", containsString("3 of the records"));
        assertEquals(3, feed("src-full", conn).size());
        assertTrue(actions(feed("src-full", conn)).values().stream().noneMatch("DELETED"::equals));
    }

    // ---- per-connection mapping overlays, scoped runs, drift ----

    /** A full-refresh source of the given contact documents, two a page. */
    void fullSourceOf(String conn, String... contacts) {
        String path = "/" + conn + "/contacts";
        wm.removeStubsByMetadata(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.conn",
                equalTo(conn)));
        for (int page = 1; page <= contacts.length / 2 + 1; page++) {
            int from = Math.min((page - 1) * 2, contacts.length);
            int to = Math.min(page * 2, contacts.length);
            wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("page", equalTo(Integer.toString(page)))
                    .withMetadata(Map.of("conn", conn))
                    .willReturn(okJson(items(java.util.Arrays.copyOfRange(contacts, from, to)))));
        }
    }

    static String scored(String id, Integer score) {
        return "{\"id\":\"%s\",\"email\":\"%s@example.com\",\"updated_at\":\"x\"%s}".formatted(id, id,
                score == null ? "" : ",\"custom\":{\"score\":" + score + "}");
    }

    String overlayPath(String conn) {
        return "/api/overlays/src-full/" + conn + "/contacts";
    }

    @Test
    void anOverlayChangesOneConnectionAndItsBackfillWritesOnlyTheRecordsWhoseContentChanges() {
        String mine = connect("src-full");
        String theirs = connect("src-full");
        for (String conn : List.of(mine, theirs)) {
            fullSourceOf(conn, scored("a", 5), scored("b", null), scored("c", 7));
            assertEquals(3, triggerAndWait("src-full", conn, null).getInt("counts.added"));
        }
        // the app describes its custom fields: the customer picks one by its label
        wm.stubFor(get(urlPathEqualTo("/" + mine + "/fields")).willReturn(okJson("{\"results\":[{\"name\":\"score\","
                + "\"label\":\"Lead score\",\"type\":\"number\"},{\"name\":\"tier\",\"label\":\"Tier\"}]}")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(described(mine)
                .getOrDefault("$['custom']['score']", Map.of()).get("seen")));
        Map<String, Map<String, Object>> described = described(mine);
        assertEquals("Lead score", described.get("$['custom']['score']").get("label"));
        assertEquals(false, described.get("$['custom']['score']").get("mapped"));
        assertEquals(true, described.get("$['custom']['score']").get("seen"));
        assertEquals(false, described.get("$['custom']['tier']").get("seen"), "described, never delivered yet");
        // a preview maps real records of the connection, and saves nothing
        Map<String, Object> overlay = Map.of("fields", Map.of("score", Map.of("path", "$.custom.score", "type", "number")));
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", overlay)).post(overlayPath(mine) + "/preview")
                .then().statusCode(200).body("counts.updated", is(2)).body("counts.unchanged", is(1));
        Api.authed().get(overlayPath(mine)).then().statusCode(200).body("version", is(0));

        int before = runCount("src-full", mine);
        JsonPath saved = Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", overlay, "note", "hubspot score"))
                .put(overlayPath(mine)).then().statusCode(200).body("version", is(1))
                .body("backfill.status", is("started")).extract().jsonPath();
        JsonPath backfill = awaitRun("src-full", mine, before + 1);
        assertEquals(saved.getLong("backfill.run_id"), backfill.getLong("id"));
        assertEquals("backfill", backfill.getString("trigger"));
        assertEquals(2, backfill.getInt("counts.updated"), "only the records that carry the new field change");
        assertEquals(1, backfill.getInt("counts.unchanged"));
        assertEquals(0, backfill.getInt("counts.deleted"));
        Map<String, Map<String, Object>> byId = new HashMap<>();
        feed("src-full", mine).forEach(r -> byId.put((String) r.get("id"), r));
        assertEquals(5, byId.get("a").get("score"));
        assertFalse(byId.get("b").containsKey("score"), "a record without the custom field gets no null");
        assertTrue(feed("src-full", theirs).stream().noneMatch(r -> r.containsKey("score")),
                "the other connection's records are untouched");
        assertEquals(0, triggerAndWait("src-full", theirs, null).getInt("counts.updated"));
        assertEquals(true, described(mine).get("$['custom']['score']").get("mapped"), "the overlay maps it now");

        // mistakes are refused with the field and the reason, and save nothing
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", Map.of("drop", List.of("nickname"))))
                .put(overlayPath(mine)).then().statusCode(400).contentType("application/problem+json")
                .body("detail", is("overlay: drop: 'nickname' is not a field of the mapping; expected one of "
                        + "[id, email, updated_at]"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", Map.of("fields", Map.of("email",
                Map.of("type", "number"))))).put(overlayPath(mine)).then().statusCode(400)
                .body("detail", containsString("fields.email.type: the base mapping declares 'string'"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", Map.of("fields", Map.of("score",
                Map.of("path", "$.custom[?(", "type", "number"))))).put(overlayPath(mine)).then().statusCode(400)
                .body("detail", containsString("overlay: fields.score.path: '$.custom[?(' is not a valid JSONPath"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", Map.of("fields", Map.of("score",
                Map.of("path", "$.custom.score", "transforms", List.of("no_such")))))).put(overlayPath(mine))
                .then().statusCode(400).body("detail", containsString("fields.score.transforms[0]"));
        Api.authed().get(overlayPath(mine)).then().statusCode(200).body("version", is(1));

        // versioned: a rename, then one call reverts to the first version
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", "rename: { email: work_email }\n"))
                .put(overlayPath(mine)).then().statusCode(200).body("version", is(2));
        Api.authed().contentType(ContentType.JSON).body(Map.of("version", 1)).post(overlayPath(mine) + "/revert")
                .then().statusCode(200).body("version", is(3)).body("note", is("revert to version 1"));
        Api.authed().get(overlayPath(mine)).then().statusCode(200).body("versions.size()", is(3))
                .body("overlay.fields.score.path", is("$.custom.score")).body("versions[2].note", is("hubspot score"));
        Api.authed().get("/api/overlays/src-full/nobody/contacts").then().statusCode(200).body("version", is(0));
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", overlay)).put("/api/overlays/src-full/nobody/contacts")
                .then().statusCode(404);
    }

    @Test
    void aScopedResyncTouchesOnlyItsScopeAndDeletesNothingElse() {
        String conn = connect("src-full");
        fullSourceOf(conn, scored("a", 1), scored("b", 1), scored("c", 1), scored("d", 1));
        assertEquals(4, triggerAndWait("src-full", conn, null).getInt("counts.added"));
        // the source changes a and b, and no longer lists c and d
        fullSourceOf(conn, scored("a", 1).replace("a@example", "a2@example"),
                scored("b", 1).replace("b@example", "b2@example"));
        JsonPath scoped = triggerAndWait("src-full", conn, null, Map.of("ids", List.of("a")));
        assertEquals("SUCCESS", scoped.getString("status"), scoped.prettify());
        assertEquals("scope_ids", scoped.getString("trigger"));
        assertEquals(1, scoped.getInt("counts.updated"));
        assertEquals(0, scoped.getInt("counts.deleted"));
        Map<String, String> emails = new HashMap<>();
        feed("src-full", conn).forEach(r -> emails.put((String) r.get("id"), (String) r.get("email")));
        assertEquals(Map.of("a", "a2@example.com", "b", "b@example.com", "c", "c@example.com", "d", "d@example.com"),
                emails, "only a changed; c and d were not deleted by a run that did not look for them");
        JsonPath nothing = triggerAndWait("src-full", conn, null, Map.of("ids", List.of("zzz")));
        assertEquals("SUCCESS", nothing.getString("status"));
        assertEquals(0, nothing.getInt("counts.added") + nothing.getInt("counts.updated") + nothing.getInt("counts.deleted"));
        // a bad scope is refused before anything runs
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-full", "connection_id", conn,
                "scope", Map.of("field", "nope"))).post("/sync/trigger").then().statusCode(400)
                .body("detail", containsString("'nope' is not a field of the mapping"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-full", "connection_id", conn,
                "scope", Map.of("modified_after", "2026-01-01T00:00:00Z"))).post("/sync/trigger").then().statusCode(400)
                .body("errors[0].problem", containsString("declares no modifiedField"));
    }

    @Test
    void aTimeWindowReadsFromItsStartAndStoresOnlyWhatFallsInside() {
        String conn = connect("src-cursor");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("{\"results\":[" + contact("a", "2026-11-20T10:00:00Z")
                + "," + contact("b", "2026-11-21T10:00:00Z") + "],\"next_cursor\":null}")));
        assertEquals(2, triggerAndWait("src-cursor", conn, null).getInt("counts.added"));
        wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("{\"results\":[" + contact("a", "2026-11-20T10:00:00Z")
                .replace("a@", "a3@") + "," + contact("b", "2026-11-21T10:00:00Z").replace("b@", "b3@")
                + "],\"next_cursor\":null}")));
        JsonPath scoped = triggerAndWait("src-cursor", conn, null, Map.of("modified_after", "2026-11-21T00:00:00Z",
                "modified_before", "2026-11-22T00:00:00Z"));
        assertEquals("scope_window", scoped.getString("trigger"));
        assertEquals(1, scoped.getInt("counts.updated"), scoped.prettify());
        List<LoggedRequest> all = requests(conn);
        assertEquals("2026-11-21T00:00:00Z", all.get(all.size() - 1).queryParameter("updated_since").firstValue(),
                "the source is asked from the window's start, without the lookback");
        Map<String, String> emails = new HashMap<>();
        feed("src-cursor", conn).forEach(r -> emails.put((String) r.get("id"), (String) r.get("email")));
        assertEquals("a@example.com", emails.get("a"));
        assertEquals("b3@example.com", emails.get("b"));
    }

    @Test
    void anIncrementalSyncReadsTheWholeSourceAgainEveryReconcileEvery() {
        String conn = connect("src-reconcile");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("{\"results\":[" + contact("a", "2026-11-20T10:00:00Z")
                + "],\"next_cursor\":null}")));
        assertEquals(1, triggerAndWait("src-reconcile", conn, null).getInt("counts.added"));
        Map<String, Object> pair = Map.of("provider_config_key", "src-reconcile", "connection_id", conn);
        Api.authed().contentType(ContentType.JSON).body(pair).post("/sync/start").then().statusCode(200);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs("src-reconcile", conn).getList("runs.trigger")
                    .contains("reconcile"));
        } finally {
            Api.authed().contentType(ContentType.JSON).body(pair).post("/sync/pause").then().statusCode(200);
        }
        JsonPath all = runs("src-reconcile", conn);
        List<String> triggers = all.getList("runs.trigger");
        assertTrue(triggers.indexOf("reconcile") < triggers.size() - 1, "an ordinary incremental run came first");
        // the reconciling run asked for everything; the runs around it asked for changes since the mark
        List<LoggedRequest> asked = requests(conn);
        assertTrue(asked.stream().anyMatch(r -> r.queryParameter("updated_since").isPresent()));
        assertTrue(asked.stream().skip(1).anyMatch(r -> !r.queryParameter("updated_since").isPresent()),
                "a later run read the whole source again");
    }

    @Test
    void driftIsReportedForNewRetypedAndVanishedFields() {
        String hook = "/drift-hook-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo(hook)).willReturn(aResponse().withStatus(204)));
        String conn = connect("src-full", Map.of("notify_url", wm.baseUrl() + hook));
        fullSourceOf(conn, contact("a", "2026-11-20T10:00:00Z"));
        triggerAndWait("src-full", conn, null);
        // the first documents are the source's schema: no drift
        await().atMost(Duration.ofSeconds(10)).until(() -> fields(conn).size() == 3);
        assertEquals(List.of(), drift(conn));
        // a new field appears, and updated_at, which the mapping reads, turns into a number
        fullSourceOf(conn, "{\"id\":\"a\",\"email\":\"a@example.com\",\"updated_at\":1732100000,\"nickname\":\"zq-private-value\"}");
        triggerAndWait("src-full", conn, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> drift(conn).size() == 2);
        Map<String, Map<String, Object>> byPath = new HashMap<>();
        drift(conn).forEach(d -> byPath.put((String) d.get("path"), d));
        assertEquals("new", byPath.get("$['nickname']").get("kind"));
        assertEquals("retyped", byPath.get("$['updated_at']").get("kind"));
        assertEquals("string", byPath.get("$['updated_at']").get("previous_type"));
        assertEquals("number", byPath.get("$['updated_at']").get("type"));
        // updated_at stops arriving while documents keep coming (vanished-after is 2 s in the tests)
        fullSourceOf(conn, "{\"id\":\"a\",\"email\":\"a@example.com\",\"nickname\":\"zq-private-value\"}");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            triggerAndWait("src-full", conn, null);
            return drift(conn).stream().anyMatch(d -> "vanished".equals(d.get("kind")));
        });
        assertTrue(fields(conn).stream().noneMatch(f -> f.toString().contains("zq-private")), "names and types, never values");
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            List<String> kinds = wm.findAll(postRequestedFor(urlPathEqualTo(hook))).stream()
                    .map(r -> new JsonPath(r.getBodyAsString())).filter(j -> "drift".equals(j.getString("type")))
                    .map(j -> j.getString("kind")).sorted().toList();
            return kinds.equals(List.of("new", "retyped", "vanished"));
        });
        assertTrue(io.syncline.support.Metrics.value("syncline_drift_reports_total", "integration=\"src-full\"",
                "kind=\"vanished\"") >= 1);
    }

    /** The fields of src-full/contacts at the connection, as the app describes them, by source path. */
    Map<String, Map<String, Object>> described(String conn) {
        List<Map<String, Object>> fields = Api.authed().queryParam("provider_config_key", "src-full")
                .queryParam("connection_id", conn).queryParam("sync", "contacts").queryParam("describe", true)
                .get("/api/fields").then().statusCode(200).extract().jsonPath().getList("fields");
        Map<String, Map<String, Object>> out = new HashMap<>();
        fields.forEach(f -> out.put((String) f.get("path"), f));
        return out;
    }

    List<Map<String, Object>> drift(String conn) {
        return Api.authed().queryParam("provider_config_key", "src-full").queryParam("connection_id", conn)
                .queryParam("sync", "contacts").get("/api/drift").then().statusCode(200).extract().jsonPath()
                .getList("drift");
    }

    List<Map<String, Object>> fields(String conn) {
        return Api.authed().queryParam("provider_config_key", "src-full").queryParam("connection_id", conn)
                .queryParam("sync", "contacts").get("/api/fields").then().statusCode(200).extract().jsonPath()
                .getList("fields");
    }

    @Test
    void aTombstoneFlagDeletesIncrementally() {
        String conn = connect("src-offset");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("0"))
                .willReturn(okJson(items(contact("a", "x")))));
        triggerAndWait("src-offset", conn, null);
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("0"))
                .willReturn(okJson(items("{\"id\":\"a\",\"archived\":true}"))));
        assertEquals(1, triggerAndWait("src-offset", conn, null).getInt("counts.deleted"));
    }

    // ---- guarantee 4 over a source that shifts between runs ----

    static io.syncline.support.ShiftingSource shifting;

    @BeforeAll
    static void shiftingSource() throws java.io.IOException {
        shifting = new io.syncline.support.ShiftingSource();
    }

    @AfterAll
    static void stopShiftingSource() {
        shifting.close();
    }

    static List<String> ids(int from, int to) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("r%02d".formatted(i));
        }
        return out;
    }

    /**
     * A full refresh fails at its third page; before it resumes, the source deletes its first ten
     * records (shifting every later one back by a page) and one record further on. The resumed
     * pass must delete nothing it cannot prove missing, and the next complete pass deletes exactly
     * what the source no longer holds.
     */
    JsonPath[] interruptedRefreshOverAShiftingSource(String style) {
        String integration = "shift-" + style;
        String conn = shiftingConnection(integration);
        shifting.put(conn, ids(0, 50));
        assertEquals(50, triggerAndWait(integration, conn, null).getInt("counts.added"));

        shifting.failPageAt(conn, 20);
        JsonPath failed = triggerAndWait(integration, conn, null);
        assertEquals("ERROR", failed.getString("status"), failed.prettify());
        shifting.delete(conn, ids(0, 10));
        shifting.delete(conn, List.of("r45"));
        shifting.heal(conn);

        JsonPath resumed = triggerAndWait(integration, conn, null);
        assertEquals("resume", resumed.getString("trigger"));
        assertEquals("SUCCESS", resumed.getString("status"), resumed.prettify());
        Map<String, String> afterResume = actions(feed(integration, conn));
        for (String id : ids(10, 50)) {
            if (!id.equals("r45")) {
                assertEquals("ADDED", afterResume.get(id), id + " still exists in the source: " + afterResume);
            }
        }
        JsonPath complete = triggerAndWait(integration, conn, null);
        assertEquals("SUCCESS", complete.getString("status"), complete.prettify());
        Map<String, String> after = actions(feed(integration, conn));
        List<String> gone = new java.util.ArrayList<>(ids(0, 10));
        gone.add("r45");
        for (String id : ids(0, 50)) {
            assertEquals(gone.contains(id) ? "DELETED" : "ADDED", after.get(id), id + ": " + after);
        }
        return new JsonPath[] { resumed, complete };
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "offset", "page", "cursor", "link" })
    void aResumedRefreshOverShiftingPositionsDeletesNothingUntilACompletePass(String style) {
        JsonPath[] runs = interruptedRefreshOverAShiftingSource(style);
        assertEquals(0, runs[0].getInt("counts.deleted"), "the resumed pass proves nothing missing");
        assertEquals(11, runs[1].getInt("counts.deleted"));
    }

    String shiftingConnection(String integration) {
        String conn = "s" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration,
                "connection_id", conn, "base_url", shifting.baseUrl() + "/" + conn,
                "credentials", Map.of("access_token", "tok"))).post("/api/connections").then().statusCode(201);
        return conn;
    }

    @jakarta.inject.Inject
    io.syncline.store.Database database;

    /** What a crash of PostgreSQL does to a pass's marks of the records it read (they are unlogged). */
    void loseSeenMarks(String conn) {
        database.inTransaction(c -> {
            for (String sql : new String[] { "DELETE FROM seen_keys WHERE generation IN "
                    + "(SELECT generation FROM seen_passes WHERE connection_id = ?)",
                    "DELETE FROM seen_passes WHERE connection_id = ?" }) {
                try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, conn);
                    assertTrue(ps.executeUpdate() > 0, sql);
                }
            }
            return null;
        });
    }

    /**
     * Guarantee 4 when the database loses what a pass read: a pass over a stable cursor fails at
     * its third page, and its marks of the first two pages are lost before it resumes. The resumed
     * pass must not take those twenty records for deleted.
     */
    @Test
    void aResumedRefreshWhoseMarksWereLostDeletesNothing() {
        String conn = shiftingConnection("shift-keyset");
        shifting.put(conn, ids(0, 50));
        assertEquals(50, triggerAndWait("shift-keyset", conn, null).getInt("counts.added"));
        shifting.failPageAt(conn, 20);
        assertEquals("ERROR", triggerAndWait("shift-keyset", conn, null).getString("status"));
        loseSeenMarks(conn);
        shifting.heal(conn);

        JsonPath resumed = triggerAndWait("shift-keyset", conn, null);
        assertEquals("resume", resumed.getString("trigger"));
        assertEquals("SUCCESS", resumed.getString("status"), resumed.prettify());
        assertEquals(0, resumed.getInt("counts.deleted"), "the records read before the loss still exist");
        assertTrue(actions(feed("shift-keyset", conn)).values().stream().noneMatch("DELETED"::equals));
        assertEquals(0, triggerAndWait("shift-keyset", conn, null).getInt("counts.deleted"), "the next pass agrees");
    }

    /**
     * A deletion held for review is refused while a later pass that has read some of its records
     * again is still under way (here: failed midway, to resume).
     */
    @Test
    void anApprovalIsRefusedWhileAPassUnderWayHasReadItsRecordsAgain() {
        String conn = shiftingConnection("shift-keyset");
        shifting.put(conn, ids(0, 50));
        triggerAndWait("shift-keyset", conn, null);
        shifting.delete(conn, ids(0, 50));
        assertEquals("AWAITING_APPROVAL", triggerAndWait("shift-keyset", conn, null).getString("status"));
        long review = Api.authed().queryParam("provider_config_key", "shift-keyset").queryParam("connection_id", conn)
                .get("/api/delete-reviews").then().statusCode(200).extract().jsonPath().getLong("reviews[0].id");
        shifting.put(conn, ids(0, 50));
        shifting.failPageAt(conn, 20);
        assertEquals("ERROR", triggerAndWait("shift-keyset", conn, null).getString("status"));
        Api.authed().post("/api/delete-reviews/" + review + "/approve").then().statusCode(409)
                .contentType("application/problem+json").body("type", containsString("preview-stale"))
                .body("detail", containsString("20 of the records"));
        assertTrue(actions(feed("shift-keyset", conn)).values().stream().noneMatch("DELETED"::equals));
    }

    @Test
    void aResumedRefreshOverAStableCursorDeletesWhatItProvesMissing() {
        JsonPath[] runs = interruptedRefreshOverAShiftingSource("keyset");
        assertEquals(1, runs[0].getInt("counts.deleted"), "r45 lay after the saved cursor and was not there");
        assertEquals(10, runs[1].getInt("counts.deleted"), "what the interrupted run had seen goes at the next pass");
    }

    /**
     * The feed serves a large import within moments of the run's commit, and webhooks that arrive
     * meanwhile are all stored: neither waits out a lock on the other (H2 is the default store).
     */
    @Test
    void aLargeImportReachesTheFeedAtOnceWhileWebhooksKeepArriving() throws Exception {
        String conn = "b" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "shift-bulk",
                "connection_id", conn, "base_url", shifting.baseUrl() + "/" + conn,
                "credentials", Map.of("access_token", "tok"))).post("/api/connections").then().statusCode(201);
        shifting.put(conn, ids(0, 10_000));
        String hookConn = Api.newConnection();
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<Integer>> hooks = new java.util.ArrayList<>();
        int before = runCount("shift-bulk", conn);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "shift-bulk",
                "connection_id", conn, "syncs", List.of("contacts"))).post("/sync/trigger").then().statusCode(200);
        for (int i = 0; i < 200; i++) {
            String body = Api.contact("bulk-" + i, "h" + (i % 50), "h" + i + "@example.com", "lead");
            hooks.add(senders.submit(() -> Api.postUnsigned(hookConn, body).statusCode()));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> runCount("shift-bulk", conn) > before
                && !"RUNNING".equals(runs("shift-bulk", conn).getString("runs[0].status")));
        JsonPath run = new JsonPath(runs("shift-bulk", conn).prettify()).setRootPath("runs[0]");
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(10_000, run.getInt("counts.added"));
        // within moments of the run's commit every record has its feed position, and the feed serves them
        await().atMost(Duration.ofSeconds(3)).until(() -> unserved("shift-bulk", conn) == 0);
        assertEquals(10_000, feedSize("shift-bulk", conn));
        for (java.util.concurrent.Future<Integer> h : hooks) {
            assertEquals(200, h.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        senders.shutdown();
    }

    /** How many records the feed serves, read page by page as a client would. */
    int feedSize(String integration, String conn) {
        int n = 0;
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            var req = Api.authed().header("Connection-Id", conn).header("Provider-Config-Key", integration)
                    .queryParam("model", "Contact").queryParam("limit", 10_000);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            JsonPath p = req.get("/records").then().statusCode(200).extract().jsonPath();
            n += p.getList("records").size();
            cursor = p.getString("next_cursor");
            if (cursor == null) {
                break;
            }
        }
        return n;
    }

    // ---- guarantee 9: credentials go only to the connection's origin ----

    /** Runs the src-link sync against a source that points elsewhere; the elsewhere must hear nothing. */
    JsonPath runPointingElsewhere(java.util.function.BiFunction<String, String, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder> answer) {
        WireMockServer elsewhere = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        elsewhere.start();
        try {
            elsewhere.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(
                    com.github.tomakehurst.wiremock.client.WireMock.anyUrl()).willReturn(okJson("[]")));
            String conn = connect("src-link");
            wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts"))
                    .willReturn(answer.apply(conn, elsewhere.baseUrl() + "/" + conn + "/contacts?page=2")));
            JsonPath run = triggerAndWait("src-link", conn, null);
            assertEquals("ERROR", run.getString("status"), run.prettify());
            assertEquals(0, elsewhere.getAllServeEvents().size(), "another origin received a request");
            return run;
        } finally {
            elsewhere.stop();
        }
    }

    @Test
    void aNextLinkToAnotherOriginFailsTheRunAndSendsItNothing() {
        JsonPath run = runPointingElsewhere((conn, url) -> okJson("[" + contact("a", "2026-11-20T10:00:00Z") + "]")
                .withHeader("Link", "<" + url + ">; rel=\"next\""));
        assertEquals("foreign_origin", run.getString("error.type"));
        assertTrue(run.getString("error.description").contains("nothing was sent"), run.prettify());
    }

    @Test
    void aRedirectToAnotherHostIsNotFollowed() {
        JsonPath run = runPointingElsewhere((conn, url) -> aResponse().withStatus(302).withHeader("Location", url));
        assertEquals("source_error", run.getString("error.type"));
    }

    @Test
    void anErrorPageThatEchoesTheCredentialIsKeptRedacted() {
        String conn = connect("src-page");
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts")).willReturn(aResponse().withStatus(400)
                .withBody("bad request: token tok-" + conn + " is not allowed here")));
        JsonPath run = triggerAndWait("src-page", conn, null);
        assertEquals("source_error", run.getString("error.type"), run.prettify());
        assertFalse(run.getString("error.description").contains("tok-" + conn), run.prettify());
        assertTrue(run.getString("error.description").contains("[redacted]"), run.prettify());
    }

    /** A connection made for webhooks only (no base_url) is left alone by polling, and a trigger says why. */
    @Test
    void aConnectionWithoutBaseUrlIsNotPolledAndATriggerSaysWhy() {
        String conn = "w" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-connect",
                "connection_id", conn)).post("/api/connections").then().statusCode(201);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-connect",
                "connection_id", conn, "syncs", List.of("contacts"))).post("/sync/trigger").then().statusCode(409)
                .body("type", containsString("not-configured")).body("detail", containsString("base_url"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> runCount("src-connect", conn) == 0);
    }

    // ---- failures, resume, politeness ----

    @Test
    void aRunThatFailsAtPageThreeResumesThereAndStoresNothingTwice() {
        String conn = connect("src-offset");
        String path = "/" + conn + "/contacts";
        for (int off = 0; off < 8; off += 2) {
            String body = items(contact("r" + off, "x"), contact("r" + (off + 1), "x"));
            if (off == 4) {
                wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("4"))
                        .inScenario("page3-" + conn).whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withStatus(502)));
                wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("4"))
                        .inScenario("page3-" + conn).whenScenarioStateIs("healed").willReturn(okJson(body)));
            } else {
                wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo(Integer.toString(off)))
                        .willReturn(okJson(body)));
            }
        }
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("8")).willReturn(okJson(items())));
        JsonPath failed = triggerAndWait("src-offset", conn, null);
        assertEquals("ERROR", failed.getString("status"));
        assertEquals(4, failed.getInt("counts.added"), "pages 1 and 2 were committed");
        assertEquals(2, failed.getInt("retries") + 1, "the failing page was tried maxAttempts (2) times");

        wm.setScenarioState("page3-" + conn, "healed");
        int before = requests(conn).size();
        JsonPath resumed = triggerAndWait("src-offset", conn, null);
        assertEquals("SUCCESS", resumed.getString("status"), resumed.prettify());
        assertEquals("resume", resumed.getString("trigger"));
        assertEquals(4, resumed.getInt("counts.added"));
        List<LoggedRequest> after = requests(conn).subList(before, requests(conn).size());
        assertEquals("4", after.get(0).queryParameter("offset").firstValue(), "resumed at the failed page");
        assertEquals(8, feed("src-offset", conn).size());
    }

    @Test
    void retryAfterIsHonouredBeforeTheNextAttempt() {
        String conn = connect("src-page");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).inScenario("429-" + conn).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")).willSetStateTo("open"));
        wm.stubFor(get(urlPathEqualTo(path)).inScenario("429-" + conn).whenScenarioStateIs("open")
                .willReturn(okJson(items(contact("a", "x")))));
        JsonPath run = triggerAndWait("src-page", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(1, run.getInt("retries"));
        List<LoggedRequest> r = requests(conn);
        assertEquals(2, r.size());
        long waitedMs = r.get(1).getLoggedDate().getTime() - r.get(0).getLoggedDate().getTime();
        assertTrue(waitedMs >= 1900 && waitedMs < 4000, "waited " + waitedMs + " ms for Retry-After: 2");
    }

    @Test
    void requestsToAConnectionStayWithinItsRateBudget() {
        String conn = connect("src-offset", Map.of("rate_requests", 3, "rate_per_seconds", 1));
        String path = "/" + conn + "/contacts";
        for (int off = 0; off < 20; off += 2) {
            wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo(Integer.toString(off)))
                    .willReturn(okJson(items(contact("r" + off, "x"), contact("r" + (off + 1), "x")))));
        }
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("offset", equalTo("20")).willReturn(okJson(items())));
        JsonPath run = triggerAndWait("src-offset", conn, null);
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        List<Long> at = requests(conn).stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
        assertEquals(11, at.size());
        for (int i = 3; i < at.size(); i++) {
            // any 4 consecutive requests span at least a second: never more than 3 in one
            assertTrue(at.get(i) - at.get(i - 3) >= 990, "4 requests within " + (at.get(i) - at.get(i - 3)) + " ms");
        }
    }

    @Test
    void rejectedCredentialsFailTheRunAtOnce() {
        String conn = connect("src-page");
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts")).willReturn(aResponse().withStatus(401)));
        JsonPath run = triggerAndWait("src-page", conn, null);
        assertEquals("ERROR", run.getString("status"));
        assertEquals("credentials_rejected", run.getString("error.type"));
        assertTrue(run.getString("error.description").contains("credentials rejected"));
        assertEquals(1, requests(conn).size(), "no retry storm");
    }

    @Test
    void aSlotThatComesWhileARunIsGoingIsSkippedAndCounted() {
        String conn = connect("src-slow");
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts"))
                .willReturn(okJson(items(contact("a", "x"))).withFixedDelay(1500)));
        Map<String, Object> body = Map.of("provider_config_key", "src-slow", "connection_id", conn);
        Api.authed().contentType(ContentType.JSON).body(body).post("/sync/trigger").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> requests(conn).size() == 1);
        Api.authed().contentType(ContentType.JSON).body(body).post("/sync/trigger").then().statusCode(200);
        awaitRun("src-slow", conn, 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.authed()
                .queryParam("provider_config_key", "src-slow").queryParam("connection_id", conn)
                .queryParam("syncs", "contacts").get("/sync/status").then().statusCode(200)
                .body("syncs[0].skippedSlots", greaterThanOrEqualTo(1)).body("syncs[0].status", is("SUCCESS")));
        assertEquals(1, runCount("src-slow", conn));
        assertEquals(1, requests(conn).size());
    }

    @Test
    void aDryRunSaysWhatWouldChangeAndStoresNothing() {
        String conn = connect("src-page");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("1"))
                .willReturn(okJson(items(contact("a", "x"), contact("b", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("2")).willReturn(okJson(items())));
        triggerAndWait("src-page", conn, null);
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("1"))
                .willReturn(okJson(items(contact("a", "changed"), contact("b", "x")))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("2"))
                .willReturn(okJson(items(contact("c", "x"), "{\"id\":\"d\"}"))));
        wm.stubFor(get(urlPathEqualTo(path)).withQueryParam("p", equalTo("3")).willReturn(okJson(items())));
        String feedBefore = feed("src-page", conn).toString();
        int runsBefore = runCount("src-page", conn);
        JsonPath dry = Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-page",
                "connection_id", conn, "sync", "contacts")).post("/sync/dry-run").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("a", "b", "c", "d"), dry.getList("records.id"));
        assertEquals(List.of("updated", "unchanged", "added", "dead_letter"), dry.getList("records.change"));
        assertEquals("a@example.com", dry.getString("records[0].record.email"));
        assertTrue(dry.getBoolean("complete"));
        assertEquals(feedBefore, feed("src-page", conn).toString(), "nothing stored");
        assertEquals(runsBefore, runCount("src-page", conn), "no run recorded");
        Api.authed().queryParam("connection_id", conn).get("/api/dead-letters").then().body("dead_letters.size()", is(0));
    }

    // ---- schedule, first import, control ----

    @Test
    void aNewConnectionImportsRightAwayAndThenRunsOnSchedule() {
        String conn = connect("src-sched");
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts")).willReturn(okJson(items(contact("a", "x")))));
        await().atMost(Duration.ofSeconds(20)).until(() -> runCount("src-sched", conn) >= 3);
        String first = runs("src-sched", conn).getString("runs[-1].trigger");
        assertTrue(List.of("connect", "schedule").contains(first), first);
        assertEquals("schedule", runs("src-sched", conn).getString("runs[0].trigger"));
    }

    @Test
    void controlPausesStartsResetsAndOverridesTheFrequency() {
        String conn = connect("src-cursor");
        String path = "/" + conn + "/contacts";
        wm.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("{\"results\":[" + contact("a", "2026-11-20T10:00:00Z")
                + "],\"next_cursor\":null}")));
        triggerAndWait("src-cursor", conn, null);
        Map<String, Object> pair = Map.of("provider_config_key", "src-cursor", "connection_id", conn, "syncs",
                List.of("contacts"));
        Api.authed().contentType(ContentType.JSON).body(pair).post("/sync/pause").then().statusCode(200);
        status("src-cursor", conn).body("syncs[0].status", is("PAUSED")).body("syncs[0].type", is("INCREMENTAL"))
                .body("syncs[0].recordCount.Contact", is(1)).body("syncs[0].checkpoint.hwm", is("2026-11-20T10:00:00Z"));
        Api.authed().contentType(ContentType.JSON).body(pair).post("/sync/start").then().statusCode(200);
        // started again, the pair is due at once: the schedule runs it
        await().atMost(Duration.ofSeconds(10)).until(() -> runCount("src-cursor", conn) == 2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> status("src-cursor", conn)
                .body("syncs[0].status", is("SUCCESS")));
        assertEquals("schedule", runs("src-cursor", conn).getString("runs[0].trigger"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-cursor", "connection_id",
                conn, "sync_name", "contacts", "frequency", "every 2 hours")).put("/sync/update-connection-frequency")
                .then().statusCode(200);
        status("src-cursor", conn).body("syncs[0].frequency", is("every 7200s"));
        triggerAndWait("src-cursor", conn, Map.of("reset", true));
        List<LoggedRequest> all = requests(conn);
        assertFalse(all.get(all.size() - 1).queryParameter("updated_since").isPresent(),
                "reset starts from no checkpoint");
        assertEquals(1, feed("src-cursor", conn).size(), "reset keeps the records");
        // the legacy form of the Nango client
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-cursor", "connection_id",
                conn, "syncs", List.of("contacts"), "sync_mode", "full_refresh")).post("/sync/trigger").then()
                .statusCode(200);
    }

    @Test
    void controlRefusesWhatItDoesNotKnow() {
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-cursor", "syncs",
                List.of("nope"))).post("/sync/trigger").then().statusCode(404).contentType("application/problem+json");
        Api.authed().contentType(ContentType.JSON).body(Map.of("syncs", List.of("contacts"))).post("/sync/trigger")
                .then().statusCode(400).body("errors[0].field", is("provider_config_key"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "src-cursor", "connection_id",
                "nobody")).post("/sync/pause").then().statusCode(404);
        Api.authed().queryParam("provider_config_key", "src-cursor").get("/sync/status").then().statusCode(400)
                .body("detail", containsString("syncs"));
        io.restassured.RestAssured.given().contentType(ContentType.JSON).body(Map.of("provider_config_key", "x"))
                .post("/sync/trigger").then().statusCode(401);
    }

    io.restassured.response.ValidatableResponse status(String integration, String conn) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", conn)
                .queryParam("syncs", "*").get("/sync/status").then().statusCode(200);
    }

    // ---- the webhook to your app ----

    @Test
    void aRunThatChangesRecordsSendsASignedWebhookToYourApp() throws Exception {
        String hook = "/app-hook-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo(hook)).inScenario(hook).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wm.stubFor(post(urlPathEqualTo(hook)).inScenario(hook).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        String conn = connect("src-page", Map.of("notify_url", wm.baseUrl() + hook));
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts")).willReturn(okJson(items(contact("a", "x")))));
        Instant before = Instant.now();
        triggerAndWait("src-page", conn, null);
        await().atMost(Duration.ofSeconds(15)).until(() -> wm.findAll(postRequestedFor(urlPathEqualTo(hook))).size() == 2);
        LoggedRequest delivered = wm.findAll(postRequestedFor(urlPathEqualTo(hook))).get(1);
        String id = delivered.getHeader("webhook-id");
        String ts = delivered.getHeader("webhook-timestamp");
        String body = delivered.getBodyAsString();
        assertEquals(Signing.standard(Api.STANDARD_SECRET, id, Long.parseLong(ts), body),
                delivered.getHeader("webhook-signature"), "verified with an independent HMAC computation");
        assertTrue(Math.abs(Long.parseLong(ts) - before.getEpochSecond()) < 60);
        JsonPath json = new JsonPath(body);
        assertEquals("syncline", json.getString("from"));
        assertEquals("sync", json.getString("type"));
        assertEquals(conn, json.getString("connectionId"));
        assertEquals("src-page", json.getString("providerConfigKey"));
        assertEquals("contacts", json.getString("syncName"));
        assertEquals("Contact", json.getString("model"));
        assertTrue(json.getBoolean("success"));
        assertEquals(1, json.getInt("responseResults.added"));
    }

    @Test
    void aFailedRunSendsAFailureWebhook() {
        String hook = "/app-hook-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo(hook)).willReturn(aResponse().withStatus(200)));
        String conn = connect("src-page", Map.of("notify_url", wm.baseUrl() + hook));
        wm.stubFor(get(urlPathEqualTo("/" + conn + "/contacts")).willReturn(aResponse().withStatus(403)));
        triggerAndWait("src-page", conn, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> wm.findAll(postRequestedFor(urlPathEqualTo(hook))).size() == 1);
        JsonPath json = new JsonPath(wm.findAll(postRequestedFor(urlPathEqualTo(hook))).get(0).getBodyAsString());
        assertEquals(false, json.getBoolean("success"));
        assertEquals("credentials_rejected", json.getString("error.type"));
        assertTrue(json.getString("startedAt") != null && json.getString("failedAt") != null);
        // and the status says so, with the reason
        Api.authed().queryParam("provider_config_key", "src-page").queryParam("syncs", "contacts")
                .queryParam("connection_id", conn).get("/sync/status").then().statusCode(200)
                .body("syncs[0].status", is("ERROR")).body("syncs[0].error.type", is("credentials_rejected"));
    }

    /**
     * What a replica leaves behind when it is killed mid-run: the run marked RUNNING, its lease
     * expired, and a checkpoint after its last committed page. The run is closed as interrupted
     * (with its failure webhook), its work resumes within a tick rather than at the next slot, and
     * the success webhook covers the pages the dead run committed.
     */
    @Test
    void aRunWhoseReplicaDiedIsClosedAsInterruptedResumedAtOnceAndAnnounced() {
        String hook = "/app-hook-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo(hook)).willReturn(aResponse().withStatus(200)));
        String conn = "k" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "shift-offset",
                "connection_id", conn, "base_url", shifting.baseUrl() + "/" + conn,
                "credentials", Map.of("access_token", "tok"), "metadata", Map.of("notify_url", wm.baseUrl() + hook)))
                .post("/api/connections").then().statusCode(201);
        shifting.put(conn, ids(0, 50));
        shifting.failPageAt(conn, 20);
        JsonPath first = triggerAndWait("shift-offset", conn, null);
        assertEquals(20, first.getInt("counts.added"), first.prettify());
        long deadRun = first.getLong("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> wm.findAll(postRequestedFor(urlPathEqualTo(hook))).size() == 1);
        shifting.heal(conn);
        // as a kill -9 after the second page leaves it: RUNNING, lease held by a process that is gone
        io.syncline.support.Db.update("UPDATE sync_runs SET status = 'RUNNING', finished_at = NULL, error_type = NULL, "
                + "error_description = NULL WHERE id = ?", deadRun);
        io.syncline.support.Db.update("UPDATE sync_state SET lease_owner = 'gone', lease_until = ?, next_run_at = ? "
                + "WHERE provider_config_key = 'shift-offset' AND connection_id = ?",
                java.time.OffsetDateTime.now().minusSeconds(5), java.time.OffsetDateTime.now().plusHours(1), conn);

        await().atMost(Duration.ofSeconds(20)).until(() -> runs("shift-offset", conn).getList("runs").size() == 2
                && "SUCCESS".equals(runs("shift-offset", conn).getString("runs[0].status")));
        JsonPath all = runs("shift-offset", conn);
        assertEquals("resume", all.getString("runs[0].trigger"));
        assertEquals(30, all.getInt("runs[0].counts.added"));
        assertEquals(deadRun, all.getLong("runs[1].id"));
        assertEquals("ERROR", all.getString("runs[1].status"));
        assertEquals("interrupted", all.getString("runs[1].error.type"));

        await().atMost(Duration.ofSeconds(10)).until(() -> wm.findAll(postRequestedFor(urlPathEqualTo(hook))).size() == 3);
        List<JsonPath> hooks = wm.findAll(postRequestedFor(urlPathEqualTo(hook))).stream()
                .map(r -> new JsonPath(r.getBodyAsString())).toList();
        assertTrue(hooks.stream().anyMatch(h -> "interrupted".equals(h.getString("error.type"))), hooks.toString());
        JsonPath success = hooks.stream().filter(h -> h.getBoolean("success")).findFirst().orElseThrow();
        assertEquals(50, success.getInt("responseResults.added"), "the dead run's pages are announced too");
        assertEquals(Instant.parse(all.getString("runs[1].started_at")), Instant.parse(success.getString("modifiedAfter")),
                "modifiedAfter reaches back to the start of the run that committed them");
    }
}
