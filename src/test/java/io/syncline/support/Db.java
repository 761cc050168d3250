package io.syncline.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

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
}
