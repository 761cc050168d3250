package io.syncline.connection;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.syncline.config.TemplateParams;
import io.syncline.oauth.TokenPath;

/**
 * How a sync presents a connection's credentials to the connected app, for reads and writes
 * alike: {@code bearer} (credential access_token, or bearer:&lt;credential&gt;), {@code oauth2} (an
 * access token from the integration's provider file, refreshed as it expires: {@link TokenPath}), {@code basic}
 * (username, password), {@code header:<Name>} or {@code query:<param>} (credential api_key),
 * or {@code none}.
 */
public record ConnectionAuth(String style, String name) {

    /** A request that must not be sent with this connection's credentials; the message says why. */
    public abstract static class Refused extends RuntimeException {
        private final String code;
        private final boolean retryable;

        Refused(String code, boolean retryable, String message) {
            super(message, null, false, false);
            this.code = code;
            this.retryable = retryable;
        }

        /** What a run's error type says of it, e.g. credentials_missing. */
        public String code() {
            return code;
        }

        /** Whether the same request may succeed later without anyone changing the sync. */
        public boolean retryable() {
            return retryable;
        }
    }

    /** A credential the style needs is not stored on the connection. */
    public static final class MissingCredential extends Refused {
        public MissingCredential(String message) {
            super("credentials_missing", false, message);
        }
    }

    /** The provider refused the connection's grant: its customer must connect again. Work waits, it is not dropped. */
    public static final class NeedsReconnect extends Refused {
        public NeedsReconnect(String message) {
            super("reconnect_needed", true, message);
        }
    }

    /** No OAuth2 token could be had just now (the token endpoint failed, or no provider is declared). */
    public static final class TokenUnavailable extends Refused {
        public TokenUnavailable(String message) {
            super("token_unavailable", true, message);
        }
    }

    /** A request would leave the connection's origin: nothing is sent. */
    public static final class ForeignOrigin extends Refused {
        public ForeignOrigin(String message) {
            super("foreign_origin", false, message);
        }
    }

    public static ConnectionAuth parse(String spec) {
        String s = spec == null || spec.isBlank() ? "none" : spec.trim();
        int colon = s.indexOf(':');
        ConnectionAuth auth = colon < 0 ? new ConnectionAuth(s, null)
                : new ConnectionAuth(s.substring(0, colon), s.substring(colon + 1));
        if (!Set.of("bearer", "basic", "header", "query", "oauth2", "none").contains(auth.style())) {
            throw new IllegalArgumentException("auth must be bearer, basic, oauth2, header:<Name>, query:<param> or "
                    + "none, not '" + spec + "'");
        }
        return auth;
    }

    /**
     * The request URI, with the credential added when it travels in the query. Guarantee 9: a
     * connection's credentials go only to the origin (scheme, host and port) of its
     * {@code base_url}. Every request of a sync, reads and writes, passes here first, so a next
     * link, a search path or a changed URL that points anywhere else is refused before anything
     * is sent.
     */
    public URI apply(Connection c, URI uri) {
        requireSameOrigin(c, uri);
        if (!"query".equals(style)) {
            return uri;
        }
        String q = name + "=" + URLEncoder.encode(credential(c, "api_key"), StandardCharsets.UTF_8);
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + q);
    }

    /** The credential headers of a request to the connection: none, or one. */
    public Map<String, String> headers(Connection c) {
        return switch (style) {
            case "bearer" -> Map.of("Authorization", "Bearer " + credential(c, name == null ? "access_token" : name));
            case "basic" -> Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credential(c, "username") + ":" + credential(c, "password")).getBytes(StandardCharsets.UTF_8)));
            case "header" -> Map.of(name, credential(c, "api_key"));
            case "oauth2" -> Map.of("Authorization", "Bearer " + tokens().accessToken(c));
            default -> Map.of();
        };
    }

    /** Whether a 401 may be answered by refreshing the token and sending once more. */
    public boolean refreshable() {
        return "oauth2".equals(style);
    }

    /**
     * The connected app answered 401 to a request sent with {@code sent} (its headers): the
     * token is refreshed once, unless another request already replaced it. The caller then
     * sends once more, with fresh {@link #headers}.
     */
    public void rejected(Connection c, Map<String, String> sent) {
        String bearer = sent.getOrDefault("Authorization", "");
        tokens().rejected(c, bearer.startsWith("Bearer ") ? bearer.substring(7) : bearer);
    }

    private static TokenPath tokens() {
        return TemplateParams.bean(TokenPath.class);
    }

    /**
     * What a connected app answered, as a run's error or a write's reason may keep it: at most 300
     * characters, with every credential of the connection blanked out, since error pages echo
     * what they were sent (guarantee 9: secrets are never stored or shown in the clear).
     */
    public static String errorSnippet(Connection c, byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
        if (c.credentials() != null) {
            for (String secret : c.credentials().values()) {
                if (secret != null && secret.length() >= 4) {
                    s = s.replace(secret, "[redacted]");
                }
            }
        }
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    static void requireSameOrigin(Connection c, URI target) {
        String base = c.baseUrl();
        if (base == null || base.isBlank()) {
            throw new ForeignOrigin("connection " + c.connectionId() + " has no base_url, so no request may carry "
                    + "its credentials");
        }
        String allowed = origin(URI.create(base));
        String asked = origin(target);
        if (!allowed.equals(asked)) {
            throw new ForeignOrigin("a request to " + asked + " leaves the connection's origin " + allowed
                    + "; nothing was sent");
        }
    }

    /** scheme://host:port, with the scheme's default port made explicit. */
    public static String origin(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    private static String credential(Connection c, String name) {
        String v = c.credential(name);
        if (v == null) {
            throw new MissingCredential("connection " + c.connectionId() + " has no '" + name + "' credential");
        }
        return v;
    }
}
