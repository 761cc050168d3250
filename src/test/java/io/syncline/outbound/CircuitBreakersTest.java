package io.syncline.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class CircuitBreakersTest {

    @Test
    void aConnectionThatKeepsFailingIsPausedAndOneSuccessClosesItsCircuit() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CircuitBreakers b = new CircuitBreakers(3, Duration.ofMinutes(1), registry);
        b.failure("crm/a");
        b.failure("crm/a");
        assertNull(b.openUntil("crm/a"), "two failures are not yet a pattern");
        b.failure("crm/a");
        assertNotNull(b.openUntil("crm/a"));
        assertNull(b.openUntil("crm/b"), "other connections are not affected");
        assertEquals(1.0, registry.get("syncline_circuits_open").gauge().value());
        b.success("crm/a");
        assertNull(b.openUntil("crm/a"));
        assertEquals(0.0, registry.get("syncline_circuits_open").gauge().value());
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgain() {
        CircuitBreakers b = new CircuitBreakers(2, Duration.ofMinutes(1), new SimpleMeterRegistry());
        b.failure("crm/a");
        b.success("crm/a");
        b.failure("crm/a");
        assertNull(b.openUntil("crm/a"));
    }
}
