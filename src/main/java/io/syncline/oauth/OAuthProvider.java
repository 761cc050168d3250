package io.syncline.oauth;

import static io.syncline.config.YamlNodes.line;
import static io.syncline.config.YamlNodes.scalar;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.syncline.config.YamlNodes;
import io.syncline.config.YamlNodes.Problem;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * An integration's OAuth2 settings, declared as data in {@code routes/providers/<name>.yaml}:
 * where tokens come from, how the client authenticates, and what the token answer holds. The
 * client id and secret are not in the file: they are secrets, configured per integration as
 * {@code syncline.oauth.<integration>.client-id} and {@code .client-secret}. {@code base_url} is
 * the API address of the connections that the connect flow creates.
 */
public record OAuthProvider(String integration, Grant grant, URI authorizationUrl, URI tokenUrl, List<String> scopes,
        String scopeSeparator, ClientAuth clientAuth, boolean pkce, Map<String, String> authorizationParams,
        String expiresInField, boolean rotatesRefreshTokens, long refreshMarginSeconds, URI baseUrl) {

    /** How the connection gets its tokens. */
    public enum Grant {
        AUTHORIZATION_CODE, CLIENT_CREDENTIALS;

        static Optional<Grant> of(String s) {
            return switch (s) {
                case "authorization_code" -> Optional.of(AUTHORIZATION_CODE);
                case "client_credentials" -> Optional.of(CLIENT_CREDENTIALS);
                default -> Optional.empty();
            };
        }
    }

    /** How the client proves itself to the token endpoint (RFC 6749 section 2.3.1). */
    public enum ClientAuth {
        CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, NONE;

        static Optional<ClientAuth> of(String s) {
            return switch (s) {
                case "client_secret_basic" -> Optional.of(CLIENT_SECRET_BASIC);
                case "client_secret_post" -> Optional.of(CLIENT_SECRET_POST);
                case "none" -> Optional.of(NONE);
                default -> Optional.empty();
            };
        }
    }

    static final Set<String> KEYS = Set.of("integration", "grant", "authorization_url", "token_url", "scopes",
            "scope_separator", "client_auth", "pkce", "authorization_params", "expires_in_field",
            "rotates_refresh_tokens", "refresh_margin_seconds", "base_url");

    /** The scopes as the token and authorization endpoints take them. */
    public String scope() {
        return String.join(scopeSeparator, scopes);
    }

    /**
     * Reads one provider file. Every mistake is added to {@code problems} with the file, the line
     * and what was expected; the provider is returned only when there is none.
     */
    public static Optional<OAuthProvider> read(Path file, List<Problem> problems) throws IOException {
        return read(file.toString(), Files.readString(file), problems);
    }

    /** Reads one provider file's text; {@code name} is where it came from, for the problems. */
    public static Optional<OAuthProvider> read(String name, String text, List<Problem> problems) {
        int before = problems.size();
        Node root = YamlNodes.compose(name, placeholders(name, text, problems), problems).orElse(null);
        if (problems.size() > before) {
            return Optional.empty();
        }
        if (!(root instanceof MappingNode map)) {
            problems.add(new Problem(name, root == null ? 1 : line(root), "expected a provider: a map with integration, "
                    + "grant and token_url"));
            return Optional.empty();
        }
        Map<String, Node> values = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!KEYS.contains(key)) {
                problems.add(new Problem(name, line(t.getKeyNode()), "unknown key '" + key + "': expected one of "
                        + KEYS.stream().sorted().toList()));
            } else {
                values.put(key, t.getValueNode());
            }
        }
        Fields f = new Fields(name, map, values, problems);
        String integration = f.required("integration", "the integration (provider_config_key) whose connections use "
                + "this provider");
        String grantName = f.required("grant", "authorization_code or client_credentials");
        Grant grant = grantName == null ? null : Grant.of(grantName).orElseGet(() -> {
            f.problem("grant", "expected authorization_code or client_credentials");
            return null;
        });
        URI tokenUrl = f.url("token_url", true);
        URI authorizationUrl = f.url("authorization_url", grant == Grant.AUTHORIZATION_CODE);
        ClientAuth clientAuth = ClientAuth.of(f.text("client_auth", "client_secret_post")).orElseGet(() -> {
            f.problem("client_auth", "expected client_secret_basic, client_secret_post or none");
            return null;
        });
        boolean pkce = f.bool("pkce", false);
        if (clientAuth == ClientAuth.NONE && !pkce) {
            f.problem("client_auth", "client_auth none needs pkce: true, or the token endpoint cannot tell who asks");
        }
        OAuthProvider p = new OAuthProvider(integration, grant, authorizationUrl, tokenUrl, f.list("scopes"),
                f.separator("scope_separator", " "), clientAuth, pkce, f.map("authorization_params"),
                f.text("expires_in_field", "expires_in"), f.bool("rotates_refresh_tokens", false),
                f.number("refresh_margin_seconds", 60), f.url("base_url", false));
        return problems.size() == before ? Optional.of(p) : Optional.empty();
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([\\w.\\-]+)(?::([^}]*))?}}");

    /**
     * Replaces each {@code {{name}}} (or {@code {{name:default}}}) with that configuration value,
     * as Camel does in route files, so that one provider file serves a sandbox and production
     * (e.g. {@code token_url: "{{hubspot.auth-url:https://api.hubapi.com}}/oauth/v1/token"}).
     */
    static String placeholders(String file, String text, List<Problem> problems) {
        Config config = ConfigProvider.getConfig();
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Optional<String> value = config.getOptionalValue(m.group(1), String.class)
                    .or(() -> Optional.ofNullable(m.group(2)));
            if (value.isEmpty()) {
                int line = (int) text.substring(0, m.start()).chars().filter(ch -> ch == '\n').count() + 1;
                problems.add(new Problem(file, line, "{{" + m.group(1) + "}} has no value: set it in the "
                        + "configuration, or give a default as {{" + m.group(1) + ":value}}"));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.orElse("")));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The typed values of one file, each problem at its line. */
    private record Fields(String file, MappingNode root, Map<String, Node> values, List<Problem> problems) {

        void problem(String key, String message) {
            Node n = values.get(key);
            problems.add(new Problem(file, n == null ? line(root) : line(n), key + ": " + message));
        }

        /** A text value that must be there; null, with the problem added, when it is not. */
        String required(String key, String expected) {
            String v = text(key, null);
            if (v == null && !values.containsKey(key)) {
                problems.add(new Problem(file, line(root), key + " is missing: expected " + expected));
            }
            return v;
        }

        String text(String key, String fallback) {
            Node n = values.get(key);
            if (n == null) {
                return fallback;
            }
            if (!(n instanceof ScalarNode s) || s.getValue().isBlank()) {
                problem(key, "expected a text value");
                return fallback;
            }
            return s.getValue().trim();
        }

        /** A separator is taken as written, spaces included (a space is the usual one); only empty is refused. */
        String separator(String key, String fallback) {
            Node n = values.get(key);
            if (n == null) {
                return fallback;
            }
            if (!(n instanceof ScalarNode s) || s.getValue().isEmpty()) {
                problem(key, "expected the text between two scopes, e.g. \" \" or \",\"");
                return fallback;
            }
            return s.getValue();
        }

        boolean bool(String key, boolean fallback) {
            String v = text(key, null);
            if (v == null) {
                return fallback;
            }
            if (!v.equals("true") && !v.equals("false")) {
                problem(key, "expected true or false, not '" + v + "'");
                return fallback;
            }
            return Boolean.parseBoolean(v);
        }

        long number(String key, long fallback) {
            String v = text(key, null);
            if (v == null) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problem(key, "expected a whole number of seconds, 0 or more, not '" + v + "'");
            return fallback;
        }

        URI url(String key, boolean required) {
            String v = text(key, null);
            if (v == null) {
                if (required) {
                    problems.add(new Problem(file, line(root), key + " is missing: expected the provider's "
                            + key.replace('_', ' ') + " (https://…)"));
                }
                return null;
            }
            try {
                URI u = URI.create(v);
                if (("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null) {
                    return u;
                }
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
            problem(key, "expected an absolute http(s) URL, not '" + v + "'");
            return null;
        }

        List<String> list(String key) {
            Node n = values.get(key);
            if (n == null) {
                return List.of();
            }
            if (!(n instanceof SequenceNode seq)) {
                problem(key, "expected a list, e.g. [contacts.read, contacts.write]");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (Node item : seq.getValue()) {
                out.add(scalar(item));
            }
            return List.copyOf(out);
        }

        Map<String, String> map(String key) {
            Node n = values.get(key);
            if (n == null) {
                return Map.of();
            }
            if (!(n instanceof MappingNode m)) {
                problem(key, "expected a map of parameter names to values, e.g. {access_type: offline}");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                out.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
            }
            return Map.copyOf(out);
        }
    }
}
