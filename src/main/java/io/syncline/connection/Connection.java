package io.syncline.connection;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One customer's account in an integration. {@code credentials} are the decrypted values and
 * exist only in memory: they are never logged ({@link #toString()} leaves them out) and never
 * returned by an API.
 */
public record Connection(String providerConfigKey, String connectionId, String baseUrl,
        Map<String, String> credentials, Map<String, Object> metadata, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    public String credential(String name) {
        return credentials == null ? null : credentials.get(name);
    }

    @Override
    public String toString() {
        return "Connection[" + providerConfigKey + "/" + connectionId + ", baseUrl=" + baseUrl + ", credentials="
                + (credentials == null ? "none" : credentials.keySet() + " (hidden)") + "]";
    }
}
