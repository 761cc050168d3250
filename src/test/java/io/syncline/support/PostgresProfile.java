package io.syncline.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The same service, on the PostgreSQL at 127.0.0.1:5432 (database test, its own schema). */
public class PostgresProfile implements QuarkusTestProfile {

    public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=syncline_test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("syncline.db.url", URL,
                "syncline.db.username", "postgres",
                "quarkus.flyway.pg.schemas", "syncline_test");
    }
}
