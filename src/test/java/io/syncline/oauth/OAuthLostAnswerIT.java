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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.syncline.support.PackagedService;
import io.syncline.support.RequiresPostgres;
import io.syncline.support.TestPostgres;

/**
 * The one window that loses a rotated refresh token: the provider has rotated it and answered,
 * and the process is killed (kill -9) before it commits the answer. The next process holds only
 * the spent token. A provider with a reuse interval takes it once more, and syncing goes on; a
 * strict provider refuses it, and the connection is marked as needing a reconnect, its syncs
 * stop asking, and your app gets the failed {@code auth} webhook. Nothing is retried in a loop
 * and no request goes out with a token that was never stored.
 */
@RequiresPostgres
class OAuthLostAnswerIT {

    static final String DB = TestPostgres.url("syncline_oauth_lost");
    static final String DRY_RUN = "{\"provider_config_key\":\"lost\",\"connection_id\":\"acme\",\"sync\":\"contacts\"}";

    final List<Process> processes = new ArrayList<>();
    RotatingTokenProvider provider;
    Path home;
    String[] common;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void aRefreshAnswerLostToAKillIsTakenAgainByALenientProviderAndNeedsAReconnectWithAStrictOne() throws Exception {
        provider = new RotatingTokenProvider(3600);
        home = Files.createTempDirectory("syncline-oauth-lost");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.createDirectories(routes.resolve("providers"));
        Files.writeString(routes.resolve("providers/lost.yaml"), """
                integration: lost
                grant: authorization_code
                authorization_url: %1$s/authorize
                token_url: %1$s/token
                rotates_refresh_tokens: true
                """.formatted(provider.url()));
        Files.writeString(routes.resolve("lost.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: contacts }
                      - { name: integration, value: lost }
                      - { name: mapping, value: contact.mapping.yaml }
                      - { name: every, value: 1h }
                      - { name: path, value: /contacts }
                      - { name: auth, value: oauth2 }
                      - { name: waitForStart, value: "true" }
                      - { name: recordsPath, value: "$.results" }
                """);
        PackagedService.writeContactMapping(routes);
        common = new String[] { "syncline.db.url=" + DB, "syncline.db.username=postgres",
                "quarkus.flyway.pg.schemas=syncline_oauth_lost", "syncline.oauth.lost.client-id=lost-client",
                "syncline.oauth.lost.client-secret=lost-secret", "syncline.notify.backoff-base=100ms",
                "syncline.notify.secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
        int first = start("quarkus.flyway.pg.clean-at-start=true", "quarkus.flyway.pg.clean-disabled=false");
        HttpResponse<String> created = PackagedService.send(first, "POST", "/api/connections", Map.of(),
                "{\"provider_config_key\":\"lost\",\"connection_id\":\"acme\",\"base_url\":\"" + provider.url()
                        + "\",\"credentials\":{\"refresh_token\":\"" + provider.refreshToken() + "\"},"
                        + "\"metadata\":{\"notify_url\":\"" + provider.url() + "/hooks\"}}");
        assertEquals(201, created.statusCode(), created.body());

        // a lenient provider: the answer is lost, the next process presents the spent token, and it is taken once more
        provider.allowOneReuse();
        int second = killDuringRefresh(first);
        assertEquals(200, dryRun(second).statusCode(), "the provider's reuse interval covers the lost answer");
        assertEquals(0, provider.revocations.get());

        // a strict provider: the spent token revokes the grant, and the connection waits for its customer
        int third = killDuringRefresh(second);
        HttpResponse<String> refused = dryRun(third);
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("reconnect-needed"), refused.body());
        HttpResponse<String> shown = PackagedService.send(third, "GET", "/api/connections/lost/acme", Map.of(), "");
        assertTrue(shown.body().contains("reconnect_needed"), shown.body());
        int asked = provider.tokenRequests.get();
        assertEquals(409, dryRun(third).statusCode());
        assertEquals(asked, provider.tokenRequests.get(), "a refused grant is not asked for again");
        await().atMost(Duration.ofSeconds(20)).until(() -> provider.hooks.stream().anyMatch(h ->
                h.contains("\"type\":\"auth\"") && h.contains("\"operation\":\"refresh\"") && h.contains("\"success\":false")));
    }

    private int start(String... more) throws Exception {
        int port = PackagedService.freePort();
        processes.add(PackagedService.start(home, port, home.resolve("p" + port + ".log"),
                PackagedService.with(common, more)));
        await().atMost(Duration.ofSeconds(90)).until(() -> PackagedService.ready(port));
        return port;
    }

    /** A request on {@code port} makes its process refresh; the provider rotates, and the process is killed before it hears back. */
    private int killDuringRefresh(int port) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        provider.holdNextRefresh(release);
        Process victim = processes.get(processes.size() - 1);
        provider.dropAccessToken(); // the next request needs a refresh
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return dryRun(port);
            } catch (Exception e) {
                return null;
            }
        });
        assertTrue(provider.holding.tryAcquire(30, TimeUnit.SECONDS), "the refresh reached the provider");
        victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9, between the provider's answer and the commit
        release.countDown();
        inFlight.get(30, TimeUnit.SECONDS);
        return start();
    }

    private static HttpResponse<String> dryRun(int port) throws Exception {
        return PackagedService.send(port, "POST", "/sync/dry-run", Map.of(), DRY_RUN);
    }
}
