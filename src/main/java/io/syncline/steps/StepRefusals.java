package io.syncline.steps;

import io.syncline.http.HttpAnswer;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.jackson.JacksonConstants;
import org.jboss.logging.Logger;

/**
 * For every route, the engine's own and those written in YAML: a refusal of a step (a 4xx
 * problem of {@code syncline:admit}, say) is answered as {@code application/problem+json}, with
 * nothing stored (guarantee 8). A mapped record that a step of the route let go before
 * {@code syncline:store} (a {@code filter}) is answered as JSON: Camel's Jackson type converter
 * is switched on, so a body that is a map or a list can be written to any HTTP or broker answer.
 */
public class StepRefusals extends RouteConfigurationBuilder {

    private static final Logger LOG = Logger.getLogger(StepRefusals.class);

    @Override
    public void configuration() {
        getContext().getGlobalOptions().put(JacksonConstants.ENABLE_TYPE_CONVERTER, "true");
        routeConfiguration()
                .onException(ProblemException.class).handled(true)
                .process(e -> HttpAnswer.problem(e, e.getProperty(Exchange.EXCEPTION_CAUGHT, ProblemException.class)
                        .problem()));
        // Kafka in front of ingest, and the broker did not take the delivery in time: nothing was
        // acknowledged, and the sender should come back shortly
        routeConfiguration()
                .onException(org.apache.kafka.common.KafkaException.class).onWhen(StepRefusals::httpTriggered).handled(true)
                .process(StepRefusals::brokerUnavailable);
        // a failure inside an HTTP-triggered route is a 500 problem without internals; in any other
        // route it stays the exchange's failure, so that a broker redelivers what was not stored
        routeConfiguration()
                .onException(Exception.class).onWhen(StepRefusals::httpTriggered).handled(true)
                .process(StepRefusals::internalError);
    }

    private static boolean httpTriggered(Exchange e) {
        return e.getFromEndpoint() != null && e.getFromEndpoint().getEndpointUri().startsWith("platform-http:");
    }

    private static void brokerUnavailable(Exchange e) {
        Throwable t = e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warnf("route %s could not hand a delivery to Kafka: %s", e.getFromRouteId(), t == null ? "" : t.getMessage());
        HttpAnswer.problem(e, Problem.of(503, "unavailable", "Service unavailable",
                "the delivery could not be stored durably just now; nothing was acknowledged, retry shortly"));
        e.getMessage().setHeader("Retry-After", "5");
    }

    private static void internalError(Exchange e) {
        Throwable t = e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.errorf(t, "route %s failed inside Syncline", e.getFromRouteId());
        HttpAnswer.problem(e, Problem.of(500, "internal-error", "Internal error",
                "Syncline could not store this request; nothing was acknowledged, so the sender should retry"));
    }
}
