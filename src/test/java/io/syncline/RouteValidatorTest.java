package io.syncline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.syncline.routes.RouteValidator;

/** Route files are checked before they run: each mistake with its file, line and what was expected. */
class RouteValidatorTest {

    @Test
    void theShippedRoutesAreValid() throws Exception {
        assertEquals(List.of(), new RouteValidator().validate(Path.of("routes")));
    }

    @Test
    void stepsUsedWronglyAreReportedWithFileLineAndExpectation(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("steps.camel.yaml"), """
                - route:
                    from:
                      uri: "platform-http:/webhooks/x/{connectionId}"
                      steps:
                        - to: "syncline:admit?integration=crm&sync=x&signature=none"
                        - to: "syncline:store?integration=crm&sync=x"
                        - to: "syncline:map?mapping=x.mapping.yaml&mapin=y"
                        - to: "syncline:stor?integration=crm"
                        - to: { uri: "syncline:writes?integration=app&sync=y" }
                - route:
                    from:
                      uri: "syncline:map?mapping=x.mapping.yaml"
                      steps:
                        - log: "x"
                - from:
                    uri: "syncline:writes?integration=app"
                    steps:
                      - to: "jdbc:app"
                """);
        Files.writeString(dir.resolve("x.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(dir.resolve("typed.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: p }
                      - { name: integration, value: crm }
                      - { name: mapping, value: x.mapping.yaml }
                      - { name: every, value: 1h }
                      - { name: path, value: /x }
                      - { name: pageSize, value: lots }
                      - { name: mode, value: fast }
                      - { name: stableCursor, value: "yes" }
                - from:
                    uri: "syncline:writes?integration=app&sync=y&maxAttempts=0"
                    steps:
                      - to: "jdbc:app"
                """);
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String typed = dir.resolve("typed.camel.yaml").toString();
        assertHas(problems, typed + ":9: poll-sync: pageSize must be a whole number of at least 1, not 'lots'");
        assertHas(problems, typed + ":10: poll-sync: mode must be one of [incremental, full], not 'fast'");
        assertHas(problems, typed + ":11: poll-sync: stableCursor must be true or false, not 'yes'");
        assertHas(problems, typed + ":13: syncline:writes: maxAttempts must be a whole number of at least 1, not '0'");
        problems = problems.stream().filter(p -> !p.startsWith(typed)).toList();
        String file = dir.resolve("steps.camel.yaml").toString();
        assertHas(problems, file + ":6: syncline:store needs a mapped record: put syncline:map before it");
        assertHas(problems, file + ":7: syncline:map has no parameter 'mapin'; expected one of [mapping, sync]");
        assertHas(problems, file + ":8: 'syncline:stor' is not a step; expected one of");
        assertHas(problems, file + ":9: syncline:writes starts a route: use it in from:, not to:");
        assertHas(problems, file + ":12: syncline:map is a step of a route: use it in to:, not from:");
        assertHas(problems, file + ":16: syncline:writes needs parameter 'sync'");
        assertEquals(6, problems.size(), problems.toString());
    }

    @Test
    void mistakesAreReportedWithFileLineAndExpectation(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("good.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(dir.resolve("broken.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: { path: $.id, transforms: [lowr] }\n");
        Files.writeString(dir.resolve("syncs.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: webhook-sync
                    routeId: a
                    parameterz: []
                - templatedRoute:
                    routeTemplateRef: webhook-sync
                    parameters:
                      - { name: name, value: a }
                      - { name: integration, value: crm }
                      - { name: path, value: "crm/{connectionId}" }
                      - { name: signature, value: none }
                      - { name: mapping, value: broken.mapping.yaml }
                      - { name: sekret, value: x }
                - templatedRoute:
                    routeTemplateRef: poll-syncs
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: p }
                      - { name: integration, value: crm }
                      - { name: mapping, value: good.mapping.yaml }
                      - { name: path, value: /x }
                      - { name: recordsPath, value: "$.[" }
                """);
        Files.writeString(dir.resolve("bad.camel.yaml"), "- templatedRoute:\n    routeTemplateRef: [unclosed\n");
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String file = dir.resolve("syncs.camel.yaml").toString();
        assertHas(problems, file + ":4: 'parameterz' is not a key of templatedRoute");
        assertHas(problems, file + ":2: webhook-sync needs parameter 'name'");
        assertHas(problems, file + ":12: mapping broken.mapping.yaml is broken");
        assertHas(problems, "unknown transform 'lowr'");
        assertHas(problems, file + ":13: 'sekret' is not a parameter of webhook-sync");
        assertHas(problems, file + ":15: unknown route template 'poll-syncs'");
        assertHas(problems, file + ":23: recordsPath '$.[' is not a valid JSONPath");
        assertHas(problems, dir.resolve("bad.camel.yaml") + ":");
    }

    @Test
    void providerFilesAreCheckedWithFileLineAndExpectation(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("providers"));
        Files.writeString(dir.resolve("providers/good.yaml"), """
                integration: good
                grant: client_credentials
                token_url: https://auth.example.com/token
                scopes: [contacts.read, contacts.write]
                scope_separator: " "
                base_url: https://api.example.com
                """);
        Files.writeString(dir.resolve("providers/crm.yaml"), """
                integration: crm
                grant: authorisation_code
                token_url: not a url
                client_auth: none
                scopes: contacts.read
                refresh_margin: 30
                """);
        Files.writeString(dir.resolve("providers/good-again.yaml"), """
                integration: good
                grant: client_credentials
                token_url: https://auth.example.com/token
                """);
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String file = dir.resolve("providers/crm.yaml").toString();
        assertHas(problems, dir.resolve("providers/good.yaml") + ":1: integration good already has a provider in ");
        assertHas(problems, file + ":2: grant: expected authorization_code or client_credentials");
        assertHas(problems, file + ":3: token_url: expected an absolute http(s) URL, not 'not a url'");
        assertHas(problems, file + ":4: client_auth: client_auth none needs pkce: true");
        assertHas(problems, file + ":5: scopes: expected a list");
        assertHas(problems, file + ":6: unknown key 'refresh_margin'");
        assertEquals(6, problems.size(), "the good provider has none of its own: " + problems);
    }

    @Test
    void aKameletLineIsCheckedAgainstTheKameletsSchema(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(dir.resolve("k.camel.yaml"), """
                - from:
                    uri: "kamelet:webhook-sync?name=c&integration=crm&path=c&signature=none&mapping=c.mapping.yaml"
                    steps:
                      - log: "fine"
                - from:
                    uri: "kamelet:webhook-sync?name=c&integration=crm&path=c&signature=rsa&mapping=c.mapping.yaml&sekret=x"
                    steps:
                      - log: "unknown parameter"
                - from:
                    uri: "kamelet:poll-sync?name=p&integration=crm&path=/x&every=1h&mapping=c.mapping.yaml&pageSize=0"
                    steps:
                      - log: "wrong type"
                - from:
                    uri: "kamelet:webhook-sync"
                    parameters:
                      name: c
                      integration: crm
                      path: c
                      mapping: gone.mapping.yaml
                    steps:
                      - log: "missing and broken"
                - from:
                    uri: "kamelet:someone-elses?anything=goes"
                    steps:
                      - log: "not ours"
                """);
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String file = dir.resolve("k.camel.yaml").toString();
        assertHas(problems, file + ":6: 'sekret' is not a parameter of webhook-sync");
        assertHas(problems, file + ":10: poll-sync: pageSize must be a whole number of at least 1, not '0'");
        assertHas(problems, file + ":14: webhook-sync needs parameter 'signature'");
        assertHas(problems, file + ":19: mapping gone.mapping.yaml is broken");
        assertEquals(4, problems.size(), problems.toString());
    }

    @Test
    void whatStartUpWouldRefuseTheValidatorRefusesToo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.mapping.yaml"), "model: C\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(dir.resolve("polls.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: fast }
                      - { name: integration, value: crm }
                      - { name: mapping, value: c.mapping.yaml }
                      - { name: path, value: /x }
                      - { name: every, value: 0s }
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: offsets }
                      - { name: integration, value: crm }
                      - { name: mapping, value: c.mapping.yaml }
                      - { name: path, value: /x }
                      - { name: every, value: 1h }
                      - { name: pagination, value: offset }
                      - { name: stableCursor, value: "true" }
                - templatedRoute:
                    routeTemplateRef: poll-sync
                    parameters:
                      - { name: name, value: ok }
                      - { name: integration, value: crm }
                      - { name: mapping, value: c.mapping.yaml }
                      - { name: path, value: /x }
                      - { name: every, value: 15m }
                """);
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String file = dir.resolve("polls.camel.yaml").toString();
        assertHas(problems, file + ":2: poll-sync 'fast': every 0s is shorter than the minimum interval");
        assertHas(problems, file + ":10: stableCursor is for cursor, link and next-url pagination");
        assertEquals(2, problems.size(), String.join("\n", problems));
    }

    @Test
    void aCatalogueLineIsCheckedAgainstItsOwnSchemaAndTheEngineKameletItCalls(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hs.mapping.yaml"), "model: Contact\nkey: id\nfields:\n  id: $.id\n");
        Files.writeString(dir.resolve("apps.camel.yaml"), """
                - templatedRoute: { routeTemplateRef: hubspot-contacts-source }
                - from:
                    uri: "kamelet:stripe-customers-source?every=1h&mapping=hs.mapping.yaml"
                    steps:
                      - log: "fine, with a mapping of your own"
                - from:
                    uri: "kamelet:hubspot-deals-source?every=0s"
                    steps:
                      - log: "the engine's minimum interval holds through the catalogue"
                - from:
                    uri: "kamelet:hubspot-contacts-sink?batchSize=lots"
                    steps:
                      - log: "events missing, batchSize not a number"
                - templatedRoute:
                    routeTemplateRef: github-issues-source
                    parameters:
                      - { name: mapping, value: gone.mapping.yaml }
                      - { name: repo, value: acme/app }
                """);
        List<String> problems = new RouteValidator().validate(dir).stream().map(Object::toString).toList();
        String file = dir.resolve("apps.camel.yaml").toString();
        assertHas(problems, file + ":7: poll-sync 'deals': every 0s is shorter than the minimum interval");
        assertHas(problems, file + ":11: hubspot-contacts-sink needs parameter 'events'");
        assertHas(problems, file + ":11: hubspot-contacts-sink: batchSize must be a whole number of at least 1, not 'lots'");
        assertHas(problems, file + ":17: mapping gone.mapping.yaml is broken");
        assertHas(problems, file + ":18: 'repo' is not a parameter of github-issues-source");
        assertEquals(5, problems.size(), String.join("\n", problems));
    }

    static void assertHas(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "no problem like '" + expected + "' in "
                + String.join("\n", problems));
    }
}
