package io.syncline.intake;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Kafka in front of ingest, the store end (a deployment setting, {@code syncline.intake.kafka.enabled}):
 * every replica consumes the intake topic in one consumer group and stores each delivery with
 * {@code syncline:intake}; the offset is committed only after the store's commit, and a failure
 * commits nothing, so the record is read again ({@code breakOnFirstError}) and its delivery id
 * makes the second read change nothing. A partition is one connection's deliveries in order
 * (the record key is {@code integration/connection}), read by one consumer at a time.
 *
 * <p>Each offset is committed synchronously after its record's store: a consumer that lost its
 * partition (a broker restart evicted it) learns it from the failed commit and stops before it
 * stores anything more, so the next consumer never stores a later delivery before an earlier
 * one. Asynchronous commits, and one commit per poll, let such a consumer go on storing behind
 * the new one, and broke the per-connection order in {@code KafkaIntakeIT}. The price is one
 * broker round trip per record: a connection's webhooks are stored at about 100/s here.
 */
@ApplicationScoped
public class KafkaIntake extends RouteBuilder {

    private final boolean enabled;

    public KafkaIntake(@ConfigProperty(name = "syncline.intake.kafka.enabled") boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void configure() {
        if (!enabled) {
            return;
        }
        from("kafka:{{syncline.intake.kafka.topic}}?brokers={{syncline.intake.kafka.brokers}}"
                + "&groupId={{syncline.intake.kafka.group}}&autoOffsetReset=earliest"
                + "&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true"
                + "&maxPollRecords={{syncline.intake.kafka.max-poll-records}}"
                // one consumer thread per partition this replica is given, up to this many: their
                // stores share transactions (group commit), and each partition stays in order
                + "&consumersCount={{syncline.intake.kafka.consumers}}")
                .routeId("syncline-intake")
                .to("syncline:intake")
                .process(e -> e.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class).commit());
    }
}
