package io.syncline.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.support.Api;
import io.syncline.support.Browser;

/**
 * The console as the person on call uses it, in a real Chromium: sign in, see the failing sync,
 * open its dead letters, replay one and see it delivered to the (WireMock) connected app, settle
 * a conflict side by side, and find the write in the data-flow log. Each main page is saved as a
 * screenshot under target/console-screenshots.
 */
@QuarkusTest
class ConsoleBrowserTest {

    static String base() {
        return "http://127.0.0.1:" + io.restassured.RestAssured.port;
    }
    static WireMockServer crm;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.start();
        crm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        crm.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (crm != null) {
            crm.stop();
        }
    }

    @BeforeEach
    void wideWindowAndSignedOut() {
        browser.manage().window().setSize(new Dimension(1280, 800));
        browser.manage().deleteAllCookies();
    }

    static String connect(String integration) {
        String id = "k" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", crm.baseUrl() + "/" + id, "credentials", Map.of("api_key", "key-" + id,
                        "access_token", "tok-" + id))).post("/api/connections").then().statusCode(201);
        return id;
    }

    static void fromApp(String type, String connection, String body) {
        Api.authed().contentType(ContentType.JSON).header("Connection-Id", connection)
                .header("Idempotency-Key", UUID.randomUUID().toString()).body(body).post("/events/" + type).then()
                .statusCode(200);
    }

    static void fromCrm(String integration, String connection, String body) {
        given().contentType(ContentType.JSON).header("X-Delivery", UUID.randomUUID().toString()).body(body)
                .post("/webhooks/" + integration + "/contacts/" + connection).then().statusCode(200);
    }

    static String contact(String id, String email, String name, String updatedAt) {
        return "{\"id\":\"%s\",\"email\":\"%s\",\"name\":\"%s\",\"plan\":\"free\",\"updated_at\":\"%s\"}"
                .formatted(id, email, name, updatedAt);
    }

    static List<Object> flowResults(String integration, String connection) {
        return Api.authed().queryParam("provider_config_key", integration).queryParam("connection_id", connection)
                .get("/api/flow").then().statusCode(200).extract().jsonPath().getList("writes.result");
    }

    void signIn() {
        browser.get(base() + "/console");
        WebElement key = browser.findElement(By.id("api_key"));
        key.sendKeys(Api.KEY + Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getTitle().startsWith("Overview"));
    }

    WebElement row(String text) {
        return browser.findElement(By.xpath("//tbody/tr[.//*[normalize-space()='" + text + "']]"));
    }

    void click(By by) {
        follow(browser.findElement(by));
    }

    /** Clicks a link or button that loads another page, and waits for that page. */
    void follow(WebElement element) {
        String before = browser.getCurrentUrl();
        element.click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.getCurrentUrl().equals(before)
                && "complete".equals(browser.executeScript("return document.readyState")));
    }

    /** The line an action leaves on the page it returns to, once that page has loaded. */
    String notice() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector(".notice, .error"))
                .isEmpty());
        List<WebElement> errors = browser.findElements(By.cssSelector(".error"));
        assertTrue(errors.isEmpty(), () -> "the action failed: " + errors.get(0).getText());
        return browser.findElement(By.cssSelector(".notice")).getText();
    }

    @Test
    void aWrongKeyIsRefusedAndTheRightOneOpensTheOverview() throws Exception {
        browser.get(base() + "/console/dead-letters");
        assertTrue(browser.getCurrentUrl().contains("/console/login"), browser.getCurrentUrl());
        browser.findElement(By.id("api_key")).sendKeys("not-a-key" + Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector(".error")).isEmpty());
        assertEquals("That API key is not valid, or was revoked.", browser.findElement(By.cssSelector(".error")).getText());
        Browser.screenshot(browser, "login");

        browser.findElement(By.id("api_key")).sendKeys(Api.KEY + Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getTitle().startsWith("Dead letters"));

        click(By.linkText("Overview"));
        assertTrue(browser.findElement(By.cssSelector("table.grid")).isDisplayed());
        browser.manage().window().setSize(new Dimension(420, 800));
        Object overflow = browser.executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth");
        assertEquals(Boolean.FALSE, overflow, "on a narrow window only the tables scroll, not the page");
        Browser.screenshot(browser, "overview-narrow");
    }

    @Test
    void aFailingSyncsDeadLetterIsReplayedFromTheConsoleAndDelivered() throws Exception {
        String c = connect("putdest");
        String record = "u-" + c;
        crm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"plan is not allowed\"}")));
        fromApp("contact.put", c, contact(record, "ada@example.com", "Ada", "2026-11-22T10:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.authed().queryParam("connection_id", c)
                .get("/api/dead-letters").then().extract().jsonPath().getList("dead_letters").size() == 1);

        signIn();
        WebElement failing = row(c);
        assertEquals("failing", failing.findElement(By.cssSelector(".badge")).getText());
        Browser.screenshot(browser, "overview");
        follow(failing.findElement(By.linkText("1 open")));

        WebElement letter = row(c);
        assertTrue(letter.getText().contains("422"), letter.getText());
        Browser.screenshot(browser, "dead-letters");
        follow(letter.findElement(By.cssSelector("td:nth-child(2) a")));
        assertTrue(browser.findElement(By.cssSelector(".reason")).getText().contains("plan is not allowed"));
        Browser.screenshot(browser, "dead-letter");

        crm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{\"id\":\"" + record + "\"}")));
        click(By.cssSelector("button[value=replay]"));
        assertEquals("Replayed 1 dead letter.", notice());
        await().atMost(Duration.ofSeconds(10)).until(() -> flowResults("putdest", c).contains("sent"));
        crm.verify(2, putRequestedFor(urlPathEqualTo("/" + c + "/contacts/" + record))
                .withRequestBody(matchingJsonPath("$.email", equalTo("ada@example.com"))));

        click(By.linkText("Overview"));
        assertEquals("healthy", row(c).findElement(By.cssSelector(".badge")).getText());

        // "Why did this record get this value?": search the flow log by the record, open the write.
        click(By.linkText("Data flow"));
        browser.findElement(By.id("s-record")).sendKeys(record);
        browser.findElement(By.id("s-conn")).sendKeys(c + Keys.ENTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("record_id=" + record));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElements(
                By.xpath("//tbody/tr[.//span[normalize-space()='sent']]")).size() == 1);
        Browser.screenshot(browser, "flow");
        follow(browser.findElement(By.xpath("//tbody/tr[.//span[normalize-space()='sent']]//a")));
        String payload = browser.findElement(By.cssSelector("pre.payload")).getText();
        assertTrue(payload.contains("\"email\" : \"ada@example.com\""), payload);
        Browser.screenshot(browser, "flow-entry");
    }

    @Test
    void discardingAskWhetherYouAreSureFirst() throws Exception {
        String c = connect("putdest");
        crm.stubFor(put(urlPathMatching("/" + c + "/contacts/.*")).willReturn(aResponse().withStatus(400)));
        fromApp("contact.put", c, contact("d-" + c, "bo@example.com", "Bo", "2026-11-22T10:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.authed().queryParam("connection_id", c)
                .get("/api/dead-letters").then().extract().jsonPath().getList("dead_letters").size() == 1);

        signIn();
        browser.get(base() + "/console/dead-letters?connection_id=" + c);
        row(c).findElement(By.cssSelector("input[type=checkbox]")).click();
        click(By.cssSelector("button[value=discard]"));
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getTitle().startsWith("Discard"));
        assertEquals("Discard 1 dead letter?", browser.findElement(By.tagName("h1")).getText());
        assertEquals("open", Api.authed().queryParam("connection_id", c).get("/api/dead-letters").then().extract()
                .jsonPath().getString("dead_letters[0].status"), "nothing is discarded before the confirmation");
        click(By.cssSelector("button.danger"));
        assertEquals("Discarded 1 dead letter.", notice());
        assertEquals("discarded", Api.authed().queryParam("connection_id", c).queryParam("status", "all")
                .get("/api/dead-letters").then().extract().jsonPath().getString("dead_letters[0].status"));
    }

    @Test
    void aConflictIsSettledSideBySideAndTheChoiceIsWritten() throws Exception {
        String c = connect("crm3");
        crm.stubFor(get(urlPathEqualTo("/" + c + "/contacts")).willReturn(okJson("{\"results\":[]}")));
        crm.stubFor(post(urlPathEqualTo("/" + c + "/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"r-new\"}")));
        crm.stubFor(patch(urlPathMatching("/" + c + "/contacts/.*")).willReturn(okJson("{}")));
        fromCrm("crm3", c, contact("r6", "fi@x.io", "Fi", "2026-11-21T10:00:00Z"));
        fromApp("contact.reviewed", c, contact("u6", "fi@x.io", "Fi", "2026-11-21T10:00:01Z"));
        fromCrm("crm3", c, contact("r6", "fi@x.io", "Fiona (CRM)", "2026-11-21T10:10:00Z"));
        fromApp("contact.reviewed", c, contact("u6", "fi@x.io", "Fiona (app)", "2026-11-21T10:11:00Z"));

        signIn();
        click(By.linkText("Conflicts"));
        WebElement conflict = row(c);
        assertTrue(conflict.getText().contains("Fiona (app)") && conflict.getText().contains("Fiona (CRM)"),
                conflict.getText());
        follow(conflict.findElement(By.cssSelector("td:first-child a")));
        List<WebElement> sides = browser.findElements(By.cssSelector(".sides pre"));
        assertEquals("\"Fiona (app)\"", sides.get(0).getText());
        assertEquals("\"Fiona (CRM)\"", sides.get(1).getText());
        Browser.screenshot(browser, "conflict");
        click(By.cssSelector("button[value=app]"));
        assertTrue(notice().startsWith("Resolved."), notice());
        await().atMost(Duration.ofSeconds(10)).until(() -> flowResults("crm3", c).contains("sent"));
        crm.verify(1, patchRequestedFor(urlPathEqualTo("/" + c + "/contacts/r6"))
                .withRequestBody(matchingJsonPath("$.name", equalTo("Fiona (app)"))));
        assertFalse(browser.findElements(By.cssSelector("button[value=app]")).iterator().hasNext(),
                "a resolved conflict offers no choice any more");
    }

    /** Runs the sync of one connection now and waits for the run to finish; returns its status. */
    static String runNow(String integration, String connection) {
        long id = Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration,
                "connection_id", connection)).post("/sync/trigger").then().statusCode(200).extract().jsonPath()
                .getLong("runs[0].run_id");
        await().atMost(Duration.ofSeconds(20)).until(() -> !"RUNNING".equals(Api.authed().get("/api/runs/" + id).then()
                .extract().jsonPath().getString("status")));
        return Api.authed().get("/api/runs/" + id).then().extract().jsonPath().getString("status");
    }

    static void source(String connection, String... ids) {
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < Math.min(2, ids.length); i++) {
            first.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\",\"email\":\"")
                    .append(ids[i]).append("@example.com\",\"updated_at\":\"x\"}");
        }
        String second = ids.length > 2 ? "{\"id\":\"" + ids[2] + "\",\"email\":\"" + ids[2]
                + "@example.com\",\"updated_at\":\"x\"}" : "";
        crm.stubFor(get(urlPathEqualTo("/" + connection + "/contacts")).withQueryParam("page", equalTo("1"))
                .willReturn(okJson("{\"items\":[" + first + "]}")));
        crm.stubFor(get(urlPathEqualTo("/" + connection + "/contacts")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson("{\"items\":[" + second + "]}")));
    }

    @Test
    void aHeldMassDeleteIsApprovedAndADifferingWriteIsRepairedFromTheConsole() throws Exception {
        String c = connect("src-full");
        source(c, "a", "b", "c");
        assertEquals("SUCCESS", runNow("src-full", c));
        source(c);
        assertEquals("AWAITING_APPROVAL", runNow("src-full", c));

        String w = connect("putdest");
        String record = "w-" + w;
        crm.stubFor(put(urlPathMatching("/" + w + "/contacts/.*")).willReturn(okJson("{}")));
        fromApp("contact.put", w, contact(record, "ann@example.com", "Ann", "2026-11-22T10:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> flowResults("putdest", w).contains("sent"));
        crm.stubFor(get(urlPathEqualTo("/" + w + "/contacts/" + record)).willReturn(okJson(
                "{\"id\":\"" + record + "\",\"email\":\"ann@example.com\",\"name\":\"Anne\",\"plan\":\"free\","
                        + "\"updated_at\":\"2026-11-22T10:00:00Z\"}")));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "putdest", "sync", "contacts-put",
                "connection_id", w)).post("/api/write-checks/run").then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> "differs".equals(Api.authed()
                .queryParam("provider_config_key", "putdest").queryParam("sync", "contacts-put")
                .queryParam("connection_id", w).get("/api/write-checks").then().extract().jsonPath()
                .getString("checks[0].result")));

        signIn();
        WebElement held = row(c);
        assertEquals("review", held.findElement(By.cssSelector(".badge")).getText());
        assertTrue(held.findElement(By.cssSelector(".reason")).getText().startsWith("awaiting_approval"),
                "the overview says why, without a click");
        click(By.linkText("Needs a decision"));
        WebElement review = browser.findElement(By.xpath("//table[@id='delete-reviews']/tbody/tr[td[normalize-space()='"
                + c + "']]"));
        assertTrue(review.getText().contains("3 of 3"), review.getText());
        assertTrue(review.getText().contains("a, b, c"), "what would be deleted is shown: " + review.getText());
        WebElement check = browser.findElement(By.xpath("//table[contains(@class,'write-checks')]/tbody/tr[th[normalize-space()='"
                + record + "']]"));
        assertTrue(check.getText().contains("Anne"), "both values are shown: " + check.getText());
        Browser.screenshot(browser, "reviews");

        follow(review.findElement(By.cssSelector("button[value=approve]")));
        assertTrue(notice().endsWith("deleted 3 records."), notice());
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.authed().header("Connection-Id", c)
                .header("Provider-Config-Key", "src-full").queryParam("model", "Contact").queryParam("filter", "deleted")
                .get("/records").then().statusCode(200).extract().jsonPath().getList("records").size() == 3);

        follow(browser.findElement(By.xpath("//table[contains(@class,'write-checks')]/tbody/tr[th[normalize-space()='"
                + record + "']]//button[@value='repair']")));
        assertTrue(notice().startsWith("Queued the written record"), notice());
        await().atMost(Duration.ofSeconds(10)).until(() -> crm.findAll(putRequestedFor(urlPathEqualTo("/" + w
                + "/contacts/" + record))).size() == 2);
        assertTrue(browser.findElements(By.xpath("//tr[th[normalize-space()='" + record + "']]//button[@value='repair']"))
                .isEmpty(), "a repaired check offers no second repair");
    }

    @Test
    void oneCredentialChangesWithoutTheOthersAndTheConnectionShowsItsOverlays() throws Exception {
        String c = connect("src-full");
        source(c, "a", "b");
        Api.authed().contentType(ContentType.JSON).body(Map.of("overlay", Map.of("fields", Map.of("score",
                Map.of("path", "$.custom.score", "type", "number"))), "note", "custom score"))
                .put("/api/overlays/src-full/" + c + "/contacts").then().statusCode(200);
        signIn();
        browser.get(base() + "/console/connections/src-full/" + c);
        WebElement overlay = browser.findElement(By.xpath("//table[@id='overlays']/tbody/tr[th[normalize-space()='contacts']]"));
        assertTrue(overlay.getText().contains("$.custom.score") && overlay.getText().contains("custom score"),
                overlay.getText());
        browser.findElement(By.id("cn-0")).sendKeys("access_token");
        browser.findElement(By.id("cv-0")).sendKeys("tok-rotated");
        Browser.screenshot(browser, "connection");
        follow(browser.findElement(By.cssSelector("form.stack button.primary")));
        assertEquals("Saved.", notice());
        // an overlay is set and reverted from the same page, in the mapping files' syntax
        browser.findElement(By.xpath("//select[@id='ov-sync']/option[.='contacts']")).click();
        browser.findElement(By.id("ov-text")).sendKeys("drop: [updated_at]");
        follow(browser.findElement(By.cssSelector("button[value=overlay]")));
        assertTrue(notice().startsWith("Saved overlay version 2 of contacts"), notice());
        browser.findElement(By.id("ov-text")).sendKeys("drop: [nickname]");
        follow(browser.findElement(By.cssSelector("button[value=overlay]")));
        assertTrue(browser.findElement(By.cssSelector(".error")).getText().contains("'nickname' is not a field"),
                "a mistake is refused with the field and the reason");
        follow(browser.findElement(By.xpath("//table[@id='overlays']//tr[th[normalize-space()='contacts']]"
                + "//button[@value='revert']")));
        assertEquals("Reverted contacts: revert to version 1.", notice());
        assertTrue(browser.findElement(By.id("overlays")).getText().contains("$.custom.score"));
        List<String> fields = Api.authed().get("/api/connections/src-full/" + c).then().statusCode(200).extract()
                .jsonPath().getList("credential_fields");
        assertTrue(fields.contains("api_key") && fields.contains("access_token"), "the other credential stays: " + fields);
        assertFalse(browser.getPageSource().contains("tok-rotated"), "a credential is never shown");

        // a scoped resync from the sync's page reads only the listed record, once the backfills are done
        await().atMost(Duration.ofSeconds(15)).until(() -> !Api.authed().queryParam("provider_config_key", "src-full")
                .queryParam("connection_id", c).get("/api/runs").then().extract().jsonPath().getList("runs.status")
                .contains("RUNNING"));
        browser.get(base() + "/console/syncs/src-full/contacts?connection=" + c);
        browser.findElement(By.id("sc-ids")).sendKeys("a");
        follow(browser.findElement(By.cssSelector("button[value=scoped]")));
        assertTrue(notice().startsWith("Started scoped run"), notice());
        await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCESS".equals(Api.authed()
                .queryParam("provider_config_key", "src-full").queryParam("connection_id", c).get("/api/runs").then()
                .extract().jsonPath().getString("runs.find { it.trigger == 'scope_ids' }.status")));
    }

    @Test
    void theMainPagesRenderForScreenshots() throws Exception {
        signIn();
        for (String page : List.of("records", "connections")) {
            browser.get(base() + "/console/" + page);
            assertTrue(browser.findElement(By.tagName("h1")).isDisplayed());
            Browser.screenshot(browser, page);
        }
    }
}
