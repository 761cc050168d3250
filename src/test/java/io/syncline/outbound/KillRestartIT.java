package io.syncline.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.syncline.support.PackagedService;

/**
 * Guarantee 2 with a real crash: the packaged service is killed (SIGKILL) while the destination
 * holds its create request, then started again on the same data directory. The write is still
 * queued, is claimed again once its lease runs out, and the search-then-create upsert finds the
 * record the first attempt made: the destination ends with exactly one record.
 */
class KillRestartIT {

    static final String KEY = PackagedService.KEY;

    WireMockServer crm;
    Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
        if (crm != null) {
            crm.stop();
        }
    }

    @Test
    void aWriteInterruptedByAKillLeavesExactlyOneRecordAtTheDestination() throws Exception {
        crm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        crm.start();
        String s = "crash";
        crm.stubFor(get(urlPathEqualTo("/acme/contacts")).inScenario(s).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson("{\"results\":[]}")));
        // the create is received, and answered only long after the service is gone
        crm.stubFor(post(urlPathEqualTo("/acme/contacts")).inScenario(s).willSetStateTo("created")
                .willReturn(aResponse().withStatus(201).withBody("{\"id\":\"r1\"}").withFixedDelay(30_000)));
        crm.stubFor(get(urlPathEqualTo("/acme/contacts")).inScenario(s).whenScenarioStateIs("created")
                .willReturn(okJson("{\"results\":[{\"id\":\"r1\",\"email\":\"ada@x.io\"}]}")));
        crm.stubFor(patch(urlPathEqualTo("/acme/contacts/r1")).willReturn(okJson("{\"id\":\"r1\"}")));

        Path home = Files.createTempDirectory("syncline-kill-it");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("contacts-out.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: event-sync
                    parameters:
                      - { name: name, value: contacts-out }
                      - { name: integration, value: crm }
                      - { name: events, value: contact.saved }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: path, value: /contacts }
                      - { name: searchPath, value: "/contacts?email={email}" }
                      - { name: auth, value: none }
                      - { name: timeoutSeconds, value: "25" }
                """);
        Files.writeString(routes.resolve("contact.mapping.yaml"), """
                model: Contact
                key: id
                fields:
                  id:    { path: $.id, type: string, required: true }
                  email: { path: $.email, type: string, required: true }
                  name:  { path: $.name }
                """);
        int port = freePort();
        service = start(home, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(port));
        assertEquals(201, send(port, "POST", "/api/connections", null, """
                {"provider_config_key":"crm","connection_id":"acme","base_url":"%s/acme"}""".formatted(crm.baseUrl())));
        assertEquals(200, send(port, "POST", "/events/contact.saved", "e-1", """
                {"id":"u1","email":"ada@x.io","name":"Ada"}"""));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> crm.findAll(postRequestedFor(urlPathEqualTo("/acme/contacts"))).size() == 1);

        service.destroyForcibly().waitFor();
        service = start(home, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(port));

        // in flight, the write was leased for its requests' timeouts (2 x 25 s) and the writer lease:
        // the restarted service takes it up when that runs out, and not before
        await().atMost(Duration.ofSeconds(90))
                .until(() -> crm.findAll(patchRequestedFor(urlPathEqualTo("/acme/contacts/r1"))).size() == 1);
        assertEquals(1, crm.findAll(postRequestedFor(urlPathEqualTo("/acme/contacts"))).size(),
                "the repeat after the crash created a second record");
    }

    Process start(Path home, int port) throws IOException {
        return PackagedService.start(home, port, "syncline.writer.lease=3s");
    }

    static boolean ready(int port) {
        return PackagedService.ready(port);
    }

    static int send(int port, String method, String path, String idempotencyKey, String body) throws Exception {
        return PackagedService.send(port, method, path, idempotencyKey == null ? Map.of("Connection-Id", "acme")
                : Map.of("Connection-Id", "acme", "Idempotency-Key", idempotencyKey), body).statusCode();
    }

    static int freePort() throws IOException {
        return PackagedService.freePort();
    }
}
