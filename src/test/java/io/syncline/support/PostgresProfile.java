package io.syncline.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The same service, on the PostgreSQL at 127.0.0.1:5432 (this run's own database, see {@link TestPostgres}). */
public class PostgresProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("syncline.db.url", TestPostgres.url("syncline_test"),
                "syncline.db.username", "postgres",
                "quarkus.flyway.pg.schemas", "syncline_test");
    }
}
