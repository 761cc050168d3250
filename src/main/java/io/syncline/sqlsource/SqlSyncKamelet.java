package io.syncline.sqlsource;

import java.time.Duration;
import java.util.List;

import io.syncline.config.TemplateParams;
import io.syncline.mapping.MappingLoader;
import io.syncline.outbound.DestinationParams;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.schedule.Frequency;
import org.apache.camel.Processor;
import org.apache.camel.RouteTemplateContext;

/**
 * What start-up does for each sync built from the Kamelet {@code sql-sync}
 * ({@code kamelets/sql-sync.kamelet.yaml}): your database as the source of truth, one-way out. On
 * its schedule it asks the database which keys changed since the high-water mark (minus a
 * lookback), computes their properties with one query per batch of keys, evaluates the groups,
 * maps each key's record through the mapping (the allow-list of what leaves) and queues a write
 * for each record whose content the destination does not already hold. Everything is recomputed
 * from the source each time, never added to a previous value.
 */
public final class SqlSyncKamelet {

    private SqlSyncKamelet() {
    }

    /** Binds the route's {@code changes} step: one look at the database, run on each tick. */
    public static void declare(RouteTemplateContext rtc) {
        rtc.bind("changes", Processor.class, tick(rtc));
    }

    private static Processor tick(RouteTemplateContext rtc) {
        String name = TemplateParams.text(rtc, "name");
        String database = TemplateParams.text(rtc, "database").trim();
        if (!database.equals("app") && !database.equals("syncline")) {
            throw new IllegalArgumentException("sql-sync '" + name + "': database must be app or syncline");
        }
        OutboundSync out = new OutboundSync(name, TemplateParams.text(rtc, "integration"), List.of(),
                MappingLoader.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "mapping")),
                DestinationParams.build(rtc), Integer.parseInt(TemplateParams.text(rtc, "maxAttempts").trim()),
                "Connection-Id", null, null, null, null);
        String groups = TemplateParams.text(rtc, "groups").trim();
        SqlSync sync = new SqlSync(name, database, TemplateParams.text(rtc, "changedKeys"),
                TemplateParams.text(rtc, "properties"), Frequency.parse(TemplateParams.text(rtc, "every")),
                Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "lookbackSeconds").trim())),
                Integer.parseInt(TemplateParams.text(rtc, "keyBatch").trim()),
                groups.isEmpty() ? Groups.none() : Groups.load(TemplateParams.routesDir(rtc).resolve(groups), rtc.getCamelContext()),
                out, TemplateParams.text(rtc, "connection"));
        if (!sync.properties().contains(":keys") || !sync.changedKeys().contains(":since")) {
            throw new IllegalArgumentException("sql-sync '" + name + "': changedKeys needs :since and properties needs :keys");
        }
        TemplateParams.bean(OutboundSyncs.class).register(out);
        SqlSyncRunner runner = TemplateParams.bean(SqlSyncRunner.class);
        return exchange -> runner.tick(sync);
    }
}
