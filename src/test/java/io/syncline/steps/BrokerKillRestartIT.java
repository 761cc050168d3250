package io.syncline.steps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.restassured.path.json.JsonPath;
import io.syncline.support.PackagedService;

/**
 * A sync fed from RabbitMQ, killed (SIGKILL) mid-stream, for real: the packaged service is
 * killed while it works through the queue, and started again on the same embedded database.
 * Every message the broker handed out but that was not acknowledged comes again; the store
 * recognises the ones it had committed (same message id), so each message ends up as exactly one
 * record, none is lost, and the queue ends empty.
 */
class BrokerKillRestartIT {

    static final int MESSAGES = 2000;
    Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @Test
    void killedMidStreamItLosesNothingAcknowledgedAndStoresEachMessageOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String exchange = "syncline-it-" + run;
        String queue = "syncline-it-contacts-" + run;
        Path home = Files.createTempDirectory("syncline-broker-kill-it");
        Path routes = Files.createDirectories(home.resolve("routes"));
        Files.writeString(routes.resolve("broker.camel.yaml"), """
                - beans:
                    - name: rabbit
                      type: org.springframework.amqp.rabbit.connection.CachingConnectionFactory
                      properties: { host: 127.0.0.1, port: 5672, username: guest, password: guest }
                - route:
                    from:
                      uri: "spring-rabbitmq:%s?queues=%s&routingKey=contacts&connectionFactory=#rabbit&rejectAndDontRequeue=false"
                      steps:
                        - setHeader: { name: SynclineMessageId, simple: "${header.CamelSpringRabbitmqMessageId}" }
                        - setHeader: { name: SynclineConnectionId, simple: "${header.connection}" }
                        - to: "syncline:map?mapping=contact.mapping.yaml"
                        - to: "syncline:store?integration=crm&sync=contacts-from-rabbit"
                """.formatted(exchange, queue));
        PackagedService.writeContactMapping(routes);
        int port = PackagedService.freePort();
        service = PackagedService.start(home, port);
        await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));
        assertEquals(201, PackagedService.send(port, "POST", "/api/connections", Map.of(),
                "{\"provider_config_key\":\"crm\",\"connection_id\":\"acme\"}").statusCode());

        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection rabbit = factory.newConnection(); Channel ch = rabbit.createChannel()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> consumers(ch, queue) > 0);
            for (int i = 0; i < MESSAGES; i++) {
                ch.basicPublish(exchange, "contacts", new AMQP.BasicProperties.Builder().contentType("application/json")
                        .messageId("m" + i).headers(Map.of("connection", "acme")).deliveryMode(2).build(),
                        ("{\"id\":\"r" + i + "\",\"email\":\"r" + i + "@x.io\"}").getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> stored(port) >= 100);
            service.destroyForcibly().waitFor(); // kill -9 mid-stream
            service = PackagedService.start(home, port);
            await().atMost(Duration.ofSeconds(60)).until(() -> PackagedService.ready(port));
            await().atMost(Duration.ofSeconds(120)).until(() -> ids(port).size() >= MESSAGES
                    && ch.queueDeclarePassive(queue).getMessageCount() == 0);
            Set<String> ids = ids(port);
            assertEquals(MESSAGES, ids.size(), "each message is one record: none lost, none twice");
            for (int i = 0; i < MESSAGES; i++) {
                assertEquals(true, ids.contains("r" + i), "message m" + i + " was lost");
            }
            assertEquals(0, new JsonPath(PackagedService.send(port, "GET", "/api/dead-letters", Map.of(), "").body())
                    .getList("dead_letters").size());
            assertEquals(true, stored(port) > 0, "the kill came mid-stream: the restarted service still had some to store");
            ch.queueDelete(queue);
            ch.exchangeDelete(exchange);
        }
    }

    static long consumers(Channel ch, String queue) {
        try {
            return ch.queueDeclarePassive(queue).getConsumerCount();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    static int stored(int port) throws Exception {
        return stored(port, "contacts-from-rabbit");
    }

    /** How many records this process has added for the sync, from its inbound counter. */
    static int stored(int port, String sync) throws Exception {
        HttpResponse<String> r = PackagedService.send(port, "GET", "/q/metrics", Map.of(), "");
        int n = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("syncline_records_in_total") && line.contains("sync=\"" + sync + "\"")
                    && line.contains("result=\"added\"")) {
                n += (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }

    static Set<String> ids(int port) throws Exception {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            HttpResponse<String> r = PackagedService.send(port, "GET", "/records?model=Contact&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor), Map.of("Connection-Id", "acme",
                    "Provider-Config-Key", "crm"), "");
            JsonPath page = new JsonPath(r.body());
            List<String> got = page.getList("records.id");
            ids.addAll(got);
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return ids;
    }
}
