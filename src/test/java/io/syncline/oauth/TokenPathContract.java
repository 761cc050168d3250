package io.syncline.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.metrics.SyncMetrics;
import io.syncline.store.Database;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token path: OAuth2 access tokens from a real OAuth2 server (client credentials) and from a
 * provider that rotates refresh tokens and revokes the grant when a spent one comes back. Two
 * {@link TokenPath}s on one database stand for two replicas: each has its own memory, and only
 * the database's row lock keeps them from refreshing the same grant twice.
 */
abstract class TokenPathContract {

    @Inject
    Connections connections;
    @Inject
    SyncMetrics metrics;
    @Inject
    Database db;
    @Inject
    TokenEndpoint endpoint;
    @Inject
    Event<TokenPath.GrantRefused> grantRefused;

    Path routes;

    MockOAuth2Server oauthServer;
    RotatingTokenProvider rotating;
    OAuthProviders providers;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void providers() throws IOException {
        oauthServer = new MockOAuth2Server();
        oauthServer.start(InetAddress.getLoopbackAddress(), 0);
        rotating = new RotatingTokenProvider(2);
        routes = Files.createTempDirectory("syncline-providers");
        Files.createDirectories(routes.resolve("providers"));
        Files.writeString(routes.resolve("providers/oauthcc.yaml"), """
                integration: oauthcc
                grant: client_credentials
                token_url: %s
                scopes: [contacts.read, contacts.write]
                client_auth: client_secret_post
                """.formatted(oauthServer.tokenEndpointUrl("default")));
        Files.writeString(routes.resolve("providers/oauthrot.yaml"), """
                integration: oauthrot
                grant: authorization_code
                authorization_url: %1$s/authorize
                token_url: %1$s/token
                client_auth: client_secret_basic
                rotates_refresh_tokens: true
                refresh_margin_seconds: 1
                """.formatted(rotating.url()));
        providers = new OAuthProviders(routes.toString());
    }

    @AfterEach
    void stop() throws IOException {
        if (oauthServer != null) {
            oauthServer.shutdown();
        }
        if (rotating != null) {
            rotating.close();
        }
        if (routes != null) {
            try (var files = Files.walk(routes)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** A token path of its own memory, as a second replica has. */
    TokenPath replica() {
        return new TokenPath(connections, providers, metrics, endpoint, grantRefused);
    }

    @Test
    void aClientCredentialsTokenComesFromTheOAuthServerOnceAndIsSharedWhileValid() throws Exception {
        Connection c = connection("oauthcc", Map.of());
        TokenPath one = replica();
        String token = one.accessToken(c);
        assertEquals(token, one.accessToken(c), "a valid token is used again");
        RecordedRequest asked = oauthServer.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(asked);
        String form = asked.getBody().readUtf8();
        assertTrue(form.contains("grant_type=client_credentials"), form);
        assertTrue(form.contains("client_id=syncline-test"), form);
        assertTrue(form.contains("scope=contacts.read+contacts.write"), form);
        assertEquals(token, replica().accessToken(c),
                "another replica takes the stored token instead of asking again");
        assertThrows(RuntimeException.class, () -> oauthServer.takeRequest(200, TimeUnit.MILLISECONDS),
                "the token endpoint was asked once");
        assertFalse(storedCredentials(c).contains(token), "the token is sealed at rest");
    }

    @Test
    void aRotatingGrantIsRefreshedExactlyOncePerExpiryByTwoReplicasUnderLoad() throws Exception {
        Connection c = connection("oauthrot", Map.of("refresh_token", rotating.refreshToken()));
        List<TokenPath> replicas = List.of(replica(),
                replica());
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.currentTimeMillis() + 60_000;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TokenPath replica = replicas.get(i % 2);
            workers.add(pool.submit(() -> {
                // bounded by count and time: until ten expiries have passed, at most a minute
                while (rotating.refreshes.get() < 11 && System.currentTimeMillis() < deadline && sent.get() < 200_000) {
                    String token = replica.accessToken(c);
                    int status = call(token);
                    if (status == 401) {
                        status = call(replica.rejected(c, token)); // one refresh and one retry, as the clients do
                    }
                    sent.incrementAndGet();
                    if (status != 200) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(90, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(rotating.refreshes.get() >= 11, "ten expiries passed: " + rotating.refreshes.get() + " refreshes");
        assertEquals(0, rotating.revocations.get(), "no refresh token was spent twice");
        assertEquals(0, rotating.early.get(), "no replica refreshed what another just had");
        assertEquals(0, failed.get(), "of " + sent.get() + " requests, none failed");
        assertFalse(storedCredentials(c).contains(rotating.refreshToken()), "the rotated refresh token is sealed");
    }

    @Test
    void aRejectedTokenIsRefreshedOnceEvenWhenManyRequestsReportIt() {
        Connection c = connection("oauthrot", Map.of("refresh_token", rotating.refreshToken()));
        TokenPath tokens = replica();
        String first = tokens.accessToken(c);
        int before = rotating.refreshes.get();
        String second = tokens.rejected(c, first);
        assertNotEquals(first, second);
        assertEquals(second, tokens.rejected(c, first), "a second 401 with the old token takes the new one");
        assertEquals(second, replica().rejected(c, first),
                "so does another replica's");
        assertEquals(before + 1, rotating.refreshes.get(), "one refresh for all of them");
    }

    @Test
    void invalidGrantAsksForAReconnectAndTheProviderIsNotAskedAgainUntilOne() {
        Connection c = connection("oauthrot", Map.of("refresh_token", "rt-spent-long-ago"));
        TokenPath tokens = replica();
        ConnectionAuth.NeedsReconnect refused = assertThrows(ConnectionAuth.NeedsReconnect.class,
                () -> tokens.accessToken(c));
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
        assertTrue(refused.retryable(), "work for the connection waits for the reconnect");
        int asked = rotating.tokenRequests.get();
        assertThrows(ConnectionAuth.NeedsReconnect.class, () -> replica()
                .accessToken(c));
        assertEquals(asked, rotating.tokenRequests.get(), "a connection that needs a reconnect costs no request");

        rotating.reconnect();
        connections.update("oauthrot", c.connectionId(), null, Map.of("refresh_token", rotating.refreshToken()), null);
        assertEquals(200, call(tokens.accessToken(c)), "the reconnected grant works again");
    }

    private Connection connection(String integration, Map<String, String> credentials) {
        Connection c = new Connection(integration, "conn-" + UUID.randomUUID(), rotating.url(), credentials, Map.of(),
                null, null);
        assertTrue(connections.create(c));
        return connections.find(integration, c.connectionId()).orElseThrow();
    }

    private int call(String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(rotating.url() + "/api"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private String storedCredentials(Connection c) {
        return db.inTransaction(tx -> {
            try (PreparedStatement ps = tx.prepareStatement(
                    "SELECT credentials FROM connections WHERE provider_config_key = ? AND connection_id = ?")) {
                ps.setString(1, c.providerConfigKey());
                ps.setString(2, c.connectionId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }
}
