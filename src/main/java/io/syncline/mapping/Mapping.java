package io.syncline.mapping;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

/**
 * A declarative mapping from a source document (parsed JSON) to a record of a model. Only the
 * declared fields are produced: anything the source carries that is not declared never leaves
 * this step (the allow-list that keeps unmapped PII out of the store and out of writes).
 */
public final class Mapping {

    public static final Configuration JSONPATH = Configuration.builder()
            .jsonProvider(new JacksonJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS, Option.DEFAULT_PATH_LEAF_TO_NULL)
            .build();

    /** Where a field's value comes from: one JSONPath, the parts of a concatenation, or a constant. */
    public sealed interface Source permits PathSource, ConcatSource, ConstantSource {
        Object read(Object document);
    }

    public record PathSource(String path, JsonPath compiled) implements Source {
        public Object read(Object document) {
            return compiled.read(document, JSONPATH);
        }
    }

    /** Parts starting with "$" are JSONPaths; others are literal text. Null parts count as empty. */
    public record ConcatSource(List<Object> parts) implements Source {
        public Object read(Object document) {
            StringBuilder out = new StringBuilder();
            for (Object part : parts) {
                Object v = part instanceof JsonPath p ? p.read(document, JSONPATH) : part;
                if (v != null) {
                    out.append(text(v));
                }
            }
            return out.toString();
        }
    }

    public record ConstantSource(Object value) implements Source {
        public Object read(Object document) {
            return value;
        }
    }

    /**
     * One target field. A field that {@code omitMissing} (one a connection's overlay added) is left
     * out of the record when the source has no value for it, rather than set to null, so adding a
     * custom field changes only the records that carry it.
     */
    public record Field(String name, Source source, List<Transform> transforms, String type, boolean required,
            Pattern pattern, boolean omitMissing) {
    }

    /** The rule that says a source document reports a deletion. */
    public record DeletedWhen(JsonPath path, List<String> values) {
        boolean matches(Object document) {
            Object v = path.read(document, JSONPATH);
            return v != null && values.contains(String.valueOf(v));
        }
    }

    public record Result(Map<String, Object> record, String externalId, boolean deleted, List<FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final String file;
    private final String model;
    private final String keyField;
    private final List<Field> fields;
    private final DeletedWhen deletedWhen;
    private final JsonNode source;
    private final String refusal;

    Mapping(String file, String model, String keyField, List<Field> fields, DeletedWhen deletedWhen, JsonNode source) {
        this(file, model, keyField, fields, deletedWhen, source, null);
    }

    private Mapping(String file, String model, String keyField, List<Field> fields, DeletedWhen deletedWhen,
            JsonNode source, String refusal) {
        this.file = file;
        this.model = model;
        this.keyField = keyField;
        this.fields = List.copyOf(fields);
        this.deletedWhen = deletedWhen;
        this.source = source;
        this.refusal = refusal;
    }

    /** The same mapping, refusing every document with the reason (an overlay that no longer fits). */
    Mapping refusing(String reason) {
        return new Mapping(file, model, keyField, fields, deletedWhen, source, reason);
    }

    /** The same mapping, with the named fields left out of a record when the source lacks them. */
    Mapping omittingMissing(java.util.Set<String> names) {
        return new Mapping(file, model, keyField, fields.stream().map(f -> names.contains(f.name())
                ? new Field(f.name(), f.source(), f.transforms(), f.type(), f.required(), f.pattern(), true) : f)
                .toList(), deletedWhen, source);
    }

    /** The mapping as written (the parsed YAML), which a connection's overlay is laid over. */
    JsonNode source() {
        return source;
    }

    public String file() {
        return file;
    }

    public String model() {
        return model;
    }

    public String keyField() {
        return keyField;
    }

    public List<Field> fields() {
        return fields;
    }

    /** The longest record key the store keeps. */
    public static final int MAX_KEY_LENGTH = 500;

    /** The largest mapped record, in characters of its values: a body is at most 1 MiB, and a mapping
     * that repeats or concatenates a large field must not multiply that. */
    static final long MAX_RECORD_CHARS = 1 << 20;

    /** The characters a mapped value holds, counted without writing it out (stops counting past the bound). */
    private static long size(Object v, long sofar) {
        if (sofar > MAX_RECORD_CHARS) {
            return sofar;
        }
        if (v instanceof String s) {
            return sofar + s.length();
        }
        if (v instanceof Map<?, ?> m) {
            long n = sofar;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                n = size(e.getValue(), n + String.valueOf(e.getKey()).length());
            }
            return n;
        }
        if (v instanceof List<?> l) {
            long n = sofar;
            for (Object item : l) {
                n = size(item, n + 1);
            }
            return n;
        }
        return sofar + (v == null ? 4 : 20);
    }

