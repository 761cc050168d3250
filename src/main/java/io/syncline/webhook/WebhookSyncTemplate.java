package io.syncline.webhook;

import java.time.Clock;
import java.time.Duration;

import io.syncline.config.TemplateParams;
import io.syncline.api.HttpAnswer;
import io.syncline.api.Problem;
import io.syncline.api.ProblemException;
import io.syncline.connection.Connections;
import io.syncline.mapping.MappingLoader;
import io.syncline.operate.SyncMetrics;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordIntake;
import io.syncline.store.RecordStore;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.RouteTemplateContext;
import org.jboss.logging.Logger;

/**
 * Route template {@code webhook-sync}: one-way in by webhook. A sync in {@code routes/} is a
 * {@code templatedRoute} of it; the parameters below are its whole contract.
 *
 * <pre>
 * POST /webhooks/{path} → admission (media type, size, connection, signature, JSON, delivery id)
 *   → mapping + validation → in one transaction: the delivery id, and the record or its dead letter
 *   → 200 only after the commit (guarantees 1 and 2); a delivery id seen before changes nothing
 * </pre>
 */
public class WebhookSyncTemplate extends RouteBuilder {

    private static final Logger LOG = Logger.getLogger(WebhookSyncTemplate.class);

    @Override
    public void configure() {
        routeTemplate("webhook-sync")
                .templateParameter("name", null, "The sync's name, unique within its integration, e.g. contacts")
                .templateParameter("integration", null, "The provider config key of the connected app, e.g. crm")
                .templateParameter("path", null,
                        "Path under /webhooks/. Put {connectionId} in it to name the connection by path, "
                                + "e.g. crm/contacts/{connectionId}")
                .templateParameter("connectionHeader", "",
                        "Header that names the connection, when the path does not (e.g. X-Connection-Id)")
                .templateParameter("signature", null,
                        "Signature scheme: standard-webhooks, github, stripe, hmac-sha256 or none")
                .templateParameter("secret", "",
                        "Signing secret. Empty: each connection's webhook_secret credential is used")
                .templateParameter("signatureHeader", "X-Signature", "Header of the hmac-sha256 scheme")
                .templateParameter("signatureEncoding", "hex", "Encoding of the hmac-sha256 scheme: hex or base64")
                .templateParameter("toleranceSeconds", "300", "Allowed clock skew for signed timestamps")
                .templateParameter("idFrom", "",
                        "Where the delivery id is: header:<Name> or a JSONPath. Empty: the scheme's id header, else $.id")
                .templateParameter("mapping", null, "Mapping file, relative to the routes directory")
                .templateParameter("maxBodyBytes", "1048576", "Largest body accepted; larger ones get 413")
                .templateParameter("twoWay", "", "two-way rules file (*.twoway.yaml), when this is the inbound half of a two-way sync")
                .templateParameter("forwardTo", "",
                        "Push every stored change on as a write: an event-sync as integration/name, e.g. app/contacts-to-app")
                .templateParameter("forwardConnection", "",
                        "The connection of forwardTo's integration to write to (default: the same connection id)")
                .templateBean("admission", WebhookAdmission.class, WebhookSyncTemplate::admission)
                .templateBean("intake", WebhookIntake.class, WebhookSyncTemplate::intake)
                .from("platform-http:/webhooks/{{path}}?httpMethodRestrict=POST")
                    .onException(ProblemException.class).handled(true)
                        .process(e -> HttpAnswer.problem(e, e.getProperty(Exchange.EXCEPTION_CAUGHT,
                                ProblemException.class).problem()))
                    .end()
                    .onException(Exception.class).handled(true)
                        .process(WebhookSyncTemplate::internalError)
                    .end()
                    // Verification, JDBC and the commit block: leave the Vert.x event loop to a worker pool,
                    // which answers the request asynchronously when the exchange completes.
                    .threads().poolSize("{{syncline.webhook.workers:32}}").maxPoolSize("{{syncline.webhook.max-workers:64}}")
                    .process("{{admission}}")
                    .process("{{intake}}");
    }

    private static void internalError(Exchange e) {
        Throwable t = e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.errorf(t, "webhook %s failed inside Syncline", e.getFromRouteId());
        HttpAnswer.problem(e, Problem.of(500, "internal-error", "Internal error",
                "Syncline could not store this webhook; nothing was acknowledged, so the sender should retry"));
    }

    private static WebhookAdmission admission(RouteTemplateContext rtc) {
        Duration tolerance = Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "toleranceSeconds")));
        SignatureScheme scheme = WebhookAdmission.scheme(TemplateParams.text(rtc, "signature"), TemplateParams.text(rtc, "signatureHeader"),
                TemplateParams.text(rtc, "signatureEncoding"), tolerance);
        return new WebhookAdmission(new WebhookAdmission.Settings(TemplateParams.text(rtc, "integration"),
                TemplateParams.text(rtc, "name"), TemplateParams.text(rtc, "connectionHeader"), scheme, TemplateParams.text(rtc, "secret"), TemplateParams.text(rtc, "idFrom"),
                Long.parseLong(TemplateParams.text(rtc, "maxBodyBytes"))), TemplateParams.bean(Connections.class), Clock.systemUTC(),
                TemplateParams.bean(SyncMetrics.class));
    }

    private static WebhookIntake intake(RouteTemplateContext rtc) {
        String integration = TemplateParams.text(rtc, "integration");
        String name = TemplateParams.text(rtc, "name");
        RecordIntake intake = new RecordIntake(name,
                MappingLoader.load(TemplateParams.routesDir(rtc).resolve(TemplateParams.text(rtc, "mapping"))),
                TemplateParams.bean(RecordStore.class), TemplateParams.bean(DeadLetters.class),
                TemplateParams.bean(Database.class), io.syncline.schedule.PollSyncTemplate.twoWay(rtc, "webhook-sync"),
                TemplateParams.bean(io.syncline.twoway.RecordAgreement.class));
        String forwardTo = TemplateParams.text(rtc, "forwardTo").trim();
        if (!forwardTo.isEmpty()) {
            int slash = forwardTo.indexOf('/');
            if (slash <= 0 || slash == forwardTo.length() - 1) {
                throw new IllegalArgumentException("webhook-sync '" + name + "': forwardTo must be integration/name of an "
                        + "event-sync, not '" + forwardTo + "'");
            }
            String connection = TemplateParams.text(rtc, "forwardConnection").trim();
            io.syncline.outbound.Writer writer = TemplateParams.bean(io.syncline.outbound.Writer.class);
            intake.forwardingTo(new RecordIntake.Forward(forwardTo.substring(0, slash), forwardTo.substring(slash + 1),
                    connection.isEmpty() ? null : connection, TemplateParams.bean(io.syncline.outbound.WriteQueue.class),
                    writer::wake));
        }
        TemplateParams.bean(io.syncline.store.InboundSyncs.class).register(integration, name, intake);
        return new WebhookIntake(intake, TemplateParams.bean(SyncMetrics.class), integration, name);
    }

}
