package io.syncline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The processed message ids of the idempotent consumers, in Syncline's own database so that
 * every replica sees them.
 *
 * An id is claimed in the same transaction that applies its message: both commit, or neither.
 * (Camel's idempotentConsumer EIP keeps the id in a transaction of its own, which leaves a window
 * in which a crash either loses an acknowledged message or applies it twice; it also costs two
 * more round trips per message.)
 */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    /** The message was applied before: the claim lost, and the caller's transaction must roll back. */
    public static final class AlreadyApplied extends RuntimeException {
        public AlreadyApplied() {
            super(null, null, false, false);
        }
    }

    /** @throws AlreadyApplied when the id is already recorded in this scope */
    public static void claim(Connection c, String scope, String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO idempotency_keys (scope, message_id, created_at) VALUES (?, ?, ?)")) {
            ps.setString(1, scope);
            ps.setString(2, messageId);
            ps.setObject(3, RecordStore.now());
            ps.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new AlreadyApplied();
            }
            throw e;
        }
    }
}
