package io.syncline.schedule;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.JsonPath;
import io.syncline.config.RouteResources;
import io.syncline.config.TemplateParams;
import io.syncline.connection.ConnectionAuth;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.MappingLoader;
import io.syncline.operate.SyncLag;
import io.syncline.twoway.Ownership;
import org.apache.camel.RouteTemplateContext;

/**
 * What start-up does for each sync built from the Kamelet {@code poll-sync}
 * ({@code kamelets/poll-sync.kamelet.yaml}): one-way in by schedule. A Quartz trigger ticks into
 * {@code syncline:poll}; on each tick, every connection of the integration whose slot is due gets
 * a run (see {@link PollRunner}).
 */
public final class PollSyncKamelet {

    private PollSyncKamelet() {
    }

    /** Declares the sync: to the schedule, the lag watch and the records API, before its first slot. */
    public static void declare(RouteTemplateContext rtc) {
        PollSync sync = build(rtc);
        TemplateParams.bean(SyncRegistry.class).register(sync);
        TemplateParams.bean(SyncLag.class).watch(sync);
        TemplateParams.bean(InboundSyncs.class).register(sync.integration(), sync.name(),
                RecordIntake.declared(sync.name(), sync.mapping(), sync.twoWay(), null));
    }

    /** The JSON body template a search is POSTed with (bodyFile: relative to routes/, or classpath:); null for a GET. */
    static JsonNode body(Path routesDir, String file) {
        if (file == null || file.isBlank()) {
            return null;
        }
        String name = file.trim();
        try {
            String text = RouteResources.text(routesDir, name)
                    .orElseThrow(() -> new IllegalArgumentException("bodyFile " + name + " not found"));
            JsonNode node = new ObjectMapper().readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("bodyFile " + name + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("bodyFile " + name + " cannot be read: " + e.getMessage());
        }
    }

    /** The sync a poll-sync route declares; refuses, naming the parameter, what cannot run. */
    public static PollSync build(RouteTemplateContext rtc) {
        String every = TemplateParams.text(rtc, "every");
        String cron = TemplateParams.text(rtc, "cron");
        if (every.isBlank() == cron.isBlank()) {
            throw new IllegalArgumentException("poll-sync '" + TemplateParams.text(rtc, "name") + "': give exactly one of 'every' or 'cron'");
        }
        Duration interval = every.isBlank() ? null : Frequency.parse(every);
        Duration min = Frequency.minimum();
        if (interval != null && interval.compareTo(min) < 0) {
            throw new IllegalArgumentException("poll-sync '" + TemplateParams.text(rtc, "name") + "': every " + every
                    + " is shorter than the minimum interval " + min.toSeconds() + "s");
        }
        String mode = TemplateParams.text(rtc, "mode").trim().toLowerCase();
        if (!mode.equals("incremental") && !mode.equals("full")) {
            throw new IllegalArgumentException("poll-sync '" + TemplateParams.text(rtc, "name") + "': mode must be incremental or full");
        }
        String modifiedField = TemplateParams.text(rtc, "modifiedField");
        return new PollSync(TemplateParams.text(rtc, "name"), TemplateParams.text(rtc, "integration"),
                MappingLoader.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "mapping")), interval,
                cron.isBlank() ? null : PollSync.cron(cron), TemplateParams.text(rtc, "path"), TemplateParams.text(rtc, "query"),
                ConnectionAuth.parse(TemplateParams.text(rtc, "auth")), JsonPath.compile(TemplateParams.text(rtc, "recordsPath")),
                new Pagination(TemplateParams.text(rtc, "pagination"), TemplateParams.text(rtc, "cursorPath"), TemplateParams.text(rtc, "cursorParam"), TemplateParams.text(rtc, "nextUrlPath"),
                        TemplateParams.text(rtc, "limitParam"), Integer.parseInt(TemplateParams.text(rtc, "pageSize")), TemplateParams.text(rtc, "offsetParam"),
                        TemplateParams.text(rtc, "pageParam"), Long.parseLong(TemplateParams.text(rtc, "firstPage")),
                        Boolean.parseBoolean(TemplateParams.text(rtc, "stableCursor")), TemplateParams.text(rtc, "hasMorePath"),
                        TemplateParams.text(rtc, "lastPagePath")),
                mode.equals("full"), TemplateParams.text(rtc, "modifiedSinceParam"), TemplateParams.text(rtc, "firstSince"),
                TemplateParams.text(rtc, "modifiedSinceFormat"),
                modifiedField.isBlank() ? null : JsonPath.compile(modifiedField),
                Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "lookbackSeconds"))),
                Double.parseDouble(TemplateParams.text(rtc, "maxDeleteShare")), Boolean.parseBoolean(TemplateParams.text(rtc, "waitForStart")),
                Integer.parseInt(TemplateParams.text(rtc, "maxAttempts")), TemplateParams.text(rtc, "notifyUrl").isBlank() ? null : TemplateParams.text(rtc, "notifyUrl"),
                Ownership.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "twoWay")),
                body(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "bodyFile")),
                Integer.parseInt(TemplateParams.text(rtc, "maxResults").trim()),
                TemplateParams.text(rtc, "reconcileEvery").isBlank() ? null
                        : Frequency.parse(TemplateParams.text(rtc, "reconcileEvery").trim()),
                TemplateParams.text(rtc, "fieldsPath").isBlank() ? null : new PollSync.Described(
                        TemplateParams.text(rtc, "fieldsPath").trim(), JsonPath.compile(TemplateParams.text(rtc, "fieldsList")),
                        TemplateParams.text(rtc, "fieldName").trim(), TemplateParams.text(rtc, "fieldLabel").trim(),
                        TemplateParams.text(rtc, "fieldSource").trim()));
    }

}
