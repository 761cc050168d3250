package io.syncline.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.arc.Arc;
import io.syncline.store.Database;

/** Reads the service's own database, the way an operator with psql would. */
public final class Db {

    private Db() {
    }

    public static long count(String sql, Object... args) {
        try (Connection c = Arc.container().instance(Database.class).get().connection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Records of a connection that the changes feed does not serve yet: on H2 those the sequencer
     * has not placed, on PostgreSQL those of a transaction newer than the oldest one still running.
     */
    public static long unserved(String integration, String connection) {
        boolean pg = Arc.container().instance(Database.class).get().isPostgres();
        return count("SELECT COUNT(*) FROM records WHERE provider_config_key = ? AND connection_id = ? AND "
                + (pg ? "feed_xid >= pg_snapshot_xmin(pg_current_snapshot())" : "feed_position IS NULL"),
                integration, connection);
    }

    /** Runs one statement, as an operator with psql would (to age a row, say). */
    public static int update(String sql, Object... args) {
        try (Connection c = Arc.container().instance(Database.class).get().connection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of every table of the service's database, as text: what a stolen backup would show. */
    public static String dump() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = Arc.container().instance(Database.class).get().connection()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] { "TABLE" })) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema != null && (schema.equalsIgnoreCase("information_schema")
                            || schema.toLowerCase().startsWith("pg_"))) {
                        continue;
                    }
                    tables.add((schema == null ? "" : "\"" + schema + "\".") + "\"" + rs.getString("TABLE_NAME") + "\"");
                }
            }
            try (Statement s = c.createStatement()) {
                for (String t : tables) {
                    try (ResultSet rs = s.executeQuery("SELECT * FROM " + t)) {
                        int n = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int i = 1; i <= n; i++) {
                                out.append(rs.getString(i)).append('|');
                            }
                            out.append('\n');
                        }
                    }
                }
            }
        }
        return out.toString();
    }
}
