package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;

/**
 * The catalogue's HubSpot app (integrations/hubspot/) through Syncline's HTTP surface, against a
 * stand-in built from HubSpot's documented requests and answers: the CRM v3 list endpoints with
 * their 'after' cursor, OAuth2 with client_secret_post and refresh tokens, 429s that name their
 * rolling window, the error shape ({"status":"error","message","category"}), and batch upsert by
 * idProperty with per-record errors (207). The provider file is the catalogue's own, pointed at
 * the stand-in by syncline.integrations.hubspot.api-url.
 */
@QuarkusTest
@QuarkusTestResource(value = HubSpotTest.StandIn.class, restrictToAnnotatedClass = true)
class HubSpotTest extends AppStandIn {

    static final String PROPERTIES = "email,firstname,lastname,phone,company,jobtitle,lifecyclestage,createdate,lastmodifieddate";

    /** HubSpot's API and token endpoint on one free port. */
    public static class StandIn extends AppStandIn.Resource {
        @Override
        protected Map<String, String> config(String baseUrl) {
            return Map.of("syncline.integrations.hubspot.api-url", baseUrl,
                    "syncline.oauth.hubspot.client-id", "hs-client-id",
                    "syncline.oauth.hubspot.client-secret", "hs-client-secret-not-for-production");
        }
    }



    private String connect() {
        return connection("hubspot", wm.baseUrl(), Map.of("refresh_token", "hs-refresh-" + UUID.randomUUID()));
    }

