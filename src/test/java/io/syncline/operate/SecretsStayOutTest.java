package io.syncline.operate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.syncline.support.Api;
import io.syncline.support.Db;
import io.syncline.support.Signing;

/** No credential, webhook secret or API key in plaintext: not in any table, not in the log. */
@QuarkusTest
class SecretsStayOutTest {

    @Test
    void noSecretAppearsInTheDatabaseOrTheLog() throws Exception {
        String marker = UUID.randomUUID().toString().replace("-", "");
        String credential = "sk_live_CRED_" + marker;
        String webhookSecret = "whsec_" + java.util.Base64.getEncoder().encodeToString(("wh" + marker).getBytes());
        String conn = "secrets-" + marker.substring(0, 8);
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", "crm", "connection_id", conn,
                "credentials", Map.of("api_key", credential, "webhook_secret", webhookSecret, "password", "pw" + marker)))
                .post("/api/connections").then().statusCode(201);
        // credentials are replaced as a whole
        Api.authed().contentType(ContentType.JSON).body(Map.of("credentials", Map.of("api_key", credential + "2",
                "webhook_secret", webhookSecret, "password", "pw" + marker)))
                .patch("/api/connections/crm/" + conn).then().statusCode(200);
        String apiKey = Api.authed().contentType(ContentType.JSON).body(Map.of("name", "k", "scopes", List.of("admin")))
                .post("/api/keys").then().statusCode(201).extract().path("key");
        // use them: signed and badly signed webhooks, a request with the new key
        String body = Api.contact("e-" + marker, "p1", "a@b.co", "lead");
        long ts = Signing.now();
        io.restassured.RestAssured.given().contentType(ContentType.JSON).header("webhook-id", "m1")
                .header("webhook-timestamp", Long.toString(ts))
                .header("webhook-signature", Signing.standard(webhookSecret, "m1", ts, body))
                .body(body).post("/webhooks/crm/contacts/" + conn).then().statusCode(200);
        io.restassured.RestAssured.given().contentType(ContentType.JSON).header("webhook-id", "m2")
                .header("webhook-timestamp", Long.toString(ts)).header("webhook-signature", "v1,bad")
                .body(body).post("/webhooks/crm/contacts/" + conn).then().statusCode(401);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + apiKey).get("/api/runs").then()
                .statusCode(200);

        List<String> secrets = List.of(credential, credential + "2", webhookSecret, webhookSecret.substring(6),
                "pw" + marker, apiKey, Api.KEY);
        String everything = Db.dump();
        assertTrue(everything.contains(conn), "the dump reads the tables");
        String log = Files.readString(Path.of("target/syncline-test.log"));
        for (String s : secrets) {
            assertFalse(everything.contains(s), "the database holds a plaintext secret");
            assertFalse(log.contains(s), "the log holds a plaintext secret");
        }
    }
}
