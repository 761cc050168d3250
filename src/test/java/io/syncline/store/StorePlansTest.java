package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.syncline.support.FreshSchema;
import io.syncline.support.RequiresPostgres;

/**
 * The record store's statements keep their index whatever PostgreSQL's statistics say: none at
 * all (a bulk load under way; Syncline runs no ANALYZE on PostgreSQL), or stale ones taken while
 * a bulk load was still unplaced. Plans are read with EXPLAIN on the exact statements the store
 * runs, on tables of 20,000 records.
 */
@RequiresPostgres
class StorePlansTest {

    @Test
    void aPagesKeyLookupProbesTheRecordKeyWithoutStatistics() throws Exception {
        try (FreshSchema db = loaded()) {
            String[] keys = IntStream.rangeClosed(19001, 20000).mapToObj(i -> "e" + i).sorted().toArray(String[]::new);
            String plan = db.plan(RecordStore.pageKeysSql(true, keys.length), db.array("varchar", keys),
                    "crm/acme/Contact");
            assertTrue(plan.contains("\"Index Name\": \"records_key\""), plan);
            assertTrue(plan.contains("Nested Loop"), plan);
            assertFalse(plan.contains("\"Filter\""), plan);
        }
    }

    @Test
    void theIdleProbeReadsTheIndexOfUnplacedChangesWhateverTheStatisticsSay() throws Exception {
        try (FreshSchema db = loaded()) {
            db.execute("ANALYZE records"); // statistics of a bulk load that is not placed yet
            db.execute("UPDATE records SET feed_position = id"); // placed since: nothing to do
            String plan = db.plan(FeedSequencer.PICK, 5000);
            assertTrue(plan.contains("\"Index Name\": \"records_unplaced\""), plan);
            assertFalse(plan.contains("\"Filter\""), plan);
        }
    }

    private static FreshSchema loaded() throws SQLException {
        FreshSchema db = new FreshSchema("records");
        db.execute("""
                INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload,
                                     content_hash, first_seen_at, last_modified_at, last_action)
                SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, '{}', md5(g::text), now(), now(), 'added'
                  FROM generate_series(1, 20000) g""");
        return db;
    }
}
