package io.syncline.console;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON as the console shows and reads it: indented for people, and typed values read leniently. */
final class JsonText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonText() {
    }

    /** Indented JSON of any value; its text when it cannot be written. */
    static String pretty(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (Exception e) {
            return String.valueOf(value);
        }
    }

    /** JSON when the text is JSON ({@code 42}, {@code true}, {@code null}, {@code "text"}), else the text. */
    static Object lenient(String text) {
        if (text == null) {
            return "";
        }
        try {
            return JSON.readValue(text, Object.class);
        } catch (Exception notJson) {
            return text;
        }
    }

    /** A JSON object, or null when the text is not one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        try {
            return JSON.readValue(text, Map.class);
        } catch (Exception notAnObject) {
            return null;
        }
    }

    /** A value read from JSON as plain maps and lists. */
    static Object plain(Object tree) {
        return JSON.convertValue(tree, Object.class);
    }
}
