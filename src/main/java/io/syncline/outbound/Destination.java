package io.syncline.outbound;

import java.time.Duration;

import com.jayway.jsonpath.JsonPath;

import io.syncline.connection.ConnectionAuth;

/**
 * Where and how an outbound sync writes a record at the connected app. Every create is an
 * upsert by key, so that a write repeated after a crash leaves one record (guarantee 2):
 * <ul>
 * <li>{@code put}: {@code PUT {path}/{record id}}; the destination keys the record by our id;</li>
 * <li>{@code search}: the remote id from the identity map, else {@code GET {searchPath}} by the
 * match field, else {@code POST {path}}; updates go to {@code {updateMethod} {path}/{remote id}};</li>
 * <li>{@code batch}: HubSpot-style {@code POST {batchPath}} with up to {@code batchSize}
 * {@code inputs}, upserted by {@code idProperty}; each record's result is read on its own.</li>
 * </ul>
 */
public record Destination(String path, String upsert, String searchPath, JsonPath resultsPath, JsonPath idPath,
        String updateMethod, ConnectionAuth auth, String batchPath, int batchSize, String idProperty,
        Duration timeout) {

    public Destination {
        if (!upsert.equals("put") && !upsert.equals("search")) {
            throw new IllegalArgumentException("upsert must be put or search, not '" + upsert + "'");
        }
        if (upsert.equals("search") && (searchPath == null || searchPath.isBlank()) && batchSize <= 1) {
            throw new IllegalArgumentException("upsert: search needs a searchPath, e.g. /contacts?email={email}");
        }
        if (batchSize > 1 && (batchPath == null || batchPath.isBlank() || idProperty == null || idProperty.isBlank())) {
            throw new IllegalArgumentException("batchSize > 1 needs a batchPath and an idProperty");
        }
    }

    public boolean batched() {
        return batchSize > 1;
    }
}
