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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.metrics.SyncMetrics;
import org.jboss.logging.Logger;

/**
 * The one way anything in Syncline gets an OAuth2 access token for a connection: polling,
 * writes, and whatever calls a connected app next.
 *
 * A token is used only while it is valid for longer than its provider's margin. Otherwise it is
 * refreshed under a row lock on the connection ({@link Connections#withLockedCredentials}),
 * across every replica: the tokens are read again under the lock, so a replica that waited
 * behind another one's refresh uses that refresh's token and does not spend the refresh token a
 * second time. The token endpoint's answer (the access token, its expiry and a rotated refresh
 * token) is sealed and committed before any request uses it. An answer without a refresh token
 * keeps the one there was. {@code invalid_grant} marks the connection as needing a reconnect,
 * and nothing asks the provider again until new credentials are stored.
 */
@Unremovable
@ApplicationScoped
public class TokenPath {

    public static final String ACCESS_TOKEN = "access_token";
    public static final String REFRESH_TOKEN = "refresh_token";
    /** When the access token expires, an ISO-8601 instant. */
    public static final String EXPIRES_AT = "expires_at";
    /** Set (to the provider's reason) when the grant is gone: the connection needs its customer to reconnect. */
    public static final String RECONNECT_NEEDED = "reconnect_needed";

