package io.syncline.operate;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.metrics.Gauges;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncState;
import io.syncline.store.RecordStore;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * How far behind each polling sync is: per connection, the time since its last successful run
 * (or since the connection was created, if it never had one); paused connections do not count.
 * The worst connection of each sync is the gauge {@code syncline_sync_lag_seconds}; the stale
 * check ({@link StaleSyncCheck}) compares each one with its interval.
 */
@Unremovable
@ApplicationScoped
public class SyncLag {

    private final Connections connections;
    private final SyncState state;
    private final MeterRegistry registry;

    public SyncLag(Connections connections, SyncState state, MeterRegistry registry) {
        this.connections = connections;
        this.state = state;
        this.registry = registry;
    }

    /** Exports the sync's gauge; called once per sync as its route starts. */
    public void watch(PollSync sync) {
        Gauges.register(registry, "syncline_sync_lag_seconds",
                "Seconds since the last successful run of the sync's most lagging connection", sync,
                s -> lags(s).values().stream().mapToLong(Duration::toSeconds).max().orElse(0),
                "integration", sync.integration(), "sync", sync.name());
    }

    /** Each connection's lag, with the interval it is held to, for connections that are not paused. */
    public record Lag(Duration lag, Duration interval) {
    }

    public Map<String, Duration> lags(PollSync sync) {
        Map<String, Duration> out = new LinkedHashMap<>();
        detailed(sync).forEach((k, v) -> out.put(k, v.lag()));
        return out;
    }

    public Map<String, Lag> detailed(PollSync sync) {
        OffsetDateTime now = RecordStore.now();
        Map<String, Lag> out = new LinkedHashMap<>();
        for (Connection c : connections.list(sync.integration())) {
            SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name());
            SyncState.Row row = state.find(pair).orElse(null);
            if (row == null || row.paused()) {
                continue;
            }
            Duration interval = row.frequencySeconds() != null ? Duration.ofSeconds(row.frequencySeconds())
                    : sync.every() != null ? sync.every() : Duration.ofHours(1);
            OffsetDateTime since = state.lastSuccess(pair).orElse(c.createdAt());
            if (since != null) {
                out.put(c.providerConfigKey() + "/" + c.connectionId() + "/" + sync.name(),
                        new Lag(Duration.between(since, now), interval));
            }
        }
        return out;
    }
}
