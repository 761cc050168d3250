package io.syncline.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** The real HTTP surface, as a client uses it. */
public final class Api {

    public static final String KEY = "test-api-key";
    public static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private Api() {
    }

    public static RequestSpecification authed() {
        return given().header("Authorization", "Bearer " + KEY);
    }

    /** A fresh connection in integration "crm", so tests never see each other's records. */
    public static String newConnection() {
        String id = "c-" + UUID.randomUUID();
        authed().contentType(ContentType.JSON)
                .body(Map.of("provider_config_key", "crm", "connection_id", id,
                        "credentials", Map.of("webhook_secret", STANDARD_SECRET, "api_key", "sk_live_SECRET_" + id)))
                .post("/api/connections").then().statusCode(201);
        return id;
    }

    public static RequestSpecification records(String connectionId) {
        return authed().header("Connection-Id", connectionId).header("Provider-Config-Key", "crm");
    }

    public static String contact(String eventId, String id, String email, String lifecycle) {
        return """
                {"event_id":"%s","event":"contact.updated","occurred_at":"2026-11-21T10:00:00Z",
                 "data":{"id":"%s","email":"%s","first_name":"Ada","last_name":"Lovelace","country":"gb",
                         "lifecycle":"%s","phone":"+44 20 7946 0000"}}""".formatted(eventId, id, email, lifecycle);
    }

    public static String deleted(String eventId, String id) {
        return """
                {"event_id":"%s","event":"contact.deleted","data":{"id":"%s"}}""".formatted(eventId, id);
    }

    /** Posts to the unsigned test sync (its delivery id is the body's event_id). */
    public static io.restassured.response.Response postUnsigned(String connectionId, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/webhooks/open/contacts/" + connectionId);
    }
}
