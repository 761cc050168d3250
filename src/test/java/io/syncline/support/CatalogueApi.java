package io.syncline.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * What a catalogue app's tests do through Syncline's HTTP surface: a connection of the app's
 * integration pointed at the app's stand-in, a run triggered and awaited, the changes feed read.
 */
public final class CatalogueApi {

    private CatalogueApi() {
    }

    /** A new connection of the integration; its id is fresh, so tests never see each other's records. */
    public static String connection(String integration, String baseUrl, Map<String, String> credentials) {
        return connection(integration, baseUrl, credentials, Map.of());
    }

    /** The same, with metadata (an account id an app-wide webhook names the connection by, say). */
    public static String connection(String integration, String baseUrl, Map<String, String> credentials,
            Map<String, Object> metadata) {
        String id = integration + "-" + UUID.randomUUID();
        Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration, "connection_id", id,
                "base_url", baseUrl, "credentials", credentials, "metadata", metadata)).post("/api/connections")
                .then().statusCode(201);
        return id;
    }

    /** Triggers one run of the sync for the connection and waits for its end: the run as {@code GET /api/runs/{id}} shows it. */
    public static JsonPath run(String integration, String connection, String sync) {
        int runId = Api.authed().contentType(ContentType.JSON).body(Map.of("provider_config_key", integration,
                "connection_id", connection, "syncs", List.of(sync))).post("/sync/trigger").then().statusCode(200)
                .extract().path("runs[0].run_id");
        await().atMost(Duration.ofSeconds(60)).until(() -> !"RUNNING".equals(
                Api.authed().get("/api/runs/" + runId).then().extract().path("status")));
        return Api.authed().get("/api/runs/" + runId).then().extract().jsonPath();
    }

    /** The changes feed of one model of the connection, deletions included. */
    public static JsonPath records(String integration, String connection, String model) {
        return Api.authed().header("Connection-Id", connection).header("Provider-Config-Key", integration)
                .queryParam("model", model).queryParam("limit", 1000).get("/records").then().statusCode(200)
                .extract().jsonPath();
    }

    /** Removes the connection, so no later run of another test reaches for a stand-in that is gone. */
    public static void delete(String integration, String connection) {
        Api.authed().delete("/api/connections/" + integration + "/" + connection);
    }
}
