package io.syncline.demo;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.api.ApiKeys;
import io.syncline.store.Database;
import io.syncline.store.RecordStore;
import io.syncline.http.LazyHttpClient;
import org.apache.camel.builder.RouteBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * "Your app" in the demo: a contacts table of its own, kept in agreement with the demo CRM by
 * the two-way sync in routes/demo-contacts*.camel.yaml. It talks to Syncline only as your
 * backend would, over HTTP with its own API key (records:read and events:write): it reads the
 * changes feed and applies what the CRM changed, and now and then a person edits a contact here,
 * which it reports with {@code POST /events/contact.changed}.
 */
@ApplicationScoped
public class DemoApp extends RouteBuilder {

    private static final Logger LOG = Logger.getLogger("io.syncline.demo");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COUNTRIES = { "GB", "US", "FR", "DE", "NL", "CH", "FI" };
    private static final List<String> FIELDS = List.of("email", "name", "country", "is_customer", "ltv_cents");

    /** One edit made in your app, for the demo's own test. */
    public record Edit(String localId, String crmId, String field, Object value) {
    }

    private final ApiKeys keys;
    private final Database db;
    private final boolean enabled;
    private final String target;
    private final int editEvery;
    private final LazyHttpClient http = LazyHttpClient.connectTimeout(Duration.ofSeconds(2));
    private final Map<String, Map<String, Object>> contacts = new LinkedHashMap<>();
    private final List<Edit> edits = new ArrayList<>();
    private final Random random = new Random();
    private String key;
    private String cursor;
    private int ticks;
    private String hedy;
    private int nextId = 1;

    public DemoApp(ApiKeys keys, Database db, @ConfigProperty(name = "syncline.demo.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "syncline.demo.target-url") String target,
            @ConfigProperty(name = "syncline.demo.app-edit-every", defaultValue = "4") int editEvery) {
        this.keys = keys;
        this.db = db;
        this.enabled = enabled;
        this.target = target;
        this.editEvery = editEvery;
    }

    @Override
    public void configure() {
        if (!enabled) {
            return;
        }
        from("timer:demo-app?delay={{syncline.demo.first-delay-ms:2000}}&period={{syncline.demo.interval-ms:3000}}")
                .routeId("demo-app").process(e -> tick());
    }

    public synchronized List<Edit> edits() {
        return List.copyOf(edits);
    }

    public synchronized Map<String, Map<String, Object>> contacts() {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        contacts.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
        return copy;
    }

    synchronized void tick() throws Exception {
        if (key == null) {
            // your app's own key, with only the scopes it needs; last run's is revoked
            keys.list().stream().filter(k -> k.name().equals("demo-app") && k.revokedAt() == null)
                    .forEach(k -> keys.revoke(k.id()));
            key = keys.create("demo-app", List.of(ApiKeys.RECORDS_READ, ApiKeys.EVENTS_WRITE), DemoRoutes.INTEGRATION,
                    DemoRoutes.CONNECTION).getValue();
        }
        if (ticks == 0) {
            tables();
        }
        readFeed();
        ticks++;
        if (ticks == 3) {
            hedy = create("Hedy Lamarr", "hedy.lamarr@example.com", "US");
        } else if (ticks == 5) {
            purchase(hedy, 120_000); // a big order makes Hedy a high-value customer
        } else if (ticks % editEvery == 0) {
            edit();
        } else if (ticks % editEvery == 1 && !contacts.isEmpty()) {
            List<String> ids = new ArrayList<>(contacts.keySet());
            purchase(ids.get(random.nextInt(ids.size())), 1_000 + random.nextInt(40_000));
        }
    }

    /**
     * Your app's own tables: its customers and their purchases, the source of truth that
     * routes/demo-high-value.camel.yaml reads. In a real deployment they live in your database
     * (syncline.app-db.url); the demo keeps them in Syncline's embedded one.
     */
    private void tables() {
        db.inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS demo_customers (id VARCHAR(50) PRIMARY KEY, email VARCHAR(200), "
                        + "country VARCHAR(10), updated_at TIMESTAMP WITH TIME ZONE NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS demo_purchases (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
                        + "PRIMARY KEY, customer_id VARCHAR(50) NOT NULL, amount_cents INT NOT NULL, "
                        + "created_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            return null;
        });
    }

