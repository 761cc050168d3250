package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * A record transaction that loses a race the database resolved by aborting it runs again; any
 * other failure, or a third loss, is reported. (A 1,000,000-record refresh lost a page to a
 * deadlock with the feed sequencer before this.)
 */
class RetryOnRaceTest {

    static Database.StoreException failure(String sqlState) {
        return new Database.StoreException(new SQLException("lost", sqlState));
    }

    @Test
    void aDeadlockVictimRunsAgain() {
        AtomicInteger tries = new AtomicInteger();
        String out = RecordStore.retryOnRace(() -> {
            if (tries.incrementAndGet() < 3) {
                throw failure(tries.get() == 1 ? "40P01" : "23505");
            }
            return "committed";
        });
        assertEquals("committed", out);
        assertEquals(3, tries.get());
    }

    @Test
    void aThirdLossOrAnyOtherFailureIsReported() {
        AtomicInteger tries = new AtomicInteger();
        assertThrows(Database.StoreException.class, () -> RecordStore.retryOnRace(() -> {
            tries.incrementAndGet();
            throw failure("40P01");
        }));
        assertEquals(3, tries.get());

        AtomicInteger once = new AtomicInteger();
        assertThrows(Database.StoreException.class, () -> RecordStore.retryOnRace(() -> {
            once.incrementAndGet();
            throw failure("23502");
        }));
        assertEquals(1, once.get());
    }
}
