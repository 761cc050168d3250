package io.syncline.events;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.syncline.connection.Connection;
import io.syncline.intake.EventIntake;
import io.syncline.outbound.OutboundSync;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The one way an event enters an outbound sync: through the sync's route,
 * {@code direct:event-sync/{integration}/{name}}. {@code POST /events}, the outbox poller and the
 * replay of a dead letter all send here, so a step that a route adds applies to all three.
 */
@ApplicationScoped
public class EventEntry {

    private final ProducerTemplate producer;

    public EventEntry(CamelContext camel) {
        this.producer = camel.createProducerTemplate();
    }

    /** The route that takes events for the sync. */
    public static String uri(String integration, String sync) {
        return "direct:event-sync/" + integration + "/" + sync;
    }

    /**
     * Sends one event through the sync's route and returns what its {@code syncline:queue} step
     * answered; {@code status: filtered} when a step of the route let the event go before it.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> send(OutboundSync sync, Connection conn, String idempotencyKey, Object document,
            String raw) {
        Exchange done = producer.send(uri(sync.integration(), sync.name()), e -> {
            e.getMessage().setHeader(EventIntake.CONNECTION, conn);
            e.getMessage().setHeader(EventIntake.KEY, idempotencyKey);
            e.getMessage().setHeader(EventIntake.RAW, raw);
            e.getMessage().setBody(document);
        });
        if (done.getException() != null) {
            throw done.getException() instanceof RuntimeException r ? r
                    : new IllegalStateException(done.getException().getMessage(), done.getException());
        }
        Map<String, Object> answer = done.getMessage().getHeader(EventIntake.ANSWER, Map.class);
        if (answer == null) {
            answer = new LinkedHashMap<>();
            answer.put("sync", sync.name());
            answer.put("integration", sync.integration());
            answer.put("status", "filtered");
        }
        return answer;
    }
}
