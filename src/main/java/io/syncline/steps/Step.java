package io.syncline.steps;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.syncline.config.ParamTypes;

/**
 * The engine's steps, as the {@code syncline:} endpoints a route composes, each with the
 * parameters it takes. This list is the contract: the component, the route validator and the
 * README's table read it, and a parameter not listed here is refused at start.
 */
public enum Step {

    ADMIT("admit", "producer", "The gate of an inbound webhook: media type, size, connection, signature over the raw "
            + "bytes, JSON and delivery id; refuses with a 4xx problem before anything is stored (guarantee 8)",
            p("integration", null, "The integration (provider config key) whose connections may send"),
            p("sync", null, "The sync's name, for metrics and refusals"),
            p("signature", null, "standard-webhooks, github, stripe, hubspot-v3, zendesk, intercom, hmac-sha256, basic or none"),
            p("secret", "", "Signing secret. Empty: each connection's webhook_secret credential"),
            p("signatureHeader", "X-Signature", "Header of the hmac-sha256 scheme"),
            p("signatureEncoding", "hex", "Encoding of the hmac-sha256 scheme: hex or base64"),
            p("toleranceSeconds", "300", "Allowed clock skew for signed timestamps"),
            p("connectionHeader", "", "Header that names the connection (default: the path's {connectionId})"),
            p("idFrom", "", "Where the delivery id is: header:<Name> or a JSONPath; empty: the scheme's id header, else $.id"),
            p("maxBodyBytes", "1048576", "Largest body accepted; larger ones get 413"),
            p("connection", "", "none: the webhook is the app's, for all its accounts (HubSpot's); no connection is "
                    + "looked up, and syncline:connection names each event's")),

    CONNECTION("connection", "producer", "Names the connection of an exchange by a value of the source (an account "
            + "id in an app-wide webhook's event) matched against a connection metadata key; 404 when none has it",
            p("integration", null, "The integration whose connections are searched"),
            p("by", null, "The connection metadata key that holds the value, e.g. hub_id; connection_id: the id itself"),
            p("value", null, "A Simple expression for the value, e.g. ${body[portalId]}")),

    FETCH("fetch", "producer", "Reads one record from the connected app: GET the connection's base_url + path, with "
            + "its credentials, inside its rate budget, retried as polls are; the answer's JSON becomes the body",
            p("integration", null, "The integration of the connection"),
            p("path", null, "A Simple expression for the path after base_url, e.g. /crm/v3/objects/contacts/${body[objectId]}"),
            p("query", "", "Fixed query parameters"),
            p("auth", "bearer", "bearer, oauth2, basic, header:<Name>, query:<param> or none"),
            p("notFound", "fail", "fail: a 404 fails the exchange; skip: the exchange stops here, storing nothing"),
            p("maxAttempts", "6", "Attempts per request (429, 5xx, network) before the exchange fails")),

    MAP("map", "producer", "Pure mapping and validation: the body becomes the mapped record, or the field errors are "
            + "set; stores nothing",
            p("mapping", null, "Mapping file, relative to the routes directory"),
            p("sync", "", "The sync whose per-connection overlays apply to the admitted connection's records "
                    + "(empty: the mapping as written)")),

    STORE("store", "producer", "The idempotent consumer of inbound records: in one transaction the delivery id, the "
            + "two-way rules, the record with change detection (or its dead letter) and the forward; the exchange "
            + "completes only after the commit (guarantees 1, 2 and 7)",
            p("integration", null, "The integration the records come from"),
            p("sync", null, "The sync's name: the scope of delivery ids and the name on dead letters"),
            p("connection", "", "The connection, when the exchange does not name one (a broker queue per customer)"),
            p("idFrom", "header:SynclineMessageId", "Where the delivery id is: header:<Name> or a JSONPath of the source"),
            p("twoWay", "", "Two-way rules file (*.twoway.yaml), when this is the inbound half of a two-way sync"),
            p("forwardTo", "", "Queue every stored change as a write of the outbound sync integration/name"),
            p("forwardConnection", "", "The connection forwardTo writes to (default: the same connection id)")),

    JOURNAL("journal", "producer", "Hands an admitted delivery to a broker instead of the store (Kafka in front of "
            + "ingest): the body becomes the bytes as received, the headers only the integration, sync, connection, "
            + "delivery id and Kafka's key integration/connection; no HTTP header (a signature, a token) goes with it",
            p("integration", null, "The integration the delivery came for"),
            p("sync", null, "The sync whose mapping and store syncline:intake applies")),

    INTAKE("intake", "producer", "The store end of a journaled delivery: maps it with its sync's mapping and stores it "
            + "as that sync's syncline:store would, under the same delivery id, so a record read twice from the broker "
            + "changes nothing; completes after the commit (guarantees 1 and 2)"),

