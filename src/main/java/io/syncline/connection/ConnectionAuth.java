package io.syncline.connection;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a sync presents a connection's credentials to the connected app, for reads and writes
 * alike: {@code bearer} (credential access_token, or bearer:&lt;credential&gt;), {@code basic}
 * (username, password), {@code header:<Name>} or {@code query:<param>} (credential api_key),
 * or {@code none}.
 */
public record ConnectionAuth(String style, String name) {

    /** A credential the style needs is not stored on the connection. */
    public static final class MissingCredential extends RuntimeException {
        public MissingCredential(String message) {
            super(message, null, false, false);
        }
    }

    public static ConnectionAuth parse(String spec) {
        String s = spec == null || spec.isBlank() ? "none" : spec.trim();
        int colon = s.indexOf(':');
        ConnectionAuth auth = colon < 0 ? new ConnectionAuth(s, null)
                : new ConnectionAuth(s.substring(0, colon), s.substring(colon + 1));
        if (!java.util.Set.of("bearer", "basic", "header", "query", "none").contains(auth.style())) {
            throw new IllegalArgumentException("auth must be bearer, basic, header:<Name>, query:<param> or none, not '"
                    + spec + "'");
        }
        return auth;
    }

    /** The request URI, with the credential added when it travels in the query. */
    public URI apply(Connection c, URI uri) {
        if (!"query".equals(style)) {
            return uri;
        }
        String q = name + "=" + URLEncoder.encode(credential(c, "api_key"), StandardCharsets.UTF_8);
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + q);
    }

    /** Adds the credential headers. */
    public void apply(Connection c, HttpRequest.Builder req) {
        switch (style) {
            case "bearer" -> req.header("Authorization", "Bearer " + credential(c, name == null ? "access_token" : name));
            case "basic" -> req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credential(c, "username") + ":" + credential(c, "password")).getBytes(StandardCharsets.UTF_8)));
            case "header" -> req.header(name, credential(c, "api_key"));
            default -> {
            }
        }
    }

    private static String credential(Connection c, String name) {
        String v = c.credential(name);
        if (v == null) {
            throw new MissingCredential("connection " + c.connectionId() + " has no '" + name + "' credential");
        }
        return v;
    }
}
