package io.syncline.webhook;

import io.syncline.config.TemplateParams;
import io.syncline.http.HttpAnswer;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.MappingLoader;
import io.syncline.twoway.Ownership;
import org.apache.camel.Exchange;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.builder.RouteBuilder;
import org.jboss.logging.Logger;

/**
 * Route template {@code webhook-sync}: one-way in by webhook. A sync in {@code routes/} is a
 * {@code templatedRoute} of it; the parameters below are its whole contract.
 *
 * <pre>
 * from platform-http:/webhooks/{path}
 *   → syncline:admit  (media type, size, connection, signature, JSON, delivery id: 4xx problems)
 *   → syncline:map    (mapping and validation; stores nothing)
 *   → syncline:store  (one transaction: the delivery id, and the record or its dead letter)
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
                .configure(WebhookSyncTemplate::declare)
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
                    .to("syncline:admit?integration=RAW({{integration}})&sync=RAW({{name}})&signature=RAW({{signature}})"
                            + "&secret=RAW({{secret}})&signatureHeader=RAW({{signatureHeader}})"
                            + "&signatureEncoding=RAW({{signatureEncoding}})&toleranceSeconds=RAW({{toleranceSeconds}})"
                            + "&connectionHeader=RAW({{connectionHeader}})&idFrom=RAW({{idFrom}})"
                            + "&maxBodyBytes=RAW({{maxBodyBytes}})")
                    .to("syncline:map?mapping=RAW({{mapping}})")
                    .to("syncline:store?integration=RAW({{integration}})&sync=RAW({{name}})&twoWay=RAW({{twoWay}})"
                            + "&forwardTo=RAW({{forwardTo}})&forwardConnection=RAW({{forwardConnection}})");
    }

    private static void internalError(Exchange e) {
        Throwable t = e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.errorf(t, "webhook %s failed inside Syncline", e.getFromRouteId());
        HttpAnswer.problem(e, Problem.of(500, "internal-error", "Internal error",
                "Syncline could not store this webhook; nothing was acknowledged, so the sender should retry"));
    }

    /**
     * Declares the sync to the records API and the dead-letter replay before its first webhook
     * arrives, with the same intake its store step builds (two-way rules and forward included).
     */
    private static void declare(RouteTemplateContext rtc) {
        String name = TemplateParams.text(rtc, "name");
        TemplateParams.bean(InboundSyncs.class).register(TemplateParams.text(rtc, "integration"), name,
                RecordIntake.declared(name,
                        MappingLoader.load(TemplateParams.routesDir(rtc).resolve(TemplateParams.text(rtc, "mapping"))),
                        Ownership.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "twoWay")),
                        RecordIntake.Forward.of(name,
                                TemplateParams.text(rtc, "forwardTo"), TemplateParams.text(rtc, "forwardConnection"))));
    }
}
