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

    /**
     * The credential that marks a connection whose provider refused its grant: the provider's
     * reason. It is cleared when the customer connects again (new credentials replace all).
     */
    public static final String RECONNECT_NEEDED = "reconnect_needed";

    /** Whether the connection waits for its customer to connect again: its syncs are paused meanwhile. */
    public boolean needsReconnect() {
        return credential(RECONNECT_NEEDED) != null;
    }

    public String credential(String name) {
        return credentials == null ? null : credentials.get(name);
    }

    @Override
    public String toString() {
        return "Connection[" + providerConfigKey + "/" + connectionId + ", baseUrl=" + baseUrl + ", credentials="
                + (credentials == null ? "none" : credentials.keySet() + " (hidden)") + "]";
    }
}
