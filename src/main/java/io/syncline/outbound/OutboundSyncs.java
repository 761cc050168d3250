package io.syncline.outbound;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/** The outbound syncs the routes declared, by integration and name, and by the event types they take. */
@Unremovable
@ApplicationScoped
public class OutboundSyncs {

    private final Map<String, OutboundSync> syncs = new ConcurrentHashMap<>();

    public void register(OutboundSync sync) {
        OutboundSync previous = syncs.putIfAbsent(key(sync.integration(), sync.name()), sync);
        if (previous != null && previous != sync) {
            throw new IllegalArgumentException("two outbound syncs are named '" + sync.name() + "' in integration '"
                    + sync.integration() + "'");
        }
    }

    public Optional<OutboundSync> find(String integration, String name) {
        return Optional.ofNullable(syncs.get(key(integration, name)));
    }

    public List<OutboundSync> all() {
        return syncs.values().stream()
                .sorted(Comparator.comparing(OutboundSync::integration).thenComparing(OutboundSync::name))
                .toList();
    }

    /** The syncs that take events of this type, optionally only those of one integration. */
    public List<OutboundSync> forEvent(String type, String integration) {
        return syncs.values().stream().filter(s -> s.eventTypes().contains(type))
                .filter(s -> integration == null || integration.isBlank() || s.integration().equals(integration))
                .sorted(Comparator.comparing(OutboundSync::integration).thenComparing(OutboundSync::name))
                .toList();
    }

    /** The two-way rules of a model at an integration, if a two-way sync declares them. */
    public Optional<OutboundSync> twoWay(String integration, String model) {
        return syncs.values().stream().filter(s -> s.twoWay() != null && s.integration().equals(integration)
                && s.model().equals(model)).findFirst();
    }

    private static String key(String integration, String name) {
        return integration + "\u0000" + name;
    }
}
