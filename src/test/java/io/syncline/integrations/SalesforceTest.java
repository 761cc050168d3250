package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;

/**
 * The catalogue's Salesforce app (integrations/salesforce/) through Syncline's HTTP surface,
 * against a stand-in built from Salesforce's documented REST answers: SOQL by queryAll with the
 * mark inside the WHERE clause, done and nextRecordsUrl, IsDeleted, times as +0000, its error
 * shape ([{"message","errorCode"}]), and OAuth2 refresh (401 INVALID_SESSION_ID, then a token).
 */
@QuarkusTest
@QuarkusTestResource(value = SalesforceTest.StandIn.class, restrictToAnnotatedClass = true)
class SalesforceTest extends AppStandIn {

    static final String QUERY = "/services/data/v62.0/queryAll";

    /** Salesforce's login (token endpoint) and instance on one free port. */
    public static class StandIn extends AppStandIn.Resource {
        @Override
        protected Map<String, String> config(String baseUrl) {
            return Map.of("syncline.integrations.salesforce.login-url", baseUrl,
                    "syncline.oauth.salesforce.client-id", "sf-consumer-key",
                    "syncline.oauth.salesforce.client-secret", "sf-consumer-secret-not-for-production");
        }
    }



    private String connect(String... tokens) {
        for (int i = 0; i < tokens.length; i++) {
            wm.stubFor(post(urlPathEqualTo("/services/oauth2/token")).inScenario("tokens")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "t" + i).willSetStateTo("t" + (i + 1))
                    .withRequestBody(containing("grant_type=refresh_token"))
                    .willReturn(okJson("{\"access_token\":\"" + tokens[i] + "\",\"instance_url\":\"" + wm.baseUrl()
                            + "\",\"id\":\"https://login.salesforce.com/id/00D/005\",\"token_type\":\"Bearer\","
                            + "\"issued_at\":\"1764547200000\",\"signature\":\"sig\"}")));
        }
        return connection("salesforce", wm.baseUrl(), Map.of("refresh_token", "sf-refresh-" + UUID.randomUUID()));
    }

    private static String contact(String id, String email, String modstamp, boolean deleted) {
        return """
                {"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/%s"},"Id":"%s","Email":"%s",
                 "FirstName":"Rose","LastName":"Gonzalez","Phone":"(512) 757-6000","Title":"SVP, Procurement",
                 "Account":{"attributes":{"type":"Account"},"Name":"Edge Communications"},
                 "CreatedDate":"2026-11-01T10:00:00.000+0000","SystemModstamp":"%s","IsDeleted":%s}"""
                .formatted(id, id, email, modstamp, deleted);
    }

    @Test
    void soqlCarriesTheMarkPagesByNextRecordsUrlAndIsDeletedDeletes() {
        String c = connect("sf-at-1");
        wm.stubFor(get(urlPathEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer sf-at-1"))
                .withQueryParam("q", equalTo("SELECT Id,Email,FirstName,LastName,Phone,Title,Account.Name,CreatedDate,"
                        + "SystemModstamp,IsDeleted FROM Contact WHERE SystemModstamp > 1970-01-01T00:00:00Z ORDER BY SystemModstamp ASC"))
                .willReturn(okJson("{\"totalSize\":3,\"done\":false,\"nextRecordsUrl\":\"/services/data/v62.0/query/01gD0000002HU6KIAW-2000\","
                        + "\"records\":[" + contact("003A", "Rose@Edge.com", "2026-11-20T10:00:00.000+0000", false) + ","
                        + contact("003B", "b@x.test", "2026-11-20T11:00:00.000+0000", false) + "]}")));
        wm.stubFor(get(urlPathEqualTo("/services/data/v62.0/query/01gD0000002HU6KIAW-2000"))
                .willReturn(okJson("{\"totalSize\":3,\"done\":true,\"records\":["
                        + contact("003B", "b@x.test", "2026-11-20T12:00:00.000+0000", true) + "]}")));

        JsonPath run = CatalogueApi.run("salesforce", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "Salesforce: queryAll, then nextRecordsUrl until done: " + run.prettify());
        assertEquals(2, run.getInt("pages"));
        JsonPath records = CatalogueApi.records("salesforce", c, "Contact");
        Map<String, Object> rose = records.getMap("records.find { it.id == '003A' }");
        assertEquals("rose@edge.com", rose.get("email"));
        assertEquals("Edge Communications", rose.get("company_name"));
        assertEquals("2026-11-01T10:00:00Z", rose.get("created_at"), "Salesforce's +0000 time as ISO 8601 UTC");
        assertNotNull(records.getMap("records.find { it.id == '003B' }._sync_metadata").get("deleted_at"),
                "Salesforce: IsDeleted from queryAll deletes");

        // the next run: the mark (the newest SystemModstamp less 60 s) inside the SOQL
        wm.resetMappings();
        connectTokensAgain();
        wm.stubFor(get(urlPathEqualTo(QUERY)).withQueryParam("q", containing("WHERE SystemModstamp > 2026-11-20T11:59:00Z "))
                .willReturn(okJson("{\"totalSize\":0,\"done\":true,\"records\":[]}")));
        run = CatalogueApi.run("salesforce", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "Salesforce: WHERE SystemModstamp > the mark: " + run.prettify());
    }

    private void connectTokensAgain() {
        wm.stubFor(post(urlPathEqualTo("/services/oauth2/token")).willReturn(okJson("{\"access_token\":\"sf-at-1\",\"instance_url\":\""
                + wm.baseUrl() + "\",\"token_type\":\"Bearer\"}")));
    }

    @Test
    void anExpiredSessionIsRefreshedOnceAndSalesforcesErrorShapeFailsTheRun() {
        String c = connect("sf-at-1", "sf-at-2");
        wm.stubFor(get(urlPathEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer sf-at-1"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]")));
        wm.stubFor(get(urlPathEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer sf-at-2"))
                .willReturn(okJson("{\"totalSize\":1,\"done\":true,\"records\":[" + contact("003C", "c@x.test",
                        "2026-11-21T10:00:00.000+0000", false) + "]}")));
        JsonPath run = CatalogueApi.run("salesforce", c, "contacts");
        assertEquals("SUCCESS", run.getString("status"), "Salesforce: INVALID_SESSION_ID costs one refresh: " + run.prettify());
        wm.verify(2, postRequestedFor(urlPathEqualTo("/services/oauth2/token")));

        wm.stubFor(get(urlPathEqualTo(QUERY)).withHeader("Authorization", equalTo("Bearer sf-at-2"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("[{\"message\":\"No such column 'Tier__c' on entity 'Contact'.\",\"errorCode\":\"INVALID_FIELD\"}]")));
        run = CatalogueApi.run("salesforce", c, "contacts");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("No such column"), run.prettify());
    }

    @Test
    void aContactFromYourAppIsUpsertedByItsExternalIdWithTheIdInTheUrlOnly() {
        String c = connect("sf-at-1");
        String upsert = "/services/data/v62.0/sobjects/Contact/Syncline_Id__c/u-1";
        wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.patch(urlPathEqualTo(upsert))
                .withHeader("Authorization", equalTo("Bearer sf-at-1"))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"003D000000QV9n2IAD\",\"success\":true,\"errors\":[],\"created\":true}")));
        io.syncline.support.Api.authed().contentType(io.restassured.http.ContentType.JSON).header("Connection-Id", c)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body("{\"id\":\"u-1\",\"email\":\"Ada@X.test\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}")
                .post("/events/salesforce.contact").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                io.syncline.support.Api.authed().queryParam("connection_id", c).queryParam("result", "sent").get("/api/flow")
                        .then().extract().jsonPath().getList("writes").size() == 1);
        wm.verify(com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor(urlPathEqualTo(upsert))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.equalToJson(
                        "{\"Email\":\"ada@x.test\",\"FirstName\":\"Ada\",\"LastName\":\"Lovelace\"}")));
        assertEquals("003D000000QV9n2IAD", io.syncline.support.Api.authed().queryParam("connection_id", c)
                .queryParam("result", "sent").get("/api/flow").then().extract().path("writes[0].remote_id"),
                "Salesforce: the upsert's answer names the Contact's id");
    }
}
