package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;


import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;
import io.syncline.support.Signing;

/**
 * The catalogue's GitHub app (integrations/github/) through Syncline's HTTP surface, against a
 * stand-in built from GitHub's documented REST answers: GET /repos/{owner}/{repo}/issues with
 * state=all, since and per_page, paged by the Link header; a pull request in that list carries
 * a pull_request key; secondary rate limits answer 403 or 429 with Retry-After; webhooks carry
 * X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256.
 */
@QuarkusTest
class GithubTest extends AppStandIn {

    static final String SECRET = "github-webhook-secret";




    /** The connection's base_url is the repository. */
    private String connect() {
        return connection("github", wm.baseUrl() + "/repos/acme/app", Map.of("access_token", "ghp_test_token",
                "webhook_secret", SECRET));
    }

    private static String issue(int number, String title, String updated, boolean pullRequest) {
        return """
                {"id":%d,"number":%d,"title":"%s","state":"open","body":"It breaks","user":{"login":"octocat"},
                 "labels":[{"id":1,"name":"bug"}],"assignees":[{"login":"hubot"}],"html_url":"https://github.com/acme/app/issues/%d",
                 "created_at":"2026-11-01T10:00:00Z","updated_at":"%s","closed_at":null%s}"""
                .formatted(1000 + number, number, title, number, updated,
                        pullRequest ? ",\"pull_request\":{\"url\":\"https://api.github.com/repos/acme/app/pulls/" + number + "\"}" : "");
    }

    @Test
    void issuesArePagedByLinkAndTheNextRunAsksOnlySinceTheNewestChange() {
        String c = connect();
        String next = wm.baseUrl() + "/repos/acme/app/issues?state=all&sort=updated&direction=asc&per_page=100&page=2";
        wm.stubFor(get(urlPathEqualTo("/repos/acme/app/issues")).withHeader("Authorization", equalTo("Bearer ghp_test_token"))
                .withQueryParam("state", equalTo("all")).withQueryParam("per_page", equalTo("100"))
                .withQueryParam("page", absent()).withQueryParam("since", absent())
                .willReturn(okJson("[" + issue(1, "Crash", "2026-11-20T10:00:00Z", false) + "]")
                        .withHeader("Link", "<" + next + ">; rel=\"next\", <" + next + ">; rel=\"last\"")));
        wm.stubFor(get(urlPathEqualTo("/repos/acme/app/issues")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("[" + issue(2, "Add export", "2026-11-21T10:00:00Z", true) + "]")));

        JsonPath run = CatalogueApi.run("github", c, "issues");
        assertEquals("SUCCESS", run.getString("status"), "GitHub: the Link header's rel=next to the end: " + run.prettify());
        assertEquals(2, run.getInt("counts.added"));
        JsonPath records = CatalogueApi.records("github", c, "Issue");
        Map<String, Object> pr = records.getMap("records.find { it.number == '2' }");
        assertEquals(true, pr.get("is_pull_request"), "GitHub: an issue with a pull_request key is a pull request");
        assertEquals(List.of("bug"), pr.get("labels"));
        assertEquals(false, records.getMap("records.find { it.number == '1' }").get("is_pull_request"));

        // the next run asks since the newest updated_at, less the lookback; a secondary rate limit first
        wm.resetMappings();
        wm.stubFor(get(urlPathEqualTo("/repos/acme/app/issues")).inScenario("limit")
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED).willSetStateTo("ok")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"You have exceeded a secondary rate limit.\",\"documentation_url\":\"https://docs.github.com\"}")));
        wm.stubFor(get(urlPathEqualTo("/repos/acme/app/issues")).inScenario("limit").whenScenarioStateIs("ok")
                .withQueryParam("since", equalTo("2026-11-21T09:59:00Z"))
                .willReturn(okJson("[" + issue(1, "Crash on save", "2026-11-22T10:00:00Z", false) + "]")));
        run = CatalogueApi.run("github", c, "issues");
        assertEquals("SUCCESS", run.getString("status"), run.prettify());
        assertEquals(1, run.getInt("counts.updated"));
        assertTrue(run.getInt("retries") >= 1, "GitHub's secondary rate limit was waited out");
        wm.verify(getRequestedFor(urlPathEqualTo("/repos/acme/app/issues")).withQueryParam("since", matching("2026-11-21T09:59:00Z")));
    }

    @Test
    void aSignedIssuesEventIsStoredADeletedOneDeletesAForgedOneIsRefusedAndAPingIsIgnored() {
        String c = connect();
        String opened = "{\"action\":\"opened\",\"issue\":" + issue(7, "Typo", "2026-11-23T10:00:00Z", false)
                + ",\"repository\":{\"full_name\":\"acme/app\"}}";
        String delivery = UUID.randomUUID().toString();
        post(c, "issues", delivery, opened, Signing.github(SECRET, opened)).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("stored"));
        post(c, "issues", delivery, opened, Signing.github(SECRET, opened)).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("duplicate"));
        post(c, "issues", UUID.randomUUID().toString(), opened, Signing.github("forged", opened)).then().statusCode(401)
                .contentType("application/problem+json");
        String ping = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}";
        post(c, "ping", UUID.randomUUID().toString(), ping, Signing.github(SECRET, ping)).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("ignored"));
        String pr = "{\"action\":\"opened\",\"number\":8,\"pull_request\":" + issue(8, "Fix typo", "2026-11-23T11:00:00Z", false)
                + "}";
        post(c, "pull_request", UUID.randomUUID().toString(), pr, Signing.github(SECRET, pr)).then().statusCode(200);
        JsonPath records = CatalogueApi.records("github", c, "Issue");
        assertEquals(2, records.getList("records").size());
        assertEquals(true, records.getMap("records.find { it.number == '8' }").get("is_pull_request"));

        String deleted = "{\"action\":\"deleted\",\"issue\":" + issue(7, "Typo", "2026-11-23T12:00:00Z", false) + "}";
        post(c, "issues", UUID.randomUUID().toString(), deleted, Signing.github(SECRET, deleted)).then().statusCode(200);
        assertNotNull(CatalogueApi.records("github", c, "Issue").getMap("records.find { it.number == '7' }._sync_metadata")
                .get("deleted_at"), "GitHub: an issues event with action deleted deletes the record");
    }

    private static io.restassured.response.Response post(String conn, String event, String delivery, String body, String sig) {
        return given().contentType(ContentType.JSON).header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", sig).body(body).post("/webhooks/github/" + conn);
    }
}
