package io.syncline.events;

import com.jayway.jsonpath.JsonPath;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Arc;
import io.syncline.config.TemplateParams;
import io.syncline.connection.Connections;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.store.DeadLetters;
import org.apache.camel.Processor;
import org.apache.camel.RouteTemplateContext;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * What start-up does for each reader built from the Kamelet {@code outbox-poll}
 * ({@code kamelets/outbox-poll.kamelet.yaml}): events from a transactional outbox table in your
 * app's PostgreSQL ({@code syncline.app-db.url}), handed to the event syncs that take each row's
 * type exactly as {@code POST /events/{type}} would. See {@link OutboxPoller}.
 */
public final class OutboxPollKamelet {

    private OutboxPollKamelet() {
    }

    /** Binds the route's {@code outbox} step: the poller of this table. */
    public static void declare(RouteTemplateContext rtc) {
        rtc.bind("outbox", Processor.class, poller(rtc));
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
