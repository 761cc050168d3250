package io.syncline.schedule;

import java.time.Instant;
import java.util.Set;

/**
 * What a scoped run reads: a modified-time window, a list of record ids, or every record for one
 * field's backfill. A scoped run stores what changed within its scope and nothing else: it
 * never deletes a record it did not see, and leaves the sync's checkpoint where it was.
 */
public record Scope(Kind kind, Instant after, Instant before, Set<String> ids, String field) {

    public enum Kind {
        WINDOW, IDS, FIELD
    }

    public static Scope window(Instant after, Instant before) {
        return new Scope(Kind.WINDOW, after, before, Set.of(), null);
    }

    public static Scope ids(Set<String> ids) {
        return new Scope(Kind.IDS, null, null, Set.copyOf(ids), null);
    }

    public static Scope field(String field) {
        return new Scope(Kind.FIELD, null, null, Set.of(), field);
    }

    /** The run's trigger as the runs API shows it. */
    public String trigger() {
        return switch (kind) {
            case WINDOW -> "scope_window";
            case IDS -> "scope_ids";
            case FIELD -> "backfill";
        };
    }

    /** Whether a record read from the source is in scope: by its key, and by its modification time when known. */
    boolean includes(String externalId, String modifiedAt) {
        return switch (kind) {
            case IDS -> ids.contains(externalId);
            case WINDOW -> modifiedAt == null || ((after == null || !Instant.parse(modifiedAt).isBefore(after))
                    && (before == null || Instant.parse(modifiedAt).isBefore(before)));
            case FIELD -> true;
        };
    }
}
