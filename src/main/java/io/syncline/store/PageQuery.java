package io.syncline.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one query shape of the list endpoints (dead letters, the flow log, conflicts): the rows
 * after an id, narrowed by whichever filters are set, oldest first, one page at a time.
 */
public final class PageQuery {

    /** Reads one row. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final StringBuilder sql;
    private final List<Object> args = new ArrayList<>();

    /** @param select everything before the WHERE, e.g. {@code SELECT … FROM dead_letters} */
    public PageQuery(String select, long afterId) {
        this.sql = new StringBuilder(select).append(" WHERE id > ?");
        args.add(afterId);
    }

    /** {@code column = value}, when the value is given. */
    public PageQuery equal(String column, String value) {
        return where(column + " = ?", value == null || value.isBlank() ? null : value);
    }

    /** A condition with one parameter, when the value is given. */
    public PageQuery where(String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            args.add(value);
        }
        return this;
    }

    public <T> List<T> list(Database db, int limit, Row<T> row) {
        String text = sql + " ORDER BY id LIMIT ?";
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(text)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                ps.setInt(args.size() + 1, limit);
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.read(rs));
                    }
                }
                return out;
            }
        });
    }
}
