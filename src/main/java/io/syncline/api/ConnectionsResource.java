package io.syncline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.mapping.FieldError;
import io.syncline.store.ChangesFeed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Connections: create, read, update, delete. Credentials go in and never come out: answers
 * name which credential fields are set, never their values.
 */
@Path("/api/connections")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConnectionsResource {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}");

    private final Connections connections;

    public ConnectionsResource(Connections connections) {
        this.connections = connections;
    }

    @RegisterForReflection
    public record Input(@JsonProperty("provider_config_key") String providerConfigKey,
            @JsonProperty("connection_id") String connectionId, @JsonProperty("base_url") String baseUrl,
            Map<String, String> credentials, Map<String, Object> metadata) {
    }

    @POST
    public Response create(Input in) {
        if (in == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        checkId(errors, "provider_config_key", in.providerConfigKey());
        checkId(errors, "connection_id", in.connectionId());
        checkUrl(errors, in.baseUrl());
        invalidIf(errors);
        Connection c = new Connection(in.providerConfigKey(), in.connectionId(), in.baseUrl(), in.credentials(),
                in.metadata(), null, null);
        if (!connections.create(c)) {
            throw new ProblemException(Problem.of(409, "conflict", "Conflict", "connection '" + in.connectionId()
                    + "' already exists in integration '" + in.providerConfigKey() + "'"));
        }
        Connection saved = find(in.providerConfigKey(), in.connectionId());
        return Response.created(URI.create("/api/connections/" + saved.providerConfigKey() + "/" + saved.connectionId()))
                .entity(view(saved)).build();
    }

    @GET
    public Map<String, Object> list(@QueryParam("provider_config_key") String providerConfigKey) {
        return Map.of("connections", connections.list(providerConfigKey).stream().map(ConnectionsResource::view).toList());
    }

    @GET
    @Path("/{providerConfigKey}/{connectionId}")
    public Map<String, Object> get(@PathParam("providerConfigKey") String pck, @PathParam("connectionId") String id) {
        return view(find(pck, id));
    }

    @PATCH
    @Path("/{providerConfigKey}/{connectionId}")
    public Map<String, Object> update(@PathParam("providerConfigKey") String pck, @PathParam("connectionId") String id,
            Input in) {
        if (in == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        if (in.providerConfigKey() != null && !in.providerConfigKey().equals(pck)) {
            errors.add(new FieldError("provider_config_key", "cannot be changed; create a new connection instead"));
        }
        if (in.connectionId() != null && !in.connectionId().equals(id)) {
            errors.add(new FieldError("connection_id", "cannot be changed; create a new connection instead"));
        }
        checkUrl(errors, in.baseUrl());
        invalidIf(errors);
        if (!connections.update(pck, id, in.baseUrl(), in.credentials(), in.metadata())) {
            throw notFound(pck, id);
        }
        return view(find(pck, id));
    }

    @DELETE
    @Path("/{providerConfigKey}/{connectionId}")
    public Response delete(@PathParam("providerConfigKey") String pck, @PathParam("connectionId") String id) {
        if (!connections.delete(pck, id)) {
            throw notFound(pck, id);
        }
        return Response.noContent().build();
    }

    static Map<String, Object> view(Connection c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_config_key", c.providerConfigKey());
        m.put("connection_id", c.connectionId());
        m.put("base_url", c.baseUrl());
        m.put("credential_fields", c.credentials() == null ? List.of() : List.copyOf(c.credentials().keySet()));
        m.put("metadata", c.metadata());
        m.put("created_at", ChangesFeed.iso(c.createdAt()));
        m.put("updated_at", ChangesFeed.iso(c.updatedAt()));
        return m;
    }

    private Connection find(String pck, String id) {
        return connections.find(pck, id).orElseThrow(() -> notFound(pck, id));
    }

    private static ProblemException notFound(String pck, String id) {
        return ProblemException.notFound("no connection '" + id + "' in integration '" + pck + "'");
    }

    private static void checkId(List<FieldError> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
        } else if (!ID.matcher(value).matches()) {
            errors.add(new FieldError(field, "must be 1 to 200 letters, digits or . _ : @ -, starting with a letter or digit"));
        }
    }

    private static void checkUrl(List<FieldError> errors, String url) {
        if (url == null) {
            return;
        }
        try {
            URI u = URI.create(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                errors.add(new FieldError("base_url", "must be an absolute http or https URL"));
            }
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("base_url", "is not a URL: " + e.getMessage()));
        }
    }

    static void invalidIf(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(400, "invalid-fields", "Invalid fields",
                    errors.size() == 1 ? errors.get(0).toString() : errors.size() + " fields are invalid")
                    .withErrors(errors));
        }
    }
}
