package io.syncline.outbound;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.syncline.outbound.ConnectionRateBudget.Limits;
import io.syncline.outbound.ConnectionRateBudget.Use;
import io.syncline.outbound.ConnectionRateBudget.Window;

/**
 * Guarantee 6 with more than one window: a connection's long window (an app's daily budget) holds
 * beside its per-second rate, in every span of its length, whatever the timing; and when reads
 * have spent their share of it, writes still go out.
 */
class BudgetWindowsTest {

    @Test
    @Timeout(30)
    void aLongWindowHoldsInEverySpanOfItsLengthBesideTheRate() throws Exception {
        // 5 requests in any 2 s, and 100 a second: the long window is the one that binds
        Limits limits = new Limits(100, Duration.ofSeconds(1), 10, List.of(new Window(5, Duration.ofSeconds(2))));
        ConnectionRateBudget.Bucket bucket = new ConnectionRateBudget.Bucket(limits);
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            try (ConnectionRateBudget.Permit p = bucket.acquire(Use.WRITE)) {
                sent.add(System.nanoTime());
            }
        }
        long window = Duration.ofSeconds(2).toNanos();
        for (int i = 0; i < sent.size(); i++) {
            int inSpan = 0;
            for (long t : sent) {
                if (t >= sent.get(i) && t < sent.get(i) + window) {
                    inSpan++;
                }
            }
            assertTrue(inSpan <= 5, "at most 5 requests in any 2 s span, but " + inSpan + " from request " + i);
        }
        long first5 = sent.get(4) - sent.get(0);
        assertTrue(first5 < Duration.ofMillis(500).toNanos(), "the first 5 go at once: " + first5 / 1_000_000 + " ms");
        long all = sent.get(11) - sent.get(0);
        assertTrue(all >= 2 * window && all < 4 * window, "12 requests at 5 per 2 s take between 4 and 8 s: "
                + all / 1_000_000 + " ms");
    }

    @Test
    @Timeout(30)
    void whenReadsHaveSpentTheirShareOfADayWritesStillGoOut() throws Exception {
        Limits limits = new Limits(1000, Duration.ofSeconds(1), 10, List.of(new Window(10, Duration.ofDays(1))));
        ConnectionRateBudget.Bucket bucket = new ConnectionRateBudget.Bucket(limits);
        for (int i = 0; i < 9; i++) {
            bucket.acquire(Use.READ).close(); // 9 of the day's 10: the reads' share
        }
        AtomicBoolean tenthRead = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (ConnectionRateBudget.Permit p = bucket.acquire(Use.READ)) {
                tenthRead.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        reader.start();
        try {
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !tenthRead.get());
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> bucket.acquire(Use.WRITE).close(),
                    "the day's last request is kept for a write");
            AtomicBoolean eleventh = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try (ConnectionRateBudget.Permit p = bucket.acquire(Use.WRITE)) {
                    eleventh.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            writer.start();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !eleventh.get());
            writer.interrupt();
            writer.join();
        } finally {
            reader.interrupt();
            reader.join();
        }
        assertEquals(false, tenthRead.get(), "no read beyond its share of the day");
    }

    @Test
    @Timeout(30)
    void theNextOwnerOfAConnectionCountsWhatThePreviousOwnerUsedOfItsDay() throws Exception {
        Limits limits = new Limits(1000, Duration.ofSeconds(1), 10, List.of(new Window(10, Duration.ofDays(1))));
        ConnectionRateBudget.Bucket previous = new ConnectionRateBudget.Bucket(limits);
        for (int i = 0; i < 7; i++) {
            previous.acquire(Use.WRITE).close();
        }
        String saved = previous.takeUsage(); // what the owner writes into connection_owners each round
        assertEquals(null, previous.takeUsage(), "unchanged since: nothing to save again");

        ConnectionRateBudget.Bucket next = new ConnectionRateBudget.Bucket(limits, System.nanoTime());
        next.restoreUsage(saved);
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    next.acquire(Use.WRITE).close();
                    got.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        writer.start();
        try {
            // after the handover's one-second wait, 3 more fit in the day's 10, and no 4th
            await().atMost(Duration.ofSeconds(5)).until(() -> got.get() == 3);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> got.get() == 3);
        } finally {
            writer.interrupt();
            writer.join();
        }
    }

    @Test
    void aConnectionsMetadataNamesItsWindows() {
        ConnectionRateBudget budget = new ConnectionRateBudget(null, null, null, 10, Duration.ofSeconds(1), 4);
        Limits limits = budget.limitsFor(Map.of("rate_requests", 25, "rate_per_seconds", 1, "rate_windows",
                List.of(Map.of("requests", 25000, "per_seconds", 86400), Map.of("requests", "x"))));
        assertEquals(List.of(new Window(25000, Duration.ofDays(1))), limits.windows(), "a malformed entry is skipped");
        assertEquals(25, limits.rate());
    }
}
