package io.syncline.steps;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.syncline.config.TemplateParams;
import io.syncline.connection.Connections;
import io.syncline.intake.EventIntake;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.MappingLoader;
import io.syncline.metrics.SyncMetrics;
import io.syncline.outbound.ConnectionRateBudget;
import io.syncline.outbound.FlowLog;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.SyncRegistry;
import io.syncline.schedule.SyncState;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordStore;
import io.syncline.twoway.Ownership;
import io.syncline.twoway.RecordAgreement;
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
            case MAP -> new MapStep(MappingLoader.load(routesDir().resolve(settings.get("mapping"))));
            case STORE -> store();
            case QUEUE -> new QueueStep(settings.get("integration"), new EventIntake(settings.get("integration"),
                    settings.get("sync"), twoWay()), TemplateParams.bean(Connections.class));
            case BUDGET -> new BudgetStep(settings.get("integration"), settings.get("connection"),
                    TemplateParams.bean(Connections.class), TemplateParams.bean(ConnectionRateBudget.class));
            case POLL -> new PollStep(settings.get("integration"), settings.get("sync"),
                    Boolean.parseBoolean(settings.get("now")), settings.get("connection"),
                    TemplateParams.bean(SyncRegistry.class), TemplateParams.bean(Connections.class),
                    TemplateParams.bean(PollRunner.class), TemplateParams.bean(SyncState.class));
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
                settings.get("integration"), settings.get("sync"), positive("batch"),
                Duration.ofSeconds(positive("leaseSeconds")), positive("maxAttempts"), deadLetterOn),
                TemplateParams.bean(WriteQueue.class), TemplateParams.bean(Database.class),
                TemplateParams.bean(DeadLetters.class), TemplateParams.bean(FlowLog.class));
        consumer.setDelay(positive("delay"));
        consumer.setGreedy(true); // a poll that found writes polls again at once
        configureConsumer(consumer);
        return consumer;
    }

    private WebhookAdmission admission() {
        Duration tolerance = Duration.ofSeconds(positive("toleranceSeconds"));
        return new WebhookAdmission(new WebhookAdmission.Settings(settings.get("integration"), settings.get("sync"),
                settings.get("connectionHeader"), WebhookAdmission.scheme(settings.get("signature"),
                        settings.get("signatureHeader"), settings.get("signatureEncoding"), tolerance),
                settings.get("secret"), settings.get("idFrom"), positive("maxBodyBytes")),
                TemplateParams.bean(Connections.class), Clock.systemUTC(), TemplateParams.bean(SyncMetrics.class));
    }

    private StoreStep store() {
        String integration = settings.get("integration");
        String sync = settings.get("sync");
        Ownership twoWay = twoWay();
        RecordIntake.Forward forward = forward(sync);
        return new StoreStep(integration, sync, settings.get("connection"), settings.get("idFrom").trim(), mapping -> {
            RecordIntake intake = new RecordIntake(sync, mapping, TemplateParams.bean(RecordStore.class),
                    TemplateParams.bean(DeadLetters.class), TemplateParams.bean(Database.class), twoWay,
                    TemplateParams.bean(RecordAgreement.class));
            return forward == null ? intake : intake.forwardingTo(forward);
        }, TemplateParams.bean(Connections.class), TemplateParams.bean(InboundSyncs.class),
                TemplateParams.bean(SyncMetrics.class));
    }

    private RecordIntake.Forward forward(String sync) {
        String forwardTo = settings.get("forwardTo").trim();
        if (forwardTo.isEmpty()) {
            return null;
        }
        int slash = forwardTo.indexOf('/');
        if (slash <= 0 || slash == forwardTo.length() - 1) {
            throw new IllegalArgumentException("syncline:store of '" + sync + "': forwardTo must be integration/name of "
                    + "an outbound sync, not '" + forwardTo + "'");
        }
        String connection = settings.get("forwardConnection").trim();
        return new RecordIntake.Forward(forwardTo.substring(0, slash), forwardTo.substring(slash + 1),
                connection.isEmpty() ? null : connection, TemplateParams.bean(WriteQueue.class),
                TemplateParams.bean(Writer.class)::wake);
    }

    private Ownership twoWay() {
        String file = settings.get("twoWay").trim();
        return file.isEmpty() ? null : Ownership.load(routesDir().resolve(file));
    }

    private Path routesDir() {
        String dir = getCamelContext() == null ? null : getCamelContext().getGlobalOption(TemplateParams.ROUTES_DIR_OPTION);
        return dir != null ? Path.of(dir) : TemplateParams.routesDir();
    }

    private int positive(String name) {
        String value = settings.get(name).trim();
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("syncline:" + step.id() + ": " + name + " must be a positive whole number, not '"
                + value + "'");
    }
}
