package io.syncline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.syncline.support.Api;

/**
 * A key's limit to an integration (and a connection) holds for every scope and endpoint family
 * that names a target, in a header, the path, a query parameter or the body; and a key creates
 * only keys within its own scopes.
 */
abstract class KeyLimitsContract {

    static String key(List<String> scopes, String integration, String connection) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "limited", "scopes", scopes));
        if (integration != null) {
            body.put("provider_config_key", integration);
        }
        if (connection != null) {
            body.put("connection_id", connection);
        }
        return Api.authed().contentType(ContentType.JSON).body(body).post("/api/keys").then().statusCode(201)
                .extract().path("key");
    }

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    static String connection(String integration) {
        String id = "k" + UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", "http://127.0.0.1:9/" + id, "credentials", Map.of("api_key", "secret-" + id)))
                .post("/api/connections").then().statusCode(201);
        return id;
    }

    @Test
    void aLimitedEventsKeyWritesEventsForItsOwnConnectionOnly() {
        String mine = connection("putdest");
        String other = connection("putdest");
        String key = key(List.of("events:write"), "putdest", mine);
        String event = "{\"id\":\"u1\",\"email\":\"u1@x.io\",\"name\":\"U\"}";
        as(key).header("Connection-Id", mine).header("Idempotency-Key", "a1").body(event).post("/events/contact.put")
                .then().statusCode(200).body("results[0].status", is("queued"));
        as(key).header("Connection-Id", other).header("Idempotency-Key", "a2").body(event).post("/events/contact.put")
                .then().statusCode(403).body("type", containsString("outside-key-limits"));
        as(key).header("Connection-Id", mine).header("Provider-Config-Key", "dest").header("Idempotency-Key", "a3")
                .body(event).post("/events/contact.changed").then().statusCode(403);
    }

    @Test
    void aLimitedSyncControlKeyControlsItsOwnSyncsOnly() {
        String mine = connection("src-page");
        String key = key(List.of("sync:control"), "src-page", mine);
        as(key).body(Map.of("provider_config_key", "src-cursor", "connection_id", mine, "syncs", List.of("contacts")))
                .post("/sync/pause").then().statusCode(403);
        as(key).body(Map.of("provider_config_key", "src-page", "syncs", List.of("contacts")))
                .post("/sync/pause").then().statusCode(403).body("detail", containsString("name that connection"));
        as(key).body(Map.of("provider_config_key", "src-page", "connection_id", mine, "syncs", List.of("contacts")))
                .post("/sync/pause").then().statusCode(200);
        as(key).queryParam("provider_config_key", "src-cursor").queryParam("syncs", "*").get("/sync/status")
                .then().statusCode(403);
        // a dry run shows record contents: it needs records:read as well
        as(key).body(Map.of("provider_config_key", "src-page", "connection_id", mine, "sync", "contacts"))
                .post("/sync/dry-run").then().statusCode(403).body("detail", containsString("records:read"));
    }

    @Test
    void aLimitedConnectionsKeySeesAndChangesItsIntegrationOnly() {
        String mine = connection("crm");
        String other = connection("putdest");
        String key = key(List.of("connections:write"), "crm", null);
        as(key).get("/api/connections").then().statusCode(200)
                .body("connections.provider_config_key", everyItem(is("crm")));
        as(key).get("/api/connections/putdest/" + other).then().statusCode(403);
        as(key).body(Map.of("metadata", Map.of("a", 1))).patch("/api/connections/putdest/" + other).then().statusCode(403);
        as(key).delete("/api/connections/putdest/" + other).then().statusCode(403);
        as(key).body(Map.of("provider_config_key", "putdest", "connection_id", "x" + mine)).post("/api/connections")
                .then().statusCode(403);
        as(key).get("/api/connections/crm/" + mine).then().statusCode(200);
    }

    @Test
    void movingAConnectionElsewhereWithoutItsCredentialsClearsThem() {
        String conn = connection("crm");
        String writer = key(List.of("connections:write"), null, null);
        // the same origin keeps them
        as(writer).body(Map.of("base_url", "http://127.0.0.1:9/other/path")).patch("/api/connections/crm/" + conn)
                .then().statusCode(200).body("credential_fields", is(List.of("api_key")));
        // another origin without the credentials: they are gone
        as(writer).body(Map.of("base_url", "http://127.0.0.1:7/" + conn)).patch("/api/connections/crm/" + conn)
                .then().statusCode(200).body("credential_fields", is(List.of()));
        // with them supplied again, they travel along
        as(writer).body(Map.of("base_url", "http://127.0.0.1:8/" + conn, "credentials", Map.of("api_key", "again")))
                .patch("/api/connections/crm/" + conn).then().statusCode(200).body("credential_fields", is(List.of("api_key")));
        // an admin key may move them
        Api.authed().contentType(ContentType.JSON).body(Map.of("base_url", "http://127.0.0.1:6/" + conn))
                .patch("/api/connections/crm/" + conn).then().statusCode(200).body("credential_fields", is(List.of("api_key")));
    }

    @jakarta.inject.Inject
    ApiKeys keys;

    @Test
    void aFloodOfMadeUpKeysLeavesNothingCached() {
        int before = keys.cached();
        for (int i = 0; i < 300; i++) {
            given().header("Authorization", "Bearer sk_made_up_" + i).get("/api/runs").then().statusCode(403);
        }
        org.junit.jupiter.api.Assertions.assertTrue(keys.cached() <= before + 1, "cached " + keys.cached());
    }

    @Test
    void keysAreCreatedOnlyWithinTheCreatorsScopesAndAdminIsNeverLimited() {
        String admin = key(List.of("admin"), null, null);
        as(admin).body(Map.of("name", "wider", "scopes", List.of("records:read"))).post("/api/keys").then()
                .statusCode(400).body("detail", containsString("beyond the scopes"));
        as(admin).body(Map.of("name", "same", "scopes", List.of("admin"))).post("/api/keys").then().statusCode(201);
        Api.authed().contentType(ContentType.JSON).body(Map.of("name", "limited admin", "scopes", List.of("admin"),
                "provider_config_key", "crm")).post("/api/keys").then().statusCode(400)
                .body("detail", containsString("admin cannot be limited"));
    }
}
