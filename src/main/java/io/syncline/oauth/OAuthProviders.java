package io.syncline.oauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.syncline.config.ParamTypes;
import io.syncline.config.RouteResources;
import io.syncline.config.YamlNodes.Problem;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The OAuth2 providers of the routes directory ({@code routes/*.provider.yaml} and
 * {@code routes/providers/*.yaml}), one per
 * integration, with each integration's client id and secret from configuration
 * ({@code syncline.oauth.<integration>.client-id} and {@code .client-secret}, e.g. the
 * environment variables {@code SYNCLINE_OAUTH_HUBSPOT_CLIENT_ID} and
 * {@code SYNCLINE_OAUTH_HUBSPOT_CLIENT_SECRET}). The route check at start-up has already refused
 * files with mistakes, so loading here only reads.
 */
@Unremovable
@ApplicationScoped
public class OAuthProviders {

    /** A provider with its client's credentials: the secret never leaves this process but to the token endpoint. */
    public record Client(OAuthProvider provider, String clientId, String clientSecret) {
        @Override
        public String toString() {
            return "Client[" + provider.integration() + ", clientId=" + clientId + ", clientSecret=(hidden)]";
        }
    }

    private final Map<String, OAuthProvider> providers = new LinkedHashMap<>();
    /** Read once per integration: every request of an oauth2 sync asks for its client. */
    private final Map<String, Optional<Client>> clients = new ConcurrentHashMap<>();

    public OAuthProviders(@ConfigProperty(name = "syncline.routes-dir", defaultValue = "routes") String routesDir)
            throws IOException {
        List<Problem> problems = new ArrayList<>();
        catalogue(problems).forEach(p -> providers.put(p.integration(), p));
        for (Path file : files(Path.of(routesDir))) {
            OAuthProvider.read(file, problems).ifPresent(p -> providers.put(p.integration(), p));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("provider files with mistakes: " + problems);
        }
    }

    /**
     * The provider files of a routes directory, in name order: {@code <name>.provider.yaml} beside
     * the routes (one flat directory, as a Kubernetes ConfigMap mounts it), and every
     * {@code providers/*.yaml}.
     */
    public static List<Path> files(Path routesDir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(routesDir)) {
            try (Stream<Path> list = Files.list(routesDir)) {
                list.filter(f -> f.getFileName().toString().endsWith(".provider.yaml")).sorted().forEach(out::add);
            }
        }
        Path dir = routesDir.resolve("providers");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /**
     * The catalogue's provider files ({@code integrations/<app>/<app>.provider.yaml} on the
     * classpath), one per app that has one; a provider file in the routes directory for the same
     * integration takes its place.
     */
    public static List<OAuthProvider> catalogue(List<Problem> problems) {
        List<OAuthProvider> out = new ArrayList<>();
        for (String app : ParamTypes.CATALOGUE.stream().map(id -> id.substring(0, id.indexOf('-'))).distinct().toList()) {
            String resource = "integrations/" + app + "/" + app + ".provider.yaml";
            try {
                RouteResources.classpath(resource).flatMap(text -> OAuthProvider.read(RouteResources.CLASSPATH + resource,
                        text, problems)).ifPresent(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return out;
    }

    /**
     * The integration's OAuth2 client secret ({@code syncline.oauth.<integration>.client-secret}),
     * whether or not a provider file declares the integration: apps such as HubSpot and Shopify
     * sign their webhooks with it.
     */
    public static Optional<String> clientSecret(String integration) {
        return setting(integration, "client-secret");
    }

    private static Optional<String> setting(String integration, String name) {
        Config config = ConfigProvider.getConfig();
        return config.getOptionalValue("syncline.oauth.\"" + integration + "\"." + name, String.class)
                .or(() -> config.getOptionalValue("syncline.oauth." + integration + "." + name, String.class));
    }

    /** The integration's provider and client, when a provider file declares one. */
    public Optional<Client> client(String integration) {
        return clients.computeIfAbsent(integration, this::load);
    }

    private Optional<Client> load(String integration) {
        OAuthProvider p = providers.get(integration);
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(new Client(p, setting(integration, "client-id").orElse(null),
                clientSecret(integration).orElse(null)));
    }
}
