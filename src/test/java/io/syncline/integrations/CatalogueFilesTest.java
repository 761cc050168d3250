package io.syncline.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.syncline.config.ParamTypes;
import io.syncline.config.YamlNodes;
import io.syncline.mapping.MappingLoader;
import io.syncline.oauth.OAuthProviders;
import io.syncline.routes.RouteValidator;

/**
 * Every file of the catalogue is sound before any service starts: each mapping loads, each
 * provider file reads, every Kamelet in integrations/ is listed, and a one-line use of each
 * catalogue Kamelet passes the route validator (its own schema and the engine Kamelet it calls).
 */
class CatalogueFilesTest {

    @Test
    void everyMappingLoadsAndEveryKameletIsListed() throws Exception {
        List<String> kamelets = new ArrayList<>();
        int mappings = 0;
        try (Stream<Path> files = Files.walk(Path.of("integrations"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".mapping.yaml")) {
                    MappingLoader.named(Path.of("."), "classpath:" + f.toString().replace('\\', '/'));
                    mappings++;
                } else if (name.endsWith(".kamelet.yaml")) {
                    kamelets.add(name.substring(0, name.length() - ".kamelet.yaml".length()));
                }
            }
        }
        assertTrue(mappings >= 20, "the catalogue's mappings were found: " + mappings);
        assertEquals(kamelets.stream().sorted().toList(), ParamTypes.CATALOGUE.stream().sorted().toList(),
                "every catalogue Kamelet file is in ParamTypes.CATALOGUE, and nothing else");
        List<YamlNodes.Problem> problems = new ArrayList<>();
        assertTrue(OAuthProviders.catalogue(problems).size() >= 1);
        assertEquals(List.of(), problems);
    }

    @Test
    void aOneLineUseOfEachCatalogueKameletPassesTheValidator(@TempDir Path dir) throws Exception {
        StringBuilder routes = new StringBuilder();
        for (String id : ParamTypes.CATALOGUE) {
            boolean needsEvents = ParamTypes.kamelets().get(id).containsKey("events")
                    && ParamTypes.kamelets().get(id).get("events").required();
            routes.append("- templatedRoute: { routeTemplateRef: ").append(id)
                    .append(needsEvents ? ", parameters: [ { name: events, value: x.changed } ]" : "").append(" }\n");
        }
        Files.writeString(dir.resolve("catalogue.camel.yaml"), routes.toString());
        assertEquals(List.of(), new RouteValidator().validate(dir).stream().map(Object::toString).toList());
    }
}
