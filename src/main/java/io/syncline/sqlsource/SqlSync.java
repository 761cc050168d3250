package io.syncline.sqlsource;

import java.time.Duration;

import io.syncline.outbound.OutboundSync;

/**
 * A declared SQL source: which keys changed since the high-water mark, their properties computed
 * in batches, their groups, and the outbound sync (mapping and destination) they are written by.
 *
 * @param database "app" (your app's database, {@code syncline.app-db.url}) or "syncline" (this store)
 * @param connectionId the destination connection in {@code out.integration()}
 */
public record SqlSync(String name, String database, String changedKeys, String properties, Duration every,
        Duration lookback, int keyBatch, Groups groups, OutboundSync out, String connectionId) {

    public String id() {
        return out.integration() + "/" + name;
    }
}
