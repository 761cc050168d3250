package io.syncline.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.arc.Unremovable;

/**
 * Syncline's counters, exported at /q/metrics. Tags are the integration and the sync only: both
 * come from route files, so their number is bounded; connection ids are not, and are never tags.
 */
@Unremovable
@ApplicationScoped
public class SyncMetrics {

    private final MeterRegistry registry;
    /** Counters by name and tags: registered once, then incremented without a registry lookup on the hot path. */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private Counter counter(String name, String description, String... tags) {
        String[] key = new String[tags.length + 1];
        key[0] = name;
        System.arraycopy(tags, 0, key, 1, tags.length);
        return counters.computeIfAbsent(Arrays.asList(key),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** A request this replica sent to a connected app, under the connection's rate budget. */
    public void requestSent(String integration) {
        requestsSent(integration).increment();
    }

    /** The counter of {@link #requestSent}, for a caller that keeps it (one lookup per connection, not per request). */
    public Counter requestsSent(String integration) {
        return counter("syncline.requests.sent", "Requests this replica sent to connected apps", "integration", integration);
    }

    /** An OAuth2 token refresh: refreshed, failed (the provider could not be reached or refused the client), or reconnect_needed. */
    public void oauthRefresh(String integration, String result) {
        counter("syncline.oauth.refreshes", "OAuth2 token refreshes by result", "integration", integration,
                "result", result).increment();
    }

    /** A connect flow that reached its callback: connected, or the error type that ended it (e.g. access_denied). */
    public void connectFlow(String integration, String result) {
        counter("syncline.connect.flows", "Connect flows by result", "integration", integration, "result", result)
                .increment();
    }

    /** A record that came in, by what happened to it (added, updated, deleted, unchanged, duplicate, dead_lettered). */
    public void recordIn(String integration, String sync, String result) {
        counter("syncline.records.in", "Inbound records by result",
                "integration", integration, "sync", sync, "result", result).increment();
    }

    public void recordsIn(String integration, String sync, String result, long n) {
        if (n > 0) {
            counter("syncline.records.in", "Inbound records by result",
                    "integration", integration, "sync", sync, "result", result).increment(n);
        }
    }

    /** A drift report: a new, retyped or vanished source field. */
    public void driftReport(String integration, String sync, String kind) {
        counter("syncline.drift.reports", "Source fields that appeared, changed type or stopped arriving",
                "integration", integration, "sync", sync, "kind", kind).increment();
    }

    public void signatureFailure(String integration, String sync) {
        counter("syncline.webhook.signature.failures", "Webhooks refused for their signature",
                "integration", integration, "sync", sync).increment();
    }

    public void run(String integration, String sync, String status, Duration took, long retries) {
        Timer.builder("syncline.run.duration").description("Duration of polling runs")
                .tags("integration", integration, "sync", sync, "status", status).register(registry).record(took);
        if (retries > 0) {
            counter("syncline.retries", "Requests retried after 429, 5xx or a network error",
                    "integration", integration, "sync", sync).increment(retries);
        }
    }

    public void deadLetter(String kind) {
        counter("syncline.dead.letters", "Dead letters created", "kind", kind).increment();
    }

    public void rateLimitWait(String integration) {
        counter("syncline.rate.limit.waits", "Pauses asked for by a 429 or 503", "integration", integration).increment();
    }

    public void write(String integration, String sync, String result) {
        counter("syncline.writes", "Writes to connected apps by result: sent, skipped, retry, dead",
                "integration", integration, "sync", sync, "result", result).increment();
    }
}
