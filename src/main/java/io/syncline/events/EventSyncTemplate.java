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
import org.apache.camel.builder.RouteBuilder;

/**
 * Route template {@code event-sync}: one-way out, and the outbound half of a two-way sync.
 * Your backend posts {@code POST /events/{type}}; each sync that takes the type maps the event
 * to its model and, in one transaction with the idempotency key, queues a write for the
 * {@link Writer}. The parameters below are the whole contract.
 *
 * <pre>
 * POST /events/{type}, the outbox poller, a dead letter's replay (all through {@link EventEntry})
 *   → from direct:event-sync/{integration}/{name}
 *   → syncline:map    (mapping and validation; stores nothing)
 *   → syncline:queue  (one transaction: the idempotency key, two-way rules, and the write or the
 *                      event's dead letter) → 200
 * </pre>
 */
public class EventSyncTemplate extends RouteBuilder {

    @Override
    public void configure() {
        DestinationParams.declare(routeTemplate("event-sync")
                .templateParameter("name", null, "The sync's name, unique within its integration, e.g. contacts-out")
                .templateParameter("integration", null, "The provider config key of the connected app to write to")
                .templateParameter("events", null, "Event types it takes, comma separated, e.g. contact.created,contact.updated")
                .templateParameter("mapping", null, "Mapping file from the event to the model, relative to the routes directory")
                .templateParameter("connectionHeader", "Connection-Id", "Header of the event that names the connection")
                .templateParameter("connectionPath", "", "JSONPath in the event that names the connection instead")
                .templateParameter("idFrom", "header:Idempotency-Key",
                        "Where the idempotency key is: header:<Name> or a JSONPath of the event"))
                .templateParameter("twoWay", "", "two-way rules file (*.twoway.yaml): ownership, echoes, conflicts")
                .configure(rtc -> TemplateParams.bean(OutboundSyncs.class).register(build(rtc)))
                .from("direct:event-sync/{{integration}}/{{name}}")
                    .to("syncline:map?mapping=RAW({{mapping}})")
                    .to("syncline:queue?integration=RAW({{integration}})&sync=RAW({{name}})&twoWay=RAW({{twoWay}})");
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
                MappingLoader.load(TemplateParams.routesDir(rtc).resolve(TemplateParams.text(rtc, "mapping"))), destination,
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
