package io.syncline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.mapping.FieldError;
import io.syncline.oauth.OAuthProvider;
import io.syncline.oauth.OAuthProviders;
import io.syncline.oauth.TokenPath;
import io.syncline.store.ChangesFeed;

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
    private final Caller caller;
    private final OAuthProviders providers;

    public ConnectionsResource(Connections connections, Caller caller, OAuthProviders providers) {
        this.connections = connections;
        this.caller = caller;
        this.providers = providers;
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
        caller.requireWithin(in.providerConfigKey(), in.connectionId());
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
        String limited = caller.integration();
        if (limited != null && providerConfigKey != null && !providerConfigKey.equals(limited)) {
            caller.requireWithin(providerConfigKey, null);
        }
        String connectionLimit = caller.principal().map(ApiKeys.Principal::connectionId).orElse(null);
        return Map.of("connections", connections.list(limited != null ? limited : providerConfigKey).stream()
                .filter(c -> connectionLimit == null || connectionLimit.equals(c.connectionId()))
                .map(this::view).toList());
    }

    @GET
    @Path("/{providerConfigKey}/{connectionId}")
    public Map<String, Object> get(@PathParam("providerConfigKey") String pck, @PathParam("connectionId") String id) {
        caller.requireWithin(pck, id);
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
        caller.requireWithin(pck, id);
        Connection before = find(pck, id);
        Map<String, String> credentials = in.credentials();
        if (movesCredentials(before, in) && credentials == null && !caller.may(ApiKeys.ADMIN)) {
            // Guarantee 9: who may point a connection elsewhere without knowing its credentials
            // must not take them along. Admin keys may; anyone else supplies them again or loses them.
            credentials = Map.of();
        }
        if (!connections.update(pck, id, in.baseUrl(), credentials, in.metadata())) {
            throw notFound(pck, id);
        }
        return view(find(pck, id));
    }

    /** Whether the change decides anew where the credentials go: a base_url on another origin. */
    static boolean movesCredentials(Connection before, Input in) {
        if (in.baseUrl() == null) {
            return false;
        }
        if (before.baseUrl() == null || before.baseUrl().isBlank()) {
            return true;
        }
        return !ConnectionAuth.origin(URI.create(before.baseUrl()))
                .equals(ConnectionAuth.origin(URI.create(in.baseUrl())));
    }

    @DELETE
    @Path("/{providerConfigKey}/{connectionId}")
    public Response delete(@PathParam("providerConfigKey") String pck, @PathParam("connectionId") String id) {
        caller.requireWithin(pck, id);
        if (!connections.delete(pck, id)) {
            throw notFound(pck, id);
        }
        return Response.noContent().build();
    }

    Map<String, Object> view(Connection c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider_config_key", c.providerConfigKey());
        m.put("connection_id", c.connectionId());
        m.put("base_url", c.baseUrl());
        m.put("credential_fields", c.credentials() == null ? List.of() : List.copyOf(c.credentials().keySet()));
        m.put("metadata", c.metadata());
        m.put("created_at", ChangesFeed.iso(c.createdAt()));
        m.put("updated_at", ChangesFeed.iso(c.updatedAt()));
        providers.client(c.providerConfigKey()).ifPresent(client -> m.put("oauth", oauth(client.provider(), c)));
        return m;
    }

    /**
     * The state of an OAuth2 connection's tokens, never the tokens: the grant, the scopes asked
     * for, when the access token expires and was last refreshed, and the last refresh error.
     */
    private static Map<String, Object> oauth(OAuthProvider p, Connection c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("grant", p.grant().name().toLowerCase(java.util.Locale.ROOT));
        m.put("scopes", p.scopes());
        m.put("token_expires_at", c.credential(TokenPath.EXPIRES_AT));
        m.put("last_refreshed_at", c.credential(TokenPath.REFRESHED_AT));
        m.put("last_refresh_error", c.credential(TokenPath.REFRESH_ERROR));
        m.put("reconnect_needed", c.credential(TokenPath.RECONNECT_NEEDED));
        return m;
    }

    private Connection find(String pck, String id) {
        return connections.find(pck, id).orElseThrow(() -> notFound(pck, id));
    }

    private static ProblemException notFound(String pck, String id) {
        return ProblemException.notFound("no connection '" + id + "' in integration '" + pck + "'");
    }

    static void checkId(List<FieldError> errors, String field, String value) {
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
            } else if (u.getPort() > 65535 || url.length() > 2000) {
                errors.add(new FieldError("base_url", "must have a port from 1 to 65535 and at most 2000 characters"));
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
