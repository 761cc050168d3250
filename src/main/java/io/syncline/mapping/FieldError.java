package io.syncline.mapping;

/** One reason a record could not be mapped or failed validation, named by the target field. */
public record FieldError(String field, String problem) {

    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
