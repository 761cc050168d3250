package io.syncline.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of the changes feed: the place of the last record a reader received, as the
 * id of the transaction that wrote it and its position. "Everything after this place" never
 * skips a change (guarantee 3), which a cursor built from a wall-clock timestamp cannot promise.
 *
 * On H2, and for records written on PostgreSQL before the feed was written once, the transaction
 * is 0 and the cursor keeps its first form ({@code p1:<position>}), so cursors issued before an
 * upgrade still read on from their place.
 */
public record FeedCursor(long xid, long position) {

    public static final FeedCursor START = new FeedCursor(0, 0);

    private static final String POSITION = "p1:";
    private static final String TRANSACTION = "x1:";

    public String encode() {
        String text = xid == 0 ? POSITION + position : TRANSACTION + xid + ":" + position;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this service issued */
    public static FeedCursor decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw notIssued();
        }
        try {
            if (text.startsWith(POSITION)) {
                return new FeedCursor(0, natural(text.substring(POSITION.length())));
            }
            if (text.startsWith(TRANSACTION)) {
                String[] parts = text.substring(TRANSACTION.length()).split(":", -1);
                if (parts.length == 2) {
                    return new FeedCursor(natural(parts[0]), natural(parts[1]));
                }
            }
        } catch (NumberFormatException e) {
            throw notIssued();
        }
        throw notIssued();
    }

    private static long natural(String digits) {
        long n = Long.parseLong(digits);
        if (n < 0 || !digits.equals(Long.toString(n))) {
            throw new NumberFormatException(digits);
        }
        return n;
    }

    private static IllegalArgumentException notIssued() {
        return new IllegalArgumentException("cursor is not one that this service issued");
    }
}
