package io.syncline.steps;

import io.syncline.http.HttpAnswer;
import io.syncline.http.ProblemException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.jackson.JacksonConstants;

/**
 * For every route, the engine's own and those written in YAML: a refusal of a step (a 4xx
 * problem of {@code syncline:admit}, say) is answered as {@code application/problem+json}, with
 * nothing stored (guarantee 8). A mapped record that a step of the route let go before
 * {@code syncline:store} (a {@code filter}) is answered as JSON: Camel's Jackson type converter
 * is switched on, so a body that is a map or a list can be written to any HTTP or broker answer.
 */
public class StepRefusals extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        getContext().getGlobalOptions().put(JacksonConstants.ENABLE_TYPE_CONVERTER, "true");
        routeConfiguration()
                .onException(ProblemException.class).handled(true)
                .process(e -> HttpAnswer.problem(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, ProblemException.class)
                        .problem()));
    }
}
