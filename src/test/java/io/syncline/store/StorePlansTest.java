package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.syncline.support.FreshSchema;
import io.syncline.support.RequiresPostgres;

/**
 * The record store's statements keep their index whatever PostgreSQL's statistics say: none at
 * all (a fresh bulk load; Syncline runs no ANALYZE of its own), or stale ones taken while a bulk
 * load was still unplaced. Plans are read with EXPLAIN on the exact statements the store runs.
 */
@RequiresPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorePlansTest {

    private static FreshSchema db;

    @BeforeAll
    static void bulkLoad() throws Exception {
        db = new FreshSchema("records");
        db.execute("""
                INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload,
                                     content_hash, first_seen_at, last_modified_at, last_action)
                SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, '{}', md5(g::text), now(), now(), 'added'
                  FROM generate_series(1, 20000) g""");
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    @Order(1) // before any ANALYZE
    void aPagesKeyLookupUsesTheRecordKeyWithoutStatistics() throws Exception {
        String plan = db.plan(RecordStore.pageKeysSql(3), "crm/acme/Contact", "e1", "e500", "e19999");
        assertTrue(plan.contains("\"Index Name\": \"records_key\""), plan);
        assertFalse(plan.contains("\"Filter\""), plan);
    }

    @Test
    @Order(2)
    void theIdleProbeReadsTheIndexOfUnplacedChangesWhateverTheStatisticsSay() throws Exception {
        db.execute("ANALYZE records"); // statistics of a bulk load that is not placed yet
        db.execute("UPDATE records SET feed_position = id"); // placed since: nothing to do
        String plan = db.plan(FeedSequencer.PICK, 5000);
        assertTrue(plan.contains("\"Index Name\": \"records_unplaced\""), plan);
        assertFalse(plan.contains("\"Filter\""), plan);
    }
}
