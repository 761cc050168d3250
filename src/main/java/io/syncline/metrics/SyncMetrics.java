package io.syncline.metrics;

import java.time.Duration;

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

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A record that came in, by what happened to it (added, updated, deleted, unchanged, duplicate, dead_lettered). */
    public void recordIn(String integration, String sync, String result) {
        Counter.builder("syncline.records.in").description("Inbound records by result")
                .tags("integration", integration, "sync", sync, "result", result).register(registry).increment();
    }

    public void recordsIn(String integration, String sync, String result, long n) {
        if (n > 0) {
            Counter.builder("syncline.records.in").description("Inbound records by result")
                    .tags("integration", integration, "sync", sync, "result", result).register(registry).increment(n);
        }
    }

    public void signatureFailure(String integration, String sync) {
        Counter.builder("syncline.webhook.signature.failures").description("Webhooks refused for their signature")
                .tags("integration", integration, "sync", sync).register(registry).increment();
    }

    public void run(String integration, String sync, String status, Duration took, long retries) {
        Timer.builder("syncline.run.duration").description("Duration of polling runs")
                .tags("integration", integration, "sync", sync, "status", status).register(registry).record(took);
        if (retries > 0) {
            Counter.builder("syncline.retries").description("Requests retried after 429, 5xx or a network error")
                    .tags("integration", integration, "sync", sync).register(registry).increment(retries);
        }
    }

    public void deadLetter(String kind) {
        Counter.builder("syncline.dead.letters").description("Dead letters created")
                .tags("kind", kind).register(registry).increment();
    }

    public void rateLimitWait(String integration) {
        Counter.builder("syncline.rate.limit.waits").description("Pauses asked for by a 429 or 503")
                .tags("integration", integration).register(registry).increment();
    }

    public void write(String integration, String sync, String result) {
        Counter.builder("syncline.writes").description("Writes to connected apps by result: sent, skipped, retry, dead")
                .tags("integration", integration, "sync", sync, "result", result).register(registry).increment();
    }
}
