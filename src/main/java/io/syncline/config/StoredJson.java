package io.syncline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON text in a database column: written from a value, and read back as the type it was written from. */
public final class StoredJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredJson() {
    }

    /** The value as JSON text; null stays null. */
    public static String write(Object value) {
        try {
            return value == null ? null : JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage());
        }
    }

    /** The stored text as {@code type}; null stays null. {@code what} names the column in the error, never its content. */
    public static <T> T read(String text, TypeReference<T> type, String what) {
        try {
            return text == null ? null : JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + what + " is not valid JSON");
        }
    }
}
