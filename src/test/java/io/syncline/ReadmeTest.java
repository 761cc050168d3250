package io.syncline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.syncline.config.ParamTypes;
import io.syncline.steps.Step;

/**
 * The README documents every parameter of every engine Kamelet and every syncline: step, and the
 * catalogue's README every parameter of every catalogue Kamelet.
 */
class ReadmeTest {

    @Test
    void everyTemplateAndStepParameterIsDocumented() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String catalogue = Files.readString(Path.of("integrations/README.md"));
        List<String> missing = new ArrayList<>();
        ParamTypes.kamelets().forEach((template, params) -> params.keySet().stream()
                .filter(p -> !List.of("name", "integration").contains(p))
                .filter(p -> !(ParamTypes.CATALOGUE.contains(template) ? catalogue : readme).contains("`" + p + "`"))
                .forEach(p -> missing.add(template + " " + p)));
        ParamTypes.CATALOGUE.stream().filter(k -> !catalogue.contains("`" + k + "`"))
                .forEach(k -> missing.add("integrations/README.md: " + k));
        for (Step step : Step.values()) {
            if (!readme.contains("`syncline:" + step.id() + "`")) {
                missing.add("syncline:" + step.id());
            }
            step.params().keySet().stream().filter(p -> !readme.contains("`" + p + "`"))
                    .forEach(p -> missing.add("syncline:" + step.id() + " " + p));
        }
        assertEquals(List.of(), missing, "undocumented in README.md");
    }
}
