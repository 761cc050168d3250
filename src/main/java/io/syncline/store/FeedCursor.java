package io.syncline.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of the changes feed. It carries the feed position of the last record a
 * reader received. Positions are handed out by {@link FeedSequencer} in commit order, so
 * "everything after this position" never skips a change (guarantee 3), which a cursor built
 * from a wall-clock timestamp cannot promise.
 */
public final class FeedCursor {

    private static final String PREFIX = "p1:";

    private FeedCursor() {
    }

    public static String encode(long position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + position).getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this service issued */
    public static long decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not one that this service issued");
        }
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("cursor is not one that this service issued");
        }
        try {
            long position = Long.parseLong(text.substring(PREFIX.length()));
            if (position < 0) {
                throw new NumberFormatException();
            }
            return position;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor is not one that this service issued");
        }
    }
}
