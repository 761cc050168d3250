package io.syncline.webhook;

import java.nio.charset.StandardCharsets;

import io.syncline.api.HttpAnswer;
import io.syncline.connection.Connection;
import io.syncline.operate.SyncMetrics;
import io.syncline.store.RecordIntake;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Hands an admitted webhook to the record intake and answers 200 once the outcome is committed;
 * a delivery id already applied is answered as a duplicate and changes nothing.
 */
public final class WebhookIntake implements Processor {

    private final RecordIntake intake;
    private final SyncMetrics metrics;
    private final String integration;
    private final String sync;

    public WebhookIntake(RecordIntake intake, SyncMetrics metrics, String integration, String sync) {
        this.intake = intake;
        this.metrics = metrics;
        this.integration = integration;
        this.sync = sync;
    }

    @Override
    public void process(Exchange e) {
        Connection c = e.getProperty(WebhookAdmission.CONNECTION, Connection.class);
        byte[] raw = e.getProperty(WebhookAdmission.RAW_BODY, byte[].class);
        String messageId = e.getMessage().getHeader(WebhookAdmission.MESSAGE_ID, String.class);
        RecordIntake.Outcome outcome = intake.accept("webhook:" + integration + ":" + sync, c.providerConfigKey(),
                c.connectionId(), messageId,
                e.getMessage().getBody(), new String(raw, StandardCharsets.UTF_8));
        metrics.recordIn(integration, sync, outcome.change() == null ? outcome.status()
                : outcome.change().name().toLowerCase());
        HttpAnswer.json(e, 200, outcome.toAnswer());
    }
}
