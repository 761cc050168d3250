package io.syncline.demo;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncline.api.Problem;
import io.syncline.api.ProblemException;
import io.syncline.connection.Connections;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The demo CRM's list API, for the polling example: cursor-paginated, filtered by
 * {@code modified_since}, and guarded by the bearer token of connection {@code demo-crm/demo}.
 */
@Path("/demo-crm/api/contacts")
@Produces(MediaType.APPLICATION_JSON)
public class DemoCrmApi {

    private final DemoCrm crm;
    private final Connections connections;
    private final boolean enabled;

    public DemoCrmApi(DemoCrm crm, Connections connections,
            @ConfigProperty(name = "syncline.demo.enabled", defaultValue = "false") boolean enabled) {
        this.crm = crm;
        this.connections = connections;
        this.enabled = enabled;
    }

    @GET
    public Map<String, Object> list(@HeaderParam("Authorization") String authorization,
            @QueryParam("modified_since") String modifiedSince, @QueryParam("cursor") String cursor,
            @QueryParam("limit") Integer limit) {
        if (!enabled) {
            throw ProblemException.notFound("the demo CRM is not enabled");
        }
        String token = connections.find(DemoRoutes.INTEGRATION, DemoRoutes.CONNECTION)
                .map(c -> c.credential("access_token")).orElse(null);
        if (token == null || !("Bearer " + token).equals(authorization)) {
            throw new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", "bearer token required"));
        }
        Instant since;
        try {
            since = modifiedSince == null ? null : Instant.parse(modifiedSince);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("modified_since must be ISO 8601");
        }
        int from = cursor == null ? 0 : Integer.parseInt(cursor);
        int size = limit == null ? 5 : Math.max(1, Math.min(limit, 100));
        List<Map<String, Object>> all = crm.contacts(since);
        List<Map<String, Object>> page = all.subList(Math.min(from, all.size()), Math.min(from + size, all.size()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("contacts", page);
        out.put("next_cursor", from + size < all.size() ? Integer.toString(from + size) : null);
        return out;
    }
}
