package io.syncline.steps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.syncline.support.KafkaBroker;
import io.syncline.support.PackagedService;

/**
 * A Kafka-fed sync killed (SIGKILL) mid-stream, for real: the packaged service is killed while it
 * works through a topic and started again on the same embedded database. The records after the
 * last committed offset are read again; the store recognises those it had committed (their
 * position is their delivery id), so each record is stored once, none is lost, and the group's
 * offset ends at the end of the topic.
 */
class KafkaKillRestartIT {

    static final int RECORDS = 2000;
    static final String TOPIC = "syncline-it-contacts";
    final KafkaBroker broker = new KafkaBroker();
    Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
        broker.stop();
    }

    @Test
    void killedMidStreamItLosesNothingCommittedAndStoresEachRecordOnce() throws Exception {
        String bootstrap = broker.start().get("kafka.bootstrap");
        Path home = Files.createTempDirectory("syncline-kafka-kill-it");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("kafka.camel.yaml"), """
                - route:
                    from:
                      uri: "kafka:%s?brokers={{kafka.bootstrap}}&groupId=syncline-it&autoOffsetReset=earliest&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true&sessionTimeoutMs=6000&heartbeatIntervalMs=2000"
                      steps:
                        - setHeader: { name: SynclineConnectionId, simple: "${header.kafka.KEY}" }
                        - setHeader: { name: SynclineMessageId, simple: "${header.kafka.TOPIC}/${header.kafka.PARTITION}/${header.kafka.OFFSET}" }
                        - to: "syncline:map?mapping=contact.mapping.yaml"
                        - to: "syncline:store?integration=crm&sync=contacts-from-kafka"
                        - setProperty: { name: committed, simple: "${header.CamelKafkaManualCommit.commit()}" }
                """.formatted(TOPIC));
        PackagedService.writeContactMapping(routes);
        int port = PackagedService.freePort();
        service = start(home, port, bootstrap);
        await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));
        assertEquals(201, PackagedService.send(port, "POST", "/api/connections", Map.of(),
                "{\"provider_config_key\":\"crm\",\"connection_id\":\"acme\"}").statusCode());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "acme", "{\"id\":\"k" + i + "\",\"email\":\"k" + i + "@x.io\"}"));
            }
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> BrokerKillRestartIT.stored(port, "contacts-from-kafka") >= 100);
        service.destroyForcibly().waitFor(); // kill -9 mid-stream; its group membership lapses after 6 s
        service = start(home, port, bootstrap);
        await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));
        await().atMost(Duration.ofSeconds(120)).until(() -> BrokerKillRestartIT.ids(port).size() >= RECORDS);
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                OffsetAndMetadata o = admin.listConsumerGroupOffsets("syncline-it").partitionsToOffsetAndMetadata().get()
                        .get(new TopicPartition(TOPIC, 0));
                return o != null && o.offset() == RECORDS;
            });
        }
        Set<String> ids = BrokerKillRestartIT.ids(port);
        assertEquals(RECORDS, ids.size(), "each record is one record: none lost, none twice");
        for (int i = 0; i < RECORDS; i++) {
            assertTrue(ids.contains("k" + i), "record k" + i + " was lost");
        }
        assertEquals(0, deadLetters(port));
        assertTrue(BrokerKillRestartIT.stored(port, "contacts-from-kafka") > 0,
                "the kill came mid-stream: the restarted service still had some to store");
    }

    static int deadLetters(int port) throws Exception {
        return new JsonPath(PackagedService.send(port, "GET", "/api/dead-letters?limit=10000", Map.of(), "").body())
                .getList("dead_letters").size();
    }

    Process start(Path home, int port, String bootstrap) throws Exception {
        return PackagedService.start(home, port, "kafka.bootstrap=" + bootstrap);
    }
}
