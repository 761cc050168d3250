package io.syncline.steps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.FieldError;
import io.syncline.metrics.SyncMetrics;
import io.syncline.store.DeadLetters;
import io.syncline.webhook.WebhookAdmission;

/**
 * {@code syncline:intake}: the store end of a delivery {@code syncline:journal} handed to a
 * broker. It maps the bytes with the named sync's mapping and stores them exactly as that sync's
 * {@code syncline:store} would have, in the same scope and under the same delivery id: a record
 * read again from the broker (a consumer that died before committing its offset) changes
 * nothing (guarantees 1 and 2). The exchange completes only after that commit, so the route
 * commits the offset after it. A delivery for a sync no longer declared is dead-lettered, never
 * retried for ever.
 */
final class IntakeStep implements Processor {

    private static final Logger LOG = Logger.getLogger(IntakeStep.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InboundSyncs inbound;
    private final DeadLetters deadLetters;
    private final SyncMetrics metrics;

    IntakeStep(InboundSyncs inbound, DeadLetters deadLetters, SyncMetrics metrics) {
        this.inbound = inbound;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange e) throws IOException {
        Message m = e.getMessage();
        String integration = text(m, StepExchange.INTEGRATION);
        String sync = text(m, StepExchange.SYNC);
        String connectionId = text(m, StepExchange.CONNECTION_ID);
        String messageId = text(m, WebhookAdmission.MESSAGE_ID);
        byte[] raw = m.getBody(byte[].class);
        String payload = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
        RecordIntake intake = integration == null || sync == null ? null : inbound.find(integration, sync).orElse(null);
        if (intake == null || connectionId == null || messageId == null) {
            String why = intake == null ? "no inbound sync '" + sync + "' of integration '" + integration + "' is declared"
                    : "the journaled delivery names no connection or delivery id";
            LOG.errorf("a journaled delivery could not be stored: %s; it is dead-lettered", why);
            deadLetters.add("inbound", sync == null ? "-" : sync, integration == null ? "-" : integration,
                    connectionId == null ? "-" : connectionId, null, "journal/" + e.getExchangeId(), why,
                    List.of(new FieldError("sync", why)), payload);
            return;
        }
        RecordIntake.Outcome outcome = intake.accept("webhook:" + integration + ":" + sync, integration, connectionId,
                messageId, JSON.readValue(raw, Object.class), payload);
        metrics.recordIn(integration, sync, outcome.change() == null ? outcome.status()
                : outcome.change().name().toLowerCase());
        m.setBody(outcome.toAnswer());
    }

    /** A header as text: a broker hands header values over as bytes. */
    private static String text(Message m, String name) {
        Object v = m.getHeader(name);
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return v == null ? null : v.toString();
    }
}
