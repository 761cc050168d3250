package io.syncline.store;

/** What applying a record did to the store. Only the first three appear in the changes feed. */
public enum Change {
    ADDED, UPDATED, DELETED, UNCHANGED
}