    private static final Logger LOG = Logger.getLogger(TokenPath.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private record Token(String access, Instant expiresAt) {
        boolean validFor(long marginSeconds) {
            return access != null && expiresAt != null && Instant.now().plusSeconds(marginSeconds).isBefore(expiresAt);
        }
    }

    private final Connections connections;
    private final OAuthProviders providers;
    private final SyncMetrics metrics;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    /** This replica's view of each connection's token, so that a valid one costs no query. */
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public TokenPath(Connections connections, OAuthProviders providers, SyncMetrics metrics) {
        this.connections = connections;
        this.providers = providers;
        this.metrics = metrics;
    }

    /** A valid access token for the connection, refreshed first when it is about to expire. */
    public String accessToken(Connection c) {
        OAuthProviders.Client client = client(c);
        Token t = tokens.get(key(c));
        if (t != null && t.validFor(client.provider().refreshMarginSeconds())) {
            return t.access();
        }
        return refresh(c, client, null);
    }

    /**
     * The connected app refused {@code rejected} (a 401): refresh once, unless another request
     * already replaced that token, and return the token to retry with.
     */
    public String rejected(Connection c, String rejected) {
        return refresh(c, client(c), rejected);
    }

    private OAuthProviders.Client client(Connection c) {
        return providers.client(c.providerConfigKey()).orElseThrow(() -> new ConnectionAuth.TokenUnavailable(
                "integration " + c.providerConfigKey() + " has no provider file (routes/providers/*.yaml), so "
                        + "connection " + c.connectionId() + " has no way to get an OAuth2 token"));
    }

    private String refresh(Connection c, OAuthProviders.Client client, String rejected) {
        OAuthProvider p = client.provider();
        Refreshed r = connections.withLockedCredentials(c.providerConfigKey(), c.connectionId(), current -> {
            if (current.get(RECONNECT_NEEDED) != null) {
                return new Connections.Locked<>(null, Refreshed.failed(current.get(RECONNECT_NEEDED)));
            }
            Token stored = new Token(current.get(ACCESS_TOKEN), instant(current.get(EXPIRES_AT)));
            boolean replaced = rejected != null && !rejected.equals(stored.access());
            if (stored.validFor(p.refreshMarginSeconds()) && (rejected == null || replaced)) {
                return new Connections.Locked<>(null, new Refreshed(stored, null)); // another replica refreshed
            }
            Map<String, String> next = new LinkedHashMap<>(current);
            Answer a = ask(client, current.get(REFRESH_TOKEN));
            if (a.error() != null) {
                metrics.oauthRefresh(c.providerConfigKey(), a.grantGone() ? "reconnect_needed" : "failed");
                if (!a.grantGone()) {
                    return new Connections.Locked<>(null, Refreshed.unavailable(a.error()));
                }
                next.put(RECONNECT_NEEDED, a.error());
                return new Connections.Locked<>(next, Refreshed.failed(a.error()));
            }
            metrics.oauthRefresh(c.providerConfigKey(), "refreshed");
            next.put(ACCESS_TOKEN, a.accessToken());
            next.put(EXPIRES_AT, a.expiresAt().toString());
            if (a.refreshToken() != null) {
                next.put(REFRESH_TOKEN, a.refreshToken()); // rotated: the old one is spent
            }
            return new Connections.Locked<>(next, new Refreshed(new Token(a.accessToken(), a.expiresAt()), null));
        }).orElseThrow(() -> new ConnectionAuth.TokenUnavailable("connection " + c.connectionId() + " is gone"));
        if (r.reconnect() != null) {
            tokens.remove(key(c));
            throw new ConnectionAuth.NeedsReconnect("connection " + c.connectionId() + " of " + c.providerConfigKey()
                    + " needs its customer to reconnect: the provider refused its grant (" + r.reconnect() + ")");
        }
        if (r.unavailable() != null) {
            throw new ConnectionAuth.TokenUnavailable("no token for connection " + c.connectionId() + " of "
                    + c.providerConfigKey() + ": " + r.unavailable());
        }
        tokens.put(key(c), r.token());
        return r.token().access();
    }

    private record Refreshed(Token token, String reconnect, String unavailable) {
        Refreshed(Token token, String reconnect) {
            this(token, reconnect, null);
        }

        static Refreshed failed(String reason) {
            return new Refreshed(null, reason, null);
        }

        static Refreshed unavailable(String reason) {
            return new Refreshed(null, null, reason);
        }
    }

    /** The token endpoint's answer: tokens, or an error that never quotes a secret. */
    private record Answer(String accessToken, String refreshToken, Instant expiresAt, String error, boolean grantGone) {
        static Answer error(String error, boolean grantGone) {
            return new Answer(null, null, null, error, grantGone);
        }
    }

    /** One request to the token endpoint (RFC 6749 sections 4.4 and 6). */
    private Answer ask(OAuthProviders.Client client, String refreshToken) {
        OAuthProvider p = client.provider();
        Map<String, String> form = new LinkedHashMap<>();
        if (p.grant() == OAuthProvider.Grant.CLIENT_CREDENTIALS) {
            form.put("grant_type", "client_credentials");
            if (!p.scopes().isEmpty()) {
                form.put("scope", p.scope());
            }
        } else {
            if (refreshToken == null) {
                return Answer.error("the connection has no refresh token", true);
            }
            form.put("grant_type", "refresh_token");
            form.put(REFRESH_TOKEN, refreshToken);
        }
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
            r = http.send(req.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return Answer.error("the token endpoint " + host(p.tokenUrl()) + " did not answer: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error("interrupted", false);
        }
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        if (r.statusCode() / 100 != 2 || json == null || !json.path(ACCESS_TOKEN).isTextual()) {
            String code = json == null ? "" : json.path("error").asText("");
            // only the error code: descriptions may quote what was sent
            LOG.warnf("token endpoint %s answered %d %s", host(p.tokenUrl()), r.statusCode(), code);
            boolean gone = "invalid_grant".equals(code) && p.grant() == OAuthProvider.Grant.AUTHORIZATION_CODE;
            return Answer.error("the token endpoint " + host(p.tokenUrl()) + " answered " + r.statusCode()
                    + (code.isEmpty() ? "" : " " + code), gone);
        }
        long expiresIn = json.path(p.expiresInField()).asLong(3600);
        String rotated = json.path(REFRESH_TOKEN).isTextual() ? json.path(REFRESH_TOKEN).asText() : null;
        return new Answer(json.path(ACCESS_TOKEN).asText(), rotated, Instant.now().plusSeconds(expiresIn), null, false);
    }

    private static String key(Connection c) {
        return c.providerConfigKey() + "\u0000" + c.connectionId();
    }

    /** A stored expiry; none (or one that does not parse, e.g. pasted by hand) counts as expired. */
    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String host(URI u) {
        return u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
    }
}
