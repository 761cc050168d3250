package io.syncline.oauth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.syncline.support.PackagedService;
import io.syncline.support.RequiresPostgres;
import io.syncline.support.TestPostgres;

/**
 * The refresh race, as it happens in production: two Syncline processes on one PostgreSQL, each
 * with many concurrent requests to one connection, whose access tokens live three seconds and
 * whose provider rotates the refresh token on every refresh and revokes the whole grant when a
 * spent one comes back. Over at least ten expiries: no revocation, no failed request, and one
 * refresh per expiry (never two within half a second).
 */
@RequiresPostgres
class OAuthRaceIT {

    static final String DB = TestPostgres.url("syncline_oauth_race");
    static final int THREADS_PER_PROCESS = 6;

    final List<Process> processes = new ArrayList<>();
    RotatingTokenProvider provider;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void twoProcessesRefreshOneRotatingGrantOncePerExpiry() throws Exception {
        provider = new RotatingTokenProvider(3);
        Path home = Files.createTempDirectory("syncline-oauth-race");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.createDirectories(routes.resolve("providers"));
        Files.writeString(routes.resolve("providers/race.yaml"), """
                integration: race
                grant: authorization_code
                authorization_url: %1$s/authorize
                token_url: %1$s/token
                client_auth: client_secret_basic
                rotates_refresh_tokens: true
                refresh_margin_seconds: 1
                """.formatted(provider.url()));
        Files.writeString(routes.resolve("race.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: contacts }
                      - { name: integration, value: race }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: every, value: 1h }
                      - { name: path, value: /contacts }
                      - { name: auth, value: oauth2 }
                      - { name: waitForStart, value: "true" }
                      - { name: recordsPath, value: "$.results" }
                """);
        PackagedService.writeContactMapping(routes);
        String[] common = { "syncline.db.url=" + DB, "syncline.db.username=postgres",
                "quarkus.flyway.pg.schemas=syncline_oauth_race", "syncline.limits.requests-per-ip=0",
                "syncline.oauth.race.client-id=race-client", "syncline.oauth.race.client-secret=race-secret" };
        int a = PackagedService.freePort();
        processes.add(PackagedService.start(home, a, home.resolve("a.log"), PackagedService.with(common,
                "quarkus.flyway.pg.clean-at-start=true", "quarkus.flyway.pg.clean-disabled=false")));
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(a));
        int b = PackagedService.freePort();
        processes.add(PackagedService.start(home, b, home.resolve("b.log"), common));
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(b));
        HttpResponse<String> created = PackagedService.send(a, "POST", "/api/connections", Map.of(),
                "{\"provider_config_key\":\"race\",\"connection_id\":\"acme\",\"base_url\":\"" + provider.url()
                        + "\",\"credentials\":{\"refresh_token\":\"" + provider.refreshToken() + "\"},"
                        + "\"metadata\":{\"rate_requests\":1000,\"rate_per_seconds\":1,\"max_in_flight\":16}}");
        assertEquals(201, created.statusCode(), created.body());

        // each process: many concurrent dry runs (each one reads the connected app with the token) for 25 s
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_PROCESS);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 2 * THREADS_PER_PROCESS; i++) {
            int port = i % 2 == 0 ? a : b;
            running.add(pool.submit(() -> {
                for (int n = 0; n < 2_000 && System.nanoTime() < until; n++) {
                    HttpResponse<String> r = PackagedService.send(port, "POST", "/sync/dry-run", Map.of(),
                            "{\"provider_config_key\":\"race\",\"connection_id\":\"acme\",\"sync\":\"contacts\"}");
                    requests.incrementAndGet();
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        System.out.printf("oauth race: %d requests on 2 processes, %d refreshes, %d rejected calls retried, %d failed%n",
                requests.get(), provider.refreshes.get(), provider.rejectedCalls.get(), failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + requests.get() + " requests failed, e.g. "
                + failures.peek());
        assertEquals(0, provider.revocations.get(), "a spent refresh token came back: the grant was revoked");
        assertTrue(provider.refreshes.get() >= 10, "at least ten expiries were crossed: " + provider.refreshes.get());
        assertEquals(0, provider.early.get(), "two refreshes within half a second: one expiry refreshed twice ("
                + provider.refreshes.get() + " refreshes)");
        assertTrue(requests.get() > 10 * provider.refreshes.get(), "many requests per token: " + requests.get()
                + " requests, " + provider.refreshes.get() + " refreshes");
    }
}
