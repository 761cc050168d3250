package io.syncline.events;

import java.util.HashMap;
import java.util.Map;

import io.syncline.support.PostgresProfile;
import io.syncline.support.TestPostgres;

/** PostgreSQL for Syncline, and the same server as "your app's database" holding the outbox table. */
public class OutboxProfile extends PostgresProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("syncline.app-db.url", TestPostgres.url());
        m.put("camel.main.routes-include-pattern",
                "file:target/test-routes/*.camel.yaml,file:target/test-routes/outbox/*.camel.yaml");
        return m;
    }
}
