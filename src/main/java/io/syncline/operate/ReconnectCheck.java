package io.syncline.operate;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthGroup;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.metrics.Gauges;
import io.syncline.oauth.TokenPath;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Connections whose provider refused their grant, at /q/health/group/syncs: DOWN while any
 * waits for its customer to reconnect, naming them; the gauge
 * {@code syncline_connections_reconnect_needed} counts them. Not a readiness check, for the
 * reason {@link StaleSyncCheck} gives. The list is read at most every 5 seconds, since the mark
 * lives in the sealed credentials, and
 * at once after a grant is refused here.
 */
@HealthGroup("syncs")
@ApplicationScoped
public class ReconnectCheck implements HealthCheck {

    private static final long CACHE_MILLIS = 5_000;
    private static final String GAUGE = "syncline_connections_reconnect_needed";

    private final Connections connections;
    private final MeterRegistry registry;
    private volatile List<String> waiting = List.of();
    private volatile long readAt;

    public ReconnectCheck(Connections connections, MeterRegistry registry) {
        this.connections = connections;
        this.registry = registry;
    }

    void exportGauge(@Observes StartupEvent ignored) {
        Gauges.register(registry, GAUGE, "Connections whose provider refused their grant, waiting for their customer "
                + "to reconnect", this, c -> c.waiting().size());
    }

    /** integration/connection of each connection that needs a reconnect. */
    List<String> waiting() {
        long now = System.currentTimeMillis();
        if (now - readAt > CACHE_MILLIS) {
            waiting = connections.list(null).stream().filter(Connection::needsReconnect)
                    .map(c -> c.providerConfigKey() + "/" + c.connectionId()).toList();
            readAt = now;
        }
        return waiting;
    }

    /** A grant was refused on this replica: the next look reads again. */
    void refused(@Observes TokenPath.GrantRefused ignored) {
        readAt = 0;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> w = waiting();
        var b = HealthCheckResponse.named("connections-authorized").withData("reconnect_needed", w.size());
        if (!w.isEmpty()) {
            b.withData("reconnect", String.join(", ", w.subList(0, Math.min(20, w.size()))));
        }
        return b.status(w.isEmpty()).build();
    }
}