    /** POST /oauth/v1/token, grant_type=refresh_token, client id and secret in the form (client_secret_post). */
    private void tokens(String... accessTokens) {
        for (int i = 0; i < accessTokens.length; i++) {
            wm.stubFor(post(urlPathEqualTo("/oauth/v1/token")).inScenario("tokens")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "t" + i).willSetStateTo("t" + (i + 1))
                    .withRequestBody(containing("grant_type=refresh_token"))
                    .withRequestBody(containing("client_id=hs-client-id"))
                    .withRequestBody(containing("client_secret=hs-client-secret-not-for-production"))
                    .willReturn(okJson("{\"token_type\":\"bearer\",\"refresh_token\":\"hs-refresh-same\","
                            + "\"access_token\":\"" + accessTokens[i] + "\",\"expires_in\":1800}")));
        }
    }

    private static String contact(String id, String email, String first, boolean archived) {
        return """
                {"id":"%s","properties":{"createdate":"2026-11-01T09:00:00.000Z","email":"%s","firstname":"%s",
                 "lastname":"Halligan","hs_object_id":"%s","lastmodifieddate":"2026-11-20T10:00:00.000Z","phone":null},
                 "createdAt":"2026-11-01T09:00:00.000Z","updatedAt":"2026-11-20T10:00:00.000Z","archived":%s}"""
                .formatted(id, email, first, id, archived);
    }

    /** The contacts list, page by page: the first without 'after', each next one with the previous page's cursor. */
    private void contactPages(String token, String... pages) {
        for (int i = 0; i < pages.length; i++) {
            String next = i + 1 < pages.length ? ",\"paging\":{\"next\":{\"after\":\"cur" + (i + 1)
                    + "\",\"link\":\"?after=cur" + (i + 1) + "\"}}" : "";
            wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                    .withHeader("Authorization", equalTo("Bearer " + token))
                    .withQueryParam("archived", equalTo("false")).withQueryParam("limit", equalTo("100"))
                    .withQueryParam("properties", equalTo(PROPERTIES))
                    .withQueryParam("after", i == 0 ? absent() : equalTo("cur" + i))
                    .willReturn(okJson("{\"results\":[" + pages[i] + "]" + next + "}")));
        }
    }

    @Test
    void contactsArePagedToTheEndByAfterAndNoLongerListedOnesAreDeleted() {
        String c = connect();
        tokens("hs-at-1");
        contactPages("hs-at-1", contact("101", " Brian@HubSpot.com ", "Brian", false) + "," + contact("102", "d@x.test", "Dharmesh", false),
                contact("103", "y@x.test", "Yamini", false) + "," + contact("104", "k@x.test", "Katie", false));

        JsonPath run = CatalogueApi.run("hubspot", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "HubSpot: the list pages by paging.next.after to the end: " + run.prettify());
        assertEquals(2, run.getInt("pages"));
        assertEquals(4, run.getInt("counts.added"));
        JsonPath records = CatalogueApi.records("hubspot", c, "Contact");
        Map<String, Object> brian = records.getMap("records.find { it.id == '101' }");
        assertEquals("brian@hubspot.com", brian.get("email"), "HubSpot contact into the Contact model: email trimmed, lower case");
        assertEquals("Brian Halligan", brian.get("name"));
        assertEquals("hubspot", brian.get("app"));
        assertEquals("101", ((Map<?, ?>) brian.get("raw")).get("hs_object_id"), "HubSpot's own properties stay available");
        wm.verify(1, postRequestedFor(urlPathEqualTo("/oauth/v1/token")));

        // the next full read: 102 is archived, 103 is no longer listed; both are deleted, 101 unchanged
        wm.resetMappings();
        tokens("hs-at-1");
        contactPages("hs-at-1", contact("101", " Brian@HubSpot.com ", "Brian", false) + "," + contact("102", "d@x.test", "Dharmesh", true),
                contact("104", "k@x.test", "Katie", false));
        run = CatalogueApi.run("hubspot", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(2, run.getInt("counts.deleted"), "HubSpot: an archived contact and one no longer listed are deleted");
        assertEquals(2, run.getInt("counts.unchanged"));
    }

    @Test
    void aRejectedTokenIsRefreshedOnceAndA429WaitsOutHubSpotsRollingWindow() {
        String c = connect();
        tokens("hs-at-1", "hs-at-2");
        contactPages("hs-at-1", contact("201", "a@x.test", "Ann", false));
        assertEquals("SUCCESS", CatalogueApi.run("hubspot", c, "contacts").getString("status"));

        // HubSpot now refuses the first token (expired early, or revoked): one refresh, one more try
        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withHeader("Authorization", equalTo("Bearer hs-at-1"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody(
                        "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}")));
        // and its first answer to the new token is a 429 naming a full one-second window, without Retry-After
        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withHeader("Authorization", equalTo("Bearer hs-at-2"))
                .inScenario("429").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("served")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("X-HubSpot-RateLimit-Interval-Milliseconds", "1000")
                        .withHeader("X-HubSpot-RateLimit-Max", "100").withHeader("X-HubSpot-RateLimit-Remaining", "0")
                        .withBody("{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                                + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}")));
        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withHeader("Authorization", equalTo("Bearer hs-at-2"))
                .inScenario("429").whenScenarioStateIs("served")
                .willReturn(okJson("{\"results\":[" + contact("201", "a@x.test", "Ann B", false) + "]}")));

        JsonPath run = CatalogueApi.run("hubspot", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "HubSpot: 401 → refresh → 429 with its window → success: " + run.prettify());
        assertEquals(1, run.getInt("counts.updated"));
        assertTrue(run.getInt("retries") >= 1, "the 429 was retried");
        List<java.util.Date> withNewToken = wm.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))
                .withHeader("Authorization", equalTo("Bearer hs-at-2"))).stream().map(r -> r.getLoggedDate()).sorted().toList();
        assertEquals(2, withNewToken.size());
        long waited = withNewToken.get(1).getTime() - withNewToken.get(0).getTime();
        assertTrue(waited >= 950, "HubSpot's 429 names a 1000 ms window, and the connection waits it out (our own first "
                + "backoff is at most 500 ms): waited " + waited + " ms");
        wm.verify(2, postRequestedFor(urlPathEqualTo("/oauth/v1/token")));
    }

    @Test
    void hubSpotsErrorShapeAndAnHtmlPageWith200FailTheRunAndStoreOrDeleteNothing() {
        String c = connect();
        tokens("hs-at-1");
        contactPages("hs-at-1", contact("301", "a@x.test", "Ann", false));
        assertEquals("SUCCESS", CatalogueApi.run("hubspot", c, "contacts").getString("status"));

        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"error\",\"message\":"
                        + "\"Property values were not valid\",\"correlationId\":\"aeb5f871\",\"category\":\"VALIDATION_ERROR\"}")));
        JsonPath failed = CatalogueApi.run("hubspot", c, "contacts");
        assertEquals("ERROR", failed.getString("status"));
        assertTrue(failed.getString("error.description").contains("Property values were not valid"),
                "HubSpot's error message reaches the run's error: " + failed.prettify());

        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Maintenance</body></html>")));
        failed = CatalogueApi.run("hubspot", c, "contacts");
        assertEquals("bad_response", failed.getString("error.type"), "HubSpot: an HTML page with 200 is not a page of contacts");
        JsonPath records = CatalogueApi.records("hubspot", c, "Contact");
        assertEquals(1, records.getList("records").size());
        assertNull(records.get("records[0]._sync_metadata.deleted_at"), "a failed run deletes nothing");
    }

    @Test
    void contactsFromYourAppAreBatchUpsertedByEmailAndARefusedOneIsADeadLetter() {
        String c = connect();
        tokens("hs-at-1");
        // HubSpot's 207: one input written, one refused with its own error naming the input's id
        wm.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))
                .withHeader("Authorization", equalTo("Bearer hs-at-1"))
                .willReturn(aResponse().withStatus(207).withHeader("Content-Type", "application/json").withBody("""
                        {"status":"COMPLETE","results":[{"id":"5001","properties":{"email":"ada@x.test","firstname":"Ada"},
                          "createdAt":"2026-12-01T10:00:00Z","updatedAt":"2026-12-01T10:00:00Z","archived":false,"new":true}],
                         "numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR",
                          "message":"Property values were not valid: phone","context":{"ids":["bad@x.test"]}}]}""")));
        event(c, "hubspot.contact", "{\"email\":\"Ada@X.test\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"company_name\":\"AE\"}");
        event(c, "hubspot.contact", "{\"email\":\"bad@x.test\",\"first_name\":\"Bad\",\"phone\":\"not a phone\"}");

        await().atMost(Duration.ofSeconds(30)).until(() -> flow(c, "sent") == 1 && flow(c, "dead") == 1);
        List<?> inputs = wm.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).stream()
                .map(r -> new io.restassured.path.json.JsonPath(r.getBodyAsString()).getList("inputs"))
                .flatMap(List::stream).toList();
        assertTrue(inputs.contains(Map.of("id", "ada@x.test", "idProperty", "email", "properties",
                Map.of("email", "ada@x.test", "firstname", "Ada", "lastname", "Lovelace", "company", "AE"))),
                "HubSpot batch upsert: each input is {id, idProperty: email, properties} in HubSpot's names: " + inputs);
        String sentRemote = Api.authed().queryParam("connection_id", c).queryParam("result", "sent").get("/api/flow")
                .then().extract().path("writes[0].remote_id");
        assertEquals("5001", sentRemote, "HubSpot's id of the written contact is kept");
        String reason = Api.authed().queryParam("connection_id", c).queryParam("kind", "write").get("/api/dead-letters")
                .then().extract().path("dead_letters[0].reason");
        assertTrue(reason != null && reason.contains("Property values were not valid"), "the refused one's reason is HubSpot's: " + reason);
        assertFalse(wm.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/batch/upsert"))).isEmpty());
    }

    @Test
    void aDealsCloseDateGoesOutAsEpochMillisecondsAndItsIdAsTheUniqueProperty() {
        String c = connect();
        tokens("hs-at-1");
        wm.stubFor(post(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")).willReturn(okJson("""
                {"status":"COMPLETE","results":[{"id":"9001","properties":{"syncline_id":"d-1","dealname":"Renewal"},"new":true}]}""")));
        event(c, "hubspot.deal", "{\"id\":\"d-1\",\"name\":\"Renewal\",\"amount\":1200.5,\"stage\":\"closedwon\",\"close_date\":\"2026-12-24T00:00:00Z\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> flow(c, "sent") == 1);
        wm.verify(postRequestedFor(urlPathEqualTo("/crm/v3/objects/deals/batch/upsert")).withRequestBody(equalToJson("""
                {"inputs":[{"id":"d-1","idProperty":"syncline_id","properties":{"syncline_id":"d-1","dealname":"Renewal",
                 "amount":1200.5,"dealstage":"closedwon","pipeline":"default","closedate":1798070400000}}]}""")));
    }

    @Test
    void aSignedWebhookBatchIsStoredPerEventAForgedOrStaleOneIsRefusedAndAnUnknownPortalIs404() throws Exception {
        String portal = String.valueOf(60000 + new java.util.Random().nextInt(30000));
        String conn = connection("hubspot", wm.baseUrl(), Map.of("refresh_token", "hs-refresh-" + UUID.randomUUID()),
                Map.of("hub_id", portal));
        tokens("hs-at-1");
        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/601")).withHeader("Authorization", equalTo("Bearer hs-at-1"))
                .withQueryParam("properties", equalTo(PROPERTIES)).willReturn(okJson(contact("601", "new@x.test", "Nia", false))));
        wm.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/603")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"error\",\"message\":\"resource not found\","
                        + "\"category\":\"OBJECT_NOT_FOUND\"}")));
        String e = UUID.randomUUID().toString().substring(0, 8);
        String batch = "[" + hubspotEvent(e + "1", portal, "contact.creation", 601) + ","
                + hubspotEvent(e + "2", portal, "contact.propertyChange", 601) + ","
                + hubspotEvent(e + "3", portal, "contact.deletion", 602) + ","
                + hubspotEvent(e + "4", portal, "contact.propertyChange", 603) + ","
                + hubspotEvent(e + "5", portal, "contact.associationChange", 601) + "]";
        long now = System.currentTimeMillis();
        signed(batch, now, CLIENT_SECRET).then().statusCode(200);
        JsonPath records = CatalogueApi.records("hubspot", conn, "Contact");
        Map<String, Object> nia = records.getMap("records.find { it.id == '601' }");
        assertEquals("new@x.test", nia.get("email"), "HubSpot webhook: a changed contact is read and stored: " + records.prettify());
        assertTrue(records.getList("records.findAll { it.id == '603' }").isEmpty(), "a contact gone since its event is skipped");
        Map<?, ?> gone = records.getMap("records.find { it.id == '602' }");
        assertTrue(gone == null || ((Map<?, ?>) gone.get("_sync_metadata")).get("deleted_at") != null,
                "HubSpot webhook: contact.deletion deletes");

        // HubSpot delivers the same batch again: every event is a duplicate, nothing changes
        String before = CatalogueApi.records("hubspot", conn, "Contact").prettify();
        signed(batch, now, CLIENT_SECRET).then().statusCode(200);
        assertEquals(before, CatalogueApi.records("hubspot", conn, "Contact").prettify());

        signed(batch, now, "someone-elses-secret").then().statusCode(401).contentType("application/problem+json");
        signed(batch, now - 6 * 60_000, CLIENT_SECRET).then().statusCode(401).contentType("application/problem+json");
        String stranger = "[" + hubspotEvent(e + "9", "1", "contact.creation", 601) + "]";
        signed(stranger, now, CLIENT_SECRET).then().statusCode(404).contentType("application/problem+json");
    }

    static final String CLIENT_SECRET = "hs-client-secret-not-for-production";

    /** A search result: updatedAt is what the search sorts and filters by (lastmodifieddate). */
    private static String changed(String id, String updated) {
        return contact(id, id + "@x.test", "N" + id, false).replace("\"updatedAt\":\"2026-11-20T10:00:00.000Z\"",
                "\"updatedAt\":\"" + updated + "\"");
    }

    @Test
    void changesAreSearchedByLastModifiedDateAndANewSearchStartsPastTheResultCap() {
        String c = connect();
        tokens("hs-at-1");
        long t1 = java.time.Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
        String search = "/crm/v3/objects/contacts/search";
        // the first search, from 0: two results and a next page, but the test route caps a search at 3
        wm.stubFor(post(urlPathEqualTo(search)).withHeader("Authorization", equalTo("Bearer hs-at-1"))
                .withRequestBody(equalToJson("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\","
                        + "\"operator\":\"GTE\",\"value\":\"0\"}]}],\"sorts\":[{\"propertyName\":\"lastmodifieddate\","
                        + "\"direction\":\"ASCENDING\"}],\"limit\":100}", true, true))
                .willReturn(okJson("{\"total\":3,\"results\":[" + changed("701", "2026-11-20T10:00:00.000Z") + ","
                        + changed("702", "2026-11-20T10:00:05.000Z") + "],\"paging\":{\"next\":{\"after\":\"2\"}}}")));
        // past the cap: a new search from the newest change read, without after
        wm.stubFor(post(urlPathEqualTo(search)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock
                .matchingJsonPath("$.filterGroups[0].filters[0].value", equalTo(Long.toString(t1 + 5000))))
                .willReturn(okJson("{\"total\":2,\"results\":[" + changed("702", "2026-11-20T10:00:05.000Z") + ","
                        + changed("703", "2026-11-20T10:00:09.000Z") + "]}")));

        JsonPath run = CatalogueApi.run("hubspot", c, "contacts-changes");
        assertEquals("SUCCESS", run.getString("status"), "HubSpot search: by lastmodifieddate, windowed past the cap: "
                + run.prettify());
        assertEquals(3, run.getInt("counts.added"));
        assertTrue(wm.findAll(postRequestedFor(urlPathEqualTo(search))).stream()
                .noneMatch(r -> r.getBodyAsString().contains("\"after\"")), "a new search starts without after");

        // the next run searches from the newest change less the 60 s lookback
        wm.resetMappings();
        tokens("hs-at-1");
        wm.stubFor(post(urlPathEqualTo(search)).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock
                .matchingJsonPath("$.filterGroups[0].filters[0].value", equalTo(Long.toString(t1 + 9000 - 60_000))))
                .willReturn(okJson("{\"total\":0,\"results\":[]}")));
        run = CatalogueApi.run("hubspot", c, "contacts-changes");
        assertEquals("SUCCESS", run.getString("status"), "HubSpot search: the mark less the lookback: " + run.prettify());
    }

    private static String hubspotEvent(String eventId, String portal, String type, long objectId) {
        return """
                {"eventId":%s,"subscriptionId":12345,"portalId":%s,"appId":54321,"occurredAt":1764547200000,
                 "subscriptionType":"%s","attemptNumber":0,"objectId":%d,"changeSource":"CRM","propertyName":"email",
                 "propertyValue":"new@x.test"}""".formatted(Long.parseLong(eventId, 16), portal, type, objectId);
    }

    /** HubSpot's v3 signature: base64 HMAC-SHA256 of method + URL + body + timestamp, under the app's client secret. */
    private static io.restassured.response.Response signed(String body, long timestamp, String secret) {
        String url = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/webhooks/hubspot";
        String signature = java.util.Base64.getEncoder().encodeToString(io.syncline.support.Signing.hmac(
                secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "POST" + url + body + timestamp));
        return io.restassured.RestAssured.given().contentType(ContentType.JSON).header("X-HubSpot-Signature-v3", signature)
                .header("X-HubSpot-Request-Timestamp", Long.toString(timestamp)).body(body).post("/webhooks/hubspot");
    }

    private static void event(String conn, String type, String body) {
        Api.authed().contentType(ContentType.JSON).header("Connection-Id", conn)
                .header("Idempotency-Key", UUID.randomUUID().toString()).body(body).post("/events/" + type)
                .then().statusCode(200);
    }

    private static int flow(String conn, String result) {
        return Api.authed().queryParam("connection_id", conn).queryParam("result", result).get("/api/flow").then()
                .extract().jsonPath().getList("writes").size();
    }
}
