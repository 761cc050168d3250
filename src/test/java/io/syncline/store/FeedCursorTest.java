package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class FeedCursorTest {

    @Test
    void roundTrips() {
        for (long xid : new long[] { 0, 3, 4_294_967_296L + 17, Long.MAX_VALUE }) {
            for (long p : new long[] { 0, 1, 42, Long.MAX_VALUE }) {
                FeedCursor c = new FeedCursor(xid, p);
                assertEquals(c, FeedCursor.decode(c.encode()));
            }
        }
    }

    @Test
    void aCursorIssuedBeforeTheFeedWasWrittenOnceReadsOnFromItsPosition() {
        String before = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("p1:1234".getBytes(StandardCharsets.US_ASCII));
        assertEquals(new FeedCursor(0, 1234), FeedCursor.decode(before));
        assertEquals(before, new FeedCursor(0, 1234).encode());
    }

    @Test
    void isOpaqueAndUrlSafe() {
        for (FeedCursor c : new FeedCursor[] { new FeedCursor(0, 123456789L), new FeedCursor(987654321L, 5) }) {
            String text = c.encode();
            assertEquals(text, java.net.URLEncoder.encode(text, StandardCharsets.UTF_8));
        }
    }

    @Test
    void refusesWhatItDidNotIssue() {
        for (String bad : new String[] { "", "abc", "!!!", new FeedCursor(0, 5).encode().substring(1),
                encoded("p1:-4"), encoded("x1:5"), encoded("x1:5:6:7"), encoded("x1:-1:4"), encoded("x1::4"),
                encoded("p1:+4"), encoded("2026-11-21T10:00:00Z") }) {
            assertThrows(IllegalArgumentException.class, () -> FeedCursor.decode(bad), bad);
        }
    }

    private static String encoded(String text) {
        return Base64.getUrlEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
