package io.syncline.oauth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import io.quarkus.arc.Unremovable;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.metrics.SyncMetrics;

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

    public static final String ACCESS_TOKEN = TokenEndpoint.ACCESS_TOKEN;
    public static final String REFRESH_TOKEN = TokenEndpoint.REFRESH_TOKEN;
    /** When the access token expires, an ISO-8601 instant. */
    public static final String EXPIRES_AT = "expires_at";
    /** Set (to the provider's reason) when the grant is gone: the connection needs its customer to reconnect. */
    public static final String RECONNECT_NEEDED = Connection.RECONNECT_NEEDED;
    /** When the tokens last came from the provider (a refresh or a connect), an ISO-8601 instant. */
    public static final String REFRESHED_AT = "refreshed_at";
    /** Why the last refresh failed; gone once one succeeds. Never a secret: the status and the provider's error code. */
    public static final String REFRESH_ERROR = "refresh_error";


    private record Token(String access, Instant expiresAt) {
        boolean validFor(long marginSeconds) {
            return access != null && expiresAt != null && Instant.now().plusSeconds(marginSeconds).isBefore(expiresAt);
        }
    }

    private final Connections connections;
    private final OAuthProviders providers;
    private final SyncMetrics metrics;
    private final TokenEndpoint endpoint;
    private final Event<GrantRefused> grantRefused;
    /** This replica's view of each connection's token, so that a valid one costs no query. */
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public TokenPath(Connections connections, OAuthProviders providers, SyncMetrics metrics, TokenEndpoint endpoint,
            Event<GrantRefused> grantRefused) {
        this.connections = connections;
        this.providers = providers;
        this.metrics = metrics;
        this.endpoint = endpoint;
        this.grantRefused = grantRefused;
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
                return new Connections.Locked<>(null, Refreshed.ok(stored)); // another replica refreshed
            }
            Map<String, String> next = new LinkedHashMap<>(current);
            TokenEndpoint.Answer a = endpoint.refresh(client, current.get(REFRESH_TOKEN));
            if (a.error() != null) {
                metrics.oauthRefresh(c.providerConfigKey(), a.grantGone() ? "reconnect_needed" : "failed");
                next.put(REFRESH_ERROR, a.error());
                if (!a.grantGone()) {
                    return new Connections.Locked<>(next, Refreshed.unavailable(a.error()));
                }
                next.put(RECONNECT_NEEDED, a.error());
                return new Connections.Locked<>(next, Refreshed.revoked(a.error()));
            }
            metrics.oauthRefresh(c.providerConfigKey(), "refreshed");
            next.put(ACCESS_TOKEN, a.accessToken());
            next.put(EXPIRES_AT, a.expiresAt().toString());
            next.put(REFRESHED_AT, Instant.now().toString());
            next.remove(REFRESH_ERROR);
            if (a.refreshToken() != null) {
                next.put(REFRESH_TOKEN, a.refreshToken()); // rotated: the old one is spent
            }
            return new Connections.Locked<>(next, Refreshed.ok(new Token(a.accessToken(), a.expiresAt())));
        }).orElseThrow(() -> new ConnectionAuth.TokenUnavailable("connection " + c.connectionId() + " is gone"));
        if (r.revokedNow()) {
            grantRefused.fire(new GrantRefused(c.providerConfigKey(), c.connectionId(), r.reconnect()));
        }
        if (r.reconnect() != null) {
            tokens.remove(key(c));
            throw new ConnectionAuth.NeedsReconnect("connection " + c.connectionId() + " of " + c.providerConfigKey()
                    + " needs its customer to reconnect: the provider refused its grant (" + r.reconnect() + ")");
        }
        if (r.unavailable() != null) {
            throw new ConnectionAuth.TokenUnavailable("no token for connection " + c.connectionId() + " of "
                    + c.providerConfigKey() + ": " + r.unavailable());
        }
        // Requests on other threads may finish their refreshes in any order: the token that expires
        // last is the newest, and an older one that arrives late must not replace it here.
        Token newest = tokens.merge(key(c), r.token(), (had, got) -> got.expiresAt().isAfter(had.expiresAt()) ? got : had);
        return newest.access();
    }

    /** What a refresh under the lock came to: a token, or why there is none. */
    private record Refreshed(Token token, String reconnect, boolean revokedNow, String unavailable) {
        static Refreshed ok(Token token) {
            return new Refreshed(token, null, false, null);
        }

        /** The grant was already marked as refused. */
        static Refreshed failed(String reason) {
            return new Refreshed(null, reason, false, null);
        }

        /** This refresh found the grant refused, and marked it. */
        static Refreshed revoked(String reason) {
            return new Refreshed(null, reason, true, null);
        }

        static Refreshed unavailable(String reason) {
            return new Refreshed(null, null, false, reason);
        }
    }

    /**
     * Fired once per refused grant, after the mark that the connection needs a reconnect has
     * committed, by the replica that found it: your app hears of it once.
     */
    public record GrantRefused(String providerConfigKey, String connectionId, String reason) {
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
}
