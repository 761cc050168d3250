package io.syncline.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Unremovable;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one state store every component uses: the embedded H2 or, when {@code syncline.db.url}
 * is set, PostgreSQL. Both run the same Flyway migrations and the same SQL.
 */
@Unremovable // looked up by the Kamelets' declarations and the steps
@ApplicationScoped
public class Database {

    private final boolean postgres;
    private volatile javax.sql.DataSource dataSource;

    private final Instance<AgroalDataSource> embedded;
    private final Instance<AgroalDataSource> pg;

    public Database(@ConfigProperty(name = DatabaseChoice.URL) Optional<String> url,
            @Default Instance<AgroalDataSource> embedded, @DataSource("pg") Instance<AgroalDataSource> pg) {
        this.postgres = url.filter(u -> !u.isBlank()).isPresent();
        this.embedded = embedded;
        this.pg = pg;
    }

    public boolean isPostgres() {
        return postgres;
    }

    public javax.sql.DataSource dataSource() {
        javax.sql.DataSource ds = dataSource;
        if (ds == null) {
            // Only the active one is resolved; the other datasource is never opened.
            ds = postgres ? pg.get() : embedded.get();
            dataSource = ds;
        }
        return ds;
    }

    public Connection connection() throws SQLException {
        return dataSource().getConnection();
    }

    /** Runs work in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = connection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Throwable t) {
                c.rollback();
                throw t;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Like {@link #inTransaction}, for bookkeeping that a database crash may lose without harm:
     * on PostgreSQL its commit does not wait for the WAL flush ({@code synchronous_commit = off}
     * for this transaction only), so it costs no fsync. Only for work whose loss just repeats
     * something idempotent (a claim, or the settling of a write, which is then sent again and
     * upserted by key); never for anything acknowledged to a sender (guarantee 1).
     */
    public <T> T inLazyTransaction(Work<T> work) {
        if (!postgres) {
            return inTransaction(work);
        }
        return inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit TO OFF");
            }
            return work.run(c);
        });
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** A database failure: never the client's fault, so it surfaces as a 5xx. */
    public static class StoreException extends RuntimeException {
        public StoreException(SQLException cause) {
            super(withoutValues(cause), valueFree(cause));
        }

        /**
         * The database's message without the values it quotes (H2 and PostgreSQL put the
         * offending field values, personal data, into their messages): logs carry ids, never values.
         */
        static String withoutValues(SQLException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            int nl = m.indexOf('\n');
            m = (nl < 0 ? m : m.substring(0, nl)).replaceAll("'[^']*'", "'…'").replaceAll("=\\(.*", "=(…)");
            return "SQL state " + e.getSQLState() + ": " + m;
        }

        /** The cause with the same state and code, and a message without values; the stack shows where. */
        private static SQLException valueFree(SQLException e) {
            SQLException copy = new SQLException(withoutValues(e), e.getSQLState(), e.getErrorCode());
            copy.setStackTrace(e.getStackTrace());
            return copy;
        }

        public boolean isUniqueViolation() {
            return getCause() instanceof SQLException s && "23505".equals(s.getSQLState());
        }

        /** The database aborted this transaction to break a deadlock (or a serialization conflict). */
        public boolean isDeadlock() {
            return getCause() instanceof SQLException s && ("40P01".equals(s.getSQLState())
                    || "40001".equals(s.getSQLState()));
        }
    }
}
