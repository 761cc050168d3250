package io.syncline.schedule;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;

import com.jayway.jsonpath.JsonPath;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.mapping.Mapping;
import io.syncline.twoway.Ownership;
import org.quartz.CronExpression;

/**
 * One declared polling sync: what to request, how it pages, how it maps, and when it runs.
 * Built from the parameters of the {@code poll-sync} Kamelet.
 */
public record PollSync(String name, String integration, Mapping mapping, Duration every, CronExpression cron,
        String path, String query, ConnectionAuth auth, JsonPath recordsPath, Pagination pagination,
        boolean fullRefresh, String modifiedSinceParam, String firstSince, String modifiedSinceFormat, JsonPath modifiedField,
        Duration lookback, double maxDeleteShare, boolean waitForStart, int maxAttempts, String notifyUrl,
        Ownership twoWay) {

    /** Where a query takes the "modified since" value in itself, rather than as modifiedSinceParam. */
    public static final String SINCE = "{since}";

    public String model() {
        return mapping.model();
    }

    public String frequencyText() {
        return cron != null ? cron.getCronExpression() : "every " + every.toSeconds() + "s";
    }

    /** When the next slot after {@code after} is, given an optional per-connection interval. */
    public OffsetDateTime nextRun(OffsetDateTime after, Long overrideSeconds) {
        if (overrideSeconds != null) {
            return after.plusSeconds(overrideSeconds);
        }
        if (cron != null) {
            Date next = cron.getNextValidTimeAfter(Date.from(after.toInstant()));
            return next == null ? null : next.toInstant().atOffset(ZoneOffset.UTC);
        }
        return after.plus(every);
    }

    /** The first page's request: the connection's base URL, the path, the static query, and "since". */
    public URI firstRequest(Connection c, String since) {
        String base = c.baseUrl();
        if (base == null || base.isBlank()) {
            throw new RunFailure("configuration", "connection " + c.connectionId() + " has no base_url");
        }
        URI uri = URI.create(base.endsWith("/") && path.startsWith("/") ? base + path.substring(1) : base + path);
        String from = since != null ? since : Pagination.blank(firstSince) ? null : firstSince;
        String fixed = query == null ? "" : query;
        if (fixed.contains(SINCE)) {
            // the source takes the mark inside its query (Salesforce's SOQL: WHERE SystemModstamp > {since})
            if (from == null || fullRefresh) {
                throw new RunFailure("configuration", "the query uses " + SINCE + " but there is no high-water "
                        + "mark yet and no firstSince");
            }
            fixed = fixed.replace(SINCE, java.net.URLEncoder.encode(from, java.nio.charset.StandardCharsets.UTF_8));
        }
        StringBuilder q = new StringBuilder(fixed);
        if (from != null && !fullRefresh && !Pagination.blank(modifiedSinceParam) && !query.contains(SINCE)) {
            Pagination.param(q, modifiedSinceParam, from);
        }
        return Pagination.append(uri, q.toString());
    }

    /** The high-water mark in the format the source expects for its "modified since" parameter. */
    public String sinceValue(Instant hwm) {
        Instant since = hwm.minus(lookback);
        return switch (modifiedSinceFormat) {
            case "epoch_s" -> Long.toString(since.getEpochSecond());
            case "epoch_ms" -> Long.toString(since.toEpochMilli());
            // whole seconds: every source reads them (SOQL's datetime literals take no fraction)
            default -> since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        };
    }

    static CronExpression cron(String expression) {
        try {
            return new CronExpression(expression);
        } catch (ParseException e) {
            throw new IllegalArgumentException("cron '" + expression + "' is not a Quartz cron expression: "
                    + e.getMessage());
        }
    }
}
