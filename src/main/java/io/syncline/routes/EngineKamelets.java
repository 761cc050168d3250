package io.syncline.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Loads the engine's Kamelets ({@code kamelets/*.kamelet.yaml}) as route templates before Camel
 * loads the route files, so that a route file can use each one either way: {@code from: kamelet:<id>?...}
 * or a {@code templatedRoute} with {@code routeTemplateRef: <id>}. To each it attaches what
 * start-up does when a sync is built from it: the sync is declared to the parts of the engine
 * that serve it outside the route (the records API, the event entry, the schedule, the console).
 * A catalogue Kamelet ({@code integrations/<app>/}) loads the same way when a route file names
 * it; the others are not read, since parsing all of them costs start-up time for nothing.
 */
@ApplicationScoped
public class EngineKamelets {

    private static final Map<String, Consumer<RouteTemplateContext>> DECLARE = Map.of(
            "webhook-sync", WebhookSyncKamelet::declare,
            "poll-sync", PollSyncKamelet::declare,
            "event-sync", EventSyncKamelet::declare,
            "outbox-poll", OutboxPollKamelet::declare,
            "sql-sync", SqlSyncKamelet::declare);

    private final Path routes;

    public EngineKamelets(@ConfigProperty(name = "syncline.routes-dir", defaultValue = "routes") String routes) {
        this.routes = Path.of(routes);
    }

    void load(@Observes BeforeConfigure event) throws Exception {
        CamelContext camel = event.getMain().getCamelContext();
        String named = routeFiles();
        for (String id : ParamTypes.kamelets().keySet()) {
            if (ParamTypes.CATALOGUE.contains(id) && !named.contains(id)) {
                continue;
            }
            PluginHelper.getRoutesLoader(camel).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(camel, "classpath:" + ParamTypes.resource(id)));
            if (DECLARE.containsKey(id)) {
                // a catalogue Kamelet declares nothing itself: the engine Kamelet it calls does
                ((ModelCamelContext) camel).getRouteTemplateDefinition(id).configure(DECLARE.get(id));
            }
        }
    }

    /** The text of every route file, to find the catalogue Kamelets they name. */
    private String routeFiles() throws IOException {
        if (!Files.isDirectory(routes)) {
            return "";
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(routes)) {
            files = list.filter(f -> f.toString().endsWith(".camel.yaml")).toList();
        }
        StringBuilder text = new StringBuilder();
        for (Path file : files) {
            text.append(Files.readString(file)).append('\n');
        }
        return text.toString();
    }
}
