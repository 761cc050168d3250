package io.syncline.intake;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.metrics.Gauges;

/**
 * How far the store is behind Kafka, with Kafka in front of ingest: for each partition of the
 * intake topic, the records the consumer group has not committed yet, as the gauge
 * {@code syncline_intake_kafka_lag{partition}}, read from the broker every 10 s.
 */
@ApplicationScoped
public class KafkaIntakeLag {

    private static final Logger LOG = Logger.getLogger(KafkaIntakeLag.class);

    private final boolean enabled;
    private final String brokers;
    private final String topic;
    private final String group;
    private final MeterRegistry registry;
    private final Map<Integer, Long> lag = new ConcurrentHashMap<>();
    private final BackgroundLoop loop = new BackgroundLoop("kafka-intake-lag", 10_000, this::read);
    private Admin admin;

    public KafkaIntakeLag(MeterRegistry registry,
            @ConfigProperty(name = "syncline.intake.kafka.enabled") boolean enabled,
            @ConfigProperty(name = "syncline.intake.kafka.brokers") java.util.Optional<String> brokers,
            @ConfigProperty(name = "syncline.intake.kafka.topic") String topic,
            @ConfigProperty(name = "syncline.intake.kafka.group") String group) {
        this.registry = registry;
        this.enabled = enabled;
        this.brokers = brokers.orElse("");
        this.topic = topic;
        this.group = group;
    }

    void start(@Observes StartupEvent ignored) {
        if (!enabled) {
            return;
        }
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000));
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        if (admin != null) {
            loop.stop();
            admin.close();
        }
    }

    /** The lag of each partition now, as last read. */
    public Map<Integer, Long> lag() {
        return Map.copyOf(lag);
    }

    private void read() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(
                    p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(5, TimeUnit.SECONDS);
            ends.forEach((tp, end) -> {
                OffsetAndMetadata done = committed.get(tp);
                long behind = end.offset() - (done == null ? 0 : done.offset());
                if (lag.put(tp.partition(), Math.max(0, behind)) == null) {
                    Gauges.register(registry, "syncline.intake.kafka.lag", "Intake records not yet stored, by partition",
                            lag, m -> m.getOrDefault(tp.partition(), 0L), "partition", Integer.toString(tp.partition()));
                }
            });
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debugf("could not read the intake lag from Kafka: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
