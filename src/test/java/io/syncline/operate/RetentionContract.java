package io.syncline.operate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.syncline.support.Db;

/** Retention on each database: bookkeeping older than its retention goes, newer stays. */
abstract class RetentionContract {

    @Inject
    Retention retention;

    @Test
    void bookkeepingOlderThanItsRetentionIsPrunedAndNewerIsKept() {
        String scope = "retention-" + UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Db.update("INSERT INTO idempotency_keys (scope, message_id, created_at) VALUES (?, 'old', ?)", scope,
                now.minusDays(31));
        Db.update("INSERT INTO idempotency_keys (scope, message_id, created_at) VALUES (?, 'new', ?)", scope,
                now.minusDays(29));
        Db.update("""
                INSERT INTO flow_log (write_id, at, sync_name, provider_config_key, connection_id, model, record_id,
                                      result, attempts) VALUES (0, ?, ?, 'p', 'c', 'm', 'old', 'sent', 1)""",
                now.minusDays(31), scope);
        Db.update("""
                INSERT INTO flow_log (write_id, at, sync_name, provider_config_key, connection_id, model, record_id,
                                      result, attempts) VALUES (0, ?, ?, 'p', 'c', 'm', 'new', 'sent', 1)""",
                now.minusDays(1), scope);

        retention.prune();

        assertEquals(1, Db.count("SELECT COUNT(*) FROM idempotency_keys WHERE scope = ?", scope));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM idempotency_keys WHERE scope = ? AND message_id = 'new'", scope));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM flow_log WHERE sync_name = ? AND record_id = 'new'", scope));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM flow_log WHERE sync_name = ? AND record_id = 'old'", scope));
    }
}
