package io.syncline;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.syncline.support.PackagedService;
import io.syncline.support.RequiresPostgres;

/**
 * Two Syncline processes on one PostgreSQL, as two replicas would run: a schedule runs once per
 * slot across both, webhooks and events sent to either are applied and delivered once, a
 * connection's rate limit holds for the sum of both, and when one is killed mid-work the other
 * finishes what it had claimed once its lease runs out.
 */
@RequiresPostgres
class ClusterIT {

    static final String DB = io.syncline.support.TestPostgres.url("syncline_cluster");

    WireMockServer remote;
    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (remote != null) {
            remote.stop();
        }
    }

    @Test
    void twoReplicasShareTheWorkAndTheBudgetAndSurviveTheLossOfOne() throws Exception {
        remote = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        remote.start();
        remote.stubFor(get(urlPathEqualTo("/src/contacts")).willReturn(okJson(
                "[{\"id\":\"s1\",\"email\":\"s1@x.io\"},{\"id\":\"s2\",\"email\":\"s2@x.io\"}]").withFixedDelay(300)));
        remote.stubFor(put(urlPathMatching("/dest/contacts/.*")).willReturn(okJson("{}").withFixedDelay(100)));

        Path home = Files.createTempDirectory("syncline-cluster");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("cluster.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: contacts-poll }
                      - { name: integration, value: src }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: every, value: 2s }
                      - { name: path, value: /contacts }
                      - { name: auth, value: none }
                      - { name: mode, value: full }
                - templatedRoute:
                    routeTemplateRef: webhook-sync
                    parameters:
                      - { name: name, value: contacts-in }
                      - { name: integration, value: crm }
                      - { name: path, value: "crm/contacts/{connectionId}" }
                      - { name: signature, value: none }
                      - { name: mapping, value: contact.mapping.yaml }
                - templatedRoute:
                    routeTemplateRef: event-sync
                    parameters:
                      - { name: name, value: contacts-out }
                      - { name: integration, value: dest }
                      - { name: events, value: contact.saved }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: path, value: /contacts }
                      - { name: upsert, value: put }
                      - { name: auth, value: none }
                """);
        PackagedService.writeContactMapping(routes);
        int a = PackagedService.freePort();
        String[] common = {"syncline.db.url=" + DB, "syncline.db.username=postgres", "quarkus.flyway.pg.schemas=syncline_cluster",
                "syncline.schedule.min-interval=1s", "syncline.schedule.tick-ms=250", "syncline.poll.lease=4s",
                "syncline.writer.lease=4s", "syncline.cluster.heartbeat=1s", "syncline.cluster.lease=4s",
                "syncline.limits.requests-per-ip=0"};
        processes.add(PackagedService.start(home, a, home.resolve("a.log"), PackagedService.with(common,
                "quarkus.flyway.pg.clean-at-start=true", "quarkus.flyway.pg.clean-disabled=false")));
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(a));
        int b = PackagedService.freePort();
        processes.add(PackagedService.start(home, b, home.resolve("b.log"), common));
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(b));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT COUNT(*) FROM replicas") == 2);

        PackagedService.send(a, "POST", "/api/connections", Map.of(), "{\"provider_config_key\":\"src\",\"connection_id\":\"acme\","
                + "\"base_url\":\"" + remote.baseUrl() + "/src\"}");
        PackagedService.send(a, "POST", "/api/connections", Map.of(), "{\"provider_config_key\":\"crm\",\"connection_id\":\"acme\"}");
        PackagedService.send(a, "POST", "/api/connections", Map.of(), "{\"provider_config_key\":\"dest\",\"connection_id\":\"acme\","
                + "\"base_url\":\"" + remote.baseUrl() + "/dest\",\"metadata\":{\"rate_requests\":10,\"rate_per_seconds\":1,"
                + "\"max_in_flight\":4}}");

        // webhooks spread over both, each sent to both: applied once
        for (int i = 0; i < 40; i++) {
            String body = "{\"id\":\"w" + i + "\",\"email\":\"w" + i + "@x.io\"}";
            int first = i % 2 == 0 ? a : b;
            int second = first == a ? b : a;
            assertEquals(200, PackagedService.send(first, "POST", "/webhooks/crm/contacts/acme", Map.of(), body).statusCode());
            HttpResponse<String> again = PackagedService.send(second, "POST", "/webhooks/crm/contacts/acme", Map.of(), body);
            assertTrue(again.body().contains("duplicate"), again.body());
        }
        assertEquals(40, count("SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm'"));

        // events spread over both, 10/s for the pair; one replica is killed while they are being written
        int events = 50;
        for (int i = 0; i < events; i++) {
            HttpResponse<String> r = PackagedService.send(i % 2 == 0 ? a : b, "POST", "/events/contact.saved",
                    Map.of("Connection-Id", "acme", "Idempotency-Key", "e" + i),
                    "{\"id\":\"e" + i + "\",\"email\":\"e" + i + "@x.io\"}");
            assertEquals(200, r.statusCode(), r.body());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> delivered().size() >= 10);
        processes.get(0).destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT COUNT(*) FROM writes WHERE provider_config_key = 'dest' AND status = 'sent'") == events);
        List<LoggedRequest> puts = delivered();
        Map<String, Integer> perRecord = new HashMap<>();
        puts.forEach(r -> perRecord.merge(r.getUrl(), 1, Integer::sum));
        assertEquals(events, perRecord.size(), "every event delivered");
        long repeats = puts.size() - perRecord.size();
        assertTrue(repeats <= 6, repeats + " deliveries repeated; only what the killed replica had in flight may be");
        List<Long> at = puts.stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
        for (int i = 0; i + 10 < at.size(); i++) {
            assertTrue(at.get(i + 10) - at.get(i) >= 1000, "11 requests within " + (at.get(i + 10) - at.get(i))
                    + " ms across both replicas, for a budget of 10/s");
        }

        // the schedule: one run per slot across both replicas, and it goes on after one is killed
        OffsetDateTime since = OffsetDateTime.now().minusSeconds(1); // after the kill: the survivor runs it
        await().atMost(Duration.ofSeconds(30)).until(() -> count(
                "SELECT COUNT(*) FROM sync_runs WHERE provider_config_key = 'src' AND status = 'SUCCESS' AND started_at > '"
                        + since + "'") >= 3);
        assertEquals(0, count("""
                SELECT COUNT(*) FROM sync_runs r1 JOIN sync_runs r2 ON r1.id < r2.id
                 AND r1.connection_id = r2.connection_id AND r1.sync_name = r2.sync_name
                 AND r1.finished_at IS NOT NULL AND r2.finished_at IS NOT NULL
                 AND r2.started_at < r1.finished_at AND r1.started_at < r2.finished_at"""),
                "two runs of one sync and connection overlapped");
    }


    List<LoggedRequest> delivered() {
        return remote.findAll(putRequestedFor(urlPathMatching("/dest/contacts/.*")));
    }

    static long count(String sql) throws Exception {
        return io.syncline.support.TestPostgres.count(DB, sql);
    }
}
