package io.syncline.api;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.http.Problem;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * No request may hold the service by sending its body slowly. Every request whose body has not
 * fully arrived within {@code syncline.limits.body-timeout} (10 s) of its start is answered 408
 * problem+json and its connection closed, on the event loop, before anything else; a worker
 * thread that was waiting for that body is released by the close. Two hundred sockets trickling
 * one byte a second then cost two hundred timers, not two hundred threads, and health, the feed
 * and webhooks stay answered.
 */
@ApplicationScoped
public class SlowBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long timeoutMillis;
    private final String tooSlow;

    public SlowBodies(@ConfigProperty(name = "syncline.limits.body-timeout", defaultValue = "10s") Duration timeout)
            throws JsonProcessingException {
        this.timeoutMillis = timeout.toMillis();
        this.tooSlow = JSON.writeValueAsString(Problem.of(408, "request-timeout", "Request timeout",
                "the request body did not arrive within " + timeout.toSeconds() + " s"));
    }

    void install(@Observes Router router) {
        if (timeoutMillis > 0) {
            router.route().order(-2000).handler(this::watch);
        }
    }

    private void watch(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        if (!req.isEnded()) {
            long timer = rc.vertx().setTimer(timeoutMillis, id -> {
                if (!req.isEnded() && !rc.response().ended() && !rc.response().closed()) {
                    rc.response().setStatusCode(408).putHeader("Content-Type", Problem.MEDIA_TYPE)
                            .putHeader("Connection", "close").end(tooSlow);
                    req.connection().close();
                }
            });
            rc.addEndHandler(ignored -> rc.vertx().cancelTimer(timer));
        }
        rc.next();
    }
}
