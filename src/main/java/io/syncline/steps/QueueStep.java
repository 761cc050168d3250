package io.syncline.steps;

import java.util.Map;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.intake.EventIntake;
import io.syncline.mapping.Mapping;
import io.syncline.webhook.WebhookAdmission;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code syncline:queue}: the route's idempotent consumer of outbound events. In one transaction:
 * the idempotency key, the two-way rules and the queued write (or the event's dead letter). The
 * answer is set as the body and in the {@link StepExchange#ANSWER} header.
 */
final class QueueStep implements Processor {

    private final String integration;
    private final EventIntake intake;
    private final Connections connections;

    QueueStep(String integration, EventIntake intake, Connections connections) {
        this.integration = integration;
        this.intake = intake;
        this.connections = connections;
    }

    @Override
    public void process(Exchange e) {
        Mapping.Result mapped = StepExchange.mapped(e, "queue");
        Mapping mapping = e.getProperty(StepExchange.MAPPING, Mapping.class);
        Connection conn = StepExchange.connection(e, connections, integration, null);
        if (conn == null) {
            throw ProblemException.notFound("no connection '" + StepExchange.connectionId(e, "") + "' in integration '"
                    + integration + "'");
        }
        String key = e.getMessage().getHeader(EventIntake.KEY, String.class);
        key = key != null ? key : e.getMessage().getHeader(WebhookAdmission.MESSAGE_ID, String.class);
        if (key == null || key.isBlank()) {
            throw ProblemException.badRequest("no idempotency key: header " + EventIntake.KEY + " or "
                    + WebhookAdmission.MESSAGE_ID + " is expected");
        }
        Map<String, Object> answer = intake.queue(mapping, StepExchange.asLeft(e, mapped), conn, key,
                StepExchange.raw(e));
        e.getMessage().setHeader(StepExchange.ANSWER, answer);
        e.getMessage().setBody(answer);
    }
}
