package io.syncline.connection;

import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.store.Database;
import io.syncline.support.Api;
import jakarta.inject.Inject;

/** A rotated encryption key: old credentials stay readable and are resealed while the service runs. */
@QuarkusTest
@TestProfile(KeyRotationTest.Rotated.class)
class KeyRotationTest {

    static final String OLD = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    static final String NEW = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());

    public static class Rotated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.encryption-key", NEW, "syncline.encryption-previous-keys", OLD);
        }
    }

    @Inject
    Database db;
    @Inject
    CredentialCipher cipher;

    @Test
    void oldCredentialsStayReadableAndAreResealedUnderTheNewKey() throws Exception {
        CredentialCipher old = new CredentialCipher(Optional.of(OLD), "unused", false, Optional.empty());
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO connections (provider_config_key, connection_id, credentials, created_at, updated_at)
                VALUES ('crm', 'sealed-long-ago', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""")) {
            ps.setString(1, old.encrypt("{\"api_key\":\"k-old\"}"));
            ps.executeUpdate();
        }
        Api.authed().get("/api/connections/crm/sealed-long-ago").then().statusCode(200)
                .body("credential_fields", hasItem("api_key"));
        Api.authed().post("/api/admin/reseal-credentials").then().statusCode(200)
                .body("resealed", greaterThanOrEqualTo(1));
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT credentials FROM connections WHERE connection_id = 'sealed-long-ago'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            String stored = rs.getString(1);
            assertTrue(stored.startsWith("v1:" + cipher.keyId() + ":"), stored);
            CredentialCipher onlyNew = new CredentialCipher(Optional.of(NEW), "unused", false, Optional.empty());
            assertTrue(onlyNew.decrypt(stored).contains("k-old"));
        }
        Api.authed().post("/api/admin/reseal-credentials").then().statusCode(200)
                .body("resealed", org.hamcrest.Matchers.is(0)); // nothing is left under the old key
    }
}
