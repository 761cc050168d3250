package io.syncline.mapping;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A connection's changes to a sync's mapping, written in the mapping files' own syntax:
 * <pre>
 * fields:               # added, or laid over the base field's rule (path, concat, constant, transforms, ...)
 *   score: { path: $.properties.hs_score, type: number }
 *   email: { transforms: [trim, lower] }
 * rename: { phone: mobile }   # the target field phone is written as mobile
 * drop: [updated_at]          # never mapped for this connection
 * </pre>
 * The result is parsed as a mapping file is, so a mistake is refused with the same message, and
 * an overlay may not change the record key or a base field's type.
 */
public final class MappingOverlay {

    /** The name mistakes are reported under, as a mapping file's are under its path. */
    static final String WHERE = "overlay";
    private static final Set<String> TOP = Set.of("fields", "rename", "drop");
    private static final Set<String> SOURCES = Set.of("path", "concat", "constant");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private MappingOverlay() {
    }

    /** An overlay from its text, JSON or YAML; null or blank text is no overlay. */
    public static JsonNode read(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return YAML.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new MappingLoader.MappingFileException(WHERE + ":" + line + ": not valid YAML or JSON: "
                    + e.getOriginalMessage());
        }
    }

    /** The base mapping with the overlay laid over it; the base itself when the overlay is empty. */
    public static Mapping apply(Mapping base, JsonNode overlay) {
        if (overlay == null || overlay.isNull() || (overlay.isObject() && overlay.isEmpty())) {
            return base;
        }
        if (!overlay.isObject()) {
            throw refused("expected an object with 'fields', 'rename' or 'drop'");
        }
        overlay.fieldNames().forEachRemaining(k -> {
            if (!TOP.contains(k)) {
                throw refused(k + " is not a known key; expected one of " + TOP.stream().sorted().toList());
            }
        });
        ObjectNode tree = (ObjectNode) base.source().deepCopy();
        ObjectNode fields = (ObjectNode) tree.get("fields");
        String key = base.keyField();
        drop(overlay.get("drop"), fields, key);
        fields = rename(overlay.get("rename"), fields, key);
        tree.set("fields", fields);
        Set<String> added = lay(overlay.get("fields"), fields, key);
        return MappingLoader.parse(WHERE, tree).omittingMissing(added);
    }

    private static void drop(JsonNode drop, ObjectNode fields, String key) {
        if (drop == null) {
            return;
        }
        if (!drop.isArray()) {
            throw refused("drop: expected a list of field names");
        }
        for (JsonNode name : drop) {
            String n = known("drop", name.asText(), fields);
            if (n.equals(key)) {
                throw refused("drop: '" + n + "' is the record key and cannot be dropped");
            }
            fields.remove(n);
        }
    }

    private static ObjectNode rename(JsonNode rename, ObjectNode fields, String key) {
        if (rename == null) {
            return fields;
        }
        if (!rename.isObject()) {
            throw refused("rename: expected {field: new name}");
        }
        Map<String, String> names = new java.util.HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rename.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String from = known("rename", e.getKey(), fields);
            String to = e.getValue().asText();
            if (from.equals(key)) {
                throw refused("rename." + from + ": the record key cannot be renamed");
            }
            if (to.isBlank() || (fields.has(to) && !rename.has(to))) {
                throw refused("rename." + from + ": '" + to + "' is " + (to.isBlank() ? "not a field name"
                        : "already a field of the mapping"));
            }
            names.put(from, to);
        }
        ObjectNode out = fields.objectNode();
        fields.fields().forEachRemaining(f -> out.set(names.getOrDefault(f.getKey(), f.getKey()), f.getValue()));
        return out;
    }

    /** Lays each overlay field over its base rule, or adds it; returns the names of added fields that may be missing. */
    private static Set<String> lay(JsonNode overlayFields, ObjectNode fields, String key) {
        Set<String> added = new HashSet<>();
        if (overlayFields == null) {
            return added;
        }
        if (!overlayFields.isObject()) {
            throw refused("fields: expected a map of target field to its rule");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = overlayFields.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode rule = e.getValue();
            JsonNode base = fields.get(name);
            if (base == null) {
                fields.set(name, rule);
                if (!rule.path("required").asBoolean(false)) {
                    added.add(name);
                }
                continue;
            }
            if (name.equals(key) && (rule.isTextual() || SOURCES.stream().anyMatch(rule::has))) {
                throw refused("fields." + name + ": the record key's source cannot change per connection");
            }
            ObjectNode merged = base.isTextual() ? fields.objectNode().put("path", base.asText())
                    : base.isObject() ? (ObjectNode) base.deepCopy() : fields.objectNode();
            ObjectNode over = rule.isTextual() ? fields.objectNode().put("path", rule.asText())
                    : rule.isObject() ? (ObjectNode) rule : null;
            if (over == null) {
                throw refused("fields." + name + ": expected a JSONPath or a rule with 'path', 'concat' or 'constant'");
            }
            if (over.has("type") && merged.has("type") && !over.get("type").asText().equals(merged.get("type").asText())) {
                throw refused("fields." + name + ".type: the base mapping declares '" + merged.get("type").asText()
                        + "'; an overlay may not change a field's type (map the value to a new field instead)");
            }
            if (SOURCES.stream().anyMatch(over::has)) {
                merged.remove(SOURCES);
            }
            merged.setAll(over);
            fields.set(name, merged);
        }
        return added;
    }

    private static String known(String where, String name, ObjectNode fields) {
        if (!fields.has(name)) {
            List<String> names = new ArrayList<>();
            fields.fieldNames().forEachRemaining(names::add);
            throw refused(where + ": '" + name + "' is not a field of the mapping; expected one of " + names);
        }
        return name;
    }

    private static MappingLoader.MappingFileException refused(String what) {
        return new MappingLoader.MappingFileException(WHERE + ": " + what);
    }
}
