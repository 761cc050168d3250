package io.syncline.demo;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The demo connected app: a tiny CRM held in memory. Each tick changes one contact (creates,
 * updates or deletes it) and describes the change as the webhook a real CRM would send. It also
 * has a write API (search by email, create, update), and like a real CRM it sends a webhook for
 * every write it receives, Syncline's own included: those are the echoes Syncline must drop.
 */
@ApplicationScoped
public class DemoCrm {

    private static final String[][] PEOPLE = {
            { "Ada", "Lovelace", "gb" }, { "Grace", "Hopper", "us" }, { "Alan", "Turing", "gb" },
            { "Katherine", "Johnson", "us" }, { "Edsger", "Dijkstra", "nl" }, { "Barbara", "Liskov", "us" },
            { "Margaret", "Hamilton", "us" }, { "Tim", "Berners-Lee", "gb" }, { "Frances", "Allen", "us" },
            { "Linus", "Torvalds", "fi" }, { "Radia", "Perlman", "us" }, { "Niklaus", "Wirth", "ch" } };
    private static final String[] STAGES = { "lead", "trial", "customer", "churned" };

    private final Map<String, Map<String, Object>> contacts = new LinkedHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicInteger events = new AtomicInteger();
    private final Random random = new Random();
    private final long boot = System.currentTimeMillis();

    private final ArrayDeque<Map<String, Object>> echoes = new ArrayDeque<>();

    /** A change, as the CRM's webhook body: the webhook of a write it received first, if any. */
    public synchronized Map<String, Object> nextChange() {
        if (!echoes.isEmpty()) {
            return echoes.poll();
        }
        int n = events.incrementAndGet();
        String type;
        Map<String, Object> contact;
        int roll = random.nextInt(10);
        long live = contacts.values().stream().filter(c -> !Boolean.TRUE.equals(c.get("archived"))).count();
        if (live < 5 || (roll < 3 && contacts.size() < PEOPLE.length)) {
            contact = create();
            type = "contact.created";
        } else if (roll == 9 && live > 5) {
            // contacts your app created through the API are left alone, so the demo's story stays whole
            List<String> ids = contacts.values().stream().filter(c -> !"api".equals(c.get("created_by")))
                    .map(c -> (String) c.get("id")).toList();
            contact = contacts.get(ids.get(random.nextInt(ids.size())));
            contact.put("archived", true); // kept as a tombstone, as CRMs do, so a poll sees the delete too
            contact.put("updated_at", Instant.now().toString());
            type = "contact.deleted";
        } else {
            List<String> ids = contacts.values().stream().filter(c -> !Boolean.TRUE.equals(c.get("archived")))
                    .map(c -> (String) c.get("id")).toList();
            contact = contacts.get(ids.get(random.nextInt(ids.size())));
            contact.put("lifecycle", STAGES[random.nextInt(STAGES.length)]);
            contact.put("ltv_cents", random.nextInt(500_000));
            contact.put("updated_at", Instant.now().toString());
            type = "contact.updated";
        }
        return webhook(n, type, contact);
    }

    private Map<String, Object> webhook(int n, String type, Map<String, Object> contact) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "evt_" + boot + "_" + n); // unique across restarts, as a real CRM's ids are
        body.put("type", type);
        body.put("timestamp", Instant.now().toString());
        body.put("data", new LinkedHashMap<>(contact));
        return body;
    }

    /** The write API's search: the live contact with this email, if any. */
    public synchronized List<Map<String, Object>> byEmail(String email) {
        return contacts.values().stream().filter(c -> !Boolean.TRUE.equals(c.get("archived")))
                .filter(c -> String.valueOf(c.get("email")).equalsIgnoreCase(email))
                .map(c -> (Map<String, Object>) new LinkedHashMap<>(c)).toList();
    }

    /** The write API's create; the CRM announces it with a webhook, as it does every change. */
    public synchronized Map<String, Object> create(Map<String, Object> fields) {
        int i = nextId.getAndIncrement();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", "ct_" + i);
        c.put("lifecycle", "lead");
        c.put("ltv_cents", 0);
        c.put("created_by", "api");
        apply(c, fields);
        contacts.put((String) c.get("id"), c);
        echoes.add(webhook(events.incrementAndGet(), "contact.created", c));
        return new LinkedHashMap<>(c);
    }

    /** The write API's update; null when there is no such contact. */
    public synchronized Map<String, Object> update(String id, Map<String, Object> fields) {
        Map<String, Object> c = contacts.get(id);
        if (c == null || Boolean.TRUE.equals(c.get("archived"))) {
            return null;
        }
        apply(c, fields);
        echoes.add(webhook(events.incrementAndGet(), "contact.updated", c));
        return new LinkedHashMap<>(c);
    }

    public synchronized Map<String, Object> get(String id) {
        Map<String, Object> c = contacts.get(id);
        return c == null ? null : new LinkedHashMap<>(c);
    }

    /** Syncline writes the model's fields (email, name, country); the CRM keeps first and last names. */
    private static void apply(Map<String, Object> c, Map<String, Object> fields) {
        if (fields.get("email") != null) {
            c.put("email", fields.get("email"));
        }
        if (fields.get("country") != null) {
            c.put("country", fields.get("country").toString().toLowerCase());
        }
        if (fields.get("high_value") instanceof Boolean high) {
            c.put("tags", high ? List.of("high-value") : List.of());
        }
        if (fields.get("name") != null) {
            String name = fields.get("name").toString().trim();
            int space = name.indexOf(' ');
            c.put("first_name", space < 0 ? name : name.substring(0, space));
            c.put("last_name", space < 0 ? "" : name.substring(space + 1));
        }
        c.put("updated_at", Instant.now().toString());
    }

    /** The CRM's list API: contacts (tombstones included) modified at or after {@code since}, oldest first. */
    public synchronized List<Map<String, Object>> contacts(Instant since) {
        return contacts.values().stream()
                .filter(c -> since == null || !Instant.parse((String) c.get("updated_at")).isBefore(since))
                .sorted(Comparator.comparing(c -> (String) c.get("updated_at")))
                .map(c -> (Map<String, Object>) new LinkedHashMap<>(c)).toList();
    }

    private Map<String, Object> create() {
        int i = nextId.getAndIncrement();
        String[] p = PEOPLE[(i - 1) % PEOPLE.length];
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", "ct_" + i);
        c.put("first_name", p[0]);
        c.put("last_name", p[1]);
        c.put("email", (p[0] + "." + p[1]).toLowerCase() + "@example.com");
        c.put("country", p[2]);
        c.put("lifecycle", "lead");
        c.put("ltv_cents", 0);
        c.put("phone", "+1 555 0100 " + i); // not mapped: never reaches Syncline's store
        c.put("updated_at", Instant.now().toString());
        contacts.put((String) c.get("id"), c);
        return c;
    }
}
