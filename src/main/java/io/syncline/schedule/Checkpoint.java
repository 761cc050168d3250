package io.syncline.schedule;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How far a sync has read for one connection. It is written in the same transaction as the
 * records of the page it covers, so a run that dies resumes exactly after its last committed page.
 *
 * @param hwm the incremental high-water mark: the newest modification time fully read (ISO 8601)
 * @param page where the unfinished run stands (null between runs)
 * @param since the "modified since" value the unfinished run started with
 * @param generation the run whose full refresh is in progress (records it saw are kept)
 * @param runHwm the newest modification time seen so far by the unfinished run
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Checkpoint(String hwm, Pagination.State page, String since, Long generation, String runHwm) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final Checkpoint EMPTY = new Checkpoint(null, null, null, null, null);

    public boolean inProgress() {
        return page != null;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Checkpoint fromJson(String json) {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        try {
            return JSON.readValue(json, Checkpoint.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored checkpoint is unreadable: " + e.getOriginalMessage());
        }
    }
}
