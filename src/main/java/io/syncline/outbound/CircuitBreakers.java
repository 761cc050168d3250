package io.syncline.outbound;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.syncline.metrics.Gauges;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One circuit breaker per connection: after {@code threshold} failed writes in a row (429, 5xx,
 * no answer) the connection's writes wait {@code coolDown} without a request; then one write
 * goes as a trial, and its success closes the circuit again. Open circuits show in the
 * {@code syncs} health group and in the {@code syncline_circuits_open} gauge.
 *
 * Hand-written because the state is per connection, created at run time; the fault-tolerance
 * annotations guard a method, not a key.
 */
@ApplicationScoped
public class CircuitBreakers {

    private record State(int failures, Instant openUntil) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final int threshold;
    private final Duration coolDown;

    public CircuitBreakers(@ConfigProperty(name = "syncline.writer.circuit.failures", defaultValue = "5") int threshold,
            @ConfigProperty(name = "syncline.writer.circuit.cool-down", defaultValue = "30s") Duration coolDown,
            MeterRegistry registry) {
        this.threshold = threshold;
        this.coolDown = coolDown;
        Gauges.register(registry, "syncline_circuits_open", "Connections whose writes are paused after repeated failures",
                this, b -> b.open().size());
    }

    /** When the connection's circuit is open, the time it closes for a trial; otherwise null. */
    public Instant openUntil(String connectionKey) {
        State s = states.get(connectionKey);
        return s != null && s.openUntil() != null && s.openUntil().isAfter(Instant.now()) ? s.openUntil() : null;
    }

    public void success(String connectionKey) {
        states.remove(connectionKey);
    }

    public void failure(String connectionKey) {
        states.compute(connectionKey, (k, s) -> {
            int failures = (s == null ? 0 : s.failures()) + 1;
            return new State(failures, failures >= threshold ? Instant.now().plus(coolDown) : null);
        });
    }

    /** Connections with an open circuit, and until when. */
    public Map<String, Instant> open() {
        Map<String, Instant> out = new TreeMap<>();
        Instant now = Instant.now();
        states.forEach((k, s) -> {
            if (s.openUntil() != null && s.openUntil().isAfter(now)) {
                out.put(k, s.openUntil());
            }
        });
        return out;
    }
}
