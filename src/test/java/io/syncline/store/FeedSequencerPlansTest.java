package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.syncline.support.FreshSchema;
import io.syncline.support.RequiresPostgres;

/**
 * The sequencer's probe for unplaced changes reads the partial index of those changes, even when
 * the statistics were taken while a bulk load was still unplaced and say that most records are:
 * an idle Syncline's probe is then a lookup in an empty index, not a walk through every record.
 */
@RequiresPostgres
class FeedSequencerPlansTest {

    @Test
    void theIdleProbeReadsTheIndexOfUnplacedChangesWhateverTheStatisticsSay() throws Exception {
        try (FreshSchema db = new FreshSchema("records")) {
            db.execute("""
                    INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload,
                                         content_hash, first_seen_at, last_modified_at, last_action)
                    SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, '{}', md5(g::text), now(), now(), 'added'
                      FROM generate_series(1, 20000) g""");
            db.execute("ANALYZE records"); // statistics of a bulk load that is not placed yet
            db.execute("UPDATE records SET feed_position = id"); // placed since: nothing to do
            String plan = db.plan(FeedSequencer.PICK, 5000);
            assertTrue(plan.contains("\"Index Name\": \"records_unplaced\""), plan);
            assertFalse(plan.contains("\"Filter\""), plan);
        }
    }
}
