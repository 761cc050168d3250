package io.syncline.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.runtime.ShutdownEvent;
import io.syncline.config.BackgroundLoop;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives committed changes their position in the changes feed on H2 (guarantee 3: no gaps).
 * PostgreSQL needs no sequencer: a change takes its transaction's id and a position in the
 * statement that writes it, and {@link ChangesFeed} serves only transactions older than any still
 * running ({@code V16__changes_feed_written_once}).
 *
 * On H2, writers never pick positions themselves: a writer that took position 7 could commit after
 * one that took 8, and a reader that had already passed 8 would never see 7. Instead, writers
 * commit with no position, and this sequencer, one run at a time (it holds a row lock on
 * feed_sequencer_lock until it commits), numbers the committed changes it can see. A run starts
 * only after the previous run committed and draws later sequence values, so every position a
 * reader can see was committed together with or after every smaller one.
 */
@ApplicationScoped
public class FeedSequencer {


    /** The next batch of unplaced changes. */
    static final String PICK = "SELECT id FROM records WHERE feed_position IS NULL ORDER BY id LIMIT ?";

    private final Database db;
    private final int batchSize;
    private final BackgroundLoop loop;

    public FeedSequencer(Database db,
            @ConfigProperty(name = "syncline.feed.sequencer-batch", defaultValue = "5000") int batchSize,
            @ConfigProperty(name = "syncline.feed.sequencer-idle-ms", defaultValue = "200") long idleMillis) {
        this.db = db;
        this.batchSize = batchSize;
        this.loop = new BackgroundLoop("feed-sequencer", idleMillis, () -> {
            while (running() && placeBatch() == batchSize) {
                // keep going while a full batch was placed: more are waiting
            }
        });
    }

    private boolean running() {
        return loop.running();
    }

    void start(@Observes StartupEvent ignored) {
        if (!db.isPostgres()) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
    }

    /** A change was committed: place it soon. Cheap, and coalesces under load (nothing on PostgreSQL). */
    public void poke() {
        if (loop.running()) {
            loop.wake();
        }
    }

    /** Places up to one batch of committed, unplaced changes. Returns how many it placed. */
    public int placeBatch() {
        return db.inTransaction(c -> {
            try (Statement lock = c.createStatement();
                    ResultSet rs = lock.executeQuery("SELECT id FROM feed_sequencer_lock WHERE id = 1 FOR UPDATE")) {
                rs.next();
            }
            // The batch is chosen by index first, then placed by primary key. One UPDATE with the
            // choice as a subquery planned as a nested loop over the whole batch (on H2 a 20,000-record
            // run took nearly a minute to reach the feed, holding row locks that made runs time out).
            List<Long> ids = new ArrayList<>(batchSize);
            try (PreparedStatement pick = c.prepareStatement(PICK)) {
                pick.setInt(1, batchSize);
                try (ResultSet rs = pick.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            try (PreparedStatement place = c.prepareStatement(
                    "UPDATE records SET feed_position = nextval('feed_position') WHERE id = ? AND feed_position IS NULL")) {
                for (long id : ids) {
                    place.setLong(1, id);
                    place.addBatch();
                }
                place.executeBatch();
            }
            return ids.size();
        });
    }
}
