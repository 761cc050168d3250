package io.syncline.outbound;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.config.GeneratedSecrets;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordStore;
import io.syncline.webhook.StandardWebhookVerifier;
import io.syncline.http.LazyHttpClient;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Webhooks to your app ("a run changed records" / "a run failed"), signed with Standard
 * Webhooks headers. Each is queued in the database first, then delivered by a worker that
 * claims due rows with SKIP LOCKED (so any replica can send it, and only one does), retried
 * with {@link Backoff}, and dead-lettered when the attempts run out.
 */
@ApplicationScoped
public class AppWebhooks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;
    private final DeadLetters deadLetters;
    private final String secret;
    private final Backoff backoff;
    private final LazyHttpClient http = LazyHttpClient.connectTimeout(Duration.ofSeconds(5));
    private final BackgroundLoop worker = new BackgroundLoop("app-webhooks", 500, () -> claimDue().forEach(this::deliver));

    public AppWebhooks(Database db, DeadLetters deadLetters,
            @ConfigProperty(name = "syncline.notify.secret") Optional<String> secret,
            @ConfigProperty(name = "syncline.notify.max-attempts", defaultValue = "8") int maxAttempts,
            @ConfigProperty(name = "syncline.notify.backoff-base", defaultValue = "1s") Duration backoffBase,
            @ConfigProperty(name = "syncline.data-dir", defaultValue = "./data") String dataDir,
            @ConfigProperty(name = "syncline.generate-missing-secrets", defaultValue = "true") boolean generate) {
        this.db = db;
        this.deadLetters = deadLetters;
        // In production every replica must sign with the same secret, so it has to be configured;
        // a secret generated per pod would make verification fail at random.
        this.secret = secret.filter(s -> !s.isBlank()).orElseGet(() -> generate ? GeneratedSecrets.readOrCreate(
                Path.of(dataDir), "notify-secret", 24, raw -> "whsec_" + Base64.getEncoder().encodeToString(raw)).value()
                : null);
        this.backoff = new Backoff(maxAttempts, backoffBase, Duration.ofMinutes(10));
    }

    /** Queues one webhook; it is sent after this returns, and retried until it succeeds or is dead-lettered. */
    public void enqueue(String url, Map<String, Object> body) {
        db.inTransaction(c -> {
            enqueue(c, url, body);
            return null;
        });
    }

    /** Queues one webhook inside the caller's transaction; it is sent once that commits. */
    public void enqueue(Connection c, String url, Map<String, Object> body) throws SQLException {
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        OffsetDateTime now = RecordStore.now();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO notifications (url, body, attempts, next_attempt_at, status, created_at)
                VALUES (?, ?, 0, ?, 'pending', ?)""")) {
            ps.setString(1, url);
            ps.setString(2, text);
            ps.setObject(3, now);
            ps.setObject(4, now);
            ps.executeUpdate();
        }
        worker.wake();
    }

    void start(@Observes StartupEvent ignored) {
        worker.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        worker.stop();
    }

    private record Due(long id, String url, String body, int attempts) {
    }

    /** Claims due rows by pushing their next attempt a minute ahead: a replica that dies mid-send loses nothing. */
    private List<Due> claimDue() {
        OffsetDateTime now = RecordStore.now();
        return db.inTransaction(c -> {
            List<Due> due = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, url, body, attempts FROM notifications
                     WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED""")) {
                ps.setObject(1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        due.add(new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE notifications SET next_attempt_at = ? WHERE id = ?")) {
                for (Due d : due) {
                    ps.setObject(1, now.plusMinutes(1));
                    ps.setLong(2, d.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return due;
        });
    }

    private void deliver(Due d) {
        if (secret == null) {
            settle(d.id(), "dead", d.attempts(), "syncline.notify.secret is not set", null);
            deadLetters.add("notification", "app-webhook", "-", "-", null, "notification/" + d.id(),
                    "not sent: set syncline.notify.secret (SYNCLINE_NOTIFY_SECRET) to sign webhooks to your app", null,
                    d.body());
            return;
        }
        String error;
        try {
            byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
            String id = "msg_" + d.id();
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            HttpResponse<String> r = http.get().send(HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header(StandardWebhookVerifier.ID, id).header(StandardWebhookVerifier.TIMESTAMP, ts)
                    .header(StandardWebhookVerifier.SIGNATURE, StandardWebhookVerifier.signature(secret, id, ts, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 200 && r.statusCode() < 300) {
                settle(d.id(), "delivered", d.attempts() + 1, null, null);
                return;
            }
            error = "answered " + r.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            error = "no answer: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int attempts = d.attempts() + 1;
        if (backoff.exhausted(attempts)) {
            settle(d.id(), "dead", attempts, error, null);
            deadLetters.add("notification", "app-webhook", "-", "-", null, "notification/" + d.id(),
                    "webhook to " + d.url() + " failed " + attempts + " times; last: " + error, null, d.body());
        } else {
            settle(d.id(), "pending", attempts, error, RecordStore.now().plus(backoff.delay(attempts)));
        }
    }

    private void settle(long id, String status, int attempts, String error, OffsetDateTime next) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE notifications SET status = ?, attempts = ?, last_error = ?,
                           next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?""")) {
                ps.setString(1, status);
                ps.setInt(2, attempts);
                ps.setString(3, error);
                ps.setObject(4, next);
                ps.setLong(5, id);
                return ps.executeUpdate();
            }
        });
    }
}
