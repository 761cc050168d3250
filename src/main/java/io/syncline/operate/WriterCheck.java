package io.syncline.operate;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthGroup;
import io.syncline.metrics.Gauges;
import io.syncline.outbound.CircuitBreakers;
import io.syncline.outbound.WriteQueue;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The writer at /q/health/group/syncs: DOWN while a connection's circuit is open (its
 * destination keeps failing), with the pending writes and the age of the oldest one. The same
 * two figures are the gauges {@code syncline_writes_pending} and
 * {@code syncline_writes_oldest_pending_seconds}. Not a readiness check, for the reason
 * {@link StaleSyncCheck} gives.
 */
@HealthGroup("syncs")
@ApplicationScoped
public class WriterCheck implements HealthCheck {

    private final CircuitBreakers breakers;
    private final WriteQueue queue;
    private final MeterRegistry registry;

    public WriterCheck(CircuitBreakers breakers, WriteQueue queue, MeterRegistry registry) {
        this.breakers = breakers;
        this.queue = queue;
        this.registry = registry;
    }

    void exportGauges(@Observes StartupEvent ignored) {
        Gauges.register(registry, "syncline_writes_pending", "Writes queued and not yet sent, skipped or dead-lettered",
                queue, q -> q.depth().pending());
        Gauges.register(registry, "syncline_writes_oldest_pending_seconds", "Age of the oldest pending write", queue,
                q -> q.depth().oldest().toMillis() / 1000.0);
        breakers.open(); // and the circuit gauge with it
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, Instant> open = breakers.open();
        WriteQueue.Depth depth = queue.depth();
        var b = HealthCheckResponse.named("writes").withData("pending", depth.pending())
                .withData("oldest_pending_seconds", depth.oldest().toSeconds()).withData("open_circuits", open.size());
        if (!open.isEmpty()) {
            b.withData("open_until", open.entrySet().stream().limit(20).map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        return b.status(open.isEmpty()).build();
    }
}
