package io.syncline.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.outbound.ConnectionOwners;
import io.syncline.outbound.ConnectionRateBudget;
import io.syncline.outbound.PermitRelay;

/**
 * What one replica asks of another: a budget permit of a connection this replica owns, for a
 * request the other must make itself (see {@link PermitRelay}), and a pause the connected app
 * asked for. Only replicas can call it: they show a token derived from the shared encryption key.
 */
@Path("/cluster")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    /** A request for a permit: the connection ({@code integration/connection id}) and READ or WRITE. */
    public record PermitRequest(String connection, String use) {
    }

    public record PauseRequest(String connection, long millis) {
    }

    private final ConnectionRateBudget budget;
    private final Connections connections;
    private final PermitRelay relay;

    public ClusterResource(ConnectionRateBudget budget, Connections connections, PermitRelay relay) {
        this.budget = budget;
        this.connections = connections;
        this.relay = relay;
    }

    @POST
    @Operation(hidden = true)
    @Path("/permits")
    public Map<String, String> permit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, PermitRequest body)
            throws InterruptedException {
        Connection c = connection(authorization, body == null ? null : body.connection());
        ConnectionRateBudget.Use use = "READ".equals(body.use()) ? ConnectionRateBudget.Use.READ
                : ConnectionRateBudget.Use.WRITE;
        try {
            return Map.of("permit", budget.grant(body.connection(), budget.limitsFor(c.metadata()), use, PermitRelay.HOLD));
        } catch (ConnectionOwners.NotOwned e) {
            throw new ProblemException(Problem.of(409, "not-owner", "Not this replica's connection",
                    "this replica does not own " + body.connection() + " (any more); ask its owner"));
        }
    }

    @DELETE
    @Operation(hidden = true)
    @Path("/permits/{id}")
    public Map<String, Boolean> giveBack(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("id") String id) {
        authenticate(authorization);
        return Map.of("returned", budget.giveBack(id));
    }

    @POST
    @Operation(hidden = true)
    @Path("/pauses")
    public Map<String, Boolean> pause(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, PauseRequest body) {
        connection(authorization, body == null ? null : body.connection());
        budget.pause(body.connection(), Duration.ofMillis(Math.max(0, Math.min(body.millis(), 3_600_000))));
        return Map.of("paused", true);
    }

    private Connection connection(String authorization, String key) {
        authenticate(authorization);
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash <= 0) {
            throw new ProblemException(Problem.of(400, "invalid-request", "Invalid request",
                    "connection must be 'integration/connection id'"));
        }
        return connections.find(key.substring(0, slash), key.substring(slash + 1)).orElseThrow(() -> new ProblemException(
                Problem.of(404, "unknown-connection", "Unknown connection", "no connection " + key)));
    }

    private void authenticate(String authorization) {
        String expected = "Bearer " + relay.token();
        if (authorization == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                authorization.getBytes(StandardCharsets.UTF_8))) {
            throw new ProblemException(Problem.of(401, "unauthorized", "Unauthorized",
                    "only another Syncline replica may call /cluster"));
        }
    }
}
