package io.syncline.twoway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.syncline.store.Database;
import io.syncline.store.PageQuery;
import io.syncline.store.RecordStore;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;

/** Conflicts parked for a person ({@code conflicts: review}): one field, both values, until resolved. */
@Unremovable
@ApplicationScoped
public class Conflicts {

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Entry(long id, String syncName, String providerConfigKey, String connectionId, String model,
            String recordId, String field, Object appValue, Object remoteValue, String status, Object resolution,
            OffsetDateTime createdAt, OffsetDateTime resolvedAt) {
    }

    private final Database db;

    public Conflicts(Database db) {
        this.db = db;
    }

    /** Parks conflicts in the caller's transaction; a field already parked and open is updated, not repeated. */
    public void park(Connection c, String syncName, IdentityMap.Scope s, String recordId,
            List<Reconciler.Conflict> parked) throws SQLException {
        for (Reconciler.Conflict p : parked) {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE conflicts SET app_value = ?, remote_value = ?
                     WHERE provider_config_key = ? AND connection_id = ? AND model = ? AND record_id = ? AND field = ?
                       AND status = 'open'""")) {
                ps.setString(1, json(p.appValue()));
                ps.setString(2, json(p.remoteValue()));
                ps.setString(3, s.providerConfigKey());
                ps.setString(4, s.connectionId());
                ps.setString(5, s.model());
                ps.setString(6, recordId);
                ps.setString(7, p.field());
                if (ps.executeUpdate() > 0) {
                    continue;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO conflicts (sync_name, provider_config_key, connection_id, model, record_id, field,
                                           app_value, remote_value, status, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)""")) {
                ps.setString(1, syncName);
                ps.setString(2, s.providerConfigKey());
                ps.setString(3, s.connectionId());
                ps.setString(4, s.model());
                ps.setString(5, recordId);
                ps.setString(6, p.field());
                ps.setString(7, json(p.appValue()));
                ps.setString(8, json(p.remoteValue()));
                ps.setObject(9, RecordStore.now());
                ps.executeUpdate();
            }
        }
    }

    public List<Entry> list(String status, String connectionId, long afterId, int limit) {
        return new PageQuery(SELECT, afterId).equal("status", status).equal("connection_id", connectionId)
                .list(db, limit, Conflicts::read);
    }

    public Optional<Entry> find(long id) {
        return db.inTransaction(c -> lock(c, id, false));
    }

    /** The open conflict, locked for the caller's transaction. */
    public Optional<Entry> lockOpen(Connection c, long id) throws SQLException {
        return lock(c, id, true).filter(e -> e.status().equals("open"));
    }

    public void markResolved(Connection c, long id, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE conflicts SET status = 'resolved', resolution = ?, resolved_at = ? WHERE id = ?")) {
            ps.setString(1, json(value));
            ps.setObject(2, RecordStore.now());
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    private static final String SELECT = "SELECT id, sync_name, provider_config_key, connection_id, model, record_id, "
            + "field, app_value, remote_value, status, resolution, created_at, resolved_at FROM conflicts";

    private Optional<Entry> lock(Connection c, long id, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Entry read(ResultSet rs) throws SQLException {
        return new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), parse(rs.getString(8)), parse(rs.getString(9)), rs.getString(10),
                parse(rs.getString(11)), rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class));
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Object parse(String s) {
        try {
            return s == null ? null : JSON.readValue(s, Object.class);
        } catch (JsonProcessingException e) {
            return s;
        }
    }
}
