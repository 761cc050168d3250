package io.syncline.steps;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;

/**
 * {@code syncline:connection}: names the connection of an exchange from a value of the source.
 * An app-wide webhook (HubSpot's: one URL for every account that installed the app) carries the
 * account in each event; the connection whose metadata holds that value is the event's. No
 * connection with it is a clear 404 refusal, and nothing is stored.
 */
final class ConnectionStep implements Processor {

    private final String integration;
    private final String by;
    private final Expression value;
    private final Connections connections;

    ConnectionStep(String integration, String by, Expression value, Connections connections) {
        this.integration = integration;
        this.by = by;
        this.value = value;
        this.connections = connections;
    }

    @Override
    public void process(Exchange e) {
        String v = value.evaluate(e, String.class);
        if (v == null || v.isBlank()) {
            throw ProblemException.badRequest("the event names no account (" + by + ")");
        }
        Connection c = (by.equals("connection_id") ? connections.find(integration, v)
                : connections.findByMetadata(integration, by, v))
                .orElseThrow(() -> ProblemException.notFound("no connection of integration '" + integration
                        + "' has " + by + " '" + v + "'"));
        e.getMessage().setHeader(StepExchange.CONNECTION_ID, c.connectionId());
    }
}
