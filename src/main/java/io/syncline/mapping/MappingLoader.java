package io.syncline.mapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import io.syncline.config.RouteResources;

/**
 * Reads a mapping file (YAML). Every mistake is refused with the file and the field it is in,
 * and what was expected, so a broken mapping stops a route from starting instead of
 * dead-lettering every record it meets.
 */
public final class MappingLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("model", "key", "fields", "deleted_when");
    private static final Set<String> FIELD = Set.of("path", "concat", "constant", "transforms", "type", "required",
            "pattern");
    private static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "object", "array");

    private MappingLoader() {
    }

    /**
     * The mapping a sync's {@code mapping} parameter names: a file relative to the routes
     * directory, or a catalogue mapping on the classpath ({@code classpath:integrations/...}).
     */
    public static Mapping named(Path routesDir, String name) {
        String n = name == null ? "" : name.trim();
        if (!n.startsWith(RouteResources.CLASSPATH)) {
            return load(routesDir.resolve(n));
        }
        try {
            return parse(n, RouteResources.text(routesDir, n)
                    .orElseThrow(() -> new MappingFileException(n + ": mapping file not found on the classpath")));
        } catch (IOException e) {
            throw new MappingFileException(n + ": cannot read mapping file: " + e.getMessage());
        }
    }

    public static Mapping load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new MappingFileException(file + ": mapping file not found");
        } catch (IOException e) {
            throw new MappingFileException(file + ": cannot read mapping file: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static Mapping parse(String file, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new MappingFileException(file + ":" + line + ": not valid YAML: " + e.getOriginalMessage());
        }
        return parse(file, root);
    }

    /** A mapping from its parsed form (a mapping file's YAML, or a base mapping with an overlay laid over it). */
    static Mapping parse(String file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new MappingFileException(file + ": expected a mapping with 'model', 'key' and 'fields'");
        }
        unknownKeys(file, "", root, TOP);
        String model = text(file, root, "model");
        String key = text(file, root, "key");
        JsonNode fieldsNode = root.get("fields");
        if (fieldsNode == null || !fieldsNode.isObject() || fieldsNode.isEmpty()) {
            throw new MappingFileException(file + ": 'fields' must map each target field to its rule");
        }
        List<Mapping.Field> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = fieldsNode.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.add(field(file, e.getKey(), e.getValue()));
        }
        if (fields.stream().noneMatch(f -> f.name().equals(key))) {
            throw new MappingFileException(file + ": key '" + key + "' is not one of the fields " + fieldsNode.properties()
                    .stream().map(Map.Entry::getKey).toList());
        }
        return new Mapping(file, model, key, fields, deletedWhen(file, root.get("deleted_when")), root);
    }

    private static Mapping.Field field(String file, String name, JsonNode node) {
        String where = file + ": fields." + name;
        if (node.isTextual()) {
            return new Mapping.Field(name, new Mapping.PathSource(node.asText(), path(where, node.asText())), List.of(),
                    null, false, null, false);
        }
        if (!node.isObject()) {
            throw new MappingFileException(where + ": expected a JSONPath or a rule with 'path', 'concat' or 'constant'");
        }
        unknownKeys(file, "fields." + name + ".", node, FIELD);
        int sources = (node.has("path") ? 1 : 0) + (node.has("concat") ? 1 : 0) + (node.has("constant") ? 1 : 0);
        if (sources != 1) {
            throw new MappingFileException(where + ": exactly one of 'path', 'concat' or 'constant' is expected");
        }
        Mapping.Source source;
        if (node.has("path")) {
            String p = node.get("path").asText();
            source = new Mapping.PathSource(p, path(where + ".path", p));
        } else if (node.has("concat")) {
            JsonNode parts = node.get("concat");
            if (!parts.isArray() || parts.isEmpty()) {
                throw new MappingFileException(where + ".concat: expected a list of JSONPaths and literal text");
            }
            List<Object> list = new ArrayList<>();
            for (JsonNode part : parts) {
                String s = part.asText();
                list.add(s.startsWith("$") ? path(where + ".concat", s) : s);
            }
            source = new Mapping.ConcatSource(list);
        } else {
            source = new Mapping.ConstantSource(YAML.convertValue(node.get("constant"), Object.class));
        }
        List<Transform> transforms = new ArrayList<>();
        JsonNode ts = node.get("transforms");
        if (ts != null) {
            if (!ts.isArray()) {
                throw new MappingFileException(where + ".transforms: expected a list");
            }
            int i = 0;
            for (JsonNode t : ts) {
                transforms.add(transform(where + ".transforms[" + i++ + "]", t));
            }
        }
        String type = node.has("type") ? node.get("type").asText() : null;
        if (type != null && !TYPES.contains(type)) {
            throw new MappingFileException(where + ".type: unknown type '" + type + "'; expected one of " + TYPES);
        }
        Pattern pattern = null;
        if (node.has("pattern")) {
            try {
                pattern = Pattern.compile(node.get("pattern").asText());
            } catch (PatternSyntaxException e) {
                throw new MappingFileException(where + ".pattern: not a valid regular expression: " + e.getDescription());
            }
        }
        return new Mapping.Field(name, source, transforms, type, node.path("required").asBoolean(false), pattern,
                false);
    }

    private static Transform transform(String where, JsonNode t) {
        String name;
        Object arg = null;
        if (t.isTextual()) {
            name = t.asText();
        } else if (t.isObject() && t.size() == 1) {
            Map.Entry<String, JsonNode> e = t.fields().next();
            name = e.getKey();
            arg = YAML.convertValue(e.getValue(), Object.class);
        } else {
            throw new MappingFileException(where + ": expected a transform name or {name: argument}");
        }
        try {
            return Transform.of(name, arg);
        } catch (IllegalArgumentException e) {
            throw new MappingFileException(where + ": " + e.getMessage());
        }
    }

    private static Mapping.DeletedWhen deletedWhen(String file, JsonNode node) {
        if (node == null) {
            return null;
        }
        String where = file + ": deleted_when";
        if (!node.isObject() || !node.has("path") || !(node.has("equals") || node.has("in"))) {
            throw new MappingFileException(where + ": expected {path: <JSONPath>, equals: <value>} or {path, in: [values]}");
        }
        List<String> values = new ArrayList<>();
        if (node.has("equals")) {
            values.add(node.get("equals").asText());
        }
        if (node.has("in")) {
            node.get("in").forEach(v -> values.add(v.asText()));
        }
        return new Mapping.DeletedWhen(path(where + ".path", node.get("path").asText()), values);
    }

    private static JsonPath path(String where, String expression) {
        try {
            return JsonPath.compile(expression);
        } catch (InvalidPathException | IllegalArgumentException e) {
            throw new MappingFileException(where + ": '" + expression + "' is not a valid JSONPath: " + e.getMessage());
        }
    }

    private static String text(String file, JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new MappingFileException(file + ": '" + name + "' is required");
        }
        return n.asText();
    }

    private static void unknownKeys(String file, String prefix, JsonNode node, Set<String> allowed) {
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new MappingFileException(file + ": " + prefix + k + " is not a known key; expected one of "
                        + allowed.stream().sorted().toList());
            }
        });
    }

    /** A mapping file that cannot be used, with the file and the place in it. */
    public static class MappingFileException extends RuntimeException {
        public MappingFileException(String message) {
            super(message);
        }
    }
}
