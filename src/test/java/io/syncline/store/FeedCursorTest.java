package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FeedCursorTest {

    @Test
    void roundTrips() {
        for (long p : new long[] { 0, 1, 42, Long.MAX_VALUE }) {
            assertEquals(p, FeedCursor.decode(FeedCursor.encode(p)));
        }
    }

    @Test
    void isOpaqueAndUrlSafe() {
        String c = FeedCursor.encode(123456789L);
        assertEquals(c, java.net.URLEncoder.encode(c, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void refusesWhatItDidNotIssue() {
        for (String bad : new String[] { "", "abc", "!!!", FeedCursor.encode(5).substring(1),
                java.util.Base64.getUrlEncoder().encodeToString("p1:-4".getBytes()),
                java.util.Base64.getUrlEncoder().encodeToString("2026-11-21T10:00:00Z".getBytes()) }) {
            assertThrows(IllegalArgumentException.class, () -> FeedCursor.decode(bad), bad);
        }
    }
}
