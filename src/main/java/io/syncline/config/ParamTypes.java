package io.syncline.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.apache.camel.util.URISupport;

/**
 * The engine's Kamelets ({@code src/main/resources/kamelets/*.kamelet.yaml}) and the types of
 * their parameters, read from the Kamelets' own JSON schemas: the same definitions Camel's
 * tooling renders as a form. A parameter has the same type wherever it appears (the Kamelets and
 * the {@code syncline:} steps). The route validator and start-up refuse a value of the wrong type
 * with the parameter's name and what was expected. A value with a property placeholder
 * ({@code {{...}}}) is checked when it is resolved, not here.
 */
public final class ParamTypes {

    /** The engine's Kamelets, by id: each one's file is {@code kamelets/<id>.kamelet.yaml} on the classpath. */
    public static final List<String> KAMELETS = List.of("webhook-sync", "poll-sync", "event-sync", "outbox-poll",
            "sql-sync");

    /**
     * The catalogue's Kamelets, by id: each one's file is {@code integrations/<app>/<id>.kamelet.yaml}
     * on the classpath, the app being the id up to its first dash. Each is one engine Kamelet
     * with the app's particulars filled in (see {@link #inner(String)}).
     */
    public static final List<String> CATALOGUE = List.of(
            "hubspot-contacts-source", "hubspot-companies-source", "hubspot-deals-source",
            "hubspot-contacts-sink", "hubspot-companies-sink", "hubspot-deals-sink", "hubspot-webhook-source",
            "hubspot-contacts-changes-source", "hubspot-companies-changes-source", "hubspot-deals-changes-source",
            "stripe-customers-source", "stripe-webhook-source",
            "github-issues-source", "github-webhook-source",
            "zendesk-tickets-source", "zendesk-users-source", "zendesk-users-sink", "zendesk-webhook-source",
            "shopify-customers-source", "shopify-orders-source", "shopify-products-source", "shopify-webhook-source",
            "pipedrive-persons-source", "pipedrive-organizations-source", "pipedrive-deals-source",
            "pipedrive-webhook-source",
            "salesforce-contacts-source", "salesforce-accounts-source", "salesforce-opportunities-source",
            "salesforce-contacts-sink",
            "mailchimp-members-source",
            "intercom-contacts-source", "intercom-conversations-source", "intercom-webhook-source");

    /** Where a Kamelet's file is on the classpath. */
    public static String resource(String id) {
        return KAMELETS.contains(id) ? "kamelets/" + id + ".kamelet.yaml"
                : "integrations/" + id.substring(0, id.indexOf('-')) + "/" + id + ".kamelet.yaml";
    }

    /** The engine Kamelet a catalogue Kamelet calls, and the parameters it passes (with its own placeholders). */
    public record Inner(String kamelet, Map<String, String> parameters) {
    }

    /** One parameter of a Kamelet: a null default means required. */
    public record Param(String name, String defaultValue, String description, Optional<Type> type) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    /** What a parameter's value must be. */
    public record Type(String expected, Pattern accepts) {
        Optional<String> problem(String name, String value) {
            return accepts.matcher(value.trim()).matches() ? Optional.empty()
                    : Optional.of(name + " must be " + expected + ", not '" + value + "'");
        }
    }

    private static final Map<String, Inner> INNER = new LinkedHashMap<>();
    private static final Map<String, Map<String, Param>> DEFINITIONS = read();

    /** Types of parameters that only the steps take. */
    private static final Map<String, Type> STEP_ONLY = Map.of(
            "batch", whole(1), "delay", whole(1), "leaseSeconds", whole(1),
            "now", new Type("true or false", Pattern.compile("true|false")),
            "notFound", new Type("one of [fail, skip]", Pattern.compile("fail|skip")));

    private static final Map<String, Type> BY_NAME = byName();

    private ParamTypes() {
    }

    /** Every Kamelet of the engine with its parameters, in the order its file declares them. */
    public static Map<String, Map<String, Param>> kamelets() {
        return DEFINITIONS;
    }

    /** The engine Kamelet call inside a catalogue Kamelet; empty for the engine's own. */
    public static Optional<Inner> inner(String id) {
        return Optional.ofNullable(INNER.get(id));
    }

