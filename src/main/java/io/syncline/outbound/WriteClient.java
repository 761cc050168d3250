package io.syncline.outbound;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.JsonPath;
import io.syncline.connection.Connection;
import io.syncline.connection.ConnectionAuth;
import io.syncline.mapping.Mapping;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Sends writes to a connected app: each HTTP request inside the connection's rate budget
 * (guarantee 6), with connect and read timeouts, and every answer turned into an
 * {@link Outcome}. A 429 or 503 pauses the whole connection for as long as the server asked.
 */
public final class WriteClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonPath ID = JsonPath.compile("$.id");
    private static final Pattern TOKEN = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    /** What became of one write. */
    public sealed interface Outcome permits Sent, Retry, Dead {
        Integer status();

        String destination();
    }

    /** 2xx: the destination holds the record under {@code remoteId}. */
    public record Sent(Integer status, String destination, String remoteId) implements Outcome {
    }

    /** Worth another attempt: 429, 5xx, 408, a timeout or no answer. {@code after} is what the server asked for. */
    public record Retry(Integer status, String destination, String error, Duration after) implements Outcome {
    }

    /** Will not succeed by asking again: any other 4xx. */
    public record Dead(Integer status, String destination, String error) implements Outcome {
    }

    /** One record of a write, as the client needs it. */
    public record Item(String recordId, String remoteId, String operation, Map<String, Object> fields) {
    }

    private final HttpClient http;
    private final ConnectionRateBudget budget;

    public WriteClient(HttpClient http, ConnectionRateBudget budget) {
        this.http = http;
        this.budget = budget;
    }

    /** One record: create, update or delete, upserting by key as the destination declares. */
    public Outcome write(Connection c, Destination d, Item item) {
        if (c.baseUrl() == null || c.baseUrl().isBlank()) {
            return new Dead(null, "-", "connection " + c.connectionId() + " has no base_url");
        }
        String base = c.baseUrl().replaceAll("/+$", "");
        try {
            if (item.operation().equals("delete")) {
                if (item.remoteId() == null) {
                    return new Sent(null, "-", null); // never created there: nothing to delete
                }
                Answer a = send(c, d, "DELETE", base + d.path() + "/" + enc(item.remoteId()), null);
                return a.status() == 404 || a.status() == 410 ? new Sent(a.status(), a.target(), item.remoteId())
                        : a.outcome(item.remoteId());
            }
            if (d.upsert().equals("post")) {
                Answer a = send(c, d, "POST", base + d.path(), d.body(item.fields()));
                return a.ok() ? new Sent(a.status(), a.target(), a.read(d.idPath()).orElse(item.remoteId()))
                        : a.outcome(null);
            }
            if (d.upsert().equals("put")) {
                // a PATCH upsert sends the fields that have values: one the record lacks is left alone there
                Answer a = send(c, d, d.putMethod(), base + d.path() + "/" + enc(item.recordId()),
                        d.body(d.putMethod().equals("PATCH") ? withValues(item.fields()) : item.fields()));
                return a.ok() ? new Sent(a.status(), a.target(), a.read(d.idPath()).orElse(item.recordId()))
                        : a.outcome(null);
            }
            String remoteId = item.remoteId();
            if (remoteId != null) {
                Answer a = send(c, d, d.updateMethod(), base + d.path() + "/" + enc(remoteId), d.body(item.fields()));
                if (a.status() != 404) {
                    return a.outcome(remoteId);
                }
                // deleted at the destination since we last wrote it: find or create it again
            }
            Answer found = send(c, d, "GET", base + fill(d.searchPath(), item.fields()), null);
            if (!found.ok()) {
                return found.outcome(null);
            }
            Object results = found.document() == null ? null : d.resultsPath().read(found.document(), Mapping.JSONPATH);
            if (results instanceof List<?> list && !list.isEmpty()) {
                Object id = d.idPath().read(list.get(0), Mapping.JSONPATH);
                if (id != null) {
                    Answer a = send(c, d, d.updateMethod(), base + d.path() + "/" + enc(id.toString()), d.body(item.fields()));
                    return a.outcome(id.toString());
                }
            }
            if (d.upsert().equals("update")) {
                // not there yet: the sync that creates it (or a person) may still be on the way
                return new Retry(404, found.target(), "no record matches " + d.searchPath()
                        + " yet; this sync only updates", null);
            }
            Answer created = send(c, d, "POST", base + d.path(), d.body(item.fields()));
            return created.ok() ? new Sent(created.status(), created.target(), created.read(d.idPath()).orElse(null))
                    : created.outcome(null);
        } catch (ConnectionAuth.Refused e) {
            return refused(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Retry(null, "-", "interrupted", null);
        }
    }

    /**
     * Many upserts in one HubSpot-style call. Each record gets its own outcome: the ones the
     * answer lists as results are sent, the ones it lists as errors are dead (or retried for a
     * 429/5xx error), and any it does not mention are retried.
     */
    public Map<String, Outcome> writeBatch(Connection c, Destination d, List<Item> items) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        String base = c.baseUrl() == null ? "" : c.baseUrl().replaceAll("/+$", "");
        List<Map<String, Object>> inputs = new ArrayList<>();
        Map<String, String> byMatch = new LinkedHashMap<>();
        for (Item item : items) {
            Object match = item.fields().get(d.idProperty());
            if (match == null) {
                out.put(item.recordId(), new Dead(null, "-", "no " + d.idProperty() + " to upsert by"));
                continue;
            }
            byMatch.put(match.toString(), item.recordId());
            // a field the record does not have is left alone there, not cleared (HubSpot refuses a null value)
            Map<String, Object> properties = withValues(item.fields());
            inputs.add(Map.of("id", match.toString(), "idProperty", d.idProperty(), "properties", properties));
        }
        if (inputs.isEmpty()) {
            return out;
        }
        Answer a;
        try {
            a = send(c, d, "POST", base + d.batchPath(), Map.of("inputs", inputs));
        } catch (ConnectionAuth.Refused e) {
            byMatch.values().forEach(id -> out.put(id, refused(e)));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            byMatch.values().forEach(id -> out.put(id, new Retry(null, "-", "interrupted", null)));
            return out;
        }
        if (!a.ok()) {
            Outcome whole = a.outcome(null);
            byMatch.values().forEach(id -> out.put(id, whole));
            return out;
        }
        if (!(a.document() instanceof Map<?, ?> d0) || (!(d0.get("results") instanceof List)
                && !(d0.get("errors") instanceof List))) {
            // a 2xx without per-record results (204, or {"ok":true}) accepted the whole batch
            byMatch.values().forEach(id -> out.put(id, new Sent(a.status(), a.target(), null)));
            return out;
        }
        if (a.document() instanceof Map<?, ?> doc) {
            if (doc.get("errors") instanceof List<?> errors) {
                for (Object e : errors) {
                    if (!(e instanceof Map<?, ?> err)) {
                        continue;
                    }
                    int status = err.get("status") instanceof Number n ? n.intValue()
                            : err.get("status") != null && err.get("status").toString().matches("\\d+")
                                    ? Integer.parseInt(err.get("status").toString()) : 400;
                    String message = String.valueOf(err.get("message"));
                    for (String match : contextIds(err)) {
                        String recordId = byMatch.remove(match);
                        if (recordId != null) {
                            out.put(recordId, retryable(status) ? new Retry(status, a.target(), message, null)
                                    : new Dead(status, a.target(), message));
                        }
                    }
                }
            }
            if (doc.get("results") instanceof List<?> results) {
                for (Object r : results) {
                    if (r instanceof Map<?, ?> result && result.get("properties") instanceof Map<?, ?> props) {
                        Object match = props.get(d.idProperty());
                        String recordId = match == null ? null : byMatch.remove(match.toString());
                        if (recordId != null) {
                            out.put(recordId, new Sent(a.status(), a.target(), String.valueOf(result.get("id"))));
                        }
                    }
                }
            }
        }
        byMatch.values().forEach(id -> out.put(id, new Retry(a.status(), a.target(),
                "the batch answer did not mention this record", null)));
        return out;
    }

    private static List<String> contextIds(Map<?, ?> err) {
        if (err.get("context") instanceof Map<?, ?> ctx && ctx.get("ids") instanceof List<?> ids) {
            return ids.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** An HTTP answer, or the lack of one. */
    private record Answer(int status, String target, Object document, String error, Duration requested) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        Optional<String> read(JsonPath path) {
            Object v = document == null ? null : path.read(document, Mapping.JSONPATH);
            return v == null || v instanceof Map || v instanceof List ? Optional.empty()
                    : Optional.of(v.toString());
        }

        Outcome outcome(String remoteId) {
            if (ok()) {
                return new Sent(status, target, remoteId != null ? remoteId : read(ID).orElse(null));
            }
            if (status == 0 || retryable(status)) {
                return new Retry(status == 0 ? null : status, target, error, requested);
            }
            return new Dead(status, target, error);
        }
    }

    static boolean retryable(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    /** Nothing was sent: a refusal that may pass later (a token to come) is retried, any other is final. */
    private static Outcome refused(ConnectionAuth.Refused e) {
        return e.retryable() ? new Retry(null, "-", e.getMessage(), null) : new Dead(null, "-", e.getMessage());
    }

    private Answer send(Connection c, Destination d, String method, String url, Object body)
            throws InterruptedException {
        Map<String, String> credentials = d.auth().headers(c);
        Answer a = send(c, d, method, url, body, credentials);
        if (a.status() == 401 && d.auth().refreshable()) {
            // one refresh and one more try, never more: a token the app keeps refusing is a rejection
            d.auth().rejected(c, credentials);
            a = send(c, d, method, url, body, d.auth().headers(c));
        }
        return a;
    }

    private Answer send(Connection c, Destination d, String method, String url, Object body,
            Map<String, String> credentials) throws InterruptedException {
        URI uri = d.auth().apply(c, URI.create(url));
        String shown = method + " " + url; // without a query credential
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setAbsoluteURI(uri.toString())
                .setTimeout(d.timeout().toMillis()).putHeader("Accept", "application/json");
        credentials.forEach(req::putHeader);
        Buffer payload = null;
        if (body != null) {
            try {
                payload = Buffer.buffer(JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            req.putHeader("Content-Type", "application/json");
        }
        String key = c.providerConfigKey() + "/" + c.connectionId();
        Reply r;
        try (ConnectionRateBudget.Permit permit = budget.acquire(key, budget.limitsFor(c.metadata()))) {
            r = exchange(req, payload).get(d.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return new Answer(0, shown, null, "no answer: " + (cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage()), null);
        }
        int s = r.status();
        Duration requested = null;
        if (s == 429 || s == 503) {
            requested = Backoff.requested(r.waitHeaders()::get, Instant.now()).orElse(null);
            if (requested != null) {
                budget.pause(key, requested); // the whole connection waits, not just this write
            }
        }
        Object doc = null;
        if (r.body().length > 0) {
            try {
                doc = JSON.readValue(r.body(), Object.class);
            } catch (IOException notJson) {
                // fine for a 204 or a text error page; the snippet below still tells a person why
            }
        }
        String error = s >= 200 && s < 300 ? null : "answered " + s + ": " + ConnectionAuth.errorSnippet(c, r.body());
        return new Answer(s, shown, doc, error, requested);
    }

    /** What an answer carries that a write needs. */
    private record Reply(int status, Map<String, String> waitHeaders, byte[] body) {
    }

    /** One request on Vert.x's HTTP client; the writer's thread waits for its answer. */
    private CompletableFuture<Reply> exchange(RequestOptions req, Buffer payload) {
        return http.request(req)
                .compose(r -> (payload == null ? r.send() : r.send(payload))
                        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), waitHeaders(resp), b.getBytes())))
                        // a connection whose answer never came is closed, never handed to the next request
                        .onFailure(t -> r.connection().close()))
                .toCompletionStage().toCompletableFuture();
    }

    /** The fields that have a value: what a partial write (HubSpot's batch, a PATCH upsert) sends. */
    private static Map<String, Object> withValues(Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The headers that say how long to wait, as the answer gave them (Vert.x looks them up in any case). */
    private static Map<String, String> waitHeaders(HttpClientResponse resp) {
        Map<String, String> out = new HashMap<>();
        for (String name : Backoff.WAIT_HEADERS) {
            String v = resp.getHeader(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    private static String fill(String template, Map<String, Object> fields) {
        Matcher m = TOKEN.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = fields.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(enc(v == null ? "" : v.toString())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

}
