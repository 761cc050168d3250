package io.syncline.demo;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The demo CRM's API, guarded by the bearer token of connection {@code demo-crm/demo}: the list
 * for the polling example (cursor-paginated, filtered by {@code modified_since}), search by
 * {@code email}, create and update, for the two-way example.
 */
@Path("/demo-crm/api/contacts")
@Produces(MediaType.APPLICATION_JSON)
public class DemoCrmApi {

    private static final Logger LOG = Logger.getLogger("io.syncline.demo");

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
            @QueryParam("limit") Integer limit, @QueryParam("email") String email) {
        authorize(authorization);
        if (email != null) {
            return Map.of("contacts", crm.byEmail(email));
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

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@HeaderParam("Authorization") String authorization, Map<String, Object> fields) {
        authorize(authorization);
        Map<String, Object> c = crm.create(fields == null ? Map.of() : fields);
        LOG.infof("demo-crm ← Syncline: POST /contacts %s → created %s", fields, c.get("id"));
        return Response.status(201).entity(c).build();
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> update(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
            Map<String, Object> fields) {
        authorize(authorization);
        Map<String, Object> c = crm.update(id, fields == null ? Map.of() : fields);
        if (c == null) {
            throw ProblemException.notFound("no contact " + id);
        }
        LOG.infof("demo-crm ← Syncline: PATCH /contacts/%s %s", id, fields);
        return c;
    }

    private void authorize(String authorization) {
        if (!enabled) {
            throw ProblemException.notFound("the demo CRM is not enabled");
        }
        String token = connections.find(DemoRoutes.INTEGRATION, DemoRoutes.CONNECTION)
                .map(c -> c.credential("access_token")).orElse(null);
        if (token == null || !("Bearer " + token).equals(authorization)) {
            throw new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", "bearer token required"));
        }
    }
}
