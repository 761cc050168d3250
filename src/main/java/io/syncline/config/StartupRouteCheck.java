package io.syncline.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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

    public StartupRouteCheck(@ConfigProperty(name = "syncline.routes-dir", defaultValue = "routes") String dir) {
        this.dir = Path.of(dir);
    }

    void beforeRoutesLoad(@Observes BeforeConfigure event) throws IOException {
        if (!Files.isDirectory(dir)) {
            LOG.warnf("routes directory %s does not exist: no syncs are declared", dir.toAbsolutePath());
            return;
        }
        List<RouteValidator.Problem> problems = new RouteValidator().validate(dir);
        if (problems.isEmpty()) {
            return;
        }
        problems.forEach(p -> LOG.error(p.toString()));
        throw new BrokenRoutes(problems.size() + " problem(s) in the route files under " + dir + " (listed above); "
                + "fix them, or check with ./mvnw -q compile exec:java@validate -Droutes=" + dir);
    }
}
