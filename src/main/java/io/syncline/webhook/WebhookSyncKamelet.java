package io.syncline.webhook;

import io.syncline.config.TemplateParams;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.MappingLoader;
import io.syncline.twoway.Ownership;
import org.apache.camel.RouteTemplateContext;

/**
 * What start-up does for each sync built from the Kamelet {@code webhook-sync}
 * ({@code kamelets/webhook-sync.kamelet.yaml}): one-way in by webhook,
 * {@code platform-http → syncline:admit → syncline:map → syncline:store}, answered 200 only after
 * the store's commit (guarantees 1 and 2).
 */
public final class WebhookSyncKamelet {

    private WebhookSyncKamelet() {
    }

    /**
     * Declares the sync to the records API and the dead-letter replay before its first webhook
     * arrives, with the same intake its store step builds (two-way rules and forward included).
     */
    public static void declare(RouteTemplateContext rtc) {
        String name = TemplateParams.text(rtc, "name");
        TemplateParams.bean(InboundSyncs.class).register(TemplateParams.text(rtc, "integration"), name,
                RecordIntake.declared(name,
                        MappingLoader.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "mapping")),
                        Ownership.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "twoWay")),
                        RecordIntake.Forward.of(name,
                                TemplateParams.text(rtc, "forwardTo"), TemplateParams.text(rtc, "forwardConnection"))));
    }
}
