package io.syncline.steps;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import io.syncline.connection.Connection;
import io.syncline.webhook.WebhookAdmission;

/**
 * {@code syncline:journal}: hands an admitted delivery to a broker instead of the store (Kafka in
 * front of ingest). The body becomes the bytes as they were received, and the headers only what
 * {@code syncline:intake} needs on the other side: the integration, the sync, the connection and
 * the delivery id, and Kafka's record key {@code integration/connection}, so one connection's
 * deliveries keep their order in one partition. Every other header is dropped: a signature or a
 * token never goes to the broker.
 */
final class JournalStep implements Processor {

    static final String KAFKA_KEY = "kafka.KEY";

    private final String integration;
    private final String sync;

    JournalStep(String integration, String sync) {
        this.integration = integration;
        this.sync = sync;
    }

    @Override
    public void process(Exchange e) {
        Connection c = e.getProperty(WebhookAdmission.CONNECTION, Connection.class);
        if (c == null) {
            throw new IllegalStateException("syncline:journal needs a delivery that syncline:admit admitted for one connection");
        }
        Message m = e.getMessage();
        String messageId = m.getHeader(WebhookAdmission.MESSAGE_ID, String.class);
        m.removeHeaders("*");
        m.setHeader(KAFKA_KEY, integration + "/" + c.connectionId());
        m.setHeader(StepExchange.INTEGRATION, integration);
        m.setHeader(StepExchange.SYNC, sync);
        m.setHeader(StepExchange.CONNECTION_ID, c.connectionId());
        m.setHeader(WebhookAdmission.MESSAGE_ID, messageId);
        m.setBody(StepExchange.raw(e).getBytes(StandardCharsets.UTF_8));
    }
}
