package io.syncline.intake;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/** The record intake of every inbound sync, by integration and name: what a replayed inbound dead letter goes through. */
@Unremovable
@ApplicationScoped
public class InboundSyncs {

    private final Map<String, RecordIntake> intakes = new ConcurrentHashMap<>();

    public void register(String integration, String name, RecordIntake intake) {
        intakes.put(integration + "\u0000" + name, intake);
    }

    public Optional<RecordIntake> find(String integration, String name) {
        return Optional.ofNullable(intakes.get(integration + "\u0000" + name));
    }

    /** Every inbound sync as {integration, name}, sorted. */
    public List<String[]> names() {
        return intakes.keySet().stream().sorted().map(k -> k.split("\u0000", 2)).toList();
    }
}
