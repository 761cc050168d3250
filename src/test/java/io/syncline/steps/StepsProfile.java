package io.syncline.steps;

import java.util.HashMap;
import java.util.Map;

import io.syncline.support.PostgresProfile;
import io.syncline.support.TestPostgres;

/**
 * PostgreSQL for Syncline and for "your app's database", the engine's test syncs, and the syncs
 * under {@code routes/steps/} written as steps. The RabbitMQ exchange and queue are this run's own.
 */
public class StepsProfile extends PostgresProfile {

    static final String RUN = ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    static final String EXCHANGE = "syncline-test-" + RUN;
    static final String QUEUE = "syncline-test-contacts-" + RUN;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(super.getConfigOverrides());
        m.put("syncline.app-db.url", TestPostgres.url());
        m.put("camel.main.routes-include-pattern",
                "file:target/test-routes/*.camel.yaml,file:target/test-routes/steps/*.camel.yaml");
        m.put("steps.exchange", EXCHANGE);
        m.put("steps.queue", QUEUE);
        return m;
    }
}
