package io.syncline.events;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;

/** The outbox readers the routes declared, by name. */
@Unremovable
@ApplicationScoped
public class Outboxes {

    private final Map<String, OutboxPoller> pollers = new ConcurrentHashMap<>();

    public void register(OutboxPoller poller) {
        pollers.put(poller.name(), poller);
    }

    public Optional<OutboxPoller> find(String name) {
        return Optional.ofNullable(pollers.get(name));
    }
}
