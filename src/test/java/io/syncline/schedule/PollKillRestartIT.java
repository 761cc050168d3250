package io.syncline.schedule;

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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.restassured.path.json.JsonPath;
import io.syncline.support.PackagedService;

/**
 * A poll run killed (SIGKILL) mid-run, for real: the packaged service is killed while its run
 * waits for page 2, and started again on the same embedded database. The dead run is closed as
 * failed ('interrupted') at once, not left RUNNING; the work resumes after the committed page
 * without waiting for the next slot; and the success webhook to your app covers both runs' pages.
 */
class PollKillRestartIT {

    WireMockServer source;
    Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
        if (source != null) {
            source.stop();
        }
    }

    static String items(String... ids) {
        StringBuilder s = new StringBuilder("{\"items\":[");
        for (int i = 0; i < ids.length; i++) {
            s.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\",\"email\":\"").append(ids[i])
                    .append("@x.io\"}");
        }
        return s.append("]}").toString();
    }

    Process start(Path home, int port) throws Exception {
        return PackagedService.start(home, port, "syncline.schedule.tick-ms=500",
                "syncline.notify.secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    JsonPath runs(int port) throws Exception {
        HttpResponse<String> r = PackagedService.send(port, "GET", "/api/runs?provider_config_key=src", Map.of(), "");
        return new JsonPath(r.body());
    }

    @Test
    void aRunKilledMidwayIsClosedResumedAtOnceAndAnnounced() throws Exception {
        source = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        source.start();
        source.stubFor(get(urlPathEqualTo("/acme/contacts")).withQueryParam("offset", equalTo("0"))
                .willReturn(okJson(items("a", "b"))));
        // page 2 hangs the first time (the service is killed meanwhile), and answers afterwards
        source.stubFor(get(urlPathEqualTo("/acme/contacts")).withQueryParam("offset", equalTo("2")).inScenario("kill")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("restarted")
                .willReturn(okJson(items("c", "d")).withFixedDelay(60_000)));
        source.stubFor(get(urlPathEqualTo("/acme/contacts")).withQueryParam("offset", equalTo("2")).inScenario("kill")
                .whenScenarioStateIs("restarted").willReturn(okJson(items("c", "d"))));
        source.stubFor(get(urlPathEqualTo("/acme/contacts")).withQueryParam("offset", equalTo("4"))
                .willReturn(okJson(items())));
        source.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(204)));

        Path home = Files.createTempDirectory("syncline-poll-kill-it");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("poll.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: contacts }
                      - { name: integration, value: src }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: every, value: 1h }
                      - { name: path, value: /contacts }
                      - { name: auth, value: none }
                      - { name: recordsPath, value: $.items }
                      - { name: pagination, value: offset }
                      - { name: pageSize, value: "2" }
                      - { name: waitForStart, value: "true" }
                      - { name: maxAttempts, value: "1" }
                """);
        PackagedService.writeContactMapping(routes);
        int port = PackagedService.freePort();
        service = start(home, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));
        assertEquals(201, PackagedService.send(port, "POST", "/api/connections", Map.of(), """
                {"provider_config_key":"src","connection_id":"acme","base_url":"%s/acme",
                 "metadata":{"notify_url":"%s/hook"}}""".formatted(source.baseUrl(), source.baseUrl())).statusCode());
        assertEquals(200, PackagedService.send(port, "POST", "/sync/trigger", Map.of(),
                "{\"provider_config_key\":\"src\",\"connection_id\":\"acme\",\"syncs\":[\"contacts\"]}").statusCode());
        await().atMost(Duration.ofSeconds(20)).until(() -> !source.findAll(getRequestedFor(urlPathEqualTo("/acme/contacts"))
                .withQueryParam("offset", equalTo("2"))).isEmpty());
        // page 2 is asked for while page 1 commits: the kill comes once page 1's records (and the
        // checkpoint they commit with) can be read
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonPath(PackagedService.send(port, "GET",
                "/records?model=Contact", Map.of("Connection-Id", "acme", "Provider-Config-Key", "src"), "").body())
                .getList("records").size() == 2);

        service.destroyForcibly().waitFor(); // kill -9 while page 2 is out, after page 1 committed
        service = start(home, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonPath r = runs(port);
            return r.getList("runs").size() == 2 && "SUCCESS".equals(r.getString("runs[0].status"));
        });
        JsonPath r = runs(port);
        assertEquals("resume", r.getString("runs[0].trigger"));
        assertEquals(2, r.getInt("runs[0].counts.added"), "the resumed run read on from page 2");
        assertEquals("ERROR", r.getString("runs[1].status"), "the killed run is not left RUNNING");
        assertEquals("interrupted", r.getString("runs[1].error.type"));

        await().atMost(Duration.ofSeconds(20)).until(() -> source.findAll(postRequestedFor(urlPathEqualTo("/hook"))).size() == 2);
        List<JsonPath> hooks = source.findAll(postRequestedFor(urlPathEqualTo("/hook"))).stream()
                .map(h -> new JsonPath(h.getBodyAsString())).toList();
        assertTrue(hooks.stream().anyMatch(h -> "interrupted".equals(h.getString("error.type"))), hooks.toString());
        JsonPath success = hooks.stream().filter(h -> h.getBoolean("success")).findFirst().orElseThrow();
        assertEquals(4, success.getInt("responseResults.added"), "the killed run's page is announced too");
        assertEquals(r.getString("runs[1].started_at"), success.getString("modifiedAfter"));
    }
}
