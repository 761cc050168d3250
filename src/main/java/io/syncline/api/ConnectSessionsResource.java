package io.syncline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.connect.ConnectSessions;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.mapping.FieldError;
import io.syncline.oauth.OAuthProvider;
import io.syncline.oauth.OAuthProviders;
import io.syncline.store.ChangesFeed;

/**
 * Connect sessions, in Nango's shape, so that {@code @nangohq/node}'s
 * {@code createConnectSession} works against Syncline: your backend asks for a short-lived,
 * single-use token and hands it to your customer's browser, which spends it on the connect page
 * ({@code /oauth/connect/<integration>?connect_session_token=…}). Syncline adds two optional
 * fields: {@code connection_id}, the connection to create (a new UUID otherwise), and
 * {@code allowed_return_urls}, where the browser may be sent back afterwards.
 */
@Path("/connect/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConnectSessionsResource {

    static final int MAX_RETURN_URLS = 10;

    private final ConnectSessions sessions;
    private final OAuthProviders providers;
    private final Connections connections;
    private final Caller caller;

    public ConnectSessionsResource(ConnectSessions sessions, OAuthProviders providers, Connections connections,
            Caller caller) {
        this.sessions = sessions;
        this.providers = providers;
        this.connections = connections;
        this.caller = caller;
    }

    @RegisterForReflection
    public record Input(@JsonProperty("end_user") Map<String, Object> endUser, Map<String, Object> organization,
            @JsonProperty("allowed_integrations") List<String> allowedIntegrations,
            @JsonProperty("integrations_config_defaults") Map<String, Object> integrationsConfigDefaults,
            @JsonProperty("connection_id") String connectionId, @JsonProperty("integration_id") String integrationId,
            @JsonProperty("allowed_return_urls") List<String> allowedReturnUrls) {
    }

    /** A session to connect a new account: the integrations it may connect, for whom. */
    @POST
    public Response create(Input in) {
        if (in == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        checkEndUser(errors, in.endUser(), true);
        List<String> allowed = in.allowedIntegrations();
        if (allowed != null) {
            if (allowed.isEmpty()) {
                errors.add(new FieldError("allowed_integrations", "must name at least one integration, or be left out"));
            }
            allowed.forEach(i -> checkIntegration(errors, "allowed_integrations", i));
        }
        if (in.connectionId() != null) {
            ConnectionsResource.checkId(errors, "connection_id", in.connectionId());
        }
        checkReturnUrls(errors, in.allowedReturnUrls());
        ConnectionsResource.invalidIf(errors);
        String limited = caller.integration();
        if (limited != null) {
            if (allowed == null) {
                allowed = List.of(limited); // a limited key's sessions connect its own integration only
            }
            for (String i : allowed) {
                caller.requireWithin(i, in.connectionId());
            }
        }
        return created(sessions.create(in.endUser(), in.organization(), allowed, in.integrationsConfigDefaults(),
                in.connectionId(), null, in.allowedReturnUrls()));
    }

    /** A session to connect an existing connection again: new consent, same connection and syncs. */
    @POST
    @Path("/reconnect")
    public Response reconnect(Input in) {
        if (in == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        ConnectionsResource.checkId(errors, "connection_id", in.connectionId());
        checkIntegration(errors, "integration_id", in.integrationId());
        if (in.endUser() != null) {
            checkEndUser(errors, in.endUser(), false);
        }
        checkReturnUrls(errors, in.allowedReturnUrls());
        ConnectionsResource.invalidIf(errors);
        caller.requireWithin(in.integrationId(), in.connectionId());
        Connection existing = connections.find(in.integrationId(), in.connectionId())
                .orElseThrow(() -> ProblemException.notFound("no connection '" + in.connectionId()
                        + "' in integration '" + in.integrationId() + "' to reconnect"));
        Map<String, Object> endUser = in.endUser() != null ? in.endUser() : storedEndUser(existing);
        return created(sessions.create(endUser, in.organization(), List.of(in.integrationId()),
                in.integrationsConfigDefaults(), in.connectionId(), in.integrationId(), in.allowedReturnUrls()));
    }

    private static Response created(ConnectSessions.Created s) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", s.token());
        data.put("expires_at", ChangesFeed.iso(s.expiresAt()));
        return Response.status(201).entity(Map.of("data", data)).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> storedEndUser(Connection c) {
        Object stored = c.metadata() == null ? null : c.metadata().get("end_user");
        return stored instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of("id", c.connectionId());
    }

    private static void checkEndUser(List<FieldError> errors, Map<String, Object> endUser, boolean required) {
        if (endUser == null) {
            if (required) {
                errors.add(new FieldError("end_user", "is required: {\"id\": \"<your user's id>\"}, with email and "
                        + "display_name if you like"));
            }
            return;
        }
        Object id = endUser.get("id");
        if (!(id instanceof String s) || s.isBlank() || s.length() > 200) {
            errors.add(new FieldError("end_user.id", "must be text of 1 to 200 characters"));
        }
    }

    private void checkIntegration(List<FieldError> errors, String field, String integration) {
        if (integration == null || integration.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return;
        }
        OAuthProvider p = providers.client(integration).map(OAuthProviders.Client::provider).orElse(null);
        if (p == null || p.grant() != OAuthProvider.Grant.AUTHORIZATION_CODE) {
            errors.add(new FieldError(field, "'" + (integration.length() > 100 ? integration.substring(0, 100) + "…"
                    : integration) + "' has no provider file with grant: authorization_code "
                    + "(routes/providers/*.yaml), so its customers cannot connect through a session"));
        }
    }

    private static void checkReturnUrls(List<FieldError> errors, List<String> urls) {
        if (urls == null) {
            return;
        }
        if (urls.size() > MAX_RETURN_URLS) {
            errors.add(new FieldError("allowed_return_urls", "at most " + MAX_RETURN_URLS + " URLs"));
            return;
        }
        for (String url : urls) {
            if (!returnUrl(url)) {
                errors.add(new FieldError("allowed_return_urls", "'" + (url == null ? "null" : url.length() > 100
                        ? url.substring(0, 100) + "…" : url) + "' is not an absolute http(s) URL without a fragment"));
            }
        }
    }

    private static boolean returnUrl(String url) {
        if (url == null || url.length() > 2000) {
            return false;
        }
        try {
            URI u = URI.create(url);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null
                    && u.getFragment() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
