package io.syncline.connect;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.metrics.SyncMetrics;
import io.syncline.oauth.OAuthProvider;
import io.syncline.oauth.OAuthProviders;
import io.syncline.oauth.TokenEndpoint;
import io.syncline.oauth.TokenPath;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The customer's side of connecting an account, in their browser: the connect page shows what is
 * being connected and links to the provider's consent screen (authorization code flow with
 * {@code state}, and PKCE where the provider file asks for it); the callback checks the
 * {@code state}, that the same browser started the flow, and that the session is unspent, then
 * exchanges the code, seals the tokens and stores the connection and the {@code auth} webhook
 * in one transaction. The browser goes back to the session's return URL with the outcome, or,
 * in a popup without one, sees it and the page tells its opener.
 *
 * Every refusal stores nothing: a page (or problem+json to a client that asks for JSON) that
 * says what went wrong.
 */
@Path("/oauth")
public class ConnectPage {

    private static final String BINDING_COOKIE = "syncline_connect_";

    private final ConnectSessions sessions;
    private final OAuthProviders providers;
    private final TokenEndpoint tokenEndpoint;
    private final Connections connections;
    private final AuthWebhooks authWebhooks;
    private final SyncMetrics metrics;
    private final Optional<String> callbackUrl;
    private final Template start;
    private final Template result;

    public ConnectPage(ConnectSessions sessions, OAuthProviders providers, TokenEndpoint tokenEndpoint,
            Connections connections, AuthWebhooks authWebhooks, SyncMetrics metrics,
            @ConfigProperty(name = "syncline.connect.callback-url") Optional<String> callbackUrl,
            @Location("connect/start.html") Template start, @Location("connect/result.html") Template result) {
        this.sessions = sessions;
        this.providers = providers;
        this.tokenEndpoint = tokenEndpoint;
        this.connections = connections;
        this.authWebhooks = authWebhooks;
        this.metrics = metrics;
        this.callbackUrl = callbackUrl;
        this.start = start;
        this.result = result;
    }

    /** A refusal of the browser flow: its status, a slug for problem+json, and words for the page. */
    static final class Refused extends RuntimeException {
        final int status;
        final String slug;

        Refused(int status, String slug, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.slug = slug;
        }
    }

    @GET
    @Path("/connect/{providerConfigKey}")
    public Response connect(@PathParam("providerConfigKey") String integration,
            @QueryParam("connect_session_token") String token, @QueryParam("return_url") String returnUrl,
            @Context UriInfo uri, @Context HttpHeaders headers) {
        try {
            ConnectSessions.Session s = sessions.find(token).orElseThrow(() -> new Refused(404, "connect-session-unknown",
                    "This connect link is not valid. Ask the app that sent you here for a new one."));
            requireUnspent(s);
            if (!s.allows(integration)) {
                throw new Refused(403, "integration-not-allowed", "This connect link does not allow connecting '"
                        + shorten(integration) + "'.");
            }
            OAuthProviders.Client client = providers.client(integration)
                    .filter(c -> c.provider().grant() == OAuthProvider.Grant.AUTHORIZATION_CODE)
                    .orElseThrow(() -> new Refused(404, "integration-unknown", "'" + shorten(integration)
                            + "' cannot be connected here: it has no OAuth2 provider file."));
            String back = returnUrl(s, returnUrl);
            String state = sessions.randomToken("");
            String verifier = client.provider().pkce() ? sessions.randomToken("") : null;
            String binding = sessions.randomToken("");
            String connectionId = s.connectionId() != null ? s.connectionId() : UUID.randomUUID().toString();
            String redirectUri = callbackUrl.orElseGet(() -> uri.getBaseUri().resolve("oauth/callback").toString());
            if (!sessions.start(s, state, new ConnectSessions.Flow(integration, connectionId, redirectUri, back, verifier,
                    ConnectSessions.hash(binding)))) {
                throw new Refused(410, "connect-session-spent", "This connect link has expired or was already used. "
                        + "Ask the app that sent you here for a new one.");
            }
            OAuthProvider p = client.provider();
            Map<String, Object> defaults = s.defaults(integration);
            String continueUrl = authorizationUrl(client, s, integration, state, verifier, redirectUri);
            Object who = s.endUser().getOrDefault("display_name", s.endUser().getOrDefault("email", s.endUserId()));
            return page(200, start.data("integration", integration)
                    .data("provider", p.authorizationUrl().getHost())
                    .data("who", String.valueOf(who))
                    .data("reconnect", s.reconnectIntegration() != null)
                    .data("scopes", scopes(p, defaults))
                    .data("continueUrl", continueUrl)
                    .data("cancelUrl", back == null ? null : outcome(back, integration, connectionId, "cancelled",
                            "You cancelled the connection."))
                    .render())
                    .cookie(new NewCookie.Builder(BINDING_COOKIE + ConnectSessions.hash(state).substring(0, 16))
                            .value(binding).path("/oauth/callback").maxAge(3600).httpOnly(true)
                            .sameSite(NewCookie.SameSite.LAX).secure("https".equals(uri.getBaseUri().getScheme())
                                    || "https".equalsIgnoreCase(headers.getHeaderString("X-Forwarded-Proto")))
                            .build())
                    .build();
        } catch (Refused r) {
            return refusal(r, headers);
        }
    }

