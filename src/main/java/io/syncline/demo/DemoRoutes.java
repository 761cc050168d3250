package io.syncline.demo;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;
import io.syncline.connect.ConnectSessions;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.webhook.StandardWebhookVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the demo: makes sure connection {@code demo-crm/demo} exists with a webhook secret, then
 * every few seconds lets the demo CRM change a contact and POST the signed webhook to Syncline,
 * exactly as a connected app out on the internet would. Off in the prod profile.
 */
@ApplicationScoped
public class DemoRoutes extends RouteBuilder {

    public static final String INTEGRATION = "demo-crm";
    public static final String CONNECTION = "demo";
    private static final Logger LOG = Logger.getLogger("io.syncline.demo");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The OAuth2 demo: the demo CRM as a provider (routes/providers/demo-crm-oauth.yaml). */
    public static final String OAUTH_INTEGRATION = "demo-crm-oauth";

    private final DemoCrm crm;
    private final Connections connections;
    private final ConnectSessions sessions;
    private final boolean enabled;
    private final String targetUrl;

    public DemoRoutes(DemoCrm crm, Connections connections, ConnectSessions sessions,
            @ConfigProperty(name = "syncline.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "syncline.demo.target-url") String targetUrl) {
        this.crm = crm;
        this.connections = connections;
        this.sessions = sessions;
        this.enabled = enabled;
        this.targetUrl = targetUrl;
    }

    /**
     * Prints a connect link for the OAuth2 demo, as your backend would hand one to a customer:
     * opened in a browser, it shows the connect page, then the demo CRM's consent screen.
     */
    void offerConnect(@Observes StartupEvent ignored) {
        if (!enabled) {
            return;
        }
        ConnectSessions.Created s = sessions.create(Map.of("id", "demo-customer", "display_name", "a demo customer"),
                null, List.of(OAUTH_INTEGRATION), null, "demo", null, List.of());
        LOG.infof("OAuth2 demo: open %s/oauth/connect/%s?connect_session_token=%s to connect a demo CRM account "
                + "(the link works once, for 30 minutes; the console's connection page makes new ones)", targetUrl,
                OAUTH_INTEGRATION, s.token());
    }

    @Override
    public void configure() {
        if (!enabled) {
            return;
        }
        from("timer:demo-crm?delay={{syncline.demo.first-delay-ms:2000}}&period={{syncline.demo.interval-ms:3000}}")
                .routeId("demo-crm-changes")
                .process(this::signedWebhook)
                .toD(targetUrl + "/webhooks/demo-crm/contacts/" + CONNECTION
                        + "?throwExceptionOnFailure=false&connectTimeout=2000&responseTimeout=5000")
                .process(this::report);
    }

    private void signedWebhook(Exchange e) throws Exception {
        Connection demo = ensureConnection();
        Map<String, Object> change = crm.nextChange();
        byte[] body = JSON.writeValueAsBytes(change);
        String id = (String) change.get("id");
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        e.getMessage().removeHeaders("*");
        e.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        e.getMessage().setHeader(StandardWebhookVerifier.ID, id);
        e.getMessage().setHeader(StandardWebhookVerifier.TIMESTAMP, timestamp);
        e.getMessage().setHeader(StandardWebhookVerifier.SIGNATURE,
                StandardWebhookVerifier.signature(demo.credential("webhook_secret"), id, timestamp, body));
        e.getMessage().setBody(body);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) change.get("data");
        e.setProperty("demoSummary", change.get("type") + " " + data.get("id") + " (" + data.get("first_name") + " "
                + data.get("last_name") + ", " + data.get("lifecycle") + ")");
    }

    private void report(Exchange e) {
        String answer = e.getMessage().getBody(String.class);
        LOG.infof("demo-crm → Syncline: %s → %s %s%s", e.getProperty("demoSummary"),
                e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE), answer,
                answer != null && answer.contains("\"change\":\"unchanged\"")
                        ? " (nothing new for your app: already known, or the echo of a write Syncline made)" : "");
    }

    private Connection ensureConnection() {
        Connection c = connections.find(INTEGRATION, CONNECTION).orElse(null);
        if (c != null && c.credential("access_token") != null) {
            return c;
        }
        Map<String, String> credentials = Map.of("webhook_secret", c != null && c.credential("webhook_secret") != null
                ? c.credential("webhook_secret") : "whsec_" + random(24), "access_token", "demo_" + random(18));
        if (c == null) {
            connections.create(new Connection(INTEGRATION, CONNECTION, targetUrl + "/demo-crm/api", credentials,
                    Map.of("demo", true), null, null));
            LOG.infof("created connection %s/%s for the demo CRM", INTEGRATION, CONNECTION);
        } else {
            connections.update(INTEGRATION, CONNECTION, targetUrl + "/demo-crm/api", credentials, null);
        }
        return connections.find(INTEGRATION, CONNECTION).orElseThrow();
    }

    private static String random(int bytes) {
        byte[] raw = new byte[bytes];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }
}
