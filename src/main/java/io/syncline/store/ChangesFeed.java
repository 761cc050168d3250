package io.syncline.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

/** Reads the changes feed of one (integration, connection, model) in feed order. */
@ApplicationScoped
public class ChangesFeed {

    private final Database db;

    public ChangesFeed(Database db) {
        this.db = db;
    }

    public record Query(String providerConfigKey, String connectionId, String model, long afterPosition,
            OffsetDateTime modifiedAfter, Set<Change> actions, List<String> ids, int limit) {
    }

    /** One entry: the stored payload (canonical JSON text) and its feed metadata. */
    public record Entry(String payload, OffsetDateTime firstSeenAt, OffsetDateTime lastModifiedAt,
            String lastAction, OffsetDateTime deletedAt, long position) {
    }

    public record Page(List<Entry> entries, boolean more) {
    }

    public Page read(Query q) {
        StringBuilder sql = new StringBuilder("""
                SELECT payload, first_seen_at, last_modified_at, last_action, deleted_at, feed_position
                  FROM records
                 WHERE stream = ? AND feed_position > ?""");
        if (q.modifiedAfter() != null) {
            sql.append(" AND last_modified_at >= ?");
        }
        if (q.actions() != null && !q.actions().isEmpty()) {
            sql.append(" AND last_action IN (").append("?,".repeat(q.actions().size() - 1)).append("?)");
        }
        if (q.ids() != null && !q.ids().isEmpty()) {
            sql.append(" AND external_id IN (").append("?,".repeat(q.ids().size() - 1)).append("?)");
        }
        sql.append(" ORDER BY feed_position LIMIT ?");
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, RecordKey.stream(q.providerConfigKey(), q.connectionId(), q.model()));
                ps.setLong(i++, q.afterPosition());
                if (q.modifiedAfter() != null) {
                    ps.setObject(i++, q.modifiedAfter());
                }
                if (q.actions() != null) {
                    for (Change a : q.actions()) {
                        ps.setString(i++, a.name());
                    }
                }
                if (q.ids() != null) {
                    for (String id : q.ids()) {
                        ps.setString(i++, id);
                    }
                }
                ps.setInt(i, q.limit() + 1);
                ps.setFetchSize(Math.min(q.limit() + 1, 1000));
                List<Entry> entries = new ArrayList<>(Math.min(q.limit(), 1000));
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (entries.size() == q.limit()) {
                            more = true;
                            break;
                        }
                        entries.add(new Entry(rs.getString(1), rs.getObject(2, OffsetDateTime.class),
                                rs.getObject(3, OffsetDateTime.class), rs.getString(4),
                                rs.getObject(5, OffsetDateTime.class), rs.getLong(6)));
                    }
                }
                return new Page(entries, more);
            }
        });
    }

    public static String iso(OffsetDateTime t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
    }
}
