package io.syncline.webhook;

import java.nio.charset.StandardCharsets;

import io.syncline.api.HttpAnswer;
import io.syncline.connection.Connection;
import io.syncline.store.RecordIntake;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Hands an admitted webhook to the record intake and answers 200 once the outcome is committed. */
public final class WebhookIntake implements Processor {

    private final RecordIntake intake;

    public WebhookIntake(RecordIntake intake) {
        this.intake = intake;
    }

    @Override
    public void process(Exchange e) {
        Connection c = e.getProperty(WebhookAdmission.CONNECTION, Connection.class);
        byte[] raw = e.getProperty(WebhookAdmission.RAW_BODY, byte[].class);
        String messageId = e.getMessage().getHeader(WebhookAdmission.MESSAGE_ID, String.class);
        RecordIntake.Outcome outcome = intake.accept(c.providerConfigKey(), c.connectionId(), messageId,
                e.getMessage().getBody(), new String(raw, StandardCharsets.UTF_8));
        HttpAnswer.json(e, 200, outcome.toAnswer());
    }
}
