package io.syncline.api;

import io.syncline.http.Problem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The document at /q/openapi describes the real API well enough to generate a client from: the
 * API key as a bearer scheme, typed pages and problems, the webhook routes, and no console pages.
 */
@QuarkusTest
class OpenApiTest {

    Map<String, Object> doc;

    @BeforeEach
    void read() {
        doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath()
                .getMap("$");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String... keys) {
        Object at = o;
        for (String k : keys) {
            assertTrue(at instanceof Map, "no object at " + k + " in " + at);
            at = ((Map<String, Object>) at).get(k);
        }
        assertTrue(at instanceof Map, "not an object: " + String.join(".", keys) + " = " + at);
        return (Map<String, Object>) at;
    }

    @Test
    void theApiKeyIsABearerSchemeRequiredByTheApi() {
        Map<String, Object> schemes = map(doc, "components", "securitySchemes");
        assertFalse(schemes.isEmpty(), "no security scheme");
        Map<String, Object> apiKey = map(schemes, "ApiKey");
        assertEquals("http", apiKey.get("type"));
        assertEquals("bearer", String.valueOf(apiKey.get("scheme")).toLowerCase());
        assertTrue(String.valueOf(doc.get("security")).contains("ApiKey"),
                "the API key is not required by default: " + doc.get("security"));
    }

    @Test
    void theConsoleAndTheDemoAreNotApiOperations() {
        for (String path : map(doc, "paths").keySet()) {
            assertFalse(path.startsWith("/console"), "console page in the API: " + path);
            assertFalse(path.startsWith("/demo-crm"), "demo CRM in the API: " + path);
        }
    }

    @Test
    void webhooksAreDocumentedAndSignedNotKeyed() {
        Map<String, Object> paths = map(doc, "paths");
        String webhook = paths.keySet().stream().filter(p -> p.startsWith("/webhooks")).findFirst()
                .orElseThrow(() -> new AssertionError("no /webhooks path in " + paths.keySet()));
        Map<String, Object> post = map(paths, webhook, "post");
        assertEquals(List.of(), post.get("security"), "webhooks are authenticated by signature, not API key");
        Map<String, Object> responses = map(post, "responses");
        for (String code : List.of("200", "400", "401", "404", "413", "415")) {
            assertNotNull(responses.get(code), "webhook answer " + code + " undocumented");
        }
        assertNotNull(map(responses, "413", "content").get("application/problem+json"));
    }

    @Test
    void recordsAnswerARecordsPage() {
        Map<String, Object> get = map(doc, "paths", "/records", "get");
        Map<String, Object> schema = map(get, "responses", "200", "content", "application/json", "schema");
        assertTrue(String.valueOf(schema.get("$ref")).endsWith("/RecordsPage"), "200 of GET /records is " + schema);
        Map<String, Object> page = map(doc, "components", "schemas", "RecordsPage", "properties");
        assertNotNull(page.get("records"));
        assertNotNull(page.get("next_cursor"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> parameters = (List<Map<String, Object>>) get.get("parameters");
        Map<String, Object> limit = parameters.stream().filter(p -> "limit".equals(p.get("name"))).findFirst()
                .orElseThrow();
        assertEquals(parameters.size(), parameters.stream().map(p -> p.get("in") + ":" + p.get("name")).distinct()
                .count(), "a parameter of GET /records is listed twice: " + parameters);
        assertEquals("integer", map(limit, "schema").get("type"));
    }

    @Test
    void problemsHaveASchema() {
        Map<String, Object> problem = map(doc, "components", "schemas", "Problem", "properties");
        for (String field : List.of("type", "title", "status", "detail", "errors")) {
            assertNotNull(problem.get(field), "Problem lacks " + field);
        }
    }
}
