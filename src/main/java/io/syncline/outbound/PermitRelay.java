package io.syncline.outbound;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.syncline.connection.CredentialCipher;
import io.syncline.http.LazyHttpClient;

/**
 * The asking side of a permit from another replica: a request that must be made where a delivery
 * arrived (a webhook's {@code syncline:fetch}) for a connection that another replica owns takes
 * its permit from the owner, over the network ({@code POST /cluster/permits}), and gives it back
 * when answered. So every request to a connection counts against the one budget its owner holds.
 * Replicas authenticate each other with a token derived from the shared encryption key.
 */
@ApplicationScoped
public class PermitRelay {

    private static final Logger LOG = Logger.getLogger(PermitRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long an owner may keep a caller waiting for a slot, and the caller waits for it. */
    static final Duration WAIT = Duration.ofSeconds(60);
    /** How long a granted permit is held at most if its replica never gives it back. */
    public static final Duration HOLD = Duration.ofSeconds(90);

    private final ConnectionOwners owners;
    private final Replicas replicas;
    private final CredentialCipher cipher;
    private final LazyHttpClient http = LazyHttpClient.connectTimeout(Duration.ofSeconds(5));

    public PermitRelay(ConnectionOwners owners, Replicas replicas, CredentialCipher cipher) {
        this.owners = owners;
        this.replicas = replicas;
        this.cipher = cipher;
    }

    /** The token one replica shows another. */
    public String token() {
        return cipher.derived("syncline-cluster-permits");
    }

    /** A permit from the connection's owner; throws {@link ConnectionOwners.NotOwned} when none answers. */
    ConnectionRateBudget.Permit acquire(String connectionKey, ConnectionRateBudget.Use use) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            String address = ownerAddress(connectionKey);
            if (address != null) {
                try {
                    HttpResponse<String> r = http.get().send(request(address + "/cluster/permits")
                            .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                                    "connection", connectionKey, "use", use.name())))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        String id = JSON.readTree(r.body()).path("permit").asText();
                        return () -> giveBack(address, id);
                    }
                    LOG.debugf("owner of %s at %s answered %d for a permit", connectionKey, address, r.statusCode());
                } catch (IOException e) {
                    LOG.debugf("owner of %s at %s did not answer: %s", connectionKey, address, e.getMessage());
                }
            }
            Thread.sleep(replicas.heartbeat().toMillis()); // ownership is moving: ask again after a heartbeat
        }
        throw new ConnectionOwners.NotOwned(connectionKey);
    }

    /** The app asked to pause the connection: its owner pauses it. */
    void pause(String connectionKey, Duration pause) {
        String address = ownerAddress(connectionKey);
        if (address == null) {
            return; // no owner now: whoever takes it over starts with a full window anyway
        }
        try {
            http.get().send(request(address + "/cluster/pauses").timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                            "connection", connectionKey, "millis", pause.toMillis())))).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            LOG.debugf("could not pass a pause of %s to its owner: %s", connectionKey, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void giveBack(String address, String id) {
        // asynchronously: the answer is already here; a permit not given back is closed by its owner later
        http.get().sendAsync(
                request(address + "/cluster/permits/" + id).timeout(Duration.ofSeconds(10)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json");
    }

    private String ownerAddress(String connectionKey) {
        int slash = connectionKey.indexOf('/');
        return owners.ownerAddress(connectionKey.substring(0, slash), connectionKey.substring(slash + 1)).orElse(null);
    }
}