    /** What is wrong with a parameter's value, or empty when nothing is (or its type is free text). */
    public static Optional<String> problem(String name, String value) {
        Type type = BY_NAME.get(name);
        if (type == null || value == null || value.contains("{{")) {
            return Optional.empty();
        }
        if (value.isEmpty() && !type.accepts().matcher("").matches()) {
            return Optional.of(name + " must be " + type.expected() + ", not empty");
        }
        return type.problem(name, value);
    }

    /** The expected form of a typed parameter, for documentation; empty for free text. */
    public static Optional<String> expected(String name) {
        return Optional.ofNullable(BY_NAME.get(name)).map(Type::expected);
    }

    private static Map<String, Type> byName() {
        Map<String, Type> out = new LinkedHashMap<>(STEP_ONLY);
        DEFINITIONS.values().forEach(params -> params.values().forEach(p -> p.type().ifPresent(t -> {
            Type before = out.putIfAbsent(p.name(), t);
            if (before != null && !before.expected().equals(t.expected())) {
                throw new IllegalStateException("parameter '" + p.name() + "' has two types: " + before.expected()
                        + " and " + t.expected());
            }
        })));
        return Map.copyOf(out);
    }

    private static Map<String, Map<String, Param>> read() {
        YAMLMapper yaml = new YAMLMapper();
        Map<String, Map<String, Param>> out = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(KAMELETS);
        all.addAll(CATALOGUE);
        for (String id : all) {
            String resource = resource(id);
            try (InputStream in = ParamTypes.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the engine's Kamelet " + resource + " is missing");
                }
                JsonNode root = yaml.readTree(in);
                JsonNode definition = root.path("spec").path("definition");
                JsonNode from = root.path("spec").path("template").path("from");
                String uri = from.path("uri").asText();
                if (CATALOGUE.contains(id) && uri.startsWith("kamelet:")) {
                    INNER.put(id, call(uri));
                }
                Set<String> required = new HashSet<>();
                definition.path("required").forEach(n -> required.add(n.asText()));
                Map<String, Param> params = new LinkedHashMap<>();
                definition.path("properties").fields().forEachRemaining(f -> {
                    JsonNode p = f.getValue();
                    String def = required.contains(f.getKey()) ? null : p.path("default").asText("");
                    params.put(f.getKey(), new Param(f.getKey(), def, p.path("description").asText(), type(p)));
                });
                out.put(id, params);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
        return out;
    }

    /** The parameters in a {@code kamelet:} URI's query, with {@code RAW(...)} values resolved. */
    public static Map<String, Object> kameletQuery(String uri) throws URISyntaxException {
        int q = uri.indexOf('?');
        Map<String, Object> query = URISupport.parseQuery(q < 0 ? "" : uri.substring(q + 1), true);
        URISupport.resolveRawParameterValues(query);
        return query;
    }

    /** A {@code kamelet:<id>?...} call: the Kamelet and its parameters. */
    private static Inner call(String uri) {
        int q = uri.indexOf('?');
        try {
            Map<String, String> passed = new LinkedHashMap<>();
            kameletQuery(uri).forEach((k, v) -> passed.put(k, String.valueOf(v)));
            return new Inner(uri.substring("kamelet:".length(), q < 0 ? uri.length() : q), Map.copyOf(passed));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the catalogue Kamelet's call " + uri + " is not a valid URI", e);
        }
    }

    /** The type a property's schema declares; empty for free text. */
    private static Optional<Type> type(JsonNode p) {
        if (p.has("enum")) {
            List<String> values = new ArrayList<>();
            p.get("enum").forEach(v -> values.add(v.asText()));
            return Optional.of(new Type("one of " + values, Pattern.compile(String.join("|",
                    values.stream().map(Pattern::quote).toList()))));
        }
        return switch (p.path("type").asText("string")) {
            case "integer" -> Optional.of(whole(p.path("minimum").asInt(0)));
            case "boolean" -> Optional.of(new Type("true or false", Pattern.compile("true|false")));
            case "number" -> Optional.of(new Type("a share between 0 and 1, e.g. 0.5",
                    Pattern.compile("0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+")));
            default -> p.has("pattern") ? Optional.of(new Type(p.path("x-expected").asText(p.get("pattern").asText()),
                    Pattern.compile(p.get("pattern").asText().replaceAll("^\\^|\\$$", "")))) : Optional.empty();
        };
    }

    private static Type whole(int minimum) {
        return minimum >= 1 ? new Type("a whole number of at least 1", Pattern.compile("[1-9][0-9]{0,8}"))
                : new Type("a whole number", Pattern.compile("[0-9]{1,9}"));
    }
}
