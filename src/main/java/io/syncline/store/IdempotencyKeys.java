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

    /**
     * Records {@code messageId} as applied in this scope, in the caller's transaction.
     *
     * @return false when it was applied before: the caller applies nothing. A duplicate leaves the
     *         transaction usable ({@code ON CONFLICT DO NOTHING}), so it never costs the other
     *         deliveries of a group ({@link GroupCommit}). An id that another transaction is
     *         claiming at this moment waits for it, and counts as applied if that one commits.
     */
    public static boolean claim(Connection c, String scope, String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO idempotency_keys (scope, message_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, scope);
            ps.setString(2, messageId);
            ps.setObject(3, RecordStore.now());
            return ps.executeUpdate() == 1;
        }
    }
}
