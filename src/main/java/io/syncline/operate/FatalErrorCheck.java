package io.syncline.operate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.syncline.config.BackgroundLoop;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness is DOWN for two minutes after a fatal error (out of memory, say) in background work:
 * the loops go on, but a replica that just ran out of memory should not take new traffic until
 * it has shown it can carry on.
 */
@Readiness
@ApplicationScoped
public class FatalErrorCheck implements HealthCheck {

    static final Duration QUARANTINE = Duration.ofMinutes(2);

    @Override
    public HealthCheckResponse call() {
        Map<String, Instant> recent = BackgroundLoop.recentFatal(Instant.now().minus(QUARANTINE));
        var b = HealthCheckResponse.named("background-work");
        recent.forEach((where, at) -> b.withData(where, at.toString()));
        return b.status(recent.isEmpty()).build();
    }
}
