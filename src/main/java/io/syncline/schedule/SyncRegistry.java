package io.syncline.schedule;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/** The polling syncs the routes declared, by integration and name, for the control API and the scheduler. */
@Unremovable
@ApplicationScoped
public class SyncRegistry {

    private final Map<String, PollSync> syncs = new ConcurrentHashMap<>();

    public void register(PollSync sync) {
        PollSync previous = syncs.putIfAbsent(key(sync.integration(), sync.name()), sync);
        if (previous != null && previous != sync) {
            throw new IllegalArgumentException("two syncs are named '" + sync.name() + "' in integration '"
                    + sync.integration() + "'");
        }
    }

    public Optional<PollSync> find(String integration, String name) {
        return Optional.ofNullable(syncs.get(key(integration, name)));
    }

    public List<PollSync> of(String integration) {
        return syncs.values().stream().filter(s -> s.integration().equals(integration))
                .sorted(Comparator.comparing(PollSync::name)).toList();
    }

    public List<PollSync> all() {
        return syncs.values().stream().sorted(Comparator.comparing(PollSync::integration)
                .thenComparing(PollSync::name)).toList();
    }

    private static String key(String integration, String name) {
        return integration + "\u0000" + name;
    }
}
