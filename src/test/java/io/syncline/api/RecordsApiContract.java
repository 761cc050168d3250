package io.syncline.api;

import static io.restassured.RestAssured.given;
import static io.syncline.support.Api.contact;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.syncline.support.Api;

/** The Records API as @nangohq/node calls it: GET /records/ with its headers and query. */
abstract class RecordsApiContract {

    String conn;

    @BeforeEach
    void connection() {
        conn = Api.newConnection();
    }

    void store(int from, int to) {
        for (int i = from; i < to; i++) {
            Api.postUnsigned(conn, contact("ev-" + i, "r" + i, "r" + i + "@example.com", "lead")).then()
                    .statusCode(200).body("change", is("added"));
        }
    }

    JsonPath page(Map<String, ?> query) {
        return Api.records(conn).queryParams(query).get("/records/").then().statusCode(200)
                .contentType("application/json").extract().jsonPath();
    }

    /** Everything in the feed after the cursor, page by page. */
    List<Map<String, Object>> readAll(String cursor, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        while (true) {
            Map<String, Object> q = new java.util.HashMap<>(Map.of("model", "Contact", "limit", limit));
            if (cursor != null) {
                q.put("cursor", cursor);
            }
            JsonPath p = page(q);
            out.addAll(p.getList("records"));
            cursor = p.getString("next_cursor");
            if (cursor == null) {
                return out;
            }
        }
    }

