package io.syncline.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The types of the engine's template and step parameters, by name: a parameter has the same type
 * wherever it appears (the route templates and the {@code syncline:} steps). The route validator
 * and start-up refuse a value of the wrong type with the parameter's name and what was expected.
 * A value with a property placeholder ({@code {{...}}}) is checked when it is resolved, not here.
 */
public final class ParamTypes {

    /** What a parameter's value must be. */
    public record Type(String expected, Pattern accepts) {
        Optional<String> problem(String name, String value) {
            return accepts.matcher(value.trim()).matches() ? Optional.empty()
                    : Optional.of(name + " must be " + expected + ", not '" + value + "'");
        }
    }

    private static final Type WHOLE = new Type("a whole number of at least 1", Pattern.compile("[1-9][0-9]{0,8}"));
    private static final Type WHOLE_OR_ZERO = new Type("a whole number", Pattern.compile("[0-9]{1,9}"));
    private static final Type BOOLEAN = new Type("true or false", Pattern.compile("true|false"));
    private static final Type SHARE = new Type("a share between 0 and 1, e.g. 0.5",
            Pattern.compile("0(\\.[0-9]+)?|1(\\.0+)?|\\.[0-9]+"));

    private static Type oneOf(String... values) {
        return new Type("one of " + List.of(values), Pattern.compile(String.join("|",
                java.util.Arrays.stream(values).map(Pattern::quote).toList())));
    }

    private static final Map<String, Type> BY_NAME = Map.ofEntries(
            Map.entry("pageSize", WHOLE), Map.entry("batchSize", WHOLE), Map.entry("batch", WHOLE),
            Map.entry("maxAttempts", WHOLE), Map.entry("timeoutSeconds", WHOLE), Map.entry("keyBatch", WHOLE),
            Map.entry("everyMs", WHOLE), Map.entry("delay", WHOLE), Map.entry("leaseSeconds", WHOLE),
            Map.entry("maxBodyBytes", WHOLE), Map.entry("toleranceSeconds", WHOLE_OR_ZERO),
            Map.entry("lookbackSeconds", WHOLE_OR_ZERO), Map.entry("firstPage", WHOLE_OR_ZERO),
            Map.entry("stableCursor", BOOLEAN), Map.entry("waitForStart", BOOLEAN), Map.entry("now", BOOLEAN),
            Map.entry("maxDeleteShare", SHARE),
            Map.entry("pagination", oneOf("none", "cursor", "link", "offset", "page", "next-url")),
            Map.entry("mode", oneOf("incremental", "full")),
            Map.entry("modifiedSinceFormat", oneOf("iso", "epoch_s", "epoch_ms")),
            Map.entry("signature", oneOf("standard-webhooks", "github", "stripe", "hmac-sha256", "none")),
            Map.entry("signatureEncoding", oneOf("hex", "base64")),
            Map.entry("upsert", oneOf("search", "put")),
            Map.entry("updateMethod", oneOf("PATCH", "PUT")),
            Map.entry("database", oneOf("app", "syncline")),
            Map.entry("auth", new Type("bearer, basic, header:<Name>, query:<param> or none",
                    Pattern.compile("bearer|basic|none|header:\\S+|query:\\S+"))),
            Map.entry("idFrom", new Type("header:<Name> or a JSONPath starting with $, or empty",
                    Pattern.compile("|header:\\S+|\\$.*"))),
            Map.entry("after", new Type("delete or mark:<column>", Pattern.compile("delete|mark:\\w+"))),
            Map.entry("forwardTo", new Type("integration/name of an outbound sync, or empty",
                    Pattern.compile("|[^/\\s]+/[^/\\s]+"))));

    private ParamTypes() {
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
}
