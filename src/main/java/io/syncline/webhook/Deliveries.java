package io.syncline.webhook;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/**
 * What the person on call asks of a webhook sync: when did this replica last admit a delivery
 * for the connection, and which deliveries did it refuse for their signature lately (the
 * reasons, never the bodies or the signatures). Kept in memory, per replica.
 */
@Unremovable
@ApplicationScoped
public class Deliveries {

    static final int KEPT = 10;

    /** A refused delivery: when, and why. */
    public record Refusal(Instant at, String reason) {
    }

    private record Key(String integration, String sync, String connectionId) {
    }

    private final Map<Key, Instant> last = new ConcurrentHashMap<>();
    private final Map<Key, Deque<Refusal>> refused = new ConcurrentHashMap<>();

    void admitted(String integration, String sync, String connectionId, Instant at) {
        last.put(new Key(integration, sync, connectionId), at);
    }

    void refused(String integration, String sync, String connectionId, Instant at, String reason) {
        Deque<Refusal> q = refused.computeIfAbsent(new Key(integration, sync, connectionId == null ? "" : connectionId),
                k -> new ArrayDeque<>());
        synchronized (q) {
            q.addFirst(new Refusal(at, reason));
            while (q.size() > KEPT) {
                q.removeLast();
            }
        }
    }

    public Optional<Instant> lastAdmitted(String integration, String sync, String connectionId) {
        return Optional.ofNullable(last.get(new Key(integration, sync, connectionId)));
    }

    /** The latest signature refusals for the connection, newest first. */
    public List<Refusal> refusals(String integration, String sync, String connectionId) {
        Deque<Refusal> q = refused.get(new Key(integration, sync, connectionId));
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            return List.copyOf(q);
        }
    }
}
