package io.syncline.store;

/** Where a record lives: its external id within (integration, connection, model). */
public record RecordKey(String providerConfigKey, String connectionId, String model, String externalId) {

    /** The (integration, connection, model) the record belongs to, as the one key its indexes use. */
    public String stream() {
        return stream(providerConfigKey, connectionId, model);
    }

    /** The order in which concurrent writers take this record's locks ({@link GroupCommit}). */
    public String lockOrder() {
        return stream() + '\u001f' + externalId;
    }

    public static String stream(String providerConfigKey, String connectionId, String model) {
        return providerConfigKey + '\u001f' + connectionId + '\u001f' + model;
    }
}
