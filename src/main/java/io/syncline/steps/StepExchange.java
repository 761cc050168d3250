package io.syncline.steps;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.HttpAnswer;
import io.syncline.intake.EventIntake;
import io.syncline.mapping.Mapping;
import io.syncline.webhook.WebhookAdmission;
import org.apache.camel.Exchange;

/**
 * What the steps hand each other on the exchange. A route may put any step of its own between
 * them; these names are what it may read (and what a trigger other than a webhook may set).
 */
public final class StepExchange {

    /** Header: the connection's id, for exchanges that no {@code syncline:admit} has admitted. */
    public static final String CONNECTION_ID = "SynclineConnectionId";
    /** Header: the integration of a delivery handed to a broker ({@code syncline:journal}). */
    public static final String INTEGRATION = "SynclineIntegration";
    /** Header: the sync of a delivery handed to a broker ({@code syncline:journal}). */
    public static final String SYNC = "SynclineSync";
    /** Property: the mapping result {@code syncline:map} made. */
    public static final String MAPPED = "SynclineMapped";
    /** Property: the mapping {@code syncline:map} applied. */
    public static final String MAPPING = "SynclineMapping";
    /** Property: the source document the mapping read. */
    public static final String SOURCE = "SynclineSource";
    /** Header: the field errors of the mapping, empty when it succeeded. */
    public static final String FIELD_ERRORS = "SynclineFieldErrors";
    /** Header: the answer of {@code syncline:queue}, and of {@code syncline:store} when no HTTP request is answered; also the body. */
    public static final String ANSWER = EventIntake.ANSWER;

    private StepExchange() {
    }

    /** The admitted connection, if a step before put it on the exchange. */
    public static Connection admitted(Exchange e) {
        Connection c = e.getProperty(WebhookAdmission.CONNECTION, Connection.class);
        return c != null ? c : e.getMessage().getHeader(EventIntake.CONNECTION, Connection.class);
    }

    /** The connection named by the exchange, the step's {@code connection} parameter, or null when unknown. */
    public static Connection connection(Exchange e, Connections connections, String integration, String fallbackId) {
        Connection c = admitted(e);
        if (c != null) {
            return c;
        }
        String id = e.getMessage().getHeader(CONNECTION_ID, String.class);
        id = id == null || id.isBlank() ? fallbackId : id;
        return id == null || id.isBlank() ? null : connections.find(integration, id).orElse(null);
    }

    /** The connection id the exchange names, whether or not such a connection exists. */
    public static String connectionId(Exchange e, String fallbackId) {
        Connection c = admitted(e);
        if (c != null) {
            return c.connectionId();
        }
        String id = e.getMessage().getHeader(CONNECTION_ID, String.class);
        return id == null || id.isBlank() ? fallbackId : id;
    }

    /** The mapping result, or a clear refusal when the route has no {@code syncline:map} before this step. */
    public static Mapping.Result mapped(Exchange e, String step) {
        Mapping.Result r = e.getProperty(MAPPED, Mapping.Result.class);
        if (r == null) {
            throw new IllegalStateException("syncline:" + step + " needs a mapped record: put syncline:map before it");
        }
        return r;
    }

    /**
     * Sets a step's answer: to an HTTP request, as its JSON response (request headers are not
     * echoed); to any other trigger, as the body and the {@link #ANSWER} header, keeping the
     * trigger's headers (a broker's commit handle, say) for the steps after it.
     */
    public static void answer(Exchange e, Map<String, Object> answer) {
        if (e.getMessage().getHeader(Exchange.HTTP_METHOD) != null) {
            HttpAnswer.json(e, 200, answer);
        } else {
            e.getMessage().setHeader(ANSWER, answer);
            e.getMessage().setBody(answer);
        }
    }

    /**
     * The mapping result with the record as the steps after {@code syncline:map} left the body (an
     * enrichment may add fields); the result itself when it is an error or a delete.
     */
    @SuppressWarnings("unchecked")
    public static Mapping.Result asLeft(Exchange e, Mapping.Result mapped) {
        if (mapped.ok() && !mapped.deleted() && e.getMessage().getBody() instanceof Map<?, ?> body) {
            return new Mapping.Result((Map<String, Object>) body, mapped.externalId(), false, mapped.errors());
        }
        return mapped;
    }

    /** The source as received, for a dead letter: the raw body when a step kept it. */
    public static String raw(Exchange e) {
        byte[] raw = e.getProperty(WebhookAdmission.RAW_BODY, byte[].class);
        if (raw != null) {
            return new String(raw, StandardCharsets.UTF_8);
        }
        String text = e.getMessage().getHeader(EventIntake.RAW, String.class);
        return text == null ? "" : text;
    }
}
