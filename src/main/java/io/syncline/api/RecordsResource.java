package io.syncline.api;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.syncline.connection.Connections;
import io.syncline.store.Change;
import io.syncline.store.ChangesFeed;
import io.syncline.store.FeedCursor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The Records API, shaped like Nango's so that {@code @nangohq/node}'s {@code listRecords}
 * works unchanged against Syncline: the changes feed of one connection and model, in feed order.
 */
@Path("/records")
public class RecordsResource {

    static final int MAX_LIMIT = 10_000;
    static final int MAX_IDS = 100;

    private final ChangesFeed feed;
    private final Connections connections;

    public RecordsResource(ChangesFeed feed, Connections connections) {
        this.feed = feed;
        this.connections = connections;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String list(@HeaderParam("Connection-Id") String connectionId,
            @HeaderParam("Provider-Config-Key") String providerConfigKey,
            @QueryParam("model") String model, @QueryParam("cursor") String cursor,
            @QueryParam("modified_after") String modifiedAfter, @QueryParam("delta") String delta,
            @QueryParam("limit") String limit, @QueryParam("filter") String filter,
            @QueryParam("ids") List<String> ids) {
        require(connectionId, "the Connection-Id header is required");
        require(providerConfigKey, "the Provider-Config-Key header is required");
        require(model, "the model query parameter is required");
        ChangesFeed.Query q = new ChangesFeed.Query(providerConfigKey, connectionId, model,
                cursor == null || cursor.isBlank() ? 0 : position(cursor),
                modifiedAfter(modifiedAfter != null ? modifiedAfter : delta), actions(filter), ids(ids), limit(limit));
        if (connections.find(providerConfigKey, connectionId).isEmpty()) {
            throw ProblemException.notFound("no connection '" + connectionId + "' in integration '" + providerConfigKey
                    + "'");
        }
        return render(feed.read(q));
    }

    /** Writes the answer by hand: the stored payload is already canonical JSON, so it is spliced, not re-parsed. */
    static String render(ChangesFeed.Page page) {
        StringBuilder out = new StringBuilder(256 + page.entries().size() * 256).append("{\"records\":[");
        String last = null;
        for (int i = 0; i < page.entries().size(); i++) {
            ChangesFeed.Entry e = page.entries().get(i);
            last = FeedCursor.encode(e.position());
            if (i > 0) {
                out.append(',');
            }
            String p = e.payload();
            out.append(p, 0, p.length() - 1);
            if (p.length() > 2) {
                out.append(',');
            }
            out.append("\"_sync_metadata\":{\"first_seen_at\":\"").append(ChangesFeed.iso(e.firstSeenAt()))
                    .append("\",\"last_modified_at\":\"").append(ChangesFeed.iso(e.lastModifiedAt()))
                    .append("\",\"last_action\":\"").append(e.lastAction())
                    .append("\",\"deleted_at\":").append(e.deletedAt() == null ? "null"
                            : "\"" + ChangesFeed.iso(e.deletedAt()) + "\"")
                    .append(",\"cursor\":\"").append(last).append("\"}}");
        }
        out.append("],\"next_cursor\":").append(page.more() ? "\"" + last + "\"" : "null").append('}');
        return out.toString();
    }

    private static void require(String value, String message) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest(message);
        }
    }

    private static long position(String cursor) {
        try {
            return FeedCursor.decode(cursor);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("cursor: " + e.getMessage());
        }
    }

    static OffsetDateTime modifiedAfter(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.trim());
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(text.trim()).atStartOfDay().atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw ProblemException.badRequest("modified_after must be an ISO 8601 date-time such as "
                        + "2026-11-21T10:00:00Z, not '" + text + "'");
            }
        }
    }

    static Set<Change> actions(String filter) {
        if (filter == null || filter.isBlank()) {
            return null;
        }
        Set<Change> out = EnumSet.noneOf(Change.class);
        for (String part : filter.split(",")) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "added" -> out.add(Change.ADDED);
                case "updated" -> out.add(Change.UPDATED);
                case "deleted" -> out.add(Change.DELETED);
                default -> throw ProblemException.badRequest("filter must be added, updated or deleted, or a "
                        + "comma-separated pair of them, not '" + filter + "'");
            }
        }
        return out;
    }

    static List<String> ids(List<String> ids) {
        if (ids == null || ids.isEmpty()) {
            return null;
        }
        if (ids.size() > MAX_IDS) {
            throw ProblemException.badRequest("ids may be given at most " + MAX_IDS + " times, not " + ids.size());
        }
        return ids;
    }

    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return 100;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ProblemException.badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text
                + "'");
    }

    /** An ISO-8601 time from a query parameter, or null when absent; a 400 names the parameter otherwise. */
    static java.time.OffsetDateTime time(String name, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.badRequest(name + " must be an ISO-8601 time with an offset, e.g. "
                    + "2026-11-21T10:00:00Z, not '" + text + "'");
        }
    }
}
