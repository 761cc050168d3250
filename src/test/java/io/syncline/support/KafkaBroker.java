package io.syncline.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A single-node Kafka broker in KRaft mode, run from the Kafka jars on the test class path as a
 * process of its own, on free loopback ports with its data under {@code target/}. It hands its
 * address to configuration as {@code kafka.bootstrap}.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {

    private Process broker;
    private Path dir;
    private Path config;
    private String bootstrap;

    @Override
    public Map<String, String> start() {
        try {
            int port = PackagedService.freePort();
            int controller = PackagedService.freePort();
            dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "kafka-").toAbsolutePath();
            config = dir.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller", "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controller,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"), "num.partitions=1",
                    "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", ""));
            Process format = java(dir.resolve("format.log"), "kafka.tools.StorageTool", "format", "-t",
                    Uuid.randomUuid().toString(), "-c", config.toString());
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("formatting the Kafka storage failed: see " + dir.resolve("format.log"));
            }
            bootstrap = "127.0.0.1:" + port;
            run();
            return Map.of("kafka.bootstrap", bootstrap);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void run() throws IOException {
        broker = java(dir.resolve("broker.log"), "kafka.Kafka", config.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!answers(bootstrap)) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not start: see " + dir.resolve("broker.log"));
            }
        }
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** SIGKILL, as a crashed broker: what it acknowledged with acks=all is on its disk. */
    public void kill() throws InterruptedException {
        broker.destroyForcibly().waitFor();
    }

    /** Starts it again on the same ports and data after {@link #kill()}. */
    public void startAgain() throws IOException {
        run();
    }

    private static boolean answers(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
            admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Process java(Path log, String main, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.destroy();
            try {
                if (!broker.waitFor(20, TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            } catch (InterruptedException e) {
                broker.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
