package io.syncline.steps;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.syncline.config.TemplateParams;
import io.syncline.oauth.OAuthProviders;
import org.eclipse.microprofile.config.ConfigProvider;
import io.syncline.connection.ConnectionAuth;
import io.syncline.connection.Connections;
import io.syncline.intake.EventIntake;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.ConnectionMappings;
import io.syncline.webhook.Deliveries;
import io.syncline.mapping.MappingLoader;
import io.syncline.metrics.SyncMetrics;
import io.syncline.outbound.ConnectionRateBudget;
import io.syncline.outbound.FlowLog;
import io.syncline.outbound.WriteQueue;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.SyncRegistry;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.twoway.Ownership;
import io.syncline.webhook.WebhookAdmission;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/** One {@code syncline:} step with its settings: a producer for the steps in a route, a consumer for {@code writes}. */
final class SynclineEndpoint extends DefaultEndpoint {

    private final Step step;
    private final Map<String, String> settings;

    SynclineEndpoint(String uri, SynclineComponent component, Step step, Map<String, String> settings) {
        super(uri, component);
        this.step = step;
        this.settings = settings;
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    @Override
    public Producer createProducer() {
        Processor processor = switch (step) {
            case ADMIT -> admission();
            case MAP -> new MapStep(MappingLoader.named(routesDir(), settings.get("mapping")), settings.get("sync"),
                    TemplateParams.bean(ConnectionMappings.class));
            case STORE -> store();
            case JOURNAL -> new JournalStep(settings.get("integration"), settings.get("sync"));
            case INTAKE -> new IntakeStep(TemplateParams.bean(InboundSyncs.class), TemplateParams.bean(DeadLetters.class),
                    TemplateParams.bean(SyncMetrics.class));
            case QUEUE -> new QueueStep(settings.get("integration"), new EventIntake(settings.get("integration"),
                    settings.get("sync"), twoWay()), TemplateParams.bean(Connections.class));
            case BUDGET -> new BudgetStep(settings.get("integration"), settings.get("connection"),
                    TemplateParams.bean(Connections.class), TemplateParams.bean(ConnectionRateBudget.class));
            case POLL -> new PollStep(settings.get("integration"), settings.get("sync"),
                    Boolean.parseBoolean(settings.get("now")), settings.get("connection"),
                    TemplateParams.bean(SyncRegistry.class), TemplateParams.bean(Connections.class),
                    TemplateParams.bean(PollRunner.class));
            case CONNECTION -> new ConnectionStep(settings.get("integration"), settings.get("by"),
                    simple(settings.get("value")), TemplateParams.bean(Connections.class));
            case FETCH -> new FetchStep(settings.get("integration"), simple(settings.get("path")), settings.get("query"),
                    ConnectionAuth.parse(settings.get("auth")), settings.get("notFound").equals("skip"),
                    TemplateParams.bean(Connections.class), TemplateParams.bean(PollRunner.class).client(number("maxAttempts")));
            case WRITES -> throw new IllegalArgumentException("syncline:writes is a consumer: use it in from:, not to:");
        };
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                processor.process(exchange);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (step != Step.WRITES) {
            throw new IllegalArgumentException("syncline:" + step.id() + " is a step of a route, used in to:; "
                    + "only syncline:writes starts one (from:)");
        }
        Set<String> deadLetterOn = Arrays.stream(settings.get("deadLetterOn").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        WritesConsumer consumer = new WritesConsumer(this, processor, new WritesConsumer.Settings(
                settings.get("integration"), settings.get("sync"), number("batch"),
                Duration.ofSeconds(number("leaseSeconds")), number("maxAttempts"), deadLetterOn),
                TemplateParams.bean(WriteQueue.class), TemplateParams.bean(Database.class),
                TemplateParams.bean(DeadLetters.class), TemplateParams.bean(FlowLog.class));
        consumer.setDelay(number("delay"));
        consumer.setGreedy(true); // a poll that found writes polls again at once
        configureConsumer(consumer);
        return consumer;
    }

    private WebhookAdmission admission() {
        Duration tolerance = Duration.ofSeconds(number("toleranceSeconds"));
        return new WebhookAdmission(new WebhookAdmission.Settings(settings.get("integration"), settings.get("sync"),
                settings.get("connectionHeader"), WebhookAdmission.scheme(settings.get("signature"),
                        settings.get("signatureHeader"), settings.get("signatureEncoding"), tolerance),
                settings.get("secret"), settings.get("idFrom"), number("maxBodyBytes"), settings.get("connection")),
                TemplateParams.bean(Connections.class), Clock.systemUTC(), TemplateParams.bean(SyncMetrics.class),
                OAuthProviders::clientSecret,
                ConfigProvider.getConfig().getOptionalValue("syncline.public-url", String.class),
                TemplateParams.bean(Deliveries.class));
    }

    private StoreStep store() {
        String sync = settings.get("sync");
        Ownership twoWay = twoWay();
        RecordIntake.Forward forward = RecordIntake.Forward.of(sync, settings.get("forwardTo"),
                settings.get("forwardConnection"));
        return new StoreStep(settings.get("integration"), sync, settings.get("connection"),
                settings.get("idFrom").trim(), mapping -> RecordIntake.declared(sync, mapping, twoWay, forward),
                TemplateParams.bean(Connections.class), TemplateParams.bean(InboundSyncs.class),
                TemplateParams.bean(SyncMetrics.class));
    }

    /** A parameter that is a Simple expression, evaluated per exchange (as toD's URI is). */
    private org.apache.camel.Expression simple(String text) {
        return getCamelContext().resolveLanguage("simple").createExpression(text);
    }

    private Ownership twoWay() {
        return Ownership.named(routesDir(), settings.get("twoWay"));
    }

    private Path routesDir() {
        return TemplateParams.routesDir(getCamelContext());
    }

    /** A whole-number setting; {@link Step#settings} has checked its type already. */
    private int number(String name) {
        return Integer.parseInt(settings.get(name).trim());
    }
}