    /** Most digits a number may have before or after its point when it becomes text. */
    static final int MAX_DIGITS = 1000;

    /**
     * A value as text. A number is written out in full, so its digits are bounded first: the
     * JSON number 1e50000000 is 12 bytes, and its plain form 50 MB.
     */
    public static String text(Object v) {
        if (v instanceof BigDecimal b) {
            if (b.precision() - b.scale() > MAX_DIGITS || b.scale() > MAX_DIGITS) {
                throw new MappingException("the number " + b.round(new MathContext(6))
                        + " has more than " + MAX_DIGITS + " digits");
            }
            return b.toPlainString();
        }
        return String.valueOf(v);
    }

    /** Maps and validates one document. Never throws for bad data: problems come back as errors. */
    public Result apply(Object document) {
        if (refusal != null) {
            return new Result(Map.of(), null, false, List.of(new FieldError("overlay", refusal)));
        }
        boolean deleted = deletedWhen != null && deletedWhen.matches(document);
        Map<String, Object> out = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (Field f : fields) {
            if (deleted && !f.name().equals(keyField)) {
                continue; // a deletion needs only its key
            }
            Object value;
            try {
                value = f.source().read(document);
                for (Transform t : f.transforms()) {
                    value = t.apply(value);
                }
            } catch (MappingException e) {
                errors.add(new FieldError(f.name(), e.getMessage()));
                continue;
            } catch (RuntimeException e) {
                // a value no transform can take (a date beyond year 999999999, an overflow): the
                // record's problem, named by its field, never the sender's 500 (guarantee 8)
                errors.add(new FieldError(f.name(), "cannot be converted: " + (e.getMessage() == null
                        ? e.getClass().getSimpleName() : e.getMessage())));
                continue;
            }
            if (f.omitMissing() && (value == null || (value instanceof String str && str.isEmpty()))) {
                continue;
            }
            String problem = check(f, value);
            if (problem != null) {
                errors.add(new FieldError(f.name(), problem));
                continue;
            }
            out.put(f.name(), value);
        }
        Object key = out.get(keyField);
        String externalId = null;
        try {
            externalId = key == null ? null : text(key);
        } catch (MappingException e) {
            errors.add(new FieldError(keyField, e.getMessage()));
        }
        if (externalId == null && errors.stream().noneMatch(e -> e.field().equals(keyField))) {
            errors.add(new FieldError(keyField, "the record key is missing"));
        } else if (externalId != null && (externalId.length() > MAX_KEY_LENGTH || externalId.indexOf('\u0000') >= 0)) {
            errors.add(new FieldError(keyField, "the record key must be at most " + MAX_KEY_LENGTH
                    + " characters with no NUL character; got " + externalId.length()));
            externalId = null;
        }
        long size = size(out, 0);
        if (size > MAX_RECORD_CHARS) {
            errors.add(new FieldError(keyField, "the mapped record would be " + size + " characters, more than "
                    + MAX_RECORD_CHARS + "; a field repeats or concatenates too much of the input"));
        }
        return new Result(out, externalId, deleted, errors);
    }

    private static String check(Field f, Object value) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            return f.required() ? "is required but missing" : null;
        }
        if (f.type() != null) {
            boolean ok = switch (f.type()) {
                case "string" -> value instanceof String;
                case "number" -> value instanceof Number;
                case "integer" -> value instanceof Integer || value instanceof Long
                        || (value instanceof BigDecimal b && b.stripTrailingZeros().scale() <= 0);
                case "boolean" -> value instanceof Boolean;
                case "object" -> value instanceof Map;
                case "array" -> value instanceof List;
                default -> true;
            };
            if (!ok) {
                return "must be " + article(f.type()) + " " + f.type() + ", got " + describe(value);
            }
        }
        if (f.pattern() != null && value instanceof String s && !f.pattern().matcher(s).matches()) {
            return "'" + s + "' does not match the pattern " + f.pattern().pattern();
        }
        return null;
    }

    private static String article(String type) {
        return type.matches("[aeiou].*") ? "an" : "a";
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "the string '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        return value.getClass().getSimpleName().toLowerCase() + " " + value;
    }
}
