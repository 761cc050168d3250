package io.syncline.routes;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.syncline.config.ParamTypes;
import io.syncline.config.YamlNodes.Problem;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Checks the route files before Camel loads them, with the same checks as the {@code validate}
 * goal: a broken file stops the start with one line per problem (file, line, what was
 * expected) instead of a stack trace from deep inside Camel.
 */
@ApplicationScoped
public class StartupRouteCheck {

    private static final Logger LOG = Logger.getLogger(StartupRouteCheck.class);

    /** The routes directory holds files that cannot work; the log has one line per problem. */
    public static final class BrokenRoutes extends RuntimeException {
        public BrokenRoutes(String message) {
            super(message, null, false, false);
        }
    }

    private final Path dir;
    private static final ObjectMapper YAML = new ObjectMapper(
            new YAMLFactory());

    public StartupRouteCheck(@ConfigProperty(name = "syncline.routes-dir", defaultValue = "routes") String dir) {
        this.dir = Path.of(dir);
    }

    void beforeRoutesLoad(@Observes BeforeConfigure event) throws IOException {
        if (!Files.isDirectory(dir)) {
            LOG.warnf("routes directory %s does not exist: no syncs are declared", dir.toAbsolutePath());
            return;
        }
        List<Problem> problems = new RouteValidator().validate(dir);
        if (problems.isEmpty()) {
            logDeclared();
            return;
        }
        problems.forEach(p -> LOG.error(p.toString()));
        LOG.errorf("%d problem(s) in the route files under %s (listed above): the service does not start",
                problems.size(), dir);
        throw new BrokenRoutes(problems.size() + " problem(s) in the route files under " + dir + " (listed above); "
                + "fix them, or check with ./mvnw -q compile exec:java@validate -Droutes=" + dir);
    }

    /** One line per route file at start: which syncs it declares, so nobody wonders what was loaded. */
    private void logDeclared() throws IOException {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        if (files.isEmpty()) {
            LOG.warnf("no route files (*.camel.yaml) in %s: no syncs are declared", dir.toAbsolutePath());
        }
        for (Path file : files) {
            List<String> syncs = new ArrayList<>();
            for (var route : YAML.readTree(file.toFile())) {
                var t = route.path("templatedRoute");
                String from = route.path("route").path("from").path("uri").asText(route.path("from").path("uri").asText());
                String kamelet = from.startsWith("kamelet:") ? RouteValidator.kameletId(from) : "";
                if (ParamTypes.kamelets().containsKey(kamelet)) {
                    Map<String, Object> query = kameletQuery(from);
                    syncs.add(kamelet + " " + query.getOrDefault("integration", "") + "/"
                            + query.getOrDefault("name", ""));
                    continue;
                }
                if (t.isMissingNode()) {
                    syncs.add(route.fieldNames().hasNext() ? route.fieldNames().next() : "?");
                    continue;
                }
                String integration = "";
                String name = "";
                for (var p : t.path("parameters")) {
                    integration = p.path("name").asText().equals("integration") ? p.path("value").asText() : integration;
                    name = p.path("name").asText().equals("name") ? p.path("value").asText() : name;
                }
                syncs.add(t.path("routeTemplateRef").asText() + " " + integration + "/" + name);
            }
            LOG.infof("%s: %s", file, String.join(", ", syncs));
        }
    }

    /** The parameters of a {@code kamelet:} URI; empty when its query does not parse (the validator says why). */
    private static Map<String, Object> kameletQuery(String uri) {
        try {
            return RouteValidator.kameletQuery(uri);
        } catch (URISyntaxException e) {
            return Map.of();
        }
    }
}
