package io.syncline.oauth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import org.jboss.logging.Logger;
import io.syncline.http.LazyHttpClient;

/**
 * Requests to a provider's token endpoint (RFC 6749 sections 4.1.3, 4.4 and 6), with the
 * client authentication its provider file names. An answer never quotes a secret: errors carry
 * the status and the provider's error code, not its description, which may echo what was sent.
 */
@Unremovable
@ApplicationScoped
public class TokenEndpoint {

    public static final String ACCESS_TOKEN = "access_token";
    public static final String REFRESH_TOKEN = "refresh_token";

    private static final Logger LOG = Logger.getLogger(TokenEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LazyHttpClient http = new LazyHttpClient(
            () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build());

    /**
     * The token endpoint's answer: tokens (a refresh token only when it sent one), or an error.
     * {@code grantGone} says the grant itself was refused ({@code invalid_grant}), so asking again
     * cannot help; {@code fields} are the answer's other top-level text fields (e.g. Salesforce's
     * {@code instance_url}).
     */
    public record Answer(String accessToken, String refreshToken, Instant expiresAt, Map<String, String> fields,
            String error, String errorCode, boolean grantGone) {
        static Answer failed(String error, String errorCode, boolean grantGone) {
            return new Answer(null, null, null, Map.of(), error, errorCode, grantGone);
        }

        @Override
        public String toString() {
            return error != null ? "Answer[error=" + error + "]" : "Answer[tokens (hidden), expiresAt=" + expiresAt + "]";
        }
    }

    /** A new access token: by the refresh token, or for a client-credentials grant by the client alone. */
    public Answer refresh(OAuthProviders.Client client, String refreshToken) {
        OAuthProvider p = client.provider();
        Map<String, String> form = new LinkedHashMap<>();
        if (p.grant() == OAuthProvider.Grant.CLIENT_CREDENTIALS) {
            form.put("grant_type", "client_credentials");
            if (!p.scopes().isEmpty()) {
                form.put("scope", p.scope());
            }
        } else {
            if (refreshToken == null) {
                return Answer.failed("the connection has no refresh token", "invalid_grant", true);
            }
            form.put("grant_type", "refresh_token");
            form.put(REFRESH_TOKEN, refreshToken);
        }
        return post(client, form);
    }

    /** The authorization code the customer's consent brought back, exchanged for the grant's first tokens. */
    public Answer exchange(OAuthProviders.Client client, String code, String redirectUri, String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        if (codeVerifier != null) {
            form.put("code_verifier", codeVerifier);
        }
        return post(client, form);
    }

    private Answer post(OAuthProviders.Client client, Map<String, String> form) {
        OAuthProvider p = client.provider();
        HttpRequest.Builder req = HttpRequest.newBuilder(p.tokenUrl()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (client.clientId() != null) {
            if (p.clientAuth() == OAuthProvider.ClientAuth.CLIENT_SECRET_BASIC) {
                req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (enc(client.clientId()) + ":" + enc(client.clientSecret() == null ? "" : client.clientSecret()))
                                .getBytes(StandardCharsets.UTF_8)));
            } else {
                form.put("client_id", client.clientId());
                if (p.clientAuth() == OAuthProvider.ClientAuth.CLIENT_SECRET_POST && client.clientSecret() != null) {
                    form.put("client_secret", client.clientSecret());
                }
            }
        }
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpResponse<byte[]> r;
        try {
            r = http.get().send(req.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return Answer.failed("the token endpoint " + host(p.tokenUrl()) + " did not answer: " + e.getMessage(),
                    "no_answer", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.failed("interrupted", "interrupted", false);
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        if (r.statusCode() / 100 != 2 || json == null || !json.path(ACCESS_TOKEN).isTextual()) {
            String code = json == null ? "" : json.path("error").asText("");
            LOG.warnf("token endpoint %s answered %d %s", host(p.tokenUrl()), r.statusCode(), code);
            boolean gone = "invalid_grant".equals(code) && "refresh_token".equals(form.get("grant_type"));
            return Answer.failed("the token endpoint " + host(p.tokenUrl()) + " answered " + r.statusCode()
                    + (code.isEmpty() ? "" : " " + code), code.isEmpty() ? "token_request_failed" : code, gone);
        }
        long expiresIn = json.path(p.expiresInField()).asLong(3600);
        String rotated = json.path(REFRESH_TOKEN).isTextual() ? json.path(REFRESH_TOKEN).asText() : null;
        Map<String, String> fields = new LinkedHashMap<>();
        json.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual() && !e.getKey().equals(ACCESS_TOKEN) && !e.getKey().equals(REFRESH_TOKEN)
                    && !e.getKey().equals("id_token")) {
                fields.put(e.getKey(), e.getValue().asText());
            }
        });
        return new Answer(json.path(ACCESS_TOKEN).asText(), rotated, Instant.now().plusSeconds(expiresIn),
                Map.copyOf(fields), null, null, false);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String host(URI u) {
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }
}
