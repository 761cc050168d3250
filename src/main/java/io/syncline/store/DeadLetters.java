package io.syncline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.syncline.mapping.FieldError;
import io.syncline.metrics.SyncMetrics;
import org.jboss.logging.Logger;

/**
 * What cannot succeed without a person: kept with its reason and the original payload, until
 * someone replays or discards it. A record that fails mapping or validation lands here and its
 * webhook is still acknowledged, because a sender must not retry what can never succeed.
 */
@Unremovable // looked up by the Kamelets' declarations and the steps
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Entry(long id, String kind, String syncName, String providerConfigKey, String connectionId,
            String model, String messageId, String reason, String errors, String payload, String status,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** @param reason text the reason contains; since and until bound created_at */
    public record Filter(String syncName, String providerConfigKey, String connectionId, String kind, String status,
            String reason, OffsetDateTime since, OffsetDateTime until, long afterId, int limit) {
    }

    private final Database db;
    private final SyncMetrics metrics;

    public DeadLetters(Database db, SyncMetrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    public long add(String kind, String syncName, String providerConfigKey, String connectionId, String model,
            String messageId, String reason, List<FieldError> errors, String payload) {
        long id = db.inTransaction(c -> add(c, kind, syncName, providerConfigKey, connectionId, model, messageId, reason,
                errors, payload));
        added(id, kind, syncName, providerConfigKey, connectionId, messageId, reason);
        return id;
    }

    /** Within the caller's transaction; the caller reports it with {@link #added} once committed. */
    public long add(Connection c, String kind, String syncName, String providerConfigKey, String connectionId,
            String model, String messageId, String reason, List<FieldError> errors, String payload)
            throws SQLException {
        OffsetDateTime now = RecordStore.now();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO dead_letters (kind, sync_name, provider_config_key, connection_id, model, message_id,
                                          reason, errors, payload, status, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, kind);
            ps.setString(2, syncName);
            ps.setString(3, providerConfigKey);
            ps.setString(4, connectionId);
            ps.setString(5, model);
            ps.setString(6, messageId);
            ps.setString(7, reason);
            ps.setString(8, errors == null ? null : JSON.writeValueAsString(errors));
            ps.setString(9, payload);
            ps.setObject(10, now);
            ps.setObject(11, now);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts and logs a committed dead letter: one line, with ids only, since payloads may hold PII. */
    public void added(long id, String kind, String syncName, String providerConfigKey, String connectionId,
            String messageId, String reason) {
        metrics.deadLetter(kind);
        LOG.warnf("dead letter %d: sync=%s connection=%s/%s message=%s reason=%s", id, syncName, providerConfigKey,
                connectionId, messageId, reason);
    }

    public List<Entry> list(Filter f) {
        return new PageQuery("SELECT " + COLUMNS + " FROM dead_letters", f.afterId())
                .equal("sync_name", f.syncName()).equal("provider_config_key", f.providerConfigKey())
                .equal("connection_id", f.connectionId()).equal("kind", f.kind()).equal("status", f.status())
                .where("LOWER(reason) LIKE ?", f.reason() == null || f.reason().isBlank() ? null
                        : "%" + f.reason().toLowerCase(Locale.ROOT).replace("%", "") + "%")
                .where("created_at >= ?", f.since()).where("created_at < ?", f.until())
                .list(db, f.limit(), DeadLetters::read);
    }

    public Optional<Entry> find(long id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM dead_letters WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Entry>empty();
                }
            }
        });
    }

    /** @return false when there is no open dead letter with that id */
    public boolean mark(long id, String status) {
        return db.inTransaction(c -> mark(c, id, status));
    }

    /** In the caller's transaction, so that a replay and its mark commit together. */
    public boolean mark(Connection c, long id, String status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE dead_letters SET status = ?, updated_at = ? WHERE id = ? AND status = 'open'")) {
            ps.setString(1, status);
            ps.setObject(2, RecordStore.now());
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static final String COLUMNS = "id, kind, sync_name, provider_config_key, connection_id, model, message_id, "
            + "reason, errors, payload, status, created_at, updated_at";

    private static Entry read(ResultSet rs) throws SQLException {
        return new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class));
    }
}
