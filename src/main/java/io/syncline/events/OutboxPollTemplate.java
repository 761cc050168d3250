package io.syncline.events;

import com.jayway.jsonpath.JsonPath;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Arc;
import io.syncline.config.TemplateParams;
import io.syncline.connection.Connections;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.store.DeadLetters;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Route template {@code outbox-poll}: events from a transactional outbox table in your app's
 * PostgreSQL ({@code syncline.app-db.url}), handed to the event syncs that take each row's type
 * exactly as {@code POST /events/{type}} would. See {@link OutboxPoller}.
 */
public class OutboxPollTemplate extends RouteBuilder {

    @Override
    public void configure() {
        routeTemplate("outbox-poll")
                .templateParameter("name", null, "A name for this outbox reader, e.g. app-outbox")
                .templateParameter("table", "outbox", "The outbox table, optionally schema-qualified")
                .templateParameter("everyMs", "1000", "How often to look for new rows, in milliseconds")
                .templateParameter("batchSize", "100", "Rows claimed per transaction")
                .templateParameter("after", "delete", "delete handled rows, or mark:<column> to set a timestamp column")
                .templateParameter("connectionPath", "$.connection_id",
                        "JSONPath in a row's payload that names the connection, unless the event sync names its own")
                .templateBean("poller", OutboxPoller.class, OutboxPollTemplate::poller)
                .from("timer:syncline-outbox-{{name}}?period={{everyMs}}&delay={{everyMs}}")
                    .process("{{poller}}");
    }

    private static OutboxPoller poller(RouteTemplateContext rtc) {
        String name = TemplateParams.text(rtc, "name");
        boolean on = ConfigProvider.getConfig().getOptionalValue("syncline.app-db.enabled", Boolean.class).orElse(false);
        if (!on) {
            throw new IllegalArgumentException("outbox-poll '" + name + "' needs your app's database: set "
                    + "syncline.app-db.url (SYNCLINE_APP_DB_URL) to its PostgreSQL JDBC URL");
        }
        String after = TemplateParams.text(rtc, "after").trim();
        if (!after.equals("delete") && !after.startsWith("mark:")) {
            throw new IllegalArgumentException("outbox-poll '" + name + "': after must be delete or mark:<column>");
        }
        OutboxPoller poller = new OutboxPoller(new OutboxPoller.Settings(name, TemplateParams.text(rtc, "table"),
                Integer.parseInt(TemplateParams.text(rtc, "batchSize").trim()),
                after.equals("delete") ? null : after.substring(5).trim(),
                JsonPath.compile(TemplateParams.text(rtc, "connectionPath"))),
                Arc.container().instance(AgroalDataSource.class, new DataSource.DataSourceLiteral("app")).get(),
                TemplateParams.bean(OutboundSyncs.class), TemplateParams.bean(Connections.class),
                TemplateParams.bean(DeadLetters.class));
        TemplateParams.bean(Outboxes.class).register(poller);
        return poller;
    }
}
