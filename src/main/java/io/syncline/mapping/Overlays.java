package io.syncline.mapping;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.schedule.Frequency;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Each connection's overlay on a sync's mapping ({@link MappingOverlay}), versioned in
 * {@code mapping_overlays}. The overlays in force are held in memory, re-read every
 * {@code syncline.overlays.refresh} (so an overlay saved on one replica applies on the others
 * within that time) and at once on the replica that saved it. A connection without an overlay
 * costs one lookup in an empty map.
 */
@Unremovable
@ApplicationScoped
public class Overlays {

    private static final Logger LOG = Logger.getLogger(Overlays.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One version of a connection's overlay; a null overlay is a removal. */
    public record Version(int version, JsonNode overlay, String author, String note, OffsetDateTime at) {
    }

    /** An overlay in force, with the merged mapping per base mapping it was laid over. */
    private record Active(int version, JsonNode overlay, Map<Mapping, Mapping> merged) {
    }

    private final Database db;
    private final BackgroundLoop loop;
    private volatile Map<SyncKey, Active> active = Map.of();

    public Overlays(Database db, @ConfigProperty(name = "syncline.overlays.refresh", defaultValue = "5s") String refresh) {
        this.db = db;
        this.loop = new BackgroundLoop("overlays", Frequency.parse(refresh).toMillis(), this::reload);
    }

    void start(@Observes StartupEvent ignored) {
        reload();
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
    }

    /**
     * The mapping a connection's records go through: the base with the connection's overlay, or
     * the base. An overlay that no longer fits a changed base mapping refuses every record with
     * the reason (they are dead-lettered and replayable), rather than dropping its fields silently.
     */
    public Mapping mapping(Mapping base, SyncKey key) {
        Map<SyncKey, Active> now = active;
        Active a = now.isEmpty() ? null : now.get(key);
        if (a == null) {
            return base;
        }
        return a.merged().computeIfAbsent(base, b -> {
            try {
                return MappingOverlay.apply(b, a.overlay());
            } catch (MappingLoader.MappingFileException e) {
                LOG.errorf("the overlay of %s no longer fits its base mapping: %s", key, e.getMessage());
                return b.refusing("the connection's overlay (version " + a.version() + ") no longer fits the "
                        + "sync's mapping: " + e.getMessage());
            }
        });
    }

    /** An overlay in force and the sync it belongs to. */
    public record OfSync(String sync, Version version) {
    }

    /** The overlays in force on each sync of a connection. */
    public List<OfSync> ofConnection(String integration, String connectionId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT o.sync_name, o.version, o.overlay, o.author, o.note, o.created_at FROM mapping_overlays o
                     WHERE o.provider_config_key = ? AND o.connection_id = ? AND o.overlay IS NOT NULL
                       AND o.version = (SELECT MAX(m.version) FROM mapping_overlays m
                                         WHERE m.provider_config_key = o.provider_config_key
                                           AND m.connection_id = o.connection_id AND m.sync_name = o.sync_name)
                     ORDER BY o.sync_name""")) {
                ps.setString(1, integration);
                ps.setString(2, connectionId);
                List<OfSync> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new OfSync(rs.getString(1), new Version(rs.getInt(2), parse(rs.getString(3)),
                                rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class))));
                    }
                }
                return out;
            }
        });
    }

    /** Every version, newest first. */
    public List<Version> history(SyncKey key) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT version, overlay, author, note, created_at FROM mapping_overlays
                     WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? ORDER BY version DESC""")) {
                bind(ps, key);
                List<Version> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Version(rs.getInt(1), parse(rs.getString(2)), rs.getString(3), rs.getString(4),
                                rs.getObject(5, OffsetDateTime.class)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Saves a new version after checking it against the base mapping (a mistake is refused with
     * the field and the reason, and nothing is saved). A null overlay removes it.
     */
    public Version save(SyncKey key, Mapping base, JsonNode overlay, String author, String note) {
        if (overlay != null) {
            MappingOverlay.apply(base, overlay);
        }
        Version saved = db.inTransaction(c -> insert(c, key, overlay, author, note));
        reload();
        return saved;
    }

    /** Makes an earlier version the one in force again, as a new version (the history keeps both). */
    public Optional<Version> revert(SyncKey key, Mapping base, int version, String author) {
        Optional<Version> to = history(key).stream().filter(v -> v.version() == version).findFirst();
        return to.map(v -> save(key, base, v.overlay(), author, "revert to version " + version));
    }

    private static Version insert(Connection c, SyncKey key, JsonNode overlay, String author, String note)
            throws SQLException {
        int next;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COALESCE(MAX(version), 0) + 1 FROM mapping_overlays
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ?""")) {
            bind(ps, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                next = rs.getInt(1);
            }
        }
        OffsetDateTime now = RecordStore.now();
        // two saves at once: the primary key refuses the second, which the caller sees as a failure to retry
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO mapping_overlays (provider_config_key, connection_id, sync_name, version, overlay, author,
                                              note, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            bind(ps, key);
            ps.setInt(4, next);
            ps.setString(5, overlay == null ? null : overlay.toString());
            ps.setString(6, author);
            ps.setString(7, note);
            ps.setObject(8, now);
            ps.executeUpdate();
        }
        return new Version(next, overlay, author, note, now);
    }

    /** Re-reads the overlays in force; merged mappings are kept for overlays whose version did not change. */
    void reload() {
        Map<SyncKey, Active> before = active;
        Map<SyncKey, Active> after = db.inTransaction(c -> {
            Map<SyncKey, Active> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT o.provider_config_key, o.connection_id, o.sync_name, o.version, o.overlay
                      FROM mapping_overlays o
                     WHERE o.version = (SELECT MAX(m.version) FROM mapping_overlays m
                                         WHERE m.provider_config_key = o.provider_config_key
                                           AND m.connection_id = o.connection_id AND m.sync_name = o.sync_name)
                       AND o.overlay IS NOT NULL""");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SyncKey key = new SyncKey(rs.getString(1), rs.getString(3), rs.getString(2));
                    int version = rs.getInt(4);
                    Active old = before.get(key);
                    out.put(key, old != null && old.version() == version ? old
                            : new Active(version, parse(rs.getString(5)), new ConcurrentHashMap<>()));
                }
            }
            return out;
        });
        active = Map.copyOf(after);
    }

    private static JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored overlay is not JSON", e);
        }
    }

    private static void bind(PreparedStatement ps, SyncKey key) throws SQLException {
        ps.setString(1, key.integration());
        ps.setString(2, key.connectionId());
        ps.setString(3, key.sync());
    }
}
