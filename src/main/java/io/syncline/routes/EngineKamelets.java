package io.syncline.routes;

import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.syncline.config.ParamTypes;
import io.syncline.events.EventSyncKamelet;
import io.syncline.events.OutboxPollKamelet;
import io.syncline.schedule.PollSyncKamelet;
import io.syncline.sqlsource.SqlSyncKamelet;
import io.syncline.webhook.WebhookSyncKamelet;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Loads the engine's Kamelets ({@code kamelets/*.kamelet.yaml}) as route templates before Camel
 * loads the route files, so that a route file can use each one either way: {@code from: kamelet:<id>?...}
 * or a {@code templatedRoute} with {@code routeTemplateRef: <id>}. To each it attaches what
 * start-up does when a sync is built from it: the sync is declared to the parts of the engine
 * that serve it outside the route (the records API, the event entry, the schedule, the console).
 * The catalogue's Kamelets ({@code integrations/<app>/}) load the same way.
 */
@ApplicationScoped
public class EngineKamelets {

    private static final Map<String, Consumer<RouteTemplateContext>> DECLARE = Map.of(
            "webhook-sync", WebhookSyncKamelet::declare,
            "poll-sync", PollSyncKamelet::declare,
            "event-sync", EventSyncKamelet::declare,
            "outbox-poll", OutboxPollKamelet::declare,
            "sql-sync", SqlSyncKamelet::declare);

    void load(@Observes BeforeConfigure event) throws Exception {
        CamelContext camel = event.getMain().getCamelContext();
        for (String id : ParamTypes.kamelets().keySet()) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(camel, "classpath:" + ParamTypes.resource(id)));
            if (DECLARE.containsKey(id)) {
                // a catalogue Kamelet declares nothing itself: the engine Kamelet it calls does
                ((ModelCamelContext) camel).getRouteTemplateDefinition(id).configure(DECLARE.get(id));
            }
        }
    }
}
