package io.syncline.outbound;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.syncline.store.ChangesFeed;
import io.syncline.store.Database;
import io.syncline.store.PageQuery;
import io.syncline.store.RecordStore;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The data-flow log: every write that left Syncline, and every one it chose not to send, with
 * the time, destination, record, fields, content hash, result and attempts. It answers "why did
 * this contact get this value yesterday at noon?". Values themselves are not kept here (they may
 * be personal data); the hash identifies the exact content.
 */
@Unremovable
@ApplicationScoped
public class FlowLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Entry(long id, long writeId, OffsetDateTime at, String syncName, String providerConfigKey,
            String connectionId, String model, String recordId, String remoteId, String destination, String fields,
            String contentHash, String result, Integer status, int attempts, String detail) {
    }

    /** @param destination text the destination (method and URL) contains */
    public record Filter(String syncName, String providerConfigKey, String connectionId, String model,
            String recordId, String remoteId, String destination, String result, OffsetDateTime since,
            OffsetDateTime until, long afterId, int limit) {
    }

    private final Database db;

    public FlowLog(Database db) {
        this.db = db;
    }

    /** One line of the log, before it is written. */
    public record Line(WriteQueue.Write write, String remoteId, String destination, Collection<String> fields,
            String result, Integer status, int attempts, String detail) {
    }

    public void add(Connection c, WriteQueue.Write w, String remoteId, String destination, Collection<String> fields,
            String result, Integer status, int attempts, String detail) throws SQLException {
        addAll(c, List.of(new Line(w, remoteId, destination, fields, result, status, attempts, detail)));
    }

    public void addAll(Connection c, List<Line> lines) throws SQLException {
        OffsetDateTime now = RecordStore.now();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO flow_log (write_id, at, sync_name, provider_config_key, connection_id, model, record_id,
                                      remote_id, destination, fields, content_hash, result, status, attempts, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Line l : lines) {
                WriteQueue.Write w = l.write();
                ps.setLong(1, w.id());
                ps.setObject(2, now);
                ps.setString(3, w.syncName());
                ps.setString(4, w.providerConfigKey());
                ps.setString(5, w.connectionId());
                ps.setString(6, w.model());
                ps.setString(7, w.recordId());
                ps.setString(8, l.remoteId());
                ps.setString(9, l.destination());
                ps.setString(10, JSON.writeValueAsString(l.fields() == null ? List.of() : l.fields()));
                ps.setString(11, w.contentHash());
                ps.setString(12, l.result());
                ps.setObject(13, l.status());
                ps.setInt(14, l.attempts());
                String d = l.detail();
                ps.setString(15, d == null || d.length() <= 2000 ? d : d.substring(0, 2000) + "…");
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Entry> list(Filter f) {
        return new PageQuery("SELECT id, write_id, at, sync_name, provider_config_key, connection_id, model, record_id, "
                + "remote_id, destination, fields, content_hash, result, status, attempts, detail FROM flow_log",
                f.afterId())
                .equal("sync_name", f.syncName()).equal("provider_config_key", f.providerConfigKey())
                .equal("connection_id", f.connectionId()).equal("model", f.model()).equal("record_id", f.recordId())
                .equal("remote_id", f.remoteId())
                .where("POSITION(? IN destination) > 0", f.destination() == null || f.destination().isBlank() ? null
                        : f.destination())
                .equal("result", f.result()).where("at >= ?", f.since()).where("at < ?", f.until())
                .list(db, f.limit(), rs -> {
                    Object status = rs.getObject(14);
                    return new Entry(rs.getLong(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
                            status == null ? null : ((Number) status).intValue(), rs.getInt(15), rs.getString(16));
                });
    }

    /** Writes sent per sync, connection and hour, and the time of the last line of any result. */
    public record Hourly(String syncName, String providerConfigKey, String connectionId, long hour, long sent,
            OffsetDateTime last) {
    }

    /** The console's activity bars: one row per sync, connection and hour since {@code since}. */
    public List<Hourly> hourly(OffsetDateTime since) {
        String hour = "FLOOR(EXTRACT(EPOCH FROM at) / 3600)";
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sync_name, provider_config_key, "
                    + "connection_id, " + hour + ", SUM(CASE WHEN result = 'sent' THEN 1 ELSE 0 END), MAX(at) "
                    + "FROM flow_log WHERE at >= ? GROUP BY sync_name, provider_config_key, connection_id, " + hour)) {
                ps.setObject(1, since);
                List<Hourly> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Hourly(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getLong(5), rs.getObject(6, OffsetDateTime.class)));
                    }
                }
                return out;
            }
        });
    }

    public static Map<String, Object> view(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("write_id", e.writeId());
        m.put("at", ChangesFeed.iso(e.at()));
        m.put("sync", e.syncName());
        m.put("provider_config_key", e.providerConfigKey());
        m.put("connection_id", e.connectionId());
        m.put("model", e.model());
        m.put("record_id", e.recordId());
        m.put("remote_id", e.remoteId());
        m.put("destination", e.destination());
        try {
            m.put("fields", JSON.readValue(e.fields(), List.class));
        } catch (JsonProcessingException ex) {
            m.put("fields", e.fields());
        }
        m.put("content_hash", e.contentHash());
        m.put("result", e.result());
        m.put("status", e.status());
        m.put("attempts", e.attempts());
        m.put("detail", e.detail());
        return m;
    }
}
