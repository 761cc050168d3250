package io.syncline.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.syncline.support.Api;

/**
 * Slow bodies hold nothing: with a hundred sockets trickling their declared bodies to the
 * console's sign-in and to /events, readiness, the feed and webhooks answer at once, and each
 * slow request gets 408 when its body has not arrived in time (3 s in the test profile).
 */
@QuarkusTest
class SlowClientsTest {

    static Socket slow(String path, String headers) throws IOException {
        Socket s = new Socket("127.0.0.1", RestAssured.port);
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: 100\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    static String answer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "closed: " + e.getMessage();
        }
    }

    @Test
    void slowBodiesGet408AndHoldUpNobodyElse() throws Exception {
        String conn = Api.newConnection();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                sockets.add(i % 2 == 0
                        ? slow("/console/login", "Content-Type: application/x-www-form-urlencoded\r\n")
                        : slow("/events/contact.put", "Content-Type: application/json\r\nAuthorization: Bearer "
                                + Api.KEY + "\r\nConnection-Id: x\r\nIdempotency-Key: k" + i + "\r\n"));
            }
            // everyone else is served meanwhile
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> Api.postUnsigned(conn,
                    Api.contact("slow-1", "s1", "s1@example.com", "lead")).then().statusCode(200));
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> Api.records(conn).queryParam("model", "Contact")
                    .get("/records").then().statusCode(200));
            // and every slow request is cut off with 408
            for (Socket s : sockets) {
                String got = answer(s);
                assertTrue(got.startsWith("HTTP/1.1 408"), "a slow body got: " + got);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
