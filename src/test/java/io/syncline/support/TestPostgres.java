package io.syncline.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL database of this test run: created on first use on 127.0.0.1:5432 under a
 * name of its own, and dropped when the run ends. Two runs on one machine never share a schema
 * or a row, and nothing assumes a database that the machine happens to have.
 */
public final class TestPostgres {

    public static final String DATABASE = "syncline_test_" + ProcessHandle.current().pid() + "_"
            + UUID.randomUUID().toString().substring(0, 6);
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static boolean created;

    private TestPostgres() {
    }

    /** The run's database, created if this is its first use. */
    public static synchronized String url() {
        if (!created) {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
                throw new IllegalStateException("could not create the test database " + DATABASE + ": "
                        + e.getMessage(), e);
            }
            created = true;
            Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::drop, "drop-test-database"));
        }
        return SERVER + DATABASE;
    }

    /** The run's database, with {@code schema} as the current schema. */
    public static String url(String schema) {
        return url() + "?currentSchema=" + schema;
    }

    /** The number a counting query answers, read over its own connection to {@code url}, as a process test reads the store. */
    public static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void drop() {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop the test database " + DATABASE + ": " + e.getMessage());
        }
    }
}
