package io.syncline.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.support.Api;
import io.syncline.support.AppStandIn;

/**
 * {@code upsert: update}: a write whose record the destination does not hold yet is tried again,
 * never created, so two syncs that write one record (one creates it, the other tags it) never both
 * create it; once the record is there, it is updated and linked.
 */
@QuarkusTest
class UpdateOnlyTest extends AppStandIn {

    @Test
    void aRecordNotThereYetIsTriedAgainAndNeverCreated() {
        String conn = connection("updest", wm.baseUrl(), Map.of());
        wm.stubFor(get(urlPathEqualTo("/contacts")).willReturn(okJson("{\"results\":[]}")));
        Api.authed().contentType(ContentType.JSON).header("Connection-Id", conn)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body("{\"id\":\"u1\",\"email\":\"tag@x.test\",\"plan\":\"gold\"}").post("/events/contact.update")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> flow(conn, "retry") >= 1);

        // the creating sync got there: the next attempt finds it and updates it
        wm.stubFor(get(urlPathEqualTo("/contacts")).willReturn(okJson("{\"results\":[{\"id\":\"r-77\"}]}")));
        wm.stubFor(patch(urlPathMatching("/contacts/r-77")).willReturn(okJson("{\"id\":\"r-77\"}")));
        await().atMost(Duration.ofSeconds(30)).until(() -> flow(conn, "sent") == 1);
        wm.verify(0, postRequestedFor(urlPathEqualTo("/contacts")));
        wm.verify(1, patchRequestedFor(urlPathEqualTo("/contacts/r-77")));
        assertEquals("r-77", Api.authed().queryParam("connection_id", conn).queryParam("result", "sent").get("/api/flow")
                .then().extract().path("writes[0].remote_id"));
    }

    private static int flow(String conn, String result) {
        return Api.authed().queryParam("connection_id", conn).queryParam("result", result).get("/api/flow").then()
                .extract().jsonPath().getList("writes").size();
    }
}
