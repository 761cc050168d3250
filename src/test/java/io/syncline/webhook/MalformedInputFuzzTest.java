package io.syncline.webhook;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.syncline.support.Api;
import io.syncline.support.Db;

/**
 * Thousands of malformed bodies, headers and signatures from a seeded generator: never a 5xx,
 * every refusal is problem+json, and nothing is stored for a refused request.
 */
@QuarkusTest
class MalformedInputFuzzTest {

    static final long SEED = 20261122L;
    static final RestAssuredConfig RAW = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    final Random random = new Random(SEED);

    String garbage(int max) {
        int n = random.nextInt(max);
        StringBuilder s = new StringBuilder(n);
        String alphabet = "{}[]\":,\\ \n\tabcxyz0123456789.-+eE\u00e9\u0000\u2028nulltruefalse";
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    String mutate(String valid) {
        StringBuilder s = new StringBuilder(valid);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(3)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, "{}[]\",:x\\".charAt(random.nextInt(9)));
                default -> s.setCharAt(at, (char) (32 + random.nextInt(95)));
            }
        }
        return s.toString();
    }

    void assertRefusedWell(Response r, String what) {
        int status = r.statusCode();
        assertTrue(status < 500, what + " caused " + status + ": " + r.asString());
        if (status >= 400) {
            assertTrue(String.valueOf(r.contentType()).startsWith("application/problem+json"),
                    what + " answered " + status + " as " + r.contentType());
        }
    }

    @Test
    void webhooksWithMalformedInputAreRefusedCleanly() {
        String conn = Api.newConnection();
        String valid = Api.contact("ok", "p1", "a@b.co", "lead");
        java.util.Set<String> accepted = new java.util.HashSet<>();
        for (int i = 0; i < 1500; i++) {
            String body = switch (random.nextInt(3)) {
                case 0 -> garbage(300);
                case 1 -> mutate(valid).replace("\"ok\"", "\"f" + i + "\"");
                default -> valid.replace("\"ok\"", "\"f" + i + "\"").replace("p1", "p" + i);
            };
            String type = switch (random.nextInt(6)) {
                case 0 -> "text/plain";
                case 1 -> "application/json; charset=utf-8";
                case 2 -> "application/vnd.api+json";
                case 3 -> "application/x-www-form-urlencoded";
                default -> "application/json";
            };
            boolean signed = random.nextBoolean();
            String path = signed ? "/webhooks/crm/contacts/" + conn : "/webhooks/open/contacts/" + conn;
            var req = given().config(RAW).contentType(type).body(body);
            if (signed) {
                req.header("webhook-id", garbage(20)).header("webhook-timestamp", random.nextBoolean()
                        ? Long.toString(System.currentTimeMillis() / 1000) : garbage(12))
                        .header("webhook-signature", "v1," + garbage(40));
            }
            Response r = req.post(path);
            assertRefusedWell(r, "POST " + path + " " + type);
            if (r.statusCode() == 200 && "stored".equals(r.path("status"))) {
                accepted.add(r.path("id"));
            }
        }
        long stored = Db.count("SELECT COUNT(*) FROM records WHERE provider_config_key = 'crm' AND connection_id = ?",
                conn);
        assertEquals(accepted.size(), stored, "exactly the accepted records are stored, nothing for refused requests");
        assertTrue(accepted.size() > 0, "the generator also produced valid deliveries");
    }

    @Test
    void recordsQueriesWithMalformedParametersAreRefusedCleanly() {
        String conn = Api.newConnection();
        String[] params = { "model", "cursor", "modified_after", "limit", "filter", "ids", "delta" };
        for (int i = 0; i < 800; i++) {
            var req = Api.authed().header("Connection-Id", random.nextInt(5) == 0 ? garbage(10) : conn)
                    .header("Provider-Config-Key", random.nextInt(5) == 0 ? garbage(10) : "crm");
            for (String p : params) {
                if (random.nextBoolean()) {
                    req.queryParam(p, random.nextBoolean() ? garbage(30) : p.equals("limit") ? "-" + random.nextInt(9)
                            : "Contact");
                }
            }
            assertRefusedWell(req.get("/records"), "GET /records #" + i);
        }
    }

    @Test
    void eventsWithMalformedInputAreRefusedCleanlyAndQueueNothing() {
        String conn = "fz" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Api.authed().contentType("application/json").body(java.util.Map.of("provider_config_key", "putdest",
                "connection_id", conn, "base_url", "http://127.0.0.1:9")).post("/api/connections").then().statusCode(201);
        String valid = "{\"id\":\"ok\",\"email\":\"a@b.co\",\"name\":\"A\"}";
        java.util.Set<String> queued = new java.util.HashSet<>();
        for (int i = 0; i < 800; i++) {
            String body = switch (random.nextInt(3)) {
                case 0 -> garbage(300);
                case 1 -> mutate(valid).replace("\"ok\"", "\"f" + i + "\"");
                default -> valid.replace("\"ok\"", "\"f" + i + "\"");
            };
            String type = random.nextInt(4) == 0 ? "text/plain" : "application/json";
            var req = given().config(RAW).contentType(type).body(body);
            if (random.nextInt(6) > 0) {
                req.header("Authorization", "Bearer " + (random.nextInt(8) == 0 ? garbage(20) : Api.KEY));
            }
            if (random.nextInt(6) > 0) {
                req.header("Connection-Id", random.nextInt(8) == 0 ? garbage(12) : conn);
            }
            if (random.nextInt(6) > 0) {
                req.header("Idempotency-Key", random.nextInt(8) == 0 ? garbage(12) : "k" + i);
            }
            String type2 = random.nextInt(10) == 0 ? garbage(8) : "contact.put";
            Response r = req.post("/events/" + java.net.URLEncoder.encode(type2, java.nio.charset.StandardCharsets.UTF_8));
            assertRefusedWell(r, "POST /events/" + type2 + " " + type);
            if (r.statusCode() == 200 && "queued".equals(r.path("results[0].status"))) {
                queued.add(r.path("results[0].id"));
            }
        }
        long writes = Db.count("SELECT COUNT(DISTINCT record_id) FROM writes WHERE provider_config_key = 'putdest' AND connection_id = ?",
                conn);
        assertEquals(queued.size(), writes, "exactly the accepted events are queued, nothing for refused requests");
        assertTrue(queued.size() > 0, "the generator also produced valid events");
    }
}