    QUEUE("queue", "producer", "The idempotent consumer of outbound events: in one transaction the idempotency key, "
            + "the two-way rules and the queued write (or the event's dead letter) (guarantees 1, 2 and 7)",
            p("integration", null, "The integration written to"),
            p("sync", null, "The outbound sync (an event-sync, or a syncline:writes consumer) the write belongs to"),
            p("twoWay", "", "Two-way rules file (*.twoway.yaml): ownership, echoes, conflicts")),

    BUDGET("budget", "producer", "The connection's rate budget around the producer calls after it: waits for a slot, "
            + "holds it until the exchange completes, and pauses the connection on a 429 or 503 (guarantee 6)",
            p("integration", null, "The integration whose connection is called"),
            p("connection", "", "The connection, when the exchange does not name one")),

    POLL("poll", "producer", "Runs a declared poll-sync: its due connections (a schedule slot), or with now=true the "
            + "exchange's connection at once; each run leases its pair and commits pages with their checkpoint "
            + "(guarantees 4 and 5)",
            p("integration", null, "The integration of the poll-sync"),
            p("sync", null, "The poll-sync's name"),
            p("now", "false", "true: run at once, as POST /sync/trigger does; false: only what is due"),
            p("connection", "", "With now=true, the connection to run (default: the exchange's, else all)")),

    WRITES("writes", "consumer", "The durable write queue of one outbound sync as a Camel consumer: claims due writes "
            + "with a lease, emits one exchange per write, and settles each on the exchange's completion: sent, "
            + "retried with backoff, or dead-lettered (guarantees 1 and 2)",
            p("integration", null, "The integration written to"),
            p("sync", null, "The outbound sync whose writes this route sends"),
            p("delay", "500", "Milliseconds between polls of the queue when it was empty"),
            p("batch", "50", "Writes claimed per poll"),
            p("leaseSeconds", "60", "How long a claimed write is this replica's before another may take it"),
            p("maxAttempts", "8", "Attempts before a failing write is dead-lettered"),
            p("deadLetterOn", "", "Exception class names (simple or qualified) or HTTP statuses of a failed call, "
                    + "comma separated, that dead-letter at once"));

    /** One parameter: a null default means required. */
    public record Param(String name, String defaultValue, String description) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    private final String id;
    private final String role;
    private final String description;
    private final Map<String, Param> params = new LinkedHashMap<>();

    Step(String id, String role, String description, Param... params) {
        this.id = id;
        this.role = role;
        this.description = description;
        for (Param param : params) {
            this.params.put(param.name(), param);
        }
    }

    private static Param p(String name, String defaultValue, String description) {
        return new Param(name, defaultValue, description);
    }

    public String id() {
        return id;
    }

    /** {@code producer} (a {@code to}) or {@code consumer} (a {@code from}). */
    public String role() {
        return role;
    }

    public String description() {
        return description;
    }

    public Map<String, Param> params() {
        return params;
    }

    public static Optional<Step> of(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Step::id).toList();
    }

    /** The step a {@code syncline:} URI names, e.g. {@code store}. */
    public static String id(String uri) {
        String rest = uri.substring("syncline:".length());
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    /**
     * What is wrong with a {@code syncline:} URI as a route file writes it, or empty when nothing
     * is: an unknown step or parameter, a missing one, or a consumer used as a producer (or the
     * reverse). Values with property placeholders are not checked.
     *
     * @param consumer whether the URI is a route's {@code from}
     */
    public static Optional<String> problem(String uri, boolean consumer) {
        String rest = uri.substring("syncline:".length());
        int q = rest.indexOf('?');
        String id = id(uri);
        Optional<Step> step = of(id);
        if (step.isEmpty()) {
            return Optional.of("'syncline:" + id + "' is not a step; expected one of "
                    + ids().stream().map(s -> "syncline:" + s).toList());
        }
        boolean isConsumer = step.get().role().equals("consumer");
        if (consumer != isConsumer) {
            return Optional.of("syncline:" + id + (isConsumer ? " starts a route: use it in from:, not to:"
                    : " is a step of a route: use it in to:, not from:"));
        }
        Map<String, String> given = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    given.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
                }
            }
        }
        try {
            step.get().settings(given);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The step's settings from an endpoint's query parameters, defaults filled in.
     *
     * @throws IllegalArgumentException naming what is unknown or missing, and what was expected
     */
    public Map<String, String> settings(Map<String, ?> given) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : given.entrySet()) {
            if (!params.containsKey(e.getKey())) {
                throw new IllegalArgumentException("syncline:" + id + " has no parameter '" + e.getKey()
                        + "'; expected one of " + params.keySet());
            }
            out.put(e.getKey(), e.getValue() == null ? "" : e.getValue().toString());
        }
        for (Param param : params.values()) {
            if (!out.containsKey(param.name())) {
                if (param.required()) {
                    throw new IllegalArgumentException("syncline:" + id + " needs parameter '" + param.name() + "': "
                            + param.description());
                }
                out.put(param.name(), param.defaultValue());
            }
            ParamTypes.problem(param.name(), out.get(param.name())).ifPresent(p -> {
                throw new IllegalArgumentException("syncline:" + id + ": " + p);
            });
        }
        return out;
    }
}
