package io.syncline.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Camel's idempotent consumer repository, kept in Syncline's own database so that every
 * replica sees the same processed message ids. (Camel's JDBC repository lives in camel-sql,
 * which has no Quarkus extension on the pinned platform; this is the same idea in a few lines.)
 *
 * Routes use it with {@code eager=false}: an id is recorded only after the message was applied
 * and committed. A crash in between means the sender's retry is applied again, which the record
 * store turns into "unchanged"; the opposite order could acknowledge a message that was never
 * stored (guarantee 1).
 */
public class JdbcIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private final Database db;
    private final String scope;

    public JdbcIdempotentRepository(Database db, String scope) {
        this.db = db;
        this.scope = scope;
    }

    @Override
    public boolean add(String key) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO idempotency_keys (scope, message_id, created_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, scope);
                    ps.setString(2, key);
                    ps.setObject(3, RecordStore.now());
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (Database.StoreException e) {
            if (e.isUniqueViolation()) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean contains(String key) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM idempotency_keys WHERE scope = ? AND message_id = ?")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public boolean remove(String key) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM idempotency_keys WHERE scope = ? AND message_id = ?")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        // Ids are shared across replicas and runs; they expire by retention, not by a route stopping.
    }
}
