package io.syncline.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.events.EventEntry;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;

/**
 * Replays a dead letter through the same path it failed on: a write goes back into the write
 * queue (and so through the writer, its budget and its log), an inbound record or an event goes
 * through its sync's mapping again (fixed since, one hopes). The letter is marked replayed in
 * the transaction that queues the write; a replay of an already replayed letter is refused.
 */
@ApplicationScoped
public class DeadLetterReplay {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a dead letter cannot be replayed. */
    public static final class NotReplayable extends RuntimeException {
        public NotReplayable(String message) {
            super(message, null, false, false);
        }
    }

    private final Database db;
    private final DeadLetters deadLetters;
    private final WriteQueue queue;
    private final Writer writer;
    private final OutboundSyncs outbound;
    private final InboundSyncs inbound;
    private final Connections connections;
    private final EventEntry entry;

    public DeadLetterReplay(Database db, DeadLetters deadLetters, WriteQueue queue, Writer writer,
            OutboundSyncs outbound, InboundSyncs inbound, Connections connections,
            EventEntry entry) {
        this.db = db;
        this.deadLetters = deadLetters;
        this.queue = queue;
        this.writer = writer;
        this.outbound = outbound;
        this.inbound = inbound;
        this.connections = connections;
        this.entry = entry;
    }

    public Map<String, Object> replay(DeadLetters.Entry e) {
        if (!e.status().equals("open")) {
            throw new NotReplayable("dead letter " + e.id() + " is " + e.status() + ", not open");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        switch (e.kind()) {
            case "write" -> {
                OutboundSync sync = outbound.find(e.providerConfigKey(), e.syncName()).orElseThrow(
                        () -> new NotReplayable("no outbound sync '" + e.syncName() + "' is declared any more"));
                Map<?, ?> p = read(e.payload());
                String fields = CanonicalJson.write(castFields(p.get("fields")));
                long writeId = db.inTransaction(c -> {
                    if (!deadLetters.mark(c, e.id(), "replayed")) {
                        throw new NotReplayable("dead letter " + e.id() + " is no longer open");
                    }
                    return queue.enqueue(c, sync.name(), e.providerConfigKey(), e.connectionId(), e.model(),
                            String.valueOf(p.get("record_id")), String.valueOf(p.get("operation")), fields,
                            CanonicalJson.sha256(fields));
                });
                writer.wake();
                out.put("status", "queued");
                out.put("write_id", writeId);
            }
            case "event" -> {
                OutboundSync sync = outbound.find(e.providerConfigKey(), e.syncName()).orElseThrow(
                        () -> new NotReplayable("no outbound sync '" + e.syncName() + "' is declared any more"));
                Connection conn = connection(e);
                Map<String, Object> answer = entry.send(sync, conn, "replay-of-dead-letter-" + e.id(),
                        read(e.payload()), e.payload());
                settle(e, answer.get("status"));
                out.putAll(answer);
            }
            case "inbound" -> {
                RecordIntake intake = inbound.find(e.providerConfigKey(), e.syncName()).orElseThrow(
                        () -> new NotReplayable("no inbound sync '" + e.syncName() + "' is declared any more"));
                connection(e);
                RecordIntake.Outcome o = intake.accept("replay", e.providerConfigKey(), e.connectionId(),
                        "dead-letter-" + e.id(), read(e.payload()), e.payload());
                settle(e, o.status());
                out.putAll(o.toAnswer());
            }
            default -> throw new NotReplayable("a " + e.kind() + " dead letter cannot be replayed");
        }
        return out;
    }

    /** A replay that dead-letters again leaves the old letter open beside the new one; one that succeeds closes it. */
    private void settle(DeadLetters.Entry e, Object status) {
        if (!"dead_lettered".equals(status)) {
            deadLetters.mark(e.id(), "replayed");
        }
    }

    private Connection connection(DeadLetters.Entry e) {
        return connections.find(e.providerConfigKey(), e.connectionId()).orElseThrow(() -> new NotReplayable(
                "connection " + e.providerConfigKey() + "/" + e.connectionId() + " no longer exists"));
    }

    private static Map<?, ?> read(String payload) {
        try {
            return JSON.readValue(payload, Map.class);
        } catch (IOException ex) {
            throw new NotReplayable("the dead letter's payload is not a JSON object");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castFields(Object fields) {
        return fields instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
