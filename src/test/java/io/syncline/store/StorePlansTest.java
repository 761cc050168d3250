package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.syncline.support.FreshSchema;
import io.syncline.support.RequiresPostgres;

/**
 * The record store's statements keep their index whatever PostgreSQL's statistics say: none at
 * all, as during a bulk load (Syncline runs no ANALYZE on PostgreSQL), or stale ones. Plans are read with EXPLAIN
 * on the exact statements the store runs, on tables of 20,000 records.
 */
@RequiresPostgres
class StorePlansTest {

    @Test
    void aPagesKeyLookupProbesTheRecordKeyWithoutStatistics() throws Exception {
        try (FreshSchema db = loaded()) {
            String[] keys = IntStream.rangeClosed(19001, 20000).mapToObj(i -> "e" + i).sorted().toArray(String[]::new);
            String plan = db.plan(RecordStore.pageKeysSql(true, keys.length, false), db.array("varchar", keys),
                    "crm/acme/Contact");
            assertTrue(plan.contains("\"Index Name\": \"records_key\""), plan);
            assertTrue(plan.contains("Nested Loop"), plan);
            assertFalse(plan.contains("\"Filter\""), plan);
        }
    }

    @Test
    void keyLookupsPlannedOnAnEmptyTableProbeTheRecordKey() throws Exception {
        // a plan cached by a connection while the table was empty stays in use as the table grows
        try (FreshSchema db = new FreshSchema("records")) {
            db.execute("SET plan_cache_mode = force_generic_plan");
            String page = db.plan(RecordStore.pageKeysSql(true, 2, true), db.array("varchar", new String[] { "e1", "e2" }),
                    "crm/acme/Contact");
            String one = db.plan("SELECT content_hash FROM records WHERE stream = ? AND external_id = ? FOR UPDATE",
                    "crm/acme/Contact", "e1");
            for (String plan : List.of(page, one)) {
                assertTrue(plan.contains("\"Index Name\": \"records_key\""), plan);
                assertFalse(plan.contains("\"Filter\""), plan);
            }
        }
    }

    @Test
    void aPassCountsWhatItDidNotSeeByOneAntiJoinWithoutStatistics() throws Exception {
        try (FreshSchema db = loaded()) {
            db.execute("ALTER TABLE seen_keys SET (autovacuum_enabled = false)");
            db.execute("INSERT INTO seen_keys (generation, external_id) SELECT 7, 'e' || g FROM generate_series(1, 19000) g");
            String plan = db.plan(RecordStore.COUNT_UNSEEN, "crm/acme/Contact", 7L, 7L);
            // one probe of the marks' key per live record of the stream, never a scan of every mark
            assertTrue(plan.contains("\"Join Type\": \"Anti\""), plan);
            assertTrue(plan.contains("\"Index Name\": \"seen_keys_pkey\""), plan);
            assertFalse(plan.contains("\"Node Type\": \"Seq Scan\""), plan);
        }
    }

    @Test
    void aFeedReadWalksTheFeedIndexOfItsStreamWhateverTheStatisticsSay() throws Exception {
        try (FreshSchema db = new FreshSchema("records")) {
            insert(db, 1, 20);
            db.execute("ANALYZE records"); // statistics of a stream of 20 live records...
            insert(db, 21, 20000); // ...that has 20,000 since, and a reader asks for deletes only
            String read = ChangesFeed.sql(true, new ChangesFeed.Query("crm", "acme", "Contact",
                    FeedCursor.START, null, Set.of(Change.DELETED), null, 100));
            db.begin();
            db.execute(ChangesFeed.IN_INDEX_ORDER);
            String plan = db.plan(read, "crm/acme/Contact", "0", 0L, "DELETED", 101);
            assertTrue(plan.contains("\"Index Name\": \"records_feed\""), plan);
            assertFalse(plan.contains("\"Node Type\": \"Sort\""), plan);
        }
    }

    private static FreshSchema loaded() throws SQLException {
        FreshSchema db = new FreshSchema("records");
        insert(db, 1, 20000);
        return db;
    }

    private static void insert(FreshSchema db, int from, int to) throws SQLException {
        db.execute("""
                INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload,
                                     content_hash, first_seen_at, last_modified_at, last_action)
                SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, '{}', md5(g::text), now(), now(), 'added'
                  FROM generate_series(%d, %d) g""".formatted(from, to));
    }
}
