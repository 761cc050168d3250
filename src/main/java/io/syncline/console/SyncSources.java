package io.syncline.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.qute.TemplateData;
import io.syncline.config.TemplateParams;

/** Where a sync is declared: its route file and the mapping file it names, as text, read-only. */
final class SyncSources {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TemplateData
    record Source(String routeFile, String routeText, String mappingFile, String mappingText) {
    }

    private SyncSources() {
    }

    /** The route file whose templated route has these {@code integration} and {@code name} parameters. */
    static Optional<Source> of(String integration, String name) {
        Path dir = TemplateParams.routesDir();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList()) {
                String text = Files.readString(file);
                JsonNode routes = YAML.readTree(text);
                for (JsonNode route : routes == null ? YAML.createArrayNode() : routes) {
                    JsonNode params = route.path("templatedRoute").path("parameters");
                    if (integration.equals(param(params, "integration")) && name.equals(param(params, "name"))) {
                        String mapping = param(params, "mapping");
                        Path mappingFile = mapping == null ? null : dir.resolve(mapping).normalize();
                        String mappingText = mappingFile != null && mappingFile.startsWith(dir.normalize())
                                && Files.isRegularFile(mappingFile) ? Files.readString(mappingFile) : null;
                        return Optional.of(new Source(file.getFileName().toString(), text, mapping, mappingText));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String param(JsonNode params, String name) {
        for (JsonNode p : params) {
            if (name.equals(p.path("name").asText())) {
                return p.path("value").asText(null);
            }
        }
        return null;
    }
}
