package io.syncline.demo;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The demo CRM as an OAuth2 provider, so that the demo shows a customer connecting an account
 * and a token being refreshed without an account anywhere: a consent screen, a token endpoint
 * (authorization code with PKCE, and refresh tokens that rotate and revoke the grant when a spent
 * one comes back, as the strictest providers do), and the contacts list behind a bearer token
 * that lives {@code syncline.demo.oauth.token-seconds} (60). Its state is in memory: it is a demo.
 */
@Path("/demo-crm/oauth")
public class DemoOAuth {

    private static final Logger LOG = Logger.getLogger("io.syncline.demo");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a consent screen is answering: where to send the customer back, and the PKCE challenge. */
    private record Asked(String redirectUri, String state, String challenge) {
    }

    private final DemoCrm crm;
    private final boolean enabled;
    private final long tokenSeconds;
    private final String clientId;
    private final String clientSecret;
    private final Template consent;
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();
    private final Map<String, Asked> codes = new ConcurrentHashMap<>();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    /** Each refresh token ever issued, and whether it was spent. */
    private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();
    final AtomicInteger refreshes = new AtomicInteger();

    public DemoOAuth(DemoCrm crm, @ConfigProperty(name = "syncline.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "syncline.demo.oauth.token-seconds", defaultValue = "60") long tokenSeconds,
            @ConfigProperty(name = "syncline.oauth.demo-crm-oauth.client-id") Optional<String> clientId,
            @ConfigProperty(name = "syncline.oauth.demo-crm-oauth.client-secret") Optional<String> clientSecret,
            @Location("demo/consent.html") Template consent) {
        this.crm = crm;
        this.enabled = enabled;
        this.tokenSeconds = tokenSeconds;
        this.clientId = clientId.orElse(""); // unset outside the demo, where nothing is served anyway
        this.clientSecret = clientSecret.orElse("");
        this.consent = consent;
    }

    /** The consent screen: what is asked for, and Allow or Deny. */
    @GET
    @Path("/authorize")
    @Produces(MediaType.TEXT_HTML)
    public Response authorize(@QueryParam("client_id") String client, @QueryParam("redirect_uri") String redirectUri,
            @QueryParam("state") String state, @QueryParam("scope") String scope,
            @QueryParam("code_challenge") String challenge, @QueryParam("code_challenge_method") String method) {
        requireEnabled();
        if (!clientId.equals(client) || redirectUri == null || challenge == null || !"S256".equals(method)) {
            throw ProblemException.badRequest("the demo CRM takes its own client, a redirect_uri and an S256 PKCE challenge");
        }
        String id = random();
        asked.put(id, new Asked(redirectUri, state, challenge));
        return Response.ok(consent.data("scope", scope == null ? "" : scope).data("allow", "/demo-crm/oauth/decide?id="
                + id + "&allow=true").data("deny", "/demo-crm/oauth/decide?id=" + id + "&allow=false").render())
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer").build();
    }

    /** The customer's choice: back to Syncline's callback with a code, or with access_denied. */
    @GET
    @Path("/decide")
    public Response decide(@QueryParam("id") String id, @QueryParam("allow") boolean allow) {
        requireEnabled();
        Asked a = id == null ? null : asked.remove(id);
        if (a == null) {
            throw ProblemException.badRequest("this consent screen was already answered");
        }
        String back;
        if (allow) {
            String code = random();
            codes.put(code, a);
            back = "code=" + enc(code);
            LOG.info("demo-crm: the customer allowed Syncline to read their contacts");
        } else {
            back = "error=access_denied";
        }
        return Response.seeOther(URI.create(a.redirectUri() + (a.redirectUri().contains("?") ? "&" : "?") + back
                + "&state=" + enc(a.state()))).build();
    }

    /** The token endpoint: a code (with its PKCE verifier) or a refresh token for new tokens. */
    @POST
    @Path("/token")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response token(@HeaderParam("Authorization") String authorization, @FormParam("grant_type") String grant,
            @FormParam("code") String code, @FormParam("code_verifier") String verifier,
            @FormParam("refresh_token") String refreshToken) {
        requireEnabled();
        String expected = "Basic " + Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(clientSecret))
                .getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(authorization)) {
            return error(401, "invalid_client");
        }
        if ("authorization_code".equals(grant)) {
            Asked a = code == null ? null : codes.remove(code);
            if (a == null || verifier == null || !a.challenge().equals(s256(verifier))) {
                return error(400, "invalid_grant");
            }
            return issue();
        }
        if ("refresh_token".equals(grant)) {
            Boolean spent = refreshToken == null ? null : refreshTokens.replace(refreshToken, true);
            if (spent == null) {
                return error(400, "invalid_grant");
            }
            if (spent) {
                // a spent refresh token came back: every token of the grant is revoked
                refreshTokens.replaceAll((k, v) -> true);
                accessTokens.clear();
                LOG.warn("demo-crm: a spent refresh token came back, so the grant is revoked");
                return error(400, "invalid_grant");
            }
            refreshes.incrementAndGet();
            LOG.infof("demo-crm: Syncline refreshed its token (refresh %d; the refresh token rotated)", refreshes.get());
            return issue();
        }
        return error(400, "unsupported_grant_type");
    }

    /** The contacts, for a valid access token only. */
    @GET
    @Path("/api/contacts")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> contacts(@HeaderParam("Authorization") String authorization) {
        requireEnabled();
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        Instant expires = accessTokens.get(token);
        if (expires == null || Instant.now().isAfter(expires)) {
            throw new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", "a valid access token is required"));
        }
        return Map.of("contacts", crm.contacts(null));
    }

    private Response issue() {
        String access = random();
        String refresh = random();
        accessTokens.put(access, Instant.now().plusSeconds(tokenSeconds));
        refreshTokens.put(refresh, false);
        return Response.ok(Map.of("access_token", access, "token_type", "Bearer", "expires_in", tokenSeconds,
                "refresh_token", refresh, "scope", "contacts.read")).header("Cache-Control", "no-store").build();
    }

    private static Response error(int status, String error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", error)).build();
    }

    private void requireEnabled() {
        if (!enabled) {
            throw ProblemException.notFound("the demo CRM is not enabled");
        }
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }
}
