package io.syncline.operate;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.health.api.HealthGroup;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;
import io.syncline.schedule.SyncState;
import io.syncline.store.RecordStore;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * DOWN when a polling sync has not succeeded for a connection within N times its interval
 * ({@code syncline.health.stale-factor}, default 3), at /q/health/group/syncs and /q/health.
 *
 * It is deliberately not a readiness check: a stale sync does not stop a replica from taking
 * webhooks, and taking every replica out of the Service would turn one broken sync into an outage.
 */
@HealthGroup("syncs")
@ApplicationScoped
public class StaleSyncCheck implements HealthCheck {

    private final SyncRegistry registry;
    private final Connections connections;
    private final SyncState state;
    private final double factor;

    public StaleSyncCheck(SyncRegistry registry, Connections connections, SyncState state,
            @ConfigProperty(name = "syncline.health.stale-factor", defaultValue = "3") double factor) {
        this.registry = registry;
        this.connections = connections;
        this.state = state;
        this.factor = factor;
    }

    @Override
    public HealthCheckResponse call() {
        OffsetDateTime now = RecordStore.now();
        List<String> stale = new ArrayList<>();
        int checked = 0;
        for (PollSync sync : registry.all()) {
            for (Connection c : connections.list(sync.integration())) {
                SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name());
                SyncState.Row row = state.find(pair).orElse(null);
                if (row == null || row.paused()) {
                    continue;
                }
                checked++;
                Duration interval = row.frequencySeconds() != null ? Duration.ofSeconds(row.frequencySeconds())
                        : sync.every() != null ? sync.every() : Duration.ofHours(1);
                OffsetDateTime since = state.lastSuccess(pair).orElse(c.createdAt());
                if (since != null && Duration.between(since, now).toMillis() > interval.toMillis() * factor) {
                    stale.add(c.providerConfigKey() + "/" + c.connectionId() + "/" + sync.name());
                }
            }
        }
        HealthCheckResponseBuilder b = HealthCheckResponse.named("syncs-fresh").withData("checked", checked)
                .withData("stale", stale.size());
        if (!stale.isEmpty()) {
            b.withData("stale_syncs", String.join(", ", stale.subList(0, Math.min(20, stale.size()))));
        }
        return b.status(stale.isEmpty()).build();
    }
}