    void awaitCount(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> readAll(null, 1000).size() == n);
    }

    @Test
    void pagesWithCursorsInFeedOrderUntilNextCursorIsNull() {
        store(0, 25);
        awaitCount(25);
        JsonPath first = page(Map.of("model", "Contact", "limit", 10));
        assertEquals(10, first.getList("records").size());
        String c1 = first.getString("next_cursor");
        assertEquals(first.getString("records[9]._sync_metadata.cursor"), c1);
        JsonPath second = page(Map.of("model", "Contact", "limit", 10, "cursor", c1));
        JsonPath third = page(Map.of("model", "Contact", "limit", 10, "cursor", second.getString("next_cursor")));
        assertEquals(5, third.getList("records").size());
        assertNull(third.getString("next_cursor"));
        List<String> ids = new ArrayList<>();
        ids.addAll(first.getList("records.id"));
        ids.addAll(second.getList("records.id"));
        ids.addAll(third.getList("records.id"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add("r" + i);
        }
        assertEquals(expected, ids, "feed order is the order in which the changes were committed");
    }

    @Test
    void aCursorResumesAfterItAndSeesLaterChangesOnly() {
        store(0, 5);
        awaitCount(5);
        String cursor = page(Map.of("model", "Contact")).getString("records[4]._sync_metadata.cursor");
        Api.postUnsigned(conn, contact("ev-up", "r2", "r2@example.com", "customer")).then().body("change", is("updated"));
        store(5, 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> readAll(cursor, 100).size() == 2);
        List<Map<String, Object>> later = readAll(cursor, 100);
        assertEquals("r2", later.get(0).get("id"));
        assertEquals("UPDATED", ((Map<?, ?>) later.get(0).get("_sync_metadata")).get("last_action"));
        assertEquals("r5", later.get(1).get("id"));
        assertEquals(6, readAll(null, 100).size(), "an updated record moves to the end; it is not listed twice");
    }

    @Test
    void recordsCarryTheirSyncMetadata() {
        store(0, 1);
        awaitCount(1);
        Api.records(conn).queryParam("model", "Contact").get("/records").then()
                .body("records[0]._sync_metadata.first_seen_at", notNullValue())
                .body("records[0]._sync_metadata.last_modified_at", notNullValue())
                .body("records[0]._sync_metadata.last_action", is("ADDED"))
                .body("records[0]._sync_metadata.deleted_at", nullValue())
                .body("records[0]._sync_metadata.cursor", notNullValue());
    }

    @Test
    void modifiedAfterIsInclusive() {
        store(0, 3);
        awaitCount(3);
        String third = page(Map.of("model", "Contact")).getString("records[2]._sync_metadata.last_modified_at");
        store(3, 5);
        awaitCount(5);
        List<String> ids = page(Map.of("model", "Contact", "modified_after", third)).getList("records.id");
        // inclusive: r2 itself is returned; r0 and r1 may share r2's millisecond, never a later one
        assertEquals(List.of("r2", "r3", "r4"), ids.subList(ids.size() - 3, ids.size()));
        Api.records(conn).queryParam("model", "Contact").queryParam("modified_after", "2999-01-01T00:00:00Z")
                .get("/records").then().statusCode(200).body("records", hasSize(0));
        Api.records(conn).queryParam("model", "Contact").queryParam("modified_after", "yesterday").get("/records")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("modified_after"));
    }

    @Test
    void filterSelectsByLastAction() {
        store(0, 3);
        Api.postUnsigned(conn, contact("ev-u", "r1", "r1@example.com", "customer")).then().body("change", is("updated"));
        Api.postUnsigned(conn, Api.deleted("ev-d", "r2")).then().body("change", is("deleted"));
        awaitCount(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> page(Map.of("model", "Contact", "filter", "deleted"))
                .getList("records").size() == 1);
        assertEquals(List.of("r0"), page(Map.of("model", "Contact", "filter", "added")).getList("records.id"));
        assertEquals(List.of("r1"), page(Map.of("model", "Contact", "filter", "updated")).getList("records.id"));
        assertEquals(List.of("r2"), page(Map.of("model", "Contact", "filter", "deleted")).getList("records.id"));
        assertEquals(List.of("r0", "r1"), page(Map.of("model", "Contact", "filter", "added,updated"))
                .getList("records.id"));
        Api.records(conn).queryParam("model", "Contact").queryParam("filter", "created").get("/records")
                .then().statusCode(400).body("detail", containsString("filter"));
    }

    @Test
    void idsSelectRecordsAndAreLimitedToOneHundred() {
        store(0, 4);
        awaitCount(4);
        List<String> ids = Api.records(conn).queryParam("model", "Contact").queryParam("ids", "r1", "r3")
                .get("/records/").then().statusCode(200).extract().path("records.id");
        assertEquals(List.of("r1", "r3"), ids);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add("x" + i);
        }
        Api.records(conn).queryParam("model", "Contact").queryParam("ids", many).get("/records/")
                .then().statusCode(400).body("detail", containsString("100"));
    }

    @Test
    void limitMustBeFromOneToTenThousand() {
        for (String bad : List.of("0", "-1", "10001", "abc", "1.5")) {
            Api.records(conn).queryParam("model", "Contact").queryParam("limit", bad).get("/records")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("limit"));
        }
        for (String good : List.of("1", "10000")) {
            Api.records(conn).queryParam("model", "Contact").queryParam("limit", good).get("/records")
                    .then().statusCode(200);
        }
    }

    @Test
    void requiredHeadersAndModelAreNamedWhenMissing() {
        Api.authed().header("Provider-Config-Key", "crm").queryParam("model", "Contact").get("/records")
                .then().statusCode(400).body("detail", containsString("Connection-Id"));
        Api.authed().header("Connection-Id", conn).queryParam("model", "Contact").get("/records")
                .then().statusCode(400).body("detail", containsString("Provider-Config-Key"));
        Api.records(conn).get("/records").then().statusCode(400).body("detail", containsString("model"));
        Api.authed().header("Connection-Id", "nobody").header("Provider-Config-Key", "crm")
                .queryParam("model", "Contact").get("/records").then().statusCode(404)
                .contentType("application/problem+json");
        Api.records(conn).queryParam("model", "Contact").queryParam("cursor", "not-a-cursor").get("/records")
                .then().statusCode(400).body("detail", containsString("cursor"));
    }

    @Test
    void apiKeyIsRequiredAndChecked() {
        given().header("Connection-Id", conn).header("Provider-Config-Key", "crm").queryParam("model", "Contact")
                .get("/records").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong-key").header("Connection-Id", conn)
                .header("Provider-Config-Key", "crm").queryParam("model", "Contact").get("/records")
                .then().statusCode(403).contentType("application/problem+json");
        given().get("/api/connections").then().statusCode(401);
        given().header("Authorization", "Bearer wrong-key").get("/api/dead-letters").then().statusCode(403);
    }
}
