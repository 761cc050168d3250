package io.syncline.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.http.Problem;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request rate limit per source IP on every public endpoint (webhooks, events, the records
 * feed, the APIs), checked before anything else reads the request: beyond
 * {@code syncline.limits.requests-per-ip} requests in a second (default 2000; 0 switches it off)
 * an address gets 429 problem+json with {@code Retry-After: 1}. {@code /q/*} (health, metrics)
 * is exempt. Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding=true} so the
 * client's address, not the proxy's, is counted.
 *
 * A fixed one-second window per address: a burst across a window boundary may reach twice the
 * limit, which is fine for stopping a flood and costs one counter per address.
 */
@ApplicationScoped
public class RequestLimits {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Window {
        long second;
        int count;
    }

    private final int perSecond;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final String tooMany;

    public RequestLimits(@ConfigProperty(name = "syncline.limits.requests-per-ip", defaultValue = "2000") int perSecond)
            throws JsonProcessingException {
        this.perSecond = perSecond;
        this.tooMany = JSON.writeValueAsString(Problem.of(429, "too-many-requests", "Too many requests",
                "more than " + perSecond + " requests in a second from this address; retry after a second"));
    }

    void install(@Observes Router router) {
        if (perSecond > 0) {
            router.route().order(-1000).handler(this::check);
        }
    }

    private void check(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (path.startsWith("/q/") || allowed(rc.request().remoteAddress() == null ? "-"
                : rc.request().remoteAddress().hostAddress())) {
            rc.next();
            return;
        }
        rc.response().setStatusCode(429).putHeader("Content-Type", Problem.MEDIA_TYPE).putHeader("Retry-After", "1")
                .end(tooMany);
    }

    boolean allowed(String address) {
        long second = System.nanoTime() / 1_000_000_000L;
        if (windows.size() > 100_000) {
            windows.entrySet().removeIf(e -> e.getValue().second < second - 60); // forget quiet addresses
        }
        Window w = windows.computeIfAbsent(address, a -> new Window());
        synchronized (w) {
            if (w.second != second) {
                w.second = second;
                w.count = 0;
            }
            return ++w.count <= perSecond;
        }
    }
}
