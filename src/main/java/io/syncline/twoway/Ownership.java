package io.syncline.twoway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The rules of a two-way sync, from its {@code *.twoway.yaml} file: who owns each field
 * ({@code app}, {@code remote} or {@code latest}), the field that matches records that exist on
 * both sides before the first sync, the field that carries a change's modification time, which
 * side wins a tie, and whether conflicts are decided by these rules or parked for a person
 * ({@code conflicts: review}).
 *
 * <pre>
 * model: Contact
 * match: email
 * modifiedAt: updated_at
 * default: latest
 * tie: remote
 * conflicts: rules
 * fields:
 *   plan: app
 *   name: remote
 * </pre>
 */
public record Ownership(String file, String model, String match, String modifiedAt, String defaultOwner, Side tie,
        boolean review, Map<String, String> owners) {

    private static final Set<String> OWNERS = Set.of("app", "remote", "latest");

    public String ownerOf(String field) {
        return owners.getOrDefault(field, defaultOwner);
    }

    /** The rules a sync's {@code twoWay} parameter names, relative to the routes directory; null when it names none. */
    public static Ownership named(Path routesDir, String file) {
        return file == null || file.isBlank() ? null : load(routesDir.resolve(file.trim()));
    }

    public static Ownership load(Path file) {
        Map<?, ?> doc;
        try {
            doc = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(file), Map.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the two-way rules: " + e.getMessage(), e);
        }
        String model = text(doc, "model", null);
        if (model == null) {
            throw new IllegalArgumentException(file + ": 'model' is required");
        }
        String def = owner(file, "default", text(doc, "default", "latest"));
        String tie = text(doc, "tie", "remote");
        if (!tie.equals("app") && !tie.equals("remote")) {
            throw new IllegalArgumentException(file + ": 'tie' must be app or remote, not '" + tie + "'");
        }
        String conflicts = text(doc, "conflicts", "rules");
        if (!conflicts.equals("rules") && !conflicts.equals("review")) {
            throw new IllegalArgumentException(file + ": 'conflicts' must be rules or review, not '" + conflicts + "'");
        }
        Map<String, String> owners = new LinkedHashMap<>();
        if (doc.get("fields") instanceof Map<?, ?> fields) {
            fields.forEach((k, v) -> owners.put(k.toString(), owner(file, "fields." + k, String.valueOf(v))));
        } else if (doc.get("fields") != null) {
            throw new IllegalArgumentException(file + ": 'fields' must map field names to app, remote or latest");
        }
        return new Ownership(file.getFileName().toString(), model, text(doc, "match", null),
                text(doc, "modifiedAt", null), def, Side.valueOf(tie), conflicts.equals("review"), Map.copyOf(owners));
    }

    private static String owner(Path file, String where, String value) {
        if (!OWNERS.contains(value)) {
            throw new IllegalArgumentException(file + ": '" + where + "' must be app, remote or latest, not '" + value
                    + "'");
        }
        return value;
    }

    private static String text(Map<?, ?> doc, String key, String fallback) {
        Object v = doc.get(key);
        return v == null ? fallback : v.toString();
    }
}
