package io.syncline.steps;

import java.util.Map;

import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code syncline:} component: the engine's steps as Camel endpoints, so that a sync is a
 * route of visible steps with any Camel EIP or component between them. {@link Step} lists the
 * steps and their parameters.
 *
 * <pre>
 * - from: { uri: "platform-http:/webhooks/crm/contacts/{connectionId}" }
 *   steps:
 *     - to: "syncline:admit?integration=crm&amp;sync=contacts&amp;signature=standard-webhooks"
 *     - to: "syncline:map?mapping=contact.mapping.yaml"
 *     - filter: ...                      # any step of your own
 *     - to: "syncline:store?integration=crm&amp;sync=contacts"
 * </pre>
 */
@Singleton
@Named("syncline")
public class SynclineComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Step step = Step.of(remaining).orElseThrow(() -> new IllegalArgumentException("'syncline:" + remaining
                + "' is not a step; expected one of " + Step.ids().stream().map(s -> "syncline:" + s).toList()));
        Map<String, String> settings = step.settings(parameters);
        parameters.clear(); // every parameter is the step's: none is left for Camel to refuse
        return new SynclineEndpoint(uri, this, step, settings);
    }
}
