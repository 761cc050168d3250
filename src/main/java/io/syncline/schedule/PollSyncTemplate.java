package io.syncline.schedule;

import java.time.Duration;

import com.jayway.jsonpath.JsonPath;
import io.syncline.config.TemplateParams;
import io.syncline.connection.ConnectionAuth;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.MappingLoader;
import io.syncline.operate.SyncLag;
import io.syncline.twoway.Ownership;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.builder.RouteBuilder;

/**
 * Route template {@code poll-sync}: one-way in by schedule. A Quartz trigger ticks; on each tick,
 * every connection of the integration whose slot is due gets a run (see {@link PollRunner}).
 * The parameters below are the whole contract of a polling sync.
 */
public class PollSyncTemplate extends RouteBuilder {

    @Override
    public void configure() {
        routeTemplate("poll-sync")
                .templateParameter("name", null, "The sync's name, unique within its integration, e.g. contacts")
                .templateParameter("integration", null, "The provider config key of the connected app")
                .templateParameter("mapping", null, "Mapping file, relative to the routes directory")
                .templateParameter("every", "", "Interval, e.g. 5m or 1h (at least syncline.schedule.min-interval)")
                .templateParameter("cron", "", "Quartz cron expression instead of an interval, e.g. 0 0/30 * * * ?")
                .templateParameter("path", null, "Request path, appended to the connection's base_url, e.g. /contacts")
                .templateParameter("query", "", "Fixed query parameters, e.g. archived=false&sort=updated")
                .templateParameter("auth", "bearer",
                        "bearer (credential access_token), basic (username, password), header:<Name> or "
                                + "query:<param> (credential api_key), or none")
                .templateParameter("recordsPath", "$", "JSONPath of the list of records in an answer")
                .templateParameter("pagination", "none", "none, cursor, link, offset, page or next-url")
                .templateParameter("cursorPath", "", "cursor: JSONPath of the next cursor in an answer")
                .templateParameter("cursorParam", "cursor", "cursor: query parameter that sends it back")
                .templateParameter("nextUrlPath", "", "next-url: JSONPath of the next page's URL")
                .templateParameter("limitParam", "limit", "query parameter of the page size (empty: none)")
                .templateParameter("pageSize", "100", "records per page")
                .templateParameter("offsetParam", "offset", "offset: query parameter of the offset")
                .templateParameter("pageParam", "page", "page: query parameter of the page number")
                .templateParameter("firstPage", "1", "page: number of the first page")
                .templateParameter("stableCursor", "false", "cursor, link, next-url: true when the source keeps a "
                        + "cursor valid and in place across time (e.g. a keyset cursor), so that an interrupted full "
                        + "refresh may resume and still delete")
                .templateParameter("mode", "incremental", "incremental or full (full refresh, with deletion detection)")
                .templateParameter("modifiedSinceParam", "", "incremental: query parameter for 'modified since'")
                .templateParameter("modifiedSinceFormat", "iso", "iso, epoch_s or epoch_ms")
                .templateParameter("modifiedField", "", "incremental: JSONPath of a source record's modification time")
                .templateParameter("lookbackSeconds", "60", "incremental: re-read this much before the high-water mark")
                .templateParameter("maxDeleteShare", "0.5", "full: most a run may delete, as a share of the records")
                .templateParameter("waitForStart", "false", "true: a new connection waits for /sync/start or a trigger")
                .templateParameter("maxAttempts", "6", "attempts per request before the run fails")
                .templateParameter("notifyUrl", "", "where to POST the webhook to your app (default syncline.notify.url)")
                .templateParameter("twoWay", "", "two-way rules file (*.twoway.yaml), when this is the inbound half of a two-way sync")
                .configure(PollSyncTemplate::declare)
                .from("quartz:syncline-poll/{{integration}}.{{name}}?trigger.repeatInterval="
                        + "{{syncline.schedule.tick-ms:15000}}&trigger.repeatCount=-1")
                    .to("syncline:poll?integration=RAW({{integration}})&sync=RAW({{name}})");
    }

    /** Declares the sync: to the schedule, the lag watch and the records API, before its first slot. */
    private static void declare(RouteTemplateContext rtc) {
        PollSync sync = build(rtc);
        TemplateParams.bean(SyncRegistry.class).register(sync);
        TemplateParams.bean(SyncLag.class).watch(sync);
        TemplateParams.bean(InboundSyncs.class).register(sync.integration(), sync.name(),
                RecordIntake.declared(sync.name(), sync.mapping(), sync.twoWay(), null));
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
                MappingLoader.load(TemplateParams.routesDir(rtc).resolve(TemplateParams.text(rtc, "mapping"))), interval,
                cron.isBlank() ? null : PollSync.cron(cron), TemplateParams.text(rtc, "path"), TemplateParams.text(rtc, "query"),
                ConnectionAuth.parse(TemplateParams.text(rtc, "auth")), JsonPath.compile(TemplateParams.text(rtc, "recordsPath")),
                new Pagination(TemplateParams.text(rtc, "pagination"), TemplateParams.text(rtc, "cursorPath"), TemplateParams.text(rtc, "cursorParam"), TemplateParams.text(rtc, "nextUrlPath"),
                        TemplateParams.text(rtc, "limitParam"), Integer.parseInt(TemplateParams.text(rtc, "pageSize")), TemplateParams.text(rtc, "offsetParam"),
                        TemplateParams.text(rtc, "pageParam"), Long.parseLong(TemplateParams.text(rtc, "firstPage")),
                        Boolean.parseBoolean(TemplateParams.text(rtc, "stableCursor"))),
                mode.equals("full"), TemplateParams.text(rtc, "modifiedSinceParam"), TemplateParams.text(rtc, "modifiedSinceFormat"),
                modifiedField.isBlank() ? null : JsonPath.compile(modifiedField),
                Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "lookbackSeconds"))),
                Double.parseDouble(TemplateParams.text(rtc, "maxDeleteShare")), Boolean.parseBoolean(TemplateParams.text(rtc, "waitForStart")),
                Integer.parseInt(TemplateParams.text(rtc, "maxAttempts")), TemplateParams.text(rtc, "notifyUrl").isBlank() ? null : TemplateParams.text(rtc, "notifyUrl"),
                Ownership.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "twoWay")));
    }

}
