package io.syncline.mapping;

/** One sync of one connection: what an overlay and the drift of source fields belong to. */
public record SyncKey(String integration, String sync, String connectionId) {

    @Override
    public String toString() {
        return integration + "/" + connectionId + " sync " + sync;
    }
}
