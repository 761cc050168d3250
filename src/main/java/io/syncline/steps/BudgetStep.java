package io.syncline.steps;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.outbound.Backoff;
import io.syncline.outbound.ConnectionRateBudget;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * {@code syncline:budget}: the connection's rate budget around the producer calls after it. It
 * waits until the connection may send one more request, and holds that request's slot until the
 * exchange completes; the slot then counts from that moment, so no window at the server sees more
 * than the connection's rate (guarantee 6). An answer of 429 or 503 with {@code Retry-After} or
 * {@code X-RateLimit-Reset}, as a failed HTTP call or as the response code header, pauses the
 * whole connection for that long.
 */
final class BudgetStep implements Processor {

    private final String integration;
    private final String connection;
    private final Connections connections;
    private final ConnectionRateBudget budget;

    BudgetStep(String integration, String connection, Connections connections, ConnectionRateBudget budget) {
        this.integration = integration;
        this.connection = connection;
        this.connections = connections;
        this.budget = budget;
    }

    @Override
    public void process(Exchange e) throws InterruptedException {
        Connection conn = StepExchange.connection(e, connections, integration, connection);
        if (conn == null) {
            throw new IllegalStateException("syncline:budget: no connection '" + StepExchange.connectionId(e, connection)
                    + "' in integration '" + integration + "'");
        }
        String key = conn.providerConfigKey() + "/" + conn.connectionId();
        ConnectionRateBudget.Permit permit = budget.acquireAnywhere(key, budget.limitsFor(conn.metadata()),
                ConnectionRateBudget.Use.WRITE);
        e.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                try {
                    requestedPause(done).ifPresent(pause -> budget.pause(key, pause));
                } finally {
                    permit.close();
                }
            }
        });
    }

    /** How long the connected app asked us to wait, when it answered 429 or 503. */
    static java.util.Optional<Duration> requestedPause(Exchange e) {
        int status;
        Map<String, ?> headers;
        HttpOperationFailedException f = e.getException(HttpOperationFailedException.class);
        if (f != null) {
            status = f.getStatusCode();
            headers = f.getResponseHeaders();
        } else {
            Integer code = e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            status = code == null ? 0 : code;
            headers = e.getMessage().getHeaders();
        }
        if (status != 429 && status != 503 || headers == null) {
            return java.util.Optional.empty();
        }
        Map<String, ?> h = headers;
        return Backoff.requested(name -> header(h, name), Instant.now());
    }

    private static String header(Map<String, ?> headers, String name) {
        for (Map.Entry<String, ?> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                return h.getValue().toString();
            }
        }
        return null;
    }
}
