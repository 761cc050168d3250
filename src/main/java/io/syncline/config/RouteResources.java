package io.syncline.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files a route names (a mapping, a search body, a provider file): relative to the routes
 * directory, or on the classpath as {@code classpath:integrations/<app>/...}, where the
 * catalogue's files are.
 */
public final class RouteResources {

    /** The prefix of a name that is on the classpath. */
    public static final String CLASSPATH = "classpath:";

    private RouteResources() {
    }

    /** The text of a named file; empty when there is no such file. */
    public static Optional<String> text(Path routesDir, String name) throws IOException {
        String n = name.trim();
        if (n.startsWith(CLASSPATH)) {
            return classpath(n.substring(CLASSPATH.length()));
        }
        Path file = routesDir.resolve(n);
        return Files.isRegularFile(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    }

    /** The text of a classpath resource; empty when there is none. */
    public static Optional<String> classpath(String resource) throws IOException {
        try (InputStream in = RouteResources.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
