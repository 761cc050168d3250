package io.syncline.operate;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.health.api.HealthGroup;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;
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
    private final SyncLag lag;
    private final double factor;

    public StaleSyncCheck(SyncRegistry registry, SyncLag lag,
            @ConfigProperty(name = "syncline.health.stale-factor", defaultValue = "3") double factor) {
        this.registry = registry;
        this.lag = lag;
        this.factor = factor;
    }

    /** A connection is stale when its last success is more than {@code stale-factor} intervals ago. */
    public boolean stale(SyncLag.Lag lag) {
        return lag.lag().toMillis() > lag.interval().toMillis() * factor;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> stale = new ArrayList<>();
        int checked = 0;
        for (PollSync sync : registry.all()) {
            for (var e : lag.detailed(sync).entrySet()) {
                checked++;
                if (stale(e.getValue())) {
                    stale.add(e.getKey());
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
