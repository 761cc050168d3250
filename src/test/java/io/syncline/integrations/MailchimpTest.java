package io.syncline.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.syncline.support.AppStandIn;
import io.syncline.support.CatalogueApi;

/**
 * The catalogue's Mailchimp app (integrations/mailchimp/) through Syncline's HTTP surface, against
 * a stand-in built from Mailchimp's documented Marketing API: basic auth with the API key, GET
 * /lists/{list_id}/members with count, offset and since_last_changed, members keyed by the MD5 of
 * the lower-cased email, tags, and its problem+json errors.
 */
@QuarkusTest
class MailchimpTest extends AppStandIn {

    static final String LIST = "/3.0/lists/57afe96172";




    @Test
    void membersWithTheirTagsAreReadAndTheNextRunAsksSinceLastChanged() {
        String conn = connection("mailchimp", wm.baseUrl() + LIST, Map.of("username", "syncline", "password",
                "0123456789abcdef-us21"));
        String basic = "Basic " + Base64.getEncoder().encodeToString("syncline:0123456789abcdef-us21".getBytes(StandardCharsets.UTF_8));
        wm.stubFor(get(urlPathEqualTo(LIST + "/members")).withHeader("Authorization", equalTo(basic))
                .withQueryParam("count", equalTo("1000")).withQueryParam("offset", equalTo("0"))
                .withQueryParam("since_last_changed", absent())
                .willReturn(okJson("""
                        {"members":[{"id":"62eeb292278cc15f5817cb78f7790b08","email_address":"Urist.McVankab@freddiesjokes.com",
                          "unique_email_id":"e2b5d6e4f7","full_name":"Urist McVankab","status":"subscribed",
                          "merge_fields":{"FNAME":"Urist","LNAME":"McVankab","PHONE":""},
                          "tags":[{"id":1,"name":"vip"},{"id":2,"name":"beta"}],
                          "timestamp_opt":"2026-11-01T10:00:00+00:00","last_changed":"2026-11-20T10:00:00+00:00"}],
                         "list_id":"57afe96172","total_items":1}""")));

        JsonPath run = CatalogueApi.run("mailchimp", conn, "members");
        assertEquals("SUCCESS", run.getString("status"), "Mailchimp: count and offset from 0: " + run.prettify());
        Map<String, Object> m = CatalogueApi.records("mailchimp", conn, "Contact").getMap("records[0]");
        assertEquals("62eeb292278cc15f5817cb78f7790b08", m.get("id"), "Mailchimp's member id, the MD5 of the lower-cased email");
        assertEquals("urist.mcvankab@freddiesjokes.com", m.get("email"));
        assertEquals(List.of("vip", "beta"), m.get("tags"), "Mailchimp: a member's tags as a list of names");
        assertEquals("subscribed", m.get("stage"));

        wm.resetMappings();
        wm.stubFor(get(urlPathEqualTo(LIST + "/members")).withQueryParam("since_last_changed", equalTo("2026-11-20T09:59:00Z"))
                .willReturn(okJson("{\"members\":[],\"total_items\":0}")));
        run = CatalogueApi.run("mailchimp", conn, "members");
        assertEquals("SUCCESS", run.getString("status"), "Mailchimp: since_last_changed the newest last_changed less 60 s: "
                + run.prettify());
    }

    @Test
    void mailchimpsProblemDetailFailsTheRun() {
        String conn = connection("mailchimp", wm.baseUrl() + LIST, Map.of("username", "syncline", "password", "k-us21"));
        wm.stubFor(get(urlPathEqualTo(LIST + "/members")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/problem+json").withBody("""
                        {"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"Resource Not Found",
                         "status":404,"detail":"The requested resource could not be found.","instance":"995c5cb0"}""")));
        JsonPath run = CatalogueApi.run("mailchimp", conn, "members");
        assertEquals("ERROR", run.getString("status"));
        assertTrue(run.getString("error.description").contains("could not be found"), run.prettify());
    }
}
