package io.syncline.connection;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.syncline.store.Database;
import io.syncline.support.Api;
import jakarta.inject.Inject;

/** Connections through /api/connections; credentials go in, and never come out. */
abstract class ConnectionsContract {

    @Inject
    Database db;

    String create(String id, Map<String, String> credentials) {
        Api.authed().contentType(ContentType.JSON)
                .body(Map.of("provider_config_key", "crm", "connection_id", id, "base_url", "https://api.example.com",
                        "credentials", credentials, "metadata", Map.of("region", "eu")))
                .post("/api/connections").then().statusCode(201)
                .header("Location", containsString("/api/connections/crm/" + id))
                .body("connection_id", is(id)).body("credential_fields", hasItem("api_key"))
                .body("metadata.region", is("eu"))
                .body(not(containsString("sk_live")));
        return id;
    }

    @Test
    void createReadUpdateDeleteWithoutEverEchoingCredentials() {
        String id = create("acme-" + UUID.randomUUID(), Map.of("api_key", "sk_live_TOPSECRET"));
        String got = Api.authed().get("/api/connections/crm/" + id).then().statusCode(200)
                .body("base_url", is("https://api.example.com")).extract().asString();
        assertFalse(got.contains("TOPSECRET"), got);
        String listed = Api.authed().queryParam("provider_config_key", "crm").get("/api/connections").then()
                .statusCode(200).extract().asString();
        assertTrue(listed.contains(id));
        assertFalse(listed.contains("TOPSECRET"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("base_url", "https://eu.example.com",
                "credentials", Map.of("api_key", "sk_live_ROTATED")))
                .patch("/api/connections/crm/" + id).then().statusCode(200)
                .body("base_url", is("https://eu.example.com")).body(not(containsString("ROTATED")));
        Api.authed().delete("/api/connections/crm/" + id).then().statusCode(204);
        Api.authed().get("/api/connections/crm/" + id).then().statusCode(404).contentType("application/problem+json");
        Api.authed().delete("/api/connections/crm/" + id).then().statusCode(404);
    }

    @Test
    void credentialsAreUnreadableInTheDatabase() throws Exception {
        String id = create("vault-" + UUID.randomUUID(), Map.of("api_key", "sk_live_PLAINTEXT_MARKER"));
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT * FROM connections WHERE provider_config_key = 'crm' AND connection_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(rs.getString(i)).append('|');
                }
                assertFalse(row.toString().contains("PLAINTEXT_MARKER"), row.toString());
                assertFalse(row.toString().contains("api_key"), "even the credential names are sealed: " + row);
                assertTrue(rs.getString("credentials").startsWith("v1:"), row.toString());
            }
        }
    }

    @Test
    void invalidInputIsRefusedNamingEachField() {
        Api.authed().contentType(ContentType.JSON).body(Map.of("connection_id", "bad id!", "base_url", "ftp://x"))
                .post("/api/connections").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("provider_config_key"))
                .body("errors.field", hasItem("connection_id"))
                .body("errors.field", hasItem("base_url"));
        Api.authed().contentType(ContentType.JSON).body("{\"connection_id\": ")
                .post("/api/connections").then().statusCode(400).contentType("application/problem+json");
        Api.authed().contentType(ContentType.JSON).body("{\"connection_id\": [1,2]}")
                .post("/api/connections").then().statusCode(400).contentType("application/problem+json");
        Api.authed().contentType(ContentType.TEXT).body("hello")
                .post("/api/connections").then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void aSecondConnectionWithTheSameIdIsAConflict() {
        String id = create("twice-" + UUID.randomUUID(), Map.of("api_key", "k"));
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "crm", "connection_id", id))
                .post("/api/connections").then().statusCode(409).contentType("application/problem+json");
    }
}
