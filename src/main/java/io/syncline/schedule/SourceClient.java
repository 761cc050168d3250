package io.syncline.schedule;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.outbound.Backoff;
import io.syncline.outbound.ConnectionRateBudget;
import org.jboss.logging.Logger;

/**
 * Reads pages from a connected app: credentials from the connection, every request inside the
 * connection's rate budget, 429/503/5xx and network errors retried by {@link Backoff} (waiting
 * as long as the server asked), and 401/403 failing the run at once: a rejected credential
 * does not get better by asking again.
 */
public final class SourceClient {

    private static final Logger LOG = Logger.getLogger(SourceClient.class);

    public record Page(int status, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().isEmpty() ? null : e.getValue().get(0)).orElse(null);
        }
    }

    private final HttpClient http;
    private final ConnectionRateBudget budget;
    private final Backoff backoff;
    private final Duration timeout;
    /** Whether requests may come from any replica (a delivery's fetch), with the owner's permit, or only from the owner (a poll). */
    private final boolean anywhere;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retries = new AtomicLong();

    public SourceClient(HttpClient http, ConnectionRateBudget budget, Backoff backoff, Duration timeout, boolean anywhere) {
        this.http = http;
        this.budget = budget;
        this.backoff = backoff;
        this.timeout = timeout;
        this.anywhere = anywhere;
    }

    private ConnectionRateBudget.Permit permit(Connection c, String key) throws InterruptedException {
        ConnectionRateBudget.Limits limits = budget.limitsFor(c.metadata());
        return anywhere ? budget.acquireAnywhere(key, limits, ConnectionRateBudget.Use.READ)
                : budget.acquire(key, limits, ConnectionRateBudget.Use.READ);
    }

    public Page get(Connection c, URI uri, ConnectionAuth auth) {
        return get(c, uri, auth, false);
    }

    /** A GET; with {@code missingIsAnAnswer} a 404 is returned as the page rather than failing. */
    public Page get(Connection c, URI uri, ConnectionAuth auth, boolean missingIsAnAnswer) {
        return send(c, uri, auth, null, missingIsAnAnswer);
    }

    /**
     * A GET, or with a body a POST of JSON (a search, as HubSpot's CRM search is asked).
     *
     * @param missingIsAnAnswer a 404 is returned as the page rather than failing
     */
    public Page send(Connection c, URI uri, ConnectionAuth auth, byte[] body, boolean missingIsAnAnswer) {
        URI target;
        try {
            target = auth.apply(c, uri);
        } catch (ConnectionAuth.Refused e) {
            throw new RunFailure(e.code(), e.getMessage());
        }
        String key = c.providerConfigKey() + "/" + c.connectionId();
        boolean refreshed = false;
        for (int attempt = 1;; attempt++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(target).timeout(timeout).header("Accept", "application/json");
            if (body == null) {
                req.GET();
            } else {
                req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
            }
            Map<String, String> credentials;
            try {
                credentials = auth.headers(c);
            } catch (ConnectionAuth.Refused e) {
                throw new RunFailure(e.code(), e.getMessage());
            }
            credentials.forEach(req::header);
            Page page;
            try (ConnectionRateBudget.Permit permit = permit(c, key)) {
                requests.incrementAndGet();
                HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                page = new Page(r.statusCode(), r.headers().map(), r.body());
            } catch (IOException e) {
                if (backoff.exhausted(attempt)) {
                    throw new RunFailure("network_error", "no answer from " + target.getHost() + " after " + attempt
                            + " attempts: " + e.getMessage());
                }
                pauseThenRetry(key, attempt, backoff.delay(attempt), "network error: " + e.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunFailure("interrupted", "the run was stopped");
            }
            int s = page.status();
            if (s >= 200 && s < 300 || s == 404 && missingIsAnAnswer) {
                return page;
            }
            if (s == 401 && auth.refreshable() && !refreshed) {
                // one refresh and one more try, never more: a token the app keeps refusing is a rejection
                refreshed = true;
                try {
                    auth.rejected(c, credentials);
                } catch (ConnectionAuth.Refused e) {
                    throw new RunFailure(e.code(), e.getMessage());
                }
                continue;
            }
            if (s == 401 || s == 403) {
                throw new RunFailure("credentials_rejected", "credentials rejected: " + target.getHost() + " answered "
                        + s);
            }
            boolean retryable = s == 429 || s == 503 || s >= 500 || s == 408;
            if (!retryable) {
                throw new RunFailure("source_error", target.getHost() + " answered " + s + ": "
                        + ConnectionAuth.errorSnippet(c, page.body()));
            }
            if (backoff.exhausted(attempt)) {
                throw new RunFailure(s == 429 ? "rate_limited" : "source_error", target.getHost() + " still answered " + s
                        + " after " + attempt + " attempts");
            }
            Duration wait = Backoff.requested(page::header, Instant.now())
                    .orElse(backoff.delay(attempt));
            if (s == 429 || s == 503) {
                budget.pause(key, wait); // the whole connection waits, not just this request
            }
            pauseThenRetry(key, attempt, wait, "answered " + s);
        }
    }

    private void pauseThenRetry(String key, int attempt, Duration wait, String why) {
        retries.incrementAndGet();
        LOG.debugf("source %s %s; attempt %d, retrying in %d ms", key, why, attempt, wait.toMillis());
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailure("interrupted", "the run was stopped");
        }
    }
}
