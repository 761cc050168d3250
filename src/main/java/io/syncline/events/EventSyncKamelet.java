package io.syncline.events;

import java.util.Arrays;

import com.jayway.jsonpath.JsonPath;
import io.syncline.config.TemplateParams;
import io.syncline.mapping.MappingLoader;
import io.syncline.outbound.Destination;
import io.syncline.outbound.DestinationParams;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.outbound.Writer;
import io.syncline.twoway.Ownership;
import org.apache.camel.RouteTemplateContext;

/**
 * What start-up does for each sync built from the Kamelet {@code event-sync}
 * ({@code kamelets/event-sync.kamelet.yaml}): one-way out, and the outbound half of a two-way
 * sync. {@code POST /events/{type}}, the outbox poller and a dead letter's replay all enter
 * {@code direct:event-sync/{integration}/{name}} through {@link EventEntry}; {@code syncline:map}
 * maps the event, {@code syncline:queue} queues the write in one transaction with its
 * idempotency key, and the {@link Writer} sends it to the destination the parameters describe.
 */
public final class EventSyncKamelet {

    private EventSyncKamelet() {
    }

    /** Declares the sync to the event entry, the writer, the records API and the console. */
    public static void declare(RouteTemplateContext rtc) {
        TemplateParams.bean(OutboundSyncs.class).register(build(rtc));
    }

    /** The sync an event-sync route declares; refuses, naming the parameter, what cannot run. */
    public static OutboundSync build(RouteTemplateContext rtc) {
        String twoWay = TemplateParams.text(rtc, "twoWay");
        String connectionPath = TemplateParams.text(rtc, "connectionPath");
        String idFrom = TemplateParams.text(rtc, "idFrom").trim();
        if (!idFrom.startsWith("header:") && !idFrom.startsWith("$")) {
            throw new IllegalArgumentException("event-sync '" + TemplateParams.text(rtc, "name")
                    + "': idFrom must be header:<Name> or a JSONPath, not '" + idFrom + "'");
        }
        Destination destination = DestinationParams.build(rtc);
        OutboundSync sync = new OutboundSync(TemplateParams.text(rtc, "name"), TemplateParams.text(rtc, "integration"),
                Arrays.stream(TemplateParams.text(rtc, "events").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                MappingLoader.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "mapping")), destination,
                Integer.parseInt(TemplateParams.text(rtc, "maxAttempts").trim()), TemplateParams.text(rtc, "connectionHeader"),
                connectionPath.isBlank() ? null : JsonPath.compile(connectionPath),
                idFrom.startsWith("header:") ? idFrom.substring(7).trim() : null, idFrom.startsWith("$") ? JsonPath.compile(idFrom) : null,
                Ownership.named(TemplateParams.routesDir(rtc), twoWay));
        if (sync.eventTypes().isEmpty()) {
            throw new IllegalArgumentException("event-sync '" + sync.name() + "': name at least one event type");
        }
        if (sync.twoWay() != null && !sync.twoWay().model().equals(sync.model())) {
            throw new IllegalArgumentException("event-sync '" + sync.name() + "': its mapping makes " + sync.model()
                    + " but " + twoWay + " is about " + sync.twoWay().model());
        }
        return sync;
    }
}