    private void saveCustomer(String id, Map<String, Object> c) {
        db.inTransaction(conn -> {
            OffsetDateTime now = RecordStore.now();
            try (var up = conn.prepareStatement("UPDATE demo_customers SET email = ?, country = ?, updated_at = ? WHERE id = ?")) {
                up.setObject(1, c.get("email"));
                up.setObject(2, c.get("country"));
                up.setObject(3, now);
                up.setString(4, id);
                if (up.executeUpdate() == 0) {
                    try (var in = conn.prepareStatement(
                            "INSERT INTO demo_customers (id, email, country, updated_at) VALUES (?, ?, ?, ?)")) {
                        in.setString(1, id);
                        in.setObject(2, c.get("email"));
                        in.setObject(3, c.get("country"));
                        in.setObject(4, now);
                        in.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    private void purchase(String id, int cents) {
        Map<String, Object> c = contacts.get(id);
        if (c == null) {
            return;
        }
        db.inTransaction(conn -> {
            try (var in = conn.prepareStatement(
                    "INSERT INTO demo_purchases (customer_id, amount_cents, created_at) VALUES (?, ?, ?)")) {
                in.setString(1, id);
                in.setInt(2, cents);
                in.setObject(3, RecordStore.now());
                return in.executeUpdate();
            }
        });
        LOG.infof("your app: %s (%s) buys for %d.%02d", id, c.get("name"), cents / 100, cents % 100);
    }

    private void readFeed() throws Exception {
        while (true) {
            String url = target + "/records?model=Contact&limit=100"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<String> r = http.get().send(HttpRequest.newBuilder(URI.create(url)).header("Authorization",
                    "Bearer " + key).header("Connection-Id", DemoRoutes.CONNECTION)
                    .header("Provider-Config-Key", DemoRoutes.INTEGRATION).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return;
            }
            Map<?, ?> page = JSON.readValue(r.body(), Map.class);
            List<?> records = (List<?>) page.get("records");
            for (Object o : records) {
                Map<?, ?> record = (Map<?, ?>) o;
                Map<?, ?> meta = (Map<?, ?>) record.get("_sync_metadata");
                cursor = (String) meta.get("cursor");
                apply(record, meta.get("deleted_at") != null);
            }
            if (page.get("next_cursor") == null) {
                return;
            }
        }
    }

    private void apply(Map<?, ?> record, boolean deleted) {
        String crmId = (String) record.get("id");
        Map.Entry<String, Map<String, Object>> local = contacts.entrySet().stream()
                .filter(e -> crmId.equals(e.getValue().get("crm_id"))
                        || Objects.equals(e.getValue().get("email"), record.get("email")))
                .findFirst().orElse(null);
        if (deleted) {
            if (local != null) {
                contacts.remove(local.getKey());
                LOG.infof("your app ← Syncline: %s (%s) was deleted in the CRM; removed here", local.getKey(), crmId);
            }
            return;
        }
        Map<String, Object> mine = local == null ? new LinkedHashMap<>() : local.getValue();
        List<String> changed = new ArrayList<>();
        for (String f : FIELDS) {
            if (record.containsKey(f) && !Objects.equals(mine.get(f), record.get(f))) {
                changed.add(f + "=" + record.get(f));
                mine.put(f, record.get(f));
            }
        }
        mine.put("crm_id", crmId);
        if (local == null) {
            String id = "app_" + nextId++;
            contacts.put(id, mine);
            saveCustomer(id, mine);
            LOG.infof("your app ← Syncline: new contact %s = CRM %s (%s)", id, crmId, mine.get("name"));
        } else if (!changed.isEmpty()) {
            saveCustomer(local.getKey(), mine);
            LOG.infof("your app ← Syncline: %s = CRM %s changed: %s", local.getKey(), crmId, String.join(", ", changed));
        }
        // no line at all when nothing changed: that was your app's own change coming back through the CRM
    }

    /** @return your app's id of the new contact */
    private String create(String name, String email, String country) throws Exception {
        String id = "app_" + nextId++;
        Map<String, Object> c = new LinkedHashMap<>(Map.of("name", name, "email", email, "country", country));
        contacts.put(id, c);
        saveCustomer(id, c);
        edits.add(new Edit(id, null, "created", name));
        LOG.infof("your app: a person adds %s (%s) here", id, name);
        report(id, c, "created");
        return id;
    }

    private void edit() throws Exception {
        List<String> linked = contacts.entrySet().stream().filter(e -> e.getValue().get("crm_id") != null)
                .map(Map.Entry::getKey).toList();
        if (linked.isEmpty()) {
            return;
        }
        String id = linked.get(random.nextInt(linked.size()));
        Map<String, Object> c = contacts.get(id);
        String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
        if (country.equals(c.get("country"))) {
            country = country.equals("GB") ? "FR" : "GB";
        }
        LOG.infof("your app: a person moves %s (%s) from %s to %s", id, c.get("name"), c.get("country"), country);
        c.put("country", country);
        saveCustomer(id, c);
        edits.add(new Edit(id, (String) c.get("crm_id"), "country", country));
        report(id, c, "country " + country);
    }

    private void report(String id, Map<String, Object> c, String what) throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("email", c.get("email"));
        event.put("name", c.get("name"));
        event.put("country", c.get("country"));
        event.put("updated_at", Instant.now().toString());
        HttpResponse<String> r = http.get().send(HttpRequest.newBuilder(URI.create(target + "/events/contact.changed"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .header("Connection-Id", DemoRoutes.CONNECTION).header("Idempotency-Key", "demo-app-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event))).build(),
                HttpResponse.BodyHandlers.ofString());
        LOG.infof("your app → Syncline: POST /events/contact.changed (%s %s) → %d %s", id, what, r.statusCode(),
                r.body());
    }
}
