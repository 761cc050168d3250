package io.syncline.outbound;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;

import io.syncline.connection.ConnectionAuth;

/**
 * Where and how an outbound sync writes a record at the connected app. Every create is an
 * upsert by key, so that a write repeated after a crash leaves one record (guarantee 2):
 * <ul>
 * <li>{@code put}: {@code PUT {path}/{record id}} (or {@code PATCH}, {@code putMethod}: Salesforce's
 * upsert by external id); the destination keys the record by our id;</li>
 * <li>{@code search}: the remote id from the identity map, else {@code GET {searchPath}} by the
 * match field, else {@code POST {path}}; updates go to {@code {updateMethod} {path}/{remote id}};</li>
 * <li>{@code update}: as {@code search}, but never creates: a record not found yet is tried again
 * later (another sync may be creating it), so two syncs that write the same record never
 * both create it;</li>
 * <li>{@code post}: {@code POST {path}} every time; the destination upserts by a key in the
 * record (Zendesk's {@code create_or_update} by email or external id);</li>
 * <li>{@code batch}: HubSpot-style {@code POST {batchPath}} with up to {@code batchSize}
 * {@code inputs}, upserted by {@code idProperty}; each record's result is read on its own.</li>
 * </ul>
 */
public record Destination(String path, String upsert, String searchPath, JsonPath resultsPath, JsonPath idPath,
        String updateMethod, ConnectionAuth auth, String batchPath, int batchSize, String idProperty,
        Duration timeout, String envelope, String putMethod, String omitField, String readPath,
        JsonPath readRecordPath) {

    public Destination {
        if (!upsert.equals("put") && !upsert.equals("search") && !upsert.equals("post") && !upsert.equals("update")) {
            throw new IllegalArgumentException("upsert must be put, search, post or update, not '" + upsert + "'");
        }
        if ((upsert.equals("search") || upsert.equals("update")) && (searchPath == null || searchPath.isBlank())
                && batchSize <= 1) {
            throw new IllegalArgumentException("upsert: " + upsert + " needs a searchPath, e.g. /contacts?email={email}");
        }
        if (batchSize > 1 && (batchPath == null || batchPath.isBlank() || idProperty == null || idProperty.isBlank())) {
            throw new IllegalArgumentException("batchSize > 1 needs a batchPath and an idProperty");
        }
    }

    /** The body of a create or update: the record, or the record under the envelope's key ({"user": {...}}). */
    public Object body(Map<String, Object> fields) {
        Map<String, Object> sent = fields;
        if (omitField != null && fields.containsKey(omitField)) {
            // the key is in the URL (Salesforce's upsert by external id), not in the body
            sent = new LinkedHashMap<>(fields);
            sent.remove(omitField);
        }
        return envelope == null || envelope.isBlank() ? sent : Map.of(envelope, sent);
    }

    /** Where a written record is read back (reconciliation): readPath with {id}, else {path}/{id}. */
    public String readPath(String remoteId) {
        String template = readPath == null || readPath.isBlank() ? path + "/{id}" : readPath;
        return template.replace("{id}", java.net.URLEncoder.encode(remoteId, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20"));
    }

    public boolean batched() {
        return batchSize > 1;
    }
}