    @GET
    @Path("/callback")
    public Response callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error, @QueryParam("error_description") String errorDescription,
            @Context HttpHeaders headers) {
        try {
            ConnectSessions.Started started = sessions.byState(state).filter(st -> st.flow() != null)
                    .orElseThrow(() -> new Refused(400, "state-mismatch", "This sign-in does not match a connection "
                            + "Syncline started (its state is unknown, or the connect page was opened again since). "
                            + "Start again from the app that sent you."));
            ConnectSessions.Flow flow = started.flow();
            Cookie bound = headers.getCookies().get(BINDING_COOKIE + ConnectSessions.hash(state).substring(0, 16));
            if (bound == null || !sameHash(ConnectSessions.hash(bound.getValue()), flow.bindingHash())) {
                throw new Refused(400, "state-mismatch", "This sign-in was started in another browser. Start again "
                        + "from the app that sent you, in this browser.");
            }
            requireUnspent(started.session());
            if (!sessions.claim(state)) {
                throw new Refused(410, "connect-session-spent", "This connect link has expired or was already used. "
                        + "Ask the app that sent you here for a new one.");
            }
            return finish(started.session(), flow, code, error, errorDescription);
        } catch (Refused r) {
            return refusal(r, headers);
        }
    }

    private Response finish(ConnectSessions.Session s, ConnectSessions.Flow flow, String code, String error,
            String errorDescription) {
        String integration = flow.integration();
        Connection existing = connections.find(integration, flow.connectionId()).orElse(null);
        AuthWebhooks.Operation op = existing != null ? AuthWebhooks.Operation.OVERRIDE : AuthWebhooks.Operation.CREATION;
        Map<String, Object> metadata = metadata(s, integration);
        Map<String, Object> announced = new LinkedHashMap<>(existing == null ? Map.of() : existing.metadata());
        announced.putAll(metadata); // what the connection will hold: its notify_url says where the webhook goes
        if (error != null || code == null || code.isBlank()) {
            String type = error != null ? shorten(error) : "missing_code";
            String detail = error == null ? "The provider sent no authorization code."
                    : "access_denied".equals(error) ? "The connection was not allowed on the provider's consent screen."
                            : "The provider answered " + type + (errorDescription == null ? "" : ": "
                                    + shorten(errorDescription));
            return failed(flow, announced, op, type, detail);
        }
        OAuthProviders.Client client = providers.client(integration).orElse(null);
        if (client == null) {
            return failed(flow, announced, op, "integration_unknown", "The integration has no provider file any more.");
        }
        TokenEndpoint.Answer a = tokenEndpoint.exchange(client, code, flow.redirectUri(), flow.codeVerifier());
        if (a.error() != null) {
            return failed(flow, announced, op, a.errorCode(), "The authorization code could not be exchanged: "
                    + a.error() + ".");
        }
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put(TokenPath.ACCESS_TOKEN, a.accessToken());
        if (a.refreshToken() != null) {
            credentials.put(TokenPath.REFRESH_TOKEN, a.refreshToken());
        }
        credentials.put(TokenPath.EXPIRES_AT, a.expiresAt().toString());
        credentials.put(TokenPath.REFRESHED_AT, java.time.Instant.now().toString());
        URI base = client.provider().baseUrl();
        String baseUrl = base != null ? base.toString() : a.fields().get("instance_url");
        connections.authorize(new Connection(integration, flow.connectionId(), baseUrl, credentials, metadata, null,
                null), (tx, created) -> authWebhooks.enqueue(tx, integration, flow.connectionId(), announced,
                        created ? AuthWebhooks.Operation.CREATION : AuthWebhooks.Operation.OVERRIDE, null, null));
        metrics.connectFlow(integration, "connected");
        if (flow.returnUrl() != null) {
            return Response.seeOther(URI.create(outcome(flow.returnUrl(), integration, flow.connectionId(), null, null)))
                    .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
        }
        return page(200, result.data("success", true).data("integration", integration)
                .data("connectionId", flow.connectionId()).data("detail", "Your account is connected.").render()).build();
    }

    /** A flow that ended without tokens: nothing stored but the webhook that says so, and the customer told. */
    private Response failed(ConnectSessions.Flow flow, Map<String, Object> metadata, AuthWebhooks.Operation op,
            String type, String detail) {
        metrics.connectFlow(flow.integration(), type);
        authWebhooks.failed(flow.integration(), flow.connectionId(), metadata, op, type, detail);
        if (flow.returnUrl() != null) {
            return Response.seeOther(URI.create(outcome(flow.returnUrl(), flow.integration(), flow.connectionId(), type,
                    detail))).header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").build();
        }
        return page(400, result.data("success", false).data("integration", flow.integration())
                .data("connectionId", flow.connectionId()).data("error", type).data("detail", detail).render()).build();
    }

    private static Map<String, Object> metadata(ConnectSessions.Session s, String integration) {
        Map<String, Object> m = new LinkedHashMap<>();
        Object config = s.defaults(integration).get("connection_config");
        if (config instanceof Map<?, ?> c) {
            c.forEach((k, v) -> m.put(String.valueOf(k), v));
        }
        m.put("end_user", s.endUser());
        if (s.organization() != null) {
            m.put("organization", s.organization());
        }
        return m;
    }

    private static void requireUnspent(ConnectSessions.Session s) {
        if (s.usedAt() != null) {
            throw new Refused(410, "connect-session-spent", "This connect link was already used. Ask the app that "
                    + "sent you here for a new one.");
        }
        if (!s.expiresAt().isAfter(RecordStore.now())) {
            throw new Refused(410, "connect-session-expired", "This connect link has expired. Ask the app that sent "
                    + "you here for a new one.");
        }
    }

    /** The return URL asked for, which the session must allow; none asked for: the session's first, if any. */
    private static String returnUrl(ConnectSessions.Session s, String asked) {
        if (asked == null || asked.isBlank()) {
            return s.returnUrls().isEmpty() ? null : s.returnUrls().get(0);
        }
        if (!s.returnUrls().contains(asked)) {
            throw new Refused(400, "return-url-not-allowed", "The return URL " + shorten(asked)
                    + " is not one this connect link allows.");
        }
        return asked;
    }

    private static String authorizationUrl(OAuthProviders.Client client, ConnectSessions.Session s, String integration,
            String state, String verifier, String redirectUri) {
        OAuthProvider p = client.provider();
        Map<String, Object> defaults = s.defaults(integration);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        if (client.clientId() != null) {
            q.put("client_id", client.clientId());
        }
        q.put("redirect_uri", redirectUri);
        List<String> scopes = scopes(p, defaults);
        if (!scopes.isEmpty()) {
            q.put("scope", String.join(p.scopeSeparator(), scopes));
        }
        q.put("state", state);
        if (verifier != null) {
            q.put("code_challenge", challenge(verifier));
            q.put("code_challenge_method", "S256");
        }
        q.putAll(p.authorizationParams());
        if (defaults.get("authorization_params") instanceof Map<?, ?> extra) {
            extra.forEach((k, v) -> {
                String key = String.valueOf(k);
                if (!Set.of("response_type", "client_id", "redirect_uri", "state", "code_challenge",
                        "code_challenge_method").contains(key)) {
                    q.put(key, String.valueOf(v));
                }
            });
        }
        String base = p.authorizationUrl().toString();
        return base + (base.contains("?") ? "&" : "?") + query(q);
    }

    /** The provider file's scopes, and the session's {@code user_scopes} for this integration ("a,b" or a list). */
    private static List<String> scopes(OAuthProvider p, Map<String, Object> defaults) {
        List<String> out = new ArrayList<>(p.scopes());
        Object user = defaults.get("user_scopes");
        List<?> extra = user instanceof List<?> l ? l : user instanceof String str ? List.of(str.split("[,\\s]+"))
                : List.of();
        extra.stream().map(String::valueOf).filter(x -> !x.isBlank() && !out.contains(x)).forEach(out::add);
        return out;
    }

    /** The return URL with the outcome in its query: success, or the error and its description. */
    static String outcome(String returnUrl, String integration, String connectionId, String error, String detail) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("provider_config_key", integration);
        q.put("connection_id", connectionId);
        q.put("success", Boolean.toString(error == null));
        if (error != null) {
            q.put("error", error);
            q.put("error_description", detail);
        }
        return returnUrl + (returnUrl.contains("?") ? "&" : "?") + query(q);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(Map<String, String> q) {
        return q.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean sameHash(String a, String b) {
        return b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII),
                b.getBytes(StandardCharsets.US_ASCII));
    }

    private static String shorten(String s) {
        String clean = s.replaceAll("[\\p{Cntrl}]", "");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    /**
     * A connect page: never cached, never framed, no scripts but ours, and no Referer, since the
     * page's own URL holds the session token.
     */
    private static Response.ResponseBuilder page(int status, String html) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html)
                .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY").header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; "
                        + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    }

    private Response refusal(Refused r, HttpHeaders headers) {
        String accept = headers.getHeaderString(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains("json") && !accept.contains("text/html")) {
            throw new ProblemException(Problem.of(r.status, r.slug, title(r.status), r.getMessage()));
        }
        return page(r.status, result.data("success", false).data("integration", null).data("connectionId", null)
                .data("error", r.slug).data("detail", r.getMessage()).render()).build();
    }

    private static String title(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 410 -> "Gone";
            default -> "Bad request";
        };
    }
}
