package io.syncline.store;

import static io.syncline.support.Api.contact;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;
import jakarta.inject.Inject;

/**
 * Guarantee 3: a reader that pages the changes feed while writers commit never skips a change.
 */
abstract class ChangesFeedContract {

    @Inject
    Database db;
    @Inject
    RecordStore store;

    String conn;

    @BeforeEach
    void connection() {
        conn = Api.newConnection();
    }

    /** One page after the cursor; returns the next cursor to use (the last record's, or the same one). */
    String readPage(String cursor, Map<String, String> lastEmailById) {
        var req = Api.records(conn).queryParam("model", "Contact").queryParam("limit", 50);
        if (cursor != null) {
            req.queryParam("cursor", cursor);
        }
        JsonPath p = req.get("/records").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> records = p.getList("records");
        for (Map<String, Object> r : records) {
            lastEmailById.put((String) r.get("id"), (String) r.get("email"));
        }
        return records.isEmpty() ? cursor
                : (String) ((Map<?, ?>) records.get(records.size() - 1).get("_sync_metadata")).get("cursor");
    }

    @Test
    void aChangeCommittedLateIsNotSkippedByAReaderWhoPassedLaterCommits() throws Exception {
        RecordKey late = new RecordKey("crm", conn, "Contact", "late");
        Map<String, String> seen = new ConcurrentHashMap<>();
        String cursor;
        // A writer opens its transaction first and is slow to commit...
        try (Connection slow = db.connection()) {
            slow.setAutoCommit(false);
            String canonical = CanonicalJson.write(Map.of("id", "late", "email", "late@example.com"));
            store.upsert(slow, late, canonical, CanonicalJson.sha256(canonical));
            // ...while another change commits, and a reader reads after it.
            Api.postUnsigned(conn, contact("e-fast", "fast", "fast@example.com", "lead")).then().statusCode(200);
            if (db.isPostgres()) {
                // The feed is held back behind the open transaction: the reader cannot pass its place.
                cursor = readPage(null, seen);
                assertFalse(seen.containsKey("fast"), "a change committed after an open transaction began is "
                        + "served only once that transaction has ended");
            } else {
                // The sequencer places what committed; the reader passes it.
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    readPage(null, seen);
                    return seen.containsKey("fast");
                });
                cursor = readPage(null, seen);
            }
            slow.commit();
        }
        store.poke();
        String from = cursor;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            readPage(from, seen);
            return seen.containsKey("late") && seen.containsKey("fast");
        });
        assertEquals("late@example.com", seen.get("late"));
    }

    @Test
    void aReaderPagingWhileWritersCommitNeverSkipsAChange() throws Exception {
        int writers = 6;
        int perWriter = 120;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + io.restassured.RestAssured.port + "/webhooks/open/contacts/" + conn;
        Map<String, String> finalEmail = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> jobs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            jobs.add(pool.submit(() -> {
                for (int i = 0; i < perWriter; i++) {
                    // each writer owns 40 records and rewrites each of them three times
                    String id = "w" + writer + "-r" + (i % 40);
                    String email = id + "-v" + (i / 40) + "@example.com";
                    String body = contact("w" + writer + "-e" + i, id, email, "lead");
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base))
                            .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), r.body());
                    finalEmail.put(id, email);
                }
                return null;
            }));
        }
        Map<String, String> seen = new ConcurrentHashMap<>();
        String cursor = null;
        int pagesWhileWriting = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (jobs.stream().anyMatch(f -> !f.isDone()) && System.nanoTime() < deadline) {
            cursor = readPage(cursor, seen);
            pagesWhileWriting++;
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        writing.set(false);
        pool.shutdown();
        String from = cursor;
        Map<String, String> expected = Map.copyOf(finalEmail);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String c = from;
            for (int i = 0; i < 100; i++) {
                String next = readPage(c, seen);
                if (next == null || next.equals(c)) {
                    break;
                }
                c = next;
            }
            return seen.equals(expected);
        });
        assertEquals(writers * 40, seen.size());
        assertEquals(expected, seen, "the reader's last view of every record is its last written version");
        assertTrue(pagesWhileWriting > 1, "the reader paged while the writers were committing");
    }
}
