package io.syncline.mapping;

/** A value that a transform cannot handle; becomes a {@link FieldError}, never a 5xx. */
public class MappingException extends RuntimeException {
    public MappingException(String message) {
        super(message, null, false, false);
    }
}
