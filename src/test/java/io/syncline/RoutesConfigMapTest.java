package io.syncline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every file in routes/ reaches the pods: the Kubernetes ConfigMap lists them all. */
class RoutesConfigMapTest {

    @Test
    void everyRouteAndMappingFileIsInTheConfigMap() throws Exception {
        String kustomization = Files.readString(Path.of("routes/kustomization.yaml"));
        List<String> listed = kustomization.lines().map(String::trim).filter(l -> l.startsWith("- "))
                .map(l -> l.substring(2).trim()).filter(f -> f.endsWith(".yaml")).sorted().toList();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<String> present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".camel.yaml") || n.endsWith(".mapping.yaml") || n.endsWith(".twoway.yaml")
                            || n.endsWith(".groups.yaml") || n.endsWith(".provider.yaml"))
                    .sorted().toList();
            assertEquals(present, listed, "routes/kustomization.yaml must list exactly the files in routes/");
        }
    }
}
