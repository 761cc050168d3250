package io.syncline.schedule;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
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
        Ownership twoWay, JsonNode bodyTemplate, int maxResults, Duration reconcileEvery, Described described) {

    /**
     * Where the app describes its fields (HubSpot's properties, Pipedrive's personFields), so a
     * customer can pick a custom field by its label: the path, the list in the answer, the keys of
     * a description's name and label, and where a field of that name arrives in a record.
     */
    public record Described(String path, JsonPath list, String name, String label, String source) {

        /** The JSONPath at which the named field arrives, in the form drift reports use. */
        public String sourcePath(String fieldName) {
            return JsonPath.compile(source.replace("{name}", fieldName)).getPath();
        }
    }

    /** One page's request: where, and the body a search takes (null for a GET). */
    public record Request(URI uri, byte[] body) {
    }

    /**
     * A page's request. A GET carries the position in its query; a search (a body template, as
     * HubSpot's CRM search takes) carries the mark, the page size and the cursor in its body: a
     * text value "{since}", "{cursor}" or "{limit}" is replaced, and a field whose value is
     * "{cursor}" is left out on the first page.
     */
    public Request request(URI first, Pagination.State s, String since) {
        if (bodyTemplate == null) {
            return new Request(pagination.request(first, s), null);
        }
        JsonNode body = fill(bodyTemplate.deepCopy(), from(since), s.cursor(), pagination.pageSize);
        try {
            return new Request(first, BODY_JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper BODY_JSON = new ObjectMapper();

    private static JsonNode fill(JsonNode node, String since, String cursor, int limit) {
        if (node instanceof ObjectNode o) {
            List<String> drop = new ArrayList<>();
            o.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual() && f.getValue().asText().equals("{cursor}") && cursor == null) {
                    drop.add(f.getKey());
                } else {
                    o.set(f.getKey(), fill(f.getValue(), since, cursor, limit));
                }
            });
            o.remove(drop);
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, fill(a.get(i), since, cursor, limit));
            }
        } else if (node.isTextual()) {
            return switch (node.asText()) {
                case "{since}" -> since == null ? NullNode.instance
                        : TextNode.valueOf(since);
                case "{cursor}" -> TextNode.valueOf(cursor);
                case "{limit}" -> IntNode.valueOf(limit);
                default -> node;
            };
        }
        return node;
    }

    /** The "modified since" value a request sends: the mark's, else the first run's (firstSince), else none. */
    private String from(String since) {
        return since != null ? since : Pagination.blank(firstSince) ? null : firstSince;
    }

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
        String from = from(since);
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
        return format(hwm.minus(lookback));
    }

    /** A mark as the source takes it, with no lookback: where the next window of a capped search starts. */
    public String format(Instant since) {
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
