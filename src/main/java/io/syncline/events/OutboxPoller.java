package io.syncline.events;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.JsonPath;
import io.syncline.config.TemplateParams;
import io.syncline.connection.Connections;
import io.syncline.mapping.Mapping;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.store.DeadLetters;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.jboss.logging.Logger;

/**
 * Reads a transactional outbox in your app's PostgreSQL (Debezium's columns: {@code id,
 * aggregatetype, aggregateid, type, payload jsonb, created_at}). A batch of rows is claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so two pollers (two replicas) never take the same row; each row
 * becomes an event for the syncs that take its {@code type}, queued durably in Syncline's store
 * with the row id as its idempotency key; then the rows are deleted (or marked) and the claim
 * commits. Your app's database and Syncline's are two databases, so the two commits cannot be
 * one: a crash between them leaves the rows to be claimed again, and the idempotency key makes
 * the repeat change nothing (guarantee 2).
 */
public final class OutboxPoller implements Processor {

    private static final Logger LOG = Logger.getLogger(OutboxPoller.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /**
     * @param markColumn null to delete handled rows, else the timestamp column to set
     * @param connectionPath where a row's payload names the connection, unless the sync says otherwise
     */
    public record Settings(String name, String table, int batchSize, String markColumn, JsonPath connectionPath) {
        public Settings {
            if (!NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("outbox-poll '" + name + "': table must be a plain [schema.]name, not '"
                        + table + "'");
            }
            if (markColumn != null && !NAME.matcher(markColumn).matches()) {
                throw new IllegalArgumentException("outbox-poll '" + name + "': markColumn must be a column name");
            }
        }
    }

    private final Settings settings;
    private final DataSource outbox;
    private final OutboundSyncs syncs;
    private final Connections connections;
    private final DeadLetters deadLetters;
    private final EventEntry entry = TemplateParams.bean(EventEntry.class);

    public OutboxPoller(Settings settings, DataSource outbox, OutboundSyncs syncs, Connections connections,
            DeadLetters deadLetters) {
        this.settings = settings;
        this.outbox = outbox;
        this.syncs = syncs;
        this.connections = connections;
        this.deadLetters = deadLetters;
    }

    public String name() {
        return settings.name();
    }

    @Override
    public void process(Exchange exchange) throws SQLException {
        while (pollOnce().size() == settings.batchSize()) {
            // a full batch: there may be more waiting
        }
    }

    /** Claims, hands on and removes one batch. @return the ids of the rows this call took */
    public List<String> pollOnce() throws SQLException {
        List<String> taken = new ArrayList<>();
        try (Connection c = outbox.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Object> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, aggregatetype, aggregateid, type, "
                        + "payload::text FROM " + settings.table()
                        + (settings.markColumn() == null ? "" : " WHERE " + settings.markColumn() + " IS NULL")
                        + " ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    ps.setInt(1, settings.batchSize());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getObject(1));
                            String id = rs.getString(1);
                            taken.add(id);
                            handOn(id, rs.getString(4), rs.getString(5));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(settings.markColumn() == null
                        ? "DELETE FROM " + settings.table() + " WHERE id = ?"
                        : "UPDATE " + settings.table() + " SET " + settings.markColumn() + " = now() WHERE id = ?")) {
                    for (Object id : ids) {
                        ps.setObject(1, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return taken;
    }

    private void handOn(String rowId, String type, String payload) {
        String key = "outbox:" + settings.table() + ":" + rowId;
        List<OutboundSync> targets = syncs.forEvent(type, null);
        if (targets.isEmpty()) {
            deadLetters.add("event", settings.name(), "-", "-", null, key, "no sync takes events of type '" + type + "'",
                    null, payload == null ? "null" : payload);
            return;
        }
        Object document;
        try {
            document = JSON.readValue(payload, Object.class);
        } catch (IOException | IllegalArgumentException e) {
            deadLetters.add("event", settings.name(), "-", "-", null, key, "the payload is not JSON", null,
                    payload == null ? "null" : payload);
            return;
        }
        for (OutboundSync sync : targets) {
            JsonPath where = sync.connectionPath() != null ? sync.connectionPath() : settings.connectionPath();
            Object id = where.read(document, Mapping.JSONPATH);
            var conn = id == null ? Optional.<io.syncline.connection.Connection>empty()
                    : connections.find(sync.integration(), id.toString());
            if (conn.isEmpty()) {
                deadLetters.add("event", sync.name(), sync.integration(), id == null ? "-" : id.toString(), sync.model(),
                        key, "outbox row " + rowId + ": no connection '" + id + "' (read at " + where.getPath()
                                + ") in integration '" + sync.integration() + "'", null, payload);
                continue;
            }
            Map<String, Object> answer = entry.send(sync, conn.get(), key, document, payload);
            LOG.debugf("outbox %s row %s -> %s/%s: %s", settings.name(), rowId, sync.integration(), sync.name(),
                    answer.get("status"));
        }
    }
}
