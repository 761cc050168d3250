package io.syncline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.support.Api;

/** API keys with scopes: no key is 401, a key without the scope or revoked is 403. */
@QuarkusTest
class AccessTest {

    String create(Map<String, Object> body) {
        return Api.authed().contentType(ContentType.JSON).body(body).post("/api/keys").then().statusCode(201)
                .body("key", startsWith("sk_")).extract().path("key");
    }

    static io.restassured.specification.RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    @Test
    void eachPathNeedsItsScope() {
        String conn = Api.newConnection();
        String reader = create(Map.of("name", "reader", "scopes", List.of("records:read")));
        as(reader).header("Connection-Id", conn).header("Provider-Config-Key", "crm").queryParam("model", "Contact")
                .get("/records").then().statusCode(200);
        as(reader).get("/api/connections").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("connections:write"));
        as(reader).queryParam("provider_config_key", "src-page").queryParam("syncs", "*").get("/sync/status")
                .then().statusCode(403).body("detail", containsString("sync:control"));
        as(reader).get("/api/dead-letters").then().statusCode(403).body("detail", containsString("admin"));
        as(reader).get("/api/keys").then().statusCode(403);

        String operator = create(Map.of("name", "operator", "scopes", List.of("connections:write", "sync:control")));
        as(operator).get("/api/connections").then().statusCode(200);
        as(operator).queryParam("provider_config_key", "src-page").queryParam("syncs", "*").get("/sync/status")
                .then().statusCode(200);
        as(operator).header("Connection-Id", conn).header("Provider-Config-Key", "crm").queryParam("model", "Contact")
                .get("/records").then().statusCode(403);
        given().get("/api/keys").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void aRevokedKeyIsRefusedAndKeysAreNeverListedInFull() {
        String key = create(Map.of("name", "short-lived", "scopes", List.of("admin")));
        as(key).get("/api/runs").then().statusCode(200);
        List<Map<String, Object>> keys = Api.authed().get("/api/keys").then().statusCode(200)
                .body(not(containsString(key))).extract().path("keys");
        Object id = keys.stream().filter(k -> key.startsWith((String) k.get("prefix")) && "short-lived".equals(
                k.get("name"))).findFirst().orElseThrow().get("id");
        Api.authed().delete("/api/keys/" + id).then().statusCode(204);
        as(key).get("/api/runs").then().statusCode(403).contentType("application/problem+json");
        Api.authed().delete("/api/keys/" + id).then().statusCode(404);
    }

    @Test
    void aKeyLimitedToAConnectionReadsOnlyItsRecords() {
        String mine = Api.newConnection();
        String other = Api.newConnection();
        String key = create(Map.of("name", "one-customer", "scopes", List.of("records:read"),
                "provider_config_key", "crm", "connection_id", mine));
        as(key).header("Connection-Id", mine).header("Provider-Config-Key", "crm").queryParam("model", "Contact")
                .get("/records").then().statusCode(200);
        as(key).header("Connection-Id", other).header("Provider-Config-Key", "crm").queryParam("model", "Contact")
                .get("/records").then().statusCode(403).body("type", is("urn:syncline:problem:outside-key-limits"));
    }

    @Test
    void keysAreValidated() {
        Api.authed().contentType(ContentType.JSON).body(Map.of("name", "x", "scopes", List.of("root")))
                .post("/api/keys").then().statusCode(400).body("errors[0].field", is("scopes"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("scopes", List.of()))
                .post("/api/keys").then().statusCode(400);
    }
}
