package io.syncline.twoway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.syncline.support.FreshSchema;
import io.syncline.support.RequiresPostgres;

/**
 * Identity lookups are served by their own index on a freshly loaded table that PostgreSQL has
 * no statistics for: no speed depends on ANALYZE having run. The plans are read with EXPLAIN on
 * the exact statements the identity map runs.
 */
@RequiresPostgres
class IdentityPlansTest {

    private static FreshSchema db;

    @BeforeAll
    static void loadWithoutStatistics() throws Exception {
        db = new FreshSchema("identity_map");
        db.execute("""
                INSERT INTO identity_map (provider_config_key, connection_id, model, local_id, remote_id,
                                          match_value, updated_at)
                SELECT 'crm', 'acme', 'Contact', 'local-' || g, 'remote-' || g, 'm' || g || '@example.com', now()
                  FROM generate_series(1, 50000) g""");
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aLookupByRemoteIdUsesItsIndexWithoutStatistics() throws Exception {
        String plan = db.plan(IdentityMap.lookupSql("remote_id", true), "crm", "acme", "Contact", "remote-777");
        assertTrue(plan.contains("\"Index Name\": \"identity_remote\""), plan);
        assertFalse(plan.contains("\"Filter\""), plan);
    }

    @Test
    void aBatchOfLocalIdsProbesThePrimaryKeyWithoutStatistics() throws Exception {
        Object[] ids = IntStream.rangeClosed(1, 500).mapToObj(i -> "local-" + (i * 97)).toArray();
        String plan = db.plan(IdentityMap.manySql(true, ids.length), db.array("varchar", ids), "crm", "acme", "Contact");
        assertTrue(plan.contains("\"Index Name\": \"identity_map_pkey\""), plan);
        assertTrue(plan.contains("Nested Loop"), plan);
        assertFalse(plan.contains("\"Filter\""), plan);
    }

    @Test
    void aLookupByMatchValueUsesItsIndexWithoutStatistics() throws Exception {
        String plan = db.plan(IdentityMap.lookupSql("match_value", false), "crm", "acme", "Contact", "m777@example.com");
        assertTrue(plan.contains("\"Index Name\": \"identity_match\""), plan);
        assertFalse(plan.contains("\"Filter\""), plan);
    }
}
