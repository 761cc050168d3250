package io.syncline.steps;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.jayway.jsonpath.JsonPath;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.FieldError;
import io.syncline.mapping.Mapping;
import io.syncline.metrics.SyncMetrics;
import io.syncline.webhook.WebhookAdmission;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code syncline:store}: the route's idempotent consumer of inbound records. In one transaction:
 * the delivery id, the two-way rules, the record with change detection (or its dead letter) and
 * the forwarded write. The exchange completes only after that commit, so whatever acknowledges
 * the trigger (an HTTP 200, a broker ack, a Kafka offset) comes after it (guarantees 1 and 2).
 * The body, as the steps before left it, is the record stored.
 */
final class StoreStep implements Processor {

    /** Longer delivery ids are refused (dead-lettered): the store keeps ids of up to 600 characters with the connection. */
    static final int MAX_ID_LENGTH = 300;

    private final String integration;
    private final String sync;
    private final String connection;
    private final String idHeader;
    private final JsonPath idPath;
    private final Function<Mapping, RecordIntake> intakes;
    private final Map<String, RecordIntake> byMapping = new ConcurrentHashMap<>();
    private final Connections connections;
    private final InboundSyncs inbound;
    private final SyncMetrics metrics;

    /** @param intakes builds the record intake of this step for a mapping (once per mapping file) */
    StoreStep(String integration, String sync, String connection, String idFrom,
            Function<Mapping, RecordIntake> intakes, Connections connections, InboundSyncs inbound,
            SyncMetrics metrics) {
        this.integration = integration;
        this.sync = sync;
        this.connection = connection;
        this.idHeader = idFrom.startsWith("header:") ? idFrom.substring(7).trim() : null;
        this.idPath = idFrom.startsWith("$") ? JsonPath.compile(idFrom) : null;
        if (idHeader == null && idPath == null) {
            throw new IllegalArgumentException("syncline:store: idFrom must be header:<Name> or a JSONPath, not '"
                    + idFrom + "'");
        }
        this.intakes = intakes;
        this.connections = connections;
        this.inbound = inbound;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange e) {
        Mapping.Result mapped = StepExchange.mapped(e, "store");
        Mapping mapping = e.getProperty(StepExchange.MAPPING, Mapping.class);
        Connection conn = StepExchange.connection(e, connections, integration, connection);
        String connectionId = conn != null ? conn.connectionId() : StepExchange.connectionId(e, connection);
        String id = deliveryId(e);
        boolean admitted = e.getProperty(WebhookAdmission.CONNECTION) != null;
        // syncline:admit bounds the ids it admits; any other trigger's id is bounded here
        boolean tooLong = !admitted && id != null && id.length() > MAX_ID_LENGTH;
        // a message without a (usable) delivery id cannot be told from its redelivery: it is dead-lettered under a unique id
        String messageId = id == null || tooLong ? "no-delivery-id/" + e.getExchangeId()
                : admitted ? id : (connectionId == null ? "-" : connectionId) + "/" + id;
        Mapping.Result result = mapped;
        if (conn == null) {
            result = refused(mapped, "connection", connectionId == null ? "no connection is named (header "
                    + StepExchange.CONNECTION_ID + " or the step's connection parameter)"
                    : "no connection '" + connectionId + "' in integration '" + integration + "'");
        } else if (id == null) {
            result = refused(mapped, "delivery id", "no delivery id (" + (idHeader != null ? "header " + idHeader
                    : idPath.getPath()) + ")");
        } else if (tooLong) {
            result = refused(mapped, "delivery id", "the delivery id is longer than " + MAX_ID_LENGTH + " characters");
        } else {
            result = StepExchange.asLeft(e, mapped);
        }
        RecordIntake intake = byMapping.computeIfAbsent(mapping.file(), f -> {
            RecordIntake built = intakes.apply(mapping);
            inbound.register(integration, sync, built);
            return built;
        });
        RecordIntake.Outcome outcome = intake.store(mapping, result, "webhook:" + integration + ":" + sync,
                integration, connectionId == null ? "-" : connectionId, messageId, StepExchange.raw(e));
        metrics.recordIn(integration, sync, outcome.change() == null ? outcome.status()
                : outcome.change().name().toLowerCase());
        StepExchange.answer(e, outcome.toAnswer());
    }

    private String deliveryId(Exchange e) {
        Object v;
        if (idHeader != null) {
            v = e.getMessage().getHeader(idHeader);
        } else {
            Object source = e.getProperty(StepExchange.SOURCE);
            v = source == null ? null : readPath(source);
        }
        return v == null || v.toString().isBlank() ? null : v.toString();
    }

    private Object readPath(Object source) {
        try {
            return idPath.read(source, Mapping.JSONPATH);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Mapping.Result refused(Mapping.Result mapped, String field, String problem) {
        return new Mapping.Result(Map.of(), mapped.externalId(), false, List.of(new FieldError(field, problem)));
    }
}
