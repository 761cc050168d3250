package io.syncline.api;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.intake.InboundSyncs;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.store.Change;
import io.syncline.store.ChangesFeed;
import io.syncline.store.FeedCursor;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponses;

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
    private final InboundSyncs inbound;
    private final OutboundSyncs outbound;

    public RecordsResource(ChangesFeed feed, Connections connections, InboundSyncs inbound, OutboundSyncs outbound) {
        this.feed = feed;
        this.connections = connections;
        this.inbound = inbound;
        this.outbound = outbound;
    }

    /** The models that the syncs of an integration store: a mistyped model is a 404 that says so, not an empty page. */
    SortedSet<String> models(String integration) {
        SortedSet<String> out = new TreeSet<>();
        for (String[] n : inbound.names()) {
            if (n[0].equals(integration)) {
                inbound.find(n[0], n[1]).ifPresent(i -> out.add(i.mapping().model()));
            }
        }
        outbound.all().stream().filter(s -> s.integration().equals(integration)).forEach(s -> out.add(s.model()));
        return out;
    }

    @Parameters({
            @Parameter(name = "Connection-Id", in = ParameterIn.HEADER, required = true,
                    description = "The connection whose records to read"),
            @Parameter(name = "Provider-Config-Key", in = ParameterIn.HEADER, required = true,
                    description = "The integration (provider config key) of the connection, e.g. crm"),
            @Parameter(name = "model", in = ParameterIn.QUERY, required = true,
                    description = "The model to read, one that a sync of the integration declares, e.g. Contact"),
            @Parameter(name = "cursor", in = ParameterIn.QUERY,
                    description = "Read the changes after this one: a next_cursor, or a record's "
                            + "_sync_metadata.cursor. Absent: from the start of the feed"),
            @Parameter(name = "modified_after", in = ParameterIn.QUERY,
                    description = "Only records last modified after this ISO 8601 time, e.g. 2026-11-21T10:00:00Z "
                            + "(a date alone means its midnight UTC)",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "delta", in = ParameterIn.QUERY, deprecated = true,
                    description = "Older name of modified_after, used when modified_after is absent",
                    schema = @Schema(type = SchemaType.STRING, format = "date-time")),
            @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Most records in the page",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                            maximum = "10000", defaultValue = "100")),
            @Parameter(name = "filter", in = ParameterIn.QUERY,
                    description = "Only these changes: added, updated or deleted, or a comma-separated pair, "
                            + "e.g. added,updated"),
            @Parameter(name = "ids", in = ParameterIn.QUERY,
                    description = "Only the records with these ids; repeat the parameter for each, at most 100",
                    schema = @Schema(type = SchemaType.ARRAY, implementation = String.class, maxItems = 100))
    })
    @APIResponses({
            @APIResponse(responseCode = "200", description = "One page of the changes feed, in feed order",
                    content = @Content(mediaType = "application/json", schema = @Schema(ref = "RecordsPage"))),
            @APIResponse(responseCode = "400", description = "A parameter or header is missing or malformed",
                    content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem"))),
            @APIResponse(responseCode = "401", description = "No API key",
                    content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem"))),
            @APIResponse(responseCode = "403",
                    description = "The API key is invalid, revoked, lacks records:read, or is limited to another "
                            + "integration or connection",
                    content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem"))),
            @APIResponse(responseCode = "404", description = "No such connection, or no such model in the integration",
                    content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    })
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
                cursor == null || cursor.isBlank() ? FeedCursor.START : place(cursor),
                modifiedAfter(modifiedAfter != null ? modifiedAfter : delta), actions(filter), ids(ids), limit(limit));
        if (connections.find(providerConfigKey, connectionId).isEmpty()) {
            throw ProblemException.notFound("no connection '" + connectionId + "' in integration '" + providerConfigKey
                    + "'");
        }
        ChangesFeed.Page page = feed.read(q);
        if (page.entries().isEmpty()) {
            // Nothing to serve: say so when the model is a typo rather than an empty feed. (Models
            // that a sync stores without a mapping of that name, such as SQL groups, have records.)
            SortedSet<String> declared = models(providerConfigKey);
            if (!declared.contains(model) && q.after().equals(FeedCursor.START) && q.actions() == null && q.ids() == null
                    && q.modifiedAfter() == null) {
                throw ProblemException.notFound("no model '" + model + "' is declared for integration '"
                        + providerConfigKey + "'; its syncs declare " + declared);
            }
        }
        return render(page);
    }

    /** Writes the answer by hand: the stored payload is already canonical JSON, so it is spliced, not re-parsed. */
    static String render(ChangesFeed.Page page) {
        StringBuilder out = new StringBuilder(256 + page.entries().size() * 256).append("{\"records\":[");
        String last = null;
        for (int i = 0; i < page.entries().size(); i++) {
            ChangesFeed.Entry e = page.entries().get(i);
            last = e.place().encode();
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

    private static FeedCursor place(String cursor) {
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
            return storable("modified_after", text, OffsetDateTime.parse(text.trim()));
        } catch (DateTimeParseException e) {
            try {
                return storable("modified_after", text, LocalDate.parse(text.trim()).atStartOfDay().atOffset(ZoneOffset.UTC));
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

    /** A time both databases can compare with: years 1 to 9999. */
    private static OffsetDateTime storable(String name, String text, OffsetDateTime t) {
        if (t.getYear() < 1 || t.getYear() > 9999) {
            throw ProblemException.badRequest(name + " must be a time between the years 1 and 9999, not '" + text + "'");
        }
        return t;
    }

    /** An ISO-8601 time from a query parameter, or null when absent; a 400 names the parameter otherwise. */
    static OffsetDateTime time(String name, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return storable(name, text, OffsetDateTime.parse(text.trim()));
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name + " must be an ISO-8601 time with an offset, e.g. "
                    + "2026-11-21T10:00:00Z, not '" + text + "'");
        }
    }
}
