import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A bounded fuzz pass over every endpoint family of a running Syncline demo: signed and unsigned
 * webhooks, events, the changes feed, sync control, the management API and the console. Each
 * request carries a hostile value (a number with a huge exponent, JSON null, over-long ids, NUL
 * characters, deep nesting, broken UTF-8, dates past the calendar, overflowing frequencies...).
 * Prints one line per family and status class, then "N passed, M failed" where a failure is a
 * 5xx. Stops after COUNT requests or SECONDS, whichever comes first.
 *
 *   java bench/java/Fuzz.java http://127.0.0.1:19901 API_KEY 10000 300
 */
public class Fuzz {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // of the connection fuzz.sh creates
    static final String[] HOSTILE = { "1e999999999", "-1e50000000", "null", "\"" + "k".repeat(700) + "\"",
            "\"a\\u0000b\"", "\"+999999999-12-31T23:59:59Z\"", "9223372036854775807", "[" .repeat(100) + "]".repeat(100),
            "{}", "[]", "true", "\"\"", "\"" + "x".repeat(100_000) + "\"", "\"\\ud800\"", "0.0000000001e-999999" };
    static final String[] TEXT = { "", " ", "a b", "line\nbreak", "x".repeat(3000), "%00", "../../etc", "<script>",
            "+99999-01-01T00:00:00Z", "every 1000000000000 days", "0s", "-1", "99999999999999999999", "\u00e9\u2028",
            "/console/a b", "//evil.example", "Contcat", "*" };

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String key = args[1];
        int count = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Random seed = new Random(20261202L);
        Map<String, AtomicInteger> tally = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            Random random = new Random(seed.nextLong());
            pool.submit(() -> {
                while (sent.incrementAndGet() <= count && System.nanoTime() < deadline) {
                    int family = random.nextInt(6);
                    String name = new String[] { "webhook", "event", "records", "sync", "api", "console" }[family];
                    HttpRequest req;
                    try {
                        req = request(family, base, key, random);
                        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                        String cls = name + " " + r.statusCode() / 100 + "xx";
                        tally.computeIfAbsent(cls, k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() >= 500) {
                            failures.add(req.method() + " " + req.uri() + " -> " + r.statusCode() + " "
                                    + r.body().substring(0, Math.min(200, r.body().length())));
                        }
                    } catch (Exception e) {
                        tally.computeIfAbsent(name + " no answer", k -> new AtomicInteger()).incrementAndGet();
                        failures.add(name + ": no answer: " + e);
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(Long.parseLong(args[3]) + 60, TimeUnit.SECONDS);
        new TreeMap<>(tally).forEach((k, v) -> System.out.println("FUZZ " + k + " " + v));
        failures.stream().limit(20).forEach(f -> System.out.println("FAILED " + f));
        int total = tally.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.println((total - failures.size()) + " passed, " + failures.size() + " failed");
        System.exit(failures.isEmpty() && total >= Math.min(count, 1) ? 0 : 1);
    }

    static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static HttpRequest request(int family, String base, String key, Random r) throws Exception {
        String v = pick(r, HOSTILE);
        String body = switch (r.nextInt(4)) {
            case 0 -> v;
            case 1 -> "{\"id\":\"evt_" + r.nextInt() + "\",\"type\":\"contact.updated\",\"timestamp\":" + (r.nextBoolean()
                    ? v : "\"2026-12-02T10:00:00Z\"") + ",\"data\":{\"id\":" + (r.nextBoolean() ? v : "\"fz" + r.nextInt(50)
                    + "\"") + ",\"email\":\"fz@example.com\",\"first_name\":" + v + ",\"last_name\":\"F\"}}";
            case 2 -> "{\"id\":" + v + ",\"email\":" + v + ",\"name\":" + v + "}";
            default -> "{\"broken\": " + v.substring(0, Math.min(v.length(), 40));
        };
        byte[] bytes = r.nextInt(10) == 0 ? new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}' }
                : body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b;
        switch (family) {
            case 0 -> {
                String conn = r.nextInt(4) == 0 ? enc(pick(r, TEXT)) : "fuzz";
                b = HttpRequest.newBuilder(URI.create(base + "/webhooks/demo-crm/contacts/" + conn))
                        .header("Content-Type", r.nextInt(8) == 0 ? "text/plain" : "application/json");
                String id = "msg_fz_" + r.nextLong();
                long ts = System.currentTimeMillis() / 1000 + (r.nextInt(5) == 0 ? -100_000 : 0);
                b.header("webhook-id", id).header("webhook-timestamp", Long.toString(ts))
                        .header("webhook-signature", "v1," + (r.nextInt(3) == 0 ? "AAAA" : sign(id, ts, bytes)));
                b.POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
            }
            case 1 -> {
                b = HttpRequest.newBuilder(URI.create(base + "/events/" + (r.nextBoolean() ? "contact.changed"
                        : enc(pick(r, TEXT)) + "x"))).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .header("Connection-Id", r.nextBoolean() ? "fz-" + r.nextInt(5) : "nobody-" + r.nextInt())
                        .header("Idempotency-Key", "fz-" + r.nextLong())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
            }
            case 2 -> {
                String[] params = { "model", "cursor", "modified_after", "limit", "filter", "ids" };
                StringBuilder q = new StringBuilder("?model=Contact");
                for (String p : params) {
                    if (r.nextBoolean()) {
                        q.append('&').append(p).append('=').append(r.nextInt(6) == 0 ? "%00" : enc(pick(r, TEXT)));
                    }
                }
                b = HttpRequest.newBuilder(URI.create(base + "/records" + q)).header("Authorization", "Bearer " + key)
                        .header("Connection-Id", r.nextBoolean() ? "demo" : pick(r, TEXT).replaceAll("[^\\x21-\\x7e]", "_"))
                        .header("Provider-Config-Key", "demo-crm").GET();
            }
            case 3 -> {
                String[] paths = { "/sync/status?provider_config_key=demo-crm&syncs=" + enc(pick(r, TEXT)),
                        "/sync/update-connection-frequency", "/sync/dry-run", "/sync/trigger" };
                String path = pick(r, paths);
                b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json");
                String target = "{\"provider_config_key\":\"demo-crm\",\"connection_id\":\"fz-" + r.nextInt(3)
                        + "\",\"sync_name\":\"contacts-poll\",\"sync\":\"contacts-poll\",\"syncs\":[" + v
                        + "],\"frequency\":\"" + pick(r, TEXT).replace("\"", "").replace("\n", "") + "\"}";
                if (path.startsWith("/sync/status")) {
                    b.GET();
                } else if (path.endsWith("frequency")) {
                    b.PUT(HttpRequest.BodyPublishers.ofString(r.nextBoolean() ? target : body));
                } else {
                    b.POST(HttpRequest.BodyPublishers.ofString(r.nextBoolean() ? target : body));
                }
            }
            case 4 -> {
                int which = r.nextInt(5);
                String conn = "fz-" + r.nextInt(5);
                b = HttpRequest.newBuilder().header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
                switch (which) {
                    case 0 -> b.uri(URI.create(base + "/api/connections")).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"provider_config_key\":\"demo-crm\",\"connection_id\":" + (r.nextBoolean() ? v : "\"" + conn
                                    + "\"") + ",\"base_url\":" + (r.nextBoolean() ? v : "\"http://[::1]:99999\"") + "}"));
                    case 1 -> b.uri(URI.create(base + "/api/connections/demo-crm/" + conn)).method("PATCH",
                            HttpRequest.BodyPublishers.ofString("{\"metadata\":" + v + ",\"base_url\":\"http://127.0.0.1:"
                                    + r.nextInt(70000) + "\"}"));
                    case 2 -> b.uri(URI.create(base + "/api/keys")).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\":" + v + ",\"scopes\":[" + (r.nextBoolean() ? "null" : v) + "]}"));
                    case 3 -> b.uri(URI.create(base + "/api/dead-letters?since=" + enc(pick(r, TEXT)) + "&limit="
                            + enc(pick(r, TEXT)))).GET();
                    default -> b.uri(URI.create(base + "/api/runs?connection_id=" + (r.nextBoolean() ? "%00" : enc(pick(r, TEXT)))))
                            .GET();
                }
            }
            default -> {
                if (r.nextBoolean()) {
                    b = HttpRequest.newBuilder(URI.create(base + "/console/login?next=" + enc(pick(r, TEXT)))).GET();
                } else {
                    StringBuilder form = new StringBuilder("api_key=" + enc(pick(r, TEXT)) + "&next=" + enc(pick(r, TEXT)));
                    for (int i = 0, n = r.nextInt(3) == 0 ? 1500 : 0; i < n; i++) {
                        form.append("&f").append(i).append("=x");
                    }
                    b = HttpRequest.newBuilder(URI.create(base + "/console/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
                }
            }
        }
        return b.timeout(Duration.ofSeconds(30)).build();
    }

    static String sign(String id, long ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
        mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }
}
