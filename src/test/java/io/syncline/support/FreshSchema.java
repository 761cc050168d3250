package io.syncline.support;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.flywaydb.core.Flyway;

/**
 * A schema of its own in the run's PostgreSQL database, migrated as the service migrates it, with
 * autovacuum off on the tables a test loads: what the planner knows about them is what the test
 * made it know. For tests that read plans with EXPLAIN, so that no speed depends on ANALYZE.
 */
public final class FreshSchema implements AutoCloseable {

    private final String schema = "plans_" + UUID.randomUUID().toString().substring(0, 8);
    private final Connection connection;

    public FreshSchema(String... tablesWithoutAutovacuum) throws SQLException {
        String url = TestPostgres.url();
        Flyway.configure().dataSource(url, "postgres", "").schemas(schema)
                .locations("classpath:db/migration", "classpath:db/postgresql").load().migrate();
        connection = DriverManager.getConnection(url + "?currentSchema=" + schema, "postgres", "");
        for (String table : tablesWithoutAutovacuum) {
            execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
        }
    }

    /** Statements from here on run in one transaction, as the store's do (for SET LOCAL). */
    public void begin() throws SQLException {
        connection.setAutoCommit(false);
    }

    public void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    /** An SQL array of this schema's connection, to bind as a parameter. */
    public Array array(String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }

    /** The plan of a statement with its parameters, as EXPLAIN (FORMAT JSON) gives it. */
    public String plan(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1));
                }
            }
            return out.toString();
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            execute("DROP SCHEMA " + schema + " CASCADE");
        } finally {
            connection.close();
        }
    }
}
