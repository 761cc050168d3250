package io.syncline.steps;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.support.Api;
import io.syncline.support.KafkaBroker;

/**
 * Kafka as trigger, against a real single-node broker: each record is stored once, one that is
 * not JSON is dead-lettered, and the group's offset moves only past records whose store committed.
 */
@QuarkusTest
@TestProfile(KafkaTriggerTest.Profile.class)
@QuarkusTestResource(value = KafkaBroker.class, restrictToAnnotatedClass = true)
class KafkaTriggerTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern",
                    "file:target/test-routes/*.camel.yaml,file:target/test-routes/kafka/*.camel.yaml");
        }
    }

    static final String TOPIC = "syncline-test-contacts";

    @ConfigProperty(name = "kafka.bootstrap")
    String bootstrap;

    @Test
    void recordsAreStoredOnceAndTheOffsetIsCommittedAfterTheStore() throws Exception {
        String conn = Api.newConnection();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, conn, Api.contact("k1", "kf1", "kim@example.com", "lead"))).get();
            producer.send(new ProducerRecord<>(TOPIC, conn, Api.contact("k2", "kf2", "kai@example.com", "customer"))).get();
            producer.send(new ProducerRecord<>(TOPIC, conn, "{\"data\": not json")).get();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> Api.records(conn).get("/records?model=Contact")
                .then().statusCode(200).body("records", hasSize(2)));
        Api.authed().get("/api/dead-letters?connection_id=" + conn).then().statusCode(200)
                .body("dead_letters", hasSize(1)).body("dead_letters[0].sync", is("kafka-contacts"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("syncline-test")
                        .partitionsToOffsetAndMetadata().get();
                OffsetAndMetadata committed = offsets.get(new TopicPartition(TOPIC, 0));
                assertEquals(3L, committed == null ? -1L : committed.offset(), "every record, the dead-lettered one "
                        + "included, is committed once stored");
            });
        }
        List<String> ids = Api.records(conn).get("/records?model=Contact").jsonPath().getList("records.id");
        assertEquals(List.of("kf1", "kf2"), ids.stream().sorted().toList());
    }
}
