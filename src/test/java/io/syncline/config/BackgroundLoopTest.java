package io.syncline.config;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.syncline.operate.FatalErrorCheck;

/** A fatal error in background work neither ends the loop nor goes unnoticed: readiness says DOWN. */
class BackgroundLoopTest {

    @AfterEach
    void forget() {
        BackgroundLoop.forgetFatal();
    }

    @Test
    void anOutOfMemoryErrorInARoundTurnsReadinessDownAndTheLoopGoesOn() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        BackgroundLoop loop = new BackgroundLoop("oom-test", 10, () -> {
            if (rounds.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space (provoked)");
            }
        });
        assertEquals(HealthCheckResponse.Status.UP, new FatalErrorCheck().call().getStatus());
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() >= 3);
            HealthCheckResponse ready = new FatalErrorCheck().call();
            assertEquals(HealthCheckResponse.Status.DOWN, ready.getStatus());
            assertEquals(true, ready.getData().orElseThrow().containsKey("oom-test"));
        } finally {
            loop.stop();
        }
    }
}
