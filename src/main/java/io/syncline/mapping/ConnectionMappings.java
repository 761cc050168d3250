package io.syncline.mapping;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;

/**
 * Where every source document of a sync meets its mapping, for one connection: the connection's
 * overlay is laid over the sync's mapping, and the document's fields are noted for drift reports.
 * The webhook, broker, poll and dry-run paths all map through here.
 */
@Unremovable
@ApplicationScoped
public class ConnectionMappings {

    private final Overlays overlays;
    private final SourceFields fields;

    public ConnectionMappings(Overlays overlays, SourceFields fields) {
        this.overlays = overlays;
        this.fields = fields;
    }

    /** The mapping the connection's records go through. */
    public Mapping mapping(Mapping base, SyncKey key) {
        return overlays.mapping(base, key);
    }

    /** A document mapped for a connection: the mapping in force, and what it made. */
    public record Mapped(Mapping mapping, Mapping.Result result) {
    }

    /** Maps one source document of the connection, and notes its fields. */
    public Mapped map(Mapping base, SyncKey key, Object document) {
        fields.observe(key, base, document);
        Mapping applied = mapping(base, key);
        return new Mapped(applied, applied.apply(document));
    }
}
