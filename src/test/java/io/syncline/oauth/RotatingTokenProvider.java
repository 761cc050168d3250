package io.syncline.oauth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.syncline.support.Exchanges;

/**
 * A token endpoint that behaves as the strictest providers do, which the in-process OAuth2 server
 * cannot be made to: every refresh rotates the refresh token, and presenting a spent one revokes
 * the whole grant (from then on every refresh is {@code invalid_grant}). Access tokens live
 * {@code lifetimeSeconds}. It counts token requests, refreshes, revocations, and refreshes that came
 * within half a second of the one before (a second replica refreshing what the first just did).
 * {@code /api} answers 200 to a current access token and 401 to anything else; {@code /contacts}
 * is the same, with one contact to poll. {@code /authorize} consents at once and issues a code
 * that the token endpoint takes once; {@code /hooks} receives webhooks to your app.
 */
final class RotatingTokenProvider implements AutoCloseable {

    final AtomicInteger refreshes = new AtomicInteger();
    final AtomicInteger revocations = new AtomicInteger();
    final AtomicInteger early = new AtomicInteger();
    final AtomicInteger rejectedCalls = new AtomicInteger();
    final AtomicInteger tokenRequests = new AtomicInteger();
    /** Every access and refresh token it ever handed out, for the secrets scan. */
    final java.util.Set<String> issued = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final HttpServer server;
    private final long lifetimeSeconds;
    private String refreshToken = "rt-" + UUID.randomUUID();
    private String accessToken = "at-" + UUID.randomUUID();
    private long accessExpiresAt;
    private long lastRefreshAt;
    private boolean revoked;
    private final java.util.Set<String> codes = new java.util.HashSet<>();
    private boolean refuseCodes;
    private String spentRefreshToken;
    private boolean reuseGrace;
    private CountDownLatch holdNext;
    /** A permit for each refresh answer that is being held ({@link #holdNextRefresh}). */
    final java.util.concurrent.Semaphore holding = new java.util.concurrent.Semaphore(0);
    /** The webhooks to your app it received at /hooks, as JSON text. */
    final java.util.concurrent.BlockingQueue<String> hooks = new java.util.concurrent.LinkedBlockingQueue<>();

    RotatingTokenProvider(long lifetimeSeconds) throws IOException {
        this.lifetimeSeconds = lifetimeSeconds;
        issued.add(refreshToken);
        this.accessExpiresAt = System.currentTimeMillis() + lifetimeSeconds * 1000;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/authorize", this::authorize);
        server.createContext("/hooks", this::hook);
        server.createContext("/token", this::token);
        server.createContext("/api", this::api);
        server.createContext("/contacts", this::contacts);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    synchronized String refreshToken() {
        return refreshToken;
    }

    synchronized String accessToken() {
        return accessToken;
    }

    /** The grant as a fresh connect would give it: the customer reconnected. */
    synchronized void reconnect() {
        revoked = false;
        refreshToken = "rt-" + UUID.randomUUID();
        issued.add(refreshToken);
    }

    /** The consent screen, consenting at once: back to the redirect URI with a code, issued once. */
    private synchronized void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = Exchanges.form(x.getRequestURI().getRawQuery());
        String code = "code-" + UUID.randomUUID();
        codes.add(code);
        x.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state"));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    /** The next code is refused at the token endpoint, as a provider refuses one that expired. */
    synchronized void refuseNextCode() {
        codes.clear();
        refuseCodes = true;
    }

    /** A code exchange: a fresh grant, which ends a revocation, or invalid_grant for a code it did not issue. */
    private void exchange(HttpExchange x, Map<String, String> form) throws IOException {
        if (refuseCodes || !codes.remove(form.get("code"))) {
            refuseCodes = false;
            Exchanges.json(x, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"unknown code\"}", null);
            return;
        }
        revoked = false;
        issue(x);
    }

    /** A new access token and a new refresh token: the one before is spent. */
    private void issue(HttpExchange x) throws IOException {
        refreshToken = "rt-" + UUID.randomUUID();
        accessToken = "at-" + UUID.randomUUID();
        issued.add(refreshToken);
        issued.add(accessToken);
        accessExpiresAt = System.currentTimeMillis() + lifetimeSeconds * 1000;
        Exchanges.json(x, 200, "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + lifetimeSeconds + ",\"refresh_token\":\"" + refreshToken + "\"}", null);
    }

    private void hook(HttpExchange x) throws IOException {
        hooks.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        x.sendResponseHeaders(204, -1);
        x.close();
    }

    private synchronized void token(HttpExchange x) throws IOException {
        tokenRequests.incrementAndGet();
        Map<String, String> form = Exchanges.form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if ("authorization_code".equals(form.get("grant_type"))) {
            exchange(x, form);
            return;
        }
        if (!"refresh_token".equals(form.get("grant_type"))) {
            Exchanges.json(x, 400, "{\"error\":\"unsupported_grant_type\"}", null);
            return;
        }
        if (revoked) {
            Exchanges.json(x, 400, "{\"error\":\"invalid_grant\"}", null);
            return;
        }
        boolean previous = form.get("refresh_token") != null && form.get("refresh_token").equals(spentRefreshToken);
        if (previous && reuseGrace) {
            reuseGrace = false; // a provider with a reuse interval takes the previous token once more
        } else if (!refreshToken.equals(form.get("refresh_token"))) {
            revoked = true; // a spent refresh token came back: the grant is compromised
            revocations.incrementAndGet();
            Exchanges.json(x, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token reused\"}",
                    null);
            return;
        }
        if (System.currentTimeMillis() - lastRefreshAt < 500) {
            early.incrementAndGet();
        }
        lastRefreshAt = System.currentTimeMillis();
        refreshes.incrementAndGet();
        spentRefreshToken = refreshToken;
        CountDownLatch hold = holdNext;
        holdNext = null;
        if (hold != null) {
            // rotated, and the answer waits: the caller is killed before it can read it
            refreshToken = "rt-lost-" + UUID.randomUUID();
            holding.release();
            try {
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
            return;
        }
        issue(x);
    }

    /**
     * The next refresh rotates the refresh token and then holds its answer until {@code release}
     * opens; {@link #holding} gets a permit once it is held. The answer is never sent: it is the one a
     * process killed between the provider's answer and its own commit never saw.
     */
    synchronized void holdNextRefresh(CountDownLatch release) {
        holdNext = release;
    }

    /** From now on, the refresh token spent last is taken once more (a provider's reuse interval). */
    synchronized void allowOneReuse() {
        reuseGrace = true;
    }

    /** The provider drops the current access token (a revocation, a key rotation): the next call is a 401. */
    synchronized void dropAccessToken() {
        accessToken = "at-dropped-" + UUID.randomUUID();
    }

    /** The customer revoked the app: every refresh is invalid_grant until they connect again. */
    synchronized void revokeGrant() {
        revoked = true;
        dropAccessToken();
    }

    private void contacts(HttpExchange x) throws IOException {
        api(x, "{\"results\":[{\"id\":\"c1\",\"email\":\"Ada@Example.com\",\"updated_at\":\"2026-12-01T10:00:00Z\"}]}");
    }

    private void api(HttpExchange x) throws IOException {
        api(x, "{\"ok\":true}");
    }

    private synchronized void api(HttpExchange x, String body) throws IOException {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        boolean ok = ("Bearer " + accessToken).equals(auth) && System.currentTimeMillis() < accessExpiresAt;
        if (!ok) {
            rejectedCalls.incrementAndGet();
        }
        Exchanges.json(x, ok ? 200 : 401, ok ? body : "{\"error\":\"invalid_token\"}", null);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
