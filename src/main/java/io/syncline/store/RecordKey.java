package io.syncline.store;

/** Where a record lives: its external id within (integration, connection, model). */
public record RecordKey(String providerConfigKey, String connectionId, String model, String externalId) {
}
