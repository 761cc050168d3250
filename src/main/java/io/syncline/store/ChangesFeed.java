package io.syncline.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reads the changes feed of one (integration, connection, model) in feed order (guarantee 3).
 *
 * On PostgreSQL a change's place is (the id of the transaction that wrote it, its position), both
 * set by the statement that wrote it. A reader is served only changes of transactions below the
 * xmin of its own snapshot: every one of those has ended, and every transaction that can still
 * commit has a larger id, so nothing can ever appear behind a place a reader has passed. A long
 * transaction holds the feed back until it ends; it never lets a reader skip. On H2 the place is
 * the position that {@link FeedSequencer} gives a change after it commits.
 */
@ApplicationScoped
public class ChangesFeed {

    private final Database db;

    public ChangesFeed(Database db) {
        this.db = db;
    }

    public record Query(String providerConfigKey, String connectionId, String model, FeedCursor after,
            OffsetDateTime modifiedAfter, Set<Change> actions, List<String> ids, int limit) {
    }

    /** One entry: the stored payload (canonical JSON text) and its feed metadata. */
    public record Entry(String payload, OffsetDateTime firstSeenAt, OffsetDateTime lastModifiedAt,
            String lastAction, OffsetDateTime deletedAt, FeedCursor place) {
    }

    public record Page(List<Entry> entries, boolean more) {
    }

    /**
     * Set before a read on PostgreSQL: the page is served in index order, never gathered and sorted.
     * Without statistics (a bulk load not analyzed yet) the planner would otherwise fetch every
     * change after the cursor and sort them, for each page ({@code StorePlansTest}).
     */
    static final String IN_INDEX_ORDER = "SET LOCAL enable_sort = off";

    /**
     * The statement of a read: a page after a place in one stream, with the query's filters. On
     * PostgreSQL {@code feed_xid >= '0'} is always true; it is the condition of the feed index
     * ({@code V19}), which only these reads may use.
     */
    static String sql(boolean pg, Query q) {
        StringBuilder sql = new StringBuilder(pg ? """
                SELECT payload, first_seen_at, last_modified_at, last_action, deleted_at, feed_position, feed_xid::text AS transaction_id
                  FROM records
                 WHERE stream = ? AND (feed_xid, feed_position) > (?::xid8, ?)
                   AND feed_xid < pg_snapshot_xmin(pg_current_snapshot())
                   AND feed_xid >= '0'::xid8""" : """
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
        return sql.append(pg ? " ORDER BY feed_xid, feed_position LIMIT ?" : " ORDER BY feed_position LIMIT ?")
                .toString();
    }

    public Page read(Query q) {
        boolean pg = db.isPostgres();
        String sql = sql(pg, q);
        return db.inTransaction(c -> {
            if (pg) {
                try (Statement order = c.createStatement()) {
                    order.execute(IN_INDEX_ORDER);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, RecordKey.stream(q.providerConfigKey(), q.connectionId(), q.model()));
                if (pg) {
                    ps.setString(i++, Long.toString(q.after().xid()));
                }
                ps.setLong(i++, q.after().position());
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
                                rs.getObject(5, OffsetDateTime.class),
                                new FeedCursor(pg ? Long.parseLong(rs.getString(7)) : 0, rs.getLong(6))));
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
