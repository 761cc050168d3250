package io.syncline.steps;

import java.io.IOException;
import java.net.URI;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.schedule.RunFailure;
import io.syncline.schedule.SourceClient;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;

/**
 * {@code syncline:fetch}: reads one record from the connected app, for webhooks that name a
 * record but do not carry it (HubSpot's events carry an objectId). The request goes the way a
 * poll's do: the connection's credentials (an OAuth2 token refreshed as it expires), inside its
 * rate budget, 429/5xx retried. A failure fails the exchange, so the sender delivers again.
 */
final class FetchStep implements Processor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String integration;
    private final Expression path;
    private final String query;
    private final ConnectionAuth auth;
    private final boolean skipMissing;
    private final Connections connections;
    private final SourceClient client;

    FetchStep(String integration, Expression path, String query, ConnectionAuth auth, boolean skipMissing,
            Connections connections, SourceClient client) {
        this.integration = integration;
        this.path = path;
        this.query = query;
        this.auth = auth;
        this.skipMissing = skipMissing;
        this.connections = connections;
        this.client = client;
    }

    @Override
    public void process(Exchange e) throws IOException {
        Connection c = StepExchange.connection(e, connections, integration, null);
        if (c == null) {
            throw ProblemException.notFound("syncline:fetch: the exchange names no connection of integration '"
                    + integration + "'");
        }
        if (c.baseUrl() == null || c.baseUrl().isBlank()) {
            throw new RunFailure("configuration", "connection " + c.connectionId() + " has no base_url");
        }
        String p = path.evaluate(e, String.class);
        String base = c.baseUrl().replaceAll("/+$", "");
        URI uri = URI.create(base + (p.startsWith("/") ? p : "/" + p) + (query.isBlank() ? "" : (p.contains("?") ? "&" : "?") + query));
        SourceClient.Page page = client.get(c, uri, auth, skipMissing);
        if (page.status() == 404) {
            e.setRouteStop(true); // gone since the event was sent: its deletion comes as an event of its own
            return;
        }
        try {
            e.getMessage().setBody(JSON.readValue(page.body(), Object.class));
        } catch (IOException notJson) {
            throw new RunFailure("bad_response", uri.getHost() + " answered with a body that is not JSON");
        }
    }
}
