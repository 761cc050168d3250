package io.syncline.connect;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.oauth.TokenPath;
import io.syncline.outbound.AppWebhooks;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code auth} webhook to your app, in Nango's shape: a connection was created, its consent
 * was given again ({@code override}), or its grant was refused on refresh ({@code refresh},
 * {@code success: false}). It goes where the connection's {@code notify_url} metadata says, or
 * to {@code syncline.notify.url}, signed and retried like every webhook to your app.
 */
@ApplicationScoped
public class AuthWebhooks {

    public enum Operation {
        CREATION, OVERRIDE, REFRESH;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final AppWebhooks appWebhooks;
    private final Connections connections;
    private final Optional<String> notifyUrl;

    public AuthWebhooks(AppWebhooks appWebhooks, Connections connections,
            @ConfigProperty(name = "syncline.notify.url") Optional<String> notifyUrl) {
        this.appWebhooks = appWebhooks;
        this.connections = connections;
        this.notifyUrl = notifyUrl;
    }

    /** Queues the webhook in the caller's transaction: it is sent once that commits, and never without it. */
    public void enqueue(java.sql.Connection tx, String integration, String connectionId, Map<String, Object> metadata,
            Operation operation, String errorType, String errorDescription) throws SQLException {
        String url = url(metadata);
        if (url != null) {
            appWebhooks.enqueue(tx, url, body(integration, connectionId, metadata, operation, errorType,
                    errorDescription));
        }
    }

    /** A connect flow that failed before anything was stored. */
    public void failed(String integration, String connectionId, Map<String, Object> metadata, Operation operation,
            String errorType, String errorDescription) {
        String url = url(metadata);
        if (url != null) {
            appWebhooks.enqueue(url, body(integration, connectionId, metadata, operation, errorType, errorDescription));
        }
    }

    /** The provider refused a connection's grant: its customer must reconnect. */
    void grantRefused(@Observes TokenPath.GrantRefused refused) {
        Connection c = connections.find(refused.providerConfigKey(), refused.connectionId()).orElse(null);
        if (c != null) {
            failed(c.providerConfigKey(), c.connectionId(), c.metadata(), Operation.REFRESH, "reconnect_needed",
                    refused.reason());
        }
    }

    private String url(Map<String, Object> metadata) {
        Object perConnection = metadata == null ? null : metadata.get("notify_url");
        return perConnection != null ? perConnection.toString() : notifyUrl.orElse(null);
    }

    private static Map<String, Object> body(String integration, String connectionId, Map<String, Object> metadata,
            Operation operation, String errorType, String errorDescription) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", "syncline");
        body.put("type", "auth");
        body.put("operation", operation.wire());
        body.put("connectionId", connectionId);
        body.put("providerConfigKey", integration);
        body.put("authMode", "OAUTH2");
        Object endUser = metadata == null ? null : metadata.get("end_user");
        if (endUser instanceof Map<?, ?> m) {
            Map<String, Object> who = new LinkedHashMap<>();
            who.put("endUserId", m.get("id"));
            Object org = metadata.get("organization");
            if (org instanceof Map<?, ?> o && o.get("id") != null) {
                who.put("organizationId", o.get("id"));
            }
            body.put("endUser", who);
        }
        body.put("success", errorType == null);
        if (errorType != null) {
            body.put("error", Map.of("type", errorType, "description", errorDescription == null ? "" : errorDescription));
        }
        return body;
    }
}
