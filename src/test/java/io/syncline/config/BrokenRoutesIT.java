package io.syncline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.syncline.support.PackagedService;

/** A route file with a mistake stops the service at start, with the file, the line and what was expected. */
class BrokenRoutesIT {

    @Test
    void aBrokenRouteFileStopsTheStartWithItsFileAndLine() throws Exception {
        Path home = Files.createTempDirectory("syncline-broken-routes");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("crm.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: webhook-sync
                    parameters:
                      - { name: sekret, value: x }
                """);
        Files.writeString(routes.resolve("c.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(routes.resolve("poll.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: fast }
                      - { name: integration, value: crm }
                      - { name: mapping, value: c.mapping.yaml }
                      - { name: path, value: /x }
                      - { name: every, value: 5s }
                """);
        Path log = home.resolve("service.log");
        Process p = PackagedService.start(home, PackagedService.freePort(), log);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the service kept running with a broken route file");
        assertNotEquals(0, p.exitValue());
        String out = Files.readString(log);
        assertTrue(out.contains("crm.camel.yaml:4: 'sekret' is not a parameter of webhook-sync"), out);
        assertTrue(out.contains("webhook-sync needs parameter 'integration'"), out);
        assertTrue(out.contains("poll.camel.yaml:2: poll-sync 'fast': every 5s is shorter than the minimum"), out);
        assertFalse(out.contains("\tat "), "one line per problem, no stack trace:\n" + out);

        // the same checks, in a few seconds, without starting the service
        Process check = new ProcessBuilder("bash", "bin/validate-routes", routes.toString()).redirectErrorStream(true)
                .start();
        String said = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(check.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, check.exitValue(), said);
        assertTrue(said.contains("poll.camel.yaml:2: poll-sync 'fast': every 5s is shorter than the minimum"), said);
        assertTrue(said.contains("crm.camel.yaml:4: 'sekret' is not a parameter of webhook-sync"), said);
    }
}
