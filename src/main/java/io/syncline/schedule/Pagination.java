package io.syncline.schedule;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;

import io.syncline.mapping.Mapping;

/**
 * How a source pages, configured by parameter names and JSONPaths, never by code. A page's
 * position is a {@link State} that is saved in the checkpoint after each committed page, so a
 * run that dies resumes at the page after the last one it committed.
 */
public final class Pagination {

    public enum Style {
        NONE, CURSOR, LINK, OFFSET, PAGE, NEXT_URL
    }

    /** Where the next request starts. Exactly the fields its style uses are set. */
    public record State(String cursor, String url, long offset, long page) {
    }

    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
    private static final Pattern REL_NEXT = Pattern.compile("rel\\s*=\\s*\"?([^\";]*)\"?", Pattern.CASE_INSENSITIVE);

    final Style style;
    final JsonPath cursorPath;
    final String cursorParam;
    final JsonPath nextUrlPath;
    final String limitParam;
    final int pageSize;
    final String offsetParam;
    final String pageParam;
    final long firstPage;
    final boolean stableCursor;

    /** Where an answer says whether more pages follow (e.g. $.has_more); null when it does not say. */
    private final JsonPath hasMorePath;
    /** Where an answer says it is the last page (e.g. Zendesk's $.end_of_stream); null when it does not say. */
    private final JsonPath lastPagePath;

    public Pagination(String style, String cursorPath, String cursorParam, String nextUrlPath, String limitParam,
            int pageSize, String offsetParam, String pageParam, long firstPage, boolean stableCursor, String hasMorePath,
            String lastPagePath) {
        this.lastPagePath = blank(lastPagePath) ? null : JsonPath.compile(lastPagePath);
        this.style = Style.valueOf(style.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        this.hasMorePath = blank(hasMorePath) ? null : JsonPath.compile(hasMorePath);
        this.cursorPath = blank(cursorPath) ? null : JsonPath.compile(cursorPath);
        this.cursorParam = cursorParam;
        this.nextUrlPath = blank(nextUrlPath) ? null : JsonPath.compile(nextUrlPath);
        this.limitParam = limitParam;
        this.pageSize = pageSize;
        this.offsetParam = offsetParam;
        this.pageParam = pageParam;
        this.firstPage = firstPage;
        this.stableCursor = stableCursor;
        if (this.style == Style.CURSOR && this.cursorPath == null) {
            throw new IllegalArgumentException("pagination 'cursor' needs cursorPath (where the next cursor is)");
        }
        if (this.style == Style.NEXT_URL && this.nextUrlPath == null) {
            throw new IllegalArgumentException("pagination 'next-url' needs nextUrlPath");
        }
        if (stableCursor && (this.style == Style.OFFSET || this.style == Style.PAGE || this.style == Style.NONE)) {
            throw new IllegalArgumentException("stableCursor is for cursor, link and next-url pagination; "
                    + this.style.name().toLowerCase(Locale.ROOT) + " positions shift when the source deletes records");
        }
    }

    /**
     * Whether a position saved by one run still means the same place in a later run. Offsets and
     * page numbers do not: a delete in the source between the runs shifts records across the
     * saved position, and a resumed pass never reads them. A cursor does only where the sync
     * declares that the source keeps it stable (a keyset cursor, say). Guarantee 4 relies on it:
     * a resumed pass over an unstable position proves nothing missing.
     */
    public boolean stableAcrossRuns() {
        return stableCursor;
    }

    public State start() {
        return new State(null, null, 0, firstPage);
    }

    /** The request for a page: the first request's URI plus this style's position parameters. */
    public URI request(URI first, State s) {
        if ((style == Style.LINK || style == Style.NEXT_URL) && s.url() != null) {
            return URI.create(s.url());
        }
        StringBuilder q = new StringBuilder();
        if (!blank(limitParam) && style != Style.NONE) {
            param(q, limitParam, Integer.toString(pageSize));
        }
        switch (style) {
            case CURSOR -> {
                if (s.cursor() != null) {
                    param(q, cursorParam, s.cursor());
                }
            }
            case OFFSET -> param(q, offsetParam, Long.toString(s.offset()));
            case PAGE -> param(q, pageParam, Long.toString(s.page()));
            default -> {
            }
        }
        return append(first, q.toString());
    }

    /** The next position, or null when this page was the last. */
    public State next(State s, URI requested, SourceClient.Page page, Object body, int count) {
        if (hasMorePath != null) {
            Object more = hasMorePath.read(body, Mapping.JSONPATH);
            if (Boolean.FALSE.equals(more) || "false".equals(more)) {
                return null; // the source says this page is the last (Stripe's has_more: false)
            }
            // anything else (true, or an answer that does not say): the style's own rule decides
        }
        if (lastPagePath != null) {
            Object last = lastPagePath.read(body, Mapping.JSONPATH);
            if (Boolean.TRUE.equals(last) || "true".equals(last)) {
                return null; // the source says this page is the last (Zendesk's end_of_stream: true)
            }
        }
        return switch (style) {
            case NONE -> null;
            case CURSOR -> {
                Object c = cursorPath.read(body, Mapping.JSONPATH);
                // offset counts what this pass has read by cursor, for sources that cap a search (maxResults)
                yield count == 0 || c == null || c.toString().isBlank() || c.toString().equals(s.cursor()) ? null
                        : new State(c.toString(), null, s.offset() + count, 0);
            }
            case LINK -> {
                String next = nextLink(page.header("Link"));
                yield next == null ? null : new State(null, requested.resolve(next).toString(), 0, 0);
            }
            case NEXT_URL -> {
                Object u = nextUrlPath.read(body, Mapping.JSONPATH);
                yield count == 0 || u == null || u.toString().isBlank() ? null
                        : new State(null, requested.resolve(u.toString()).toString(), 0, 0);
            }
            case OFFSET -> count < pageSize ? null : new State(null, null, s.offset() + count, 0);
            case PAGE -> count < pageSize ? null : new State(null, null, 0, s.page() + 1);
        };
    }

    /** The target of rel="next" in an RFC 8288 Link header, if any. */
    static String nextLink(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            Matcher rel = REL_NEXT.matcher(m.group(2));
            while (rel.find()) {
                for (String r : rel.group(1).trim().split("\\s+")) {
                    if (r.equalsIgnoreCase("next")) {
                        return m.group(1);
                    }
                }
            }
        }
        return null;
    }

    static URI append(URI uri, String query) {
        if (query.isEmpty()) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + query);
    }

    static void param(StringBuilder q, String name, String value) {
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
