package io.syncline.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit of acknowledged deliveries (guarantees 1 and 2): deliveries that wait together
 * commit together, each caller returns after that commit, a duplicate does not cost its group,
 * and a delivery that fails fails alone.
 *
 * Each test forms a group deterministically: one delivery holds the only transaction slot until
 * the others are all waiting. A delivery here claims its id (the row the test counts) and notes
 * how often it ran: more than once means its group was rolled back and applied again one by one.
 */
abstract class GroupCommitContract {

    static final int WAITING = 8;

    @Inject
    Database db;

    GroupCommit commits;
    String scope;
    ExecutorService callers;
    final CountDownLatch release = new CountDownLatch(1);
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    @BeforeEach
    void oneTransactionAtATime() {
        commits = new GroupCommit(db, 64, 1);
        scope = "group-commit-" + UUID.randomUUID();
        callers = Executors.newFixedThreadPool(WAITING + 1);
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void deliveriesThatWaitTogetherCommitInOneTransactionAndEachReturnsAfterIt() throws Exception {
        List<Future<Long>> seen = formGroup(i -> "m" + i, i -> false);
        for (int i = 0; i < WAITING; i++) {
            // in record order, each sees the first delivery's row, the earlier ones of its group and its own
            assertEquals(i + 2L, seen.get(i).get(10, TimeUnit.SECONDS), "delivery " + i);
        }
        assertEquals(WAITING + 1, claimed(), "every delivery is committed when its caller returns");
        runs.forEach((id, n) -> assertEquals(1, n.get(), id + " ran once: the group was not rolled back"));
    }

    @Test
    void aDuplicateInAGroupIsAnsweredWithoutRollingTheGroupBack() throws Exception {
        // deliveries 2 and 5 carry one message id: the later one is a duplicate
        List<Future<Long>> seen = formGroup(i -> i == 5 ? "m2" : "m" + i, i -> false);
        for (Future<Long> f : seen) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertEquals(-1L, seen.get(5).get(), "the redelivery found its id applied");
        assertEquals(WAITING, claimed());
        runs.forEach((id, n) -> assertTrue(n.get() <= 2, id + " ran at most once per delivery of it"));
        assertEquals(2, runs.get("m2").get(), "both deliveries of m2 ran, in the one group");
        runs.forEach((id, n) -> assertTrue(id.equals("m2") || n.get() == 1, id + " ran once: no rollback"));
    }

    @Test
    void aDeliveryThatFailsFailsAloneAndTheOthersOfItsGroupCommit() throws Exception {
        List<Future<Long>> seen = formGroup(i -> "m" + i, i -> i == 3);
        for (int i = 0; i < WAITING; i++) {
            if (i == 3) {
                ExecutionException failed = assertThrowsExecution(seen.get(i));
                assertInstanceOf(IllegalStateException.class, failed.getCause());
            } else {
                assertTrue(seen.get(i).get(10, TimeUnit.SECONDS) >= 1);
            }
        }
        assertEquals(WAITING, claimed(), "every delivery but the failing one committed");
        assertFalse(claimedIds().contains("m3"), "the failing delivery left nothing behind");
        assertEquals(2, runs.get("m0").get(), "the group was rolled back once and its deliveries applied alone");
    }

    /**
     * Blocks the only slot with a first delivery, queues {@link #WAITING} more, then lets the
     * first one commit so that the waiting ones form one group. Each returns how many of the
     * scope's ids its transaction saw after claiming its own, or -1 for a duplicate.
     */
    private List<Future<Long>> formGroup(java.util.function.IntFunction<String> messageId,
            java.util.function.IntPredicate fails) throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        Future<Long> first = callers.submit(() -> commits.apply("a", c -> {
            IdempotencyKeys.claim(c, scope, "first");
            leading.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> release.getCount() == 0);
            return 1L;
        }));
        assertTrue(leading.await(10, TimeUnit.SECONDS), "the first delivery holds the slot");
        List<Future<Long>> group = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            String id = messageId.apply(i);
            boolean failing = fails.test(i);
            String order = "r" + i;
            group.add(callers.submit(() -> commits.apply(order, c -> {
                runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (!IdempotencyKeys.claim(c, scope, id)) {
                    return -1L;
                }
                if (failing) {
                    throw new IllegalStateException("this delivery cannot be applied");
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM idempotency_keys WHERE scope = ?")) {
                    ps.setString(1, scope);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            })));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> commits.waiting() == WAITING);
        release.countDown();
        assertEquals(1L, first.get(10, TimeUnit.SECONDS));
        return group;
    }

    private static ExecutionException assertThrowsExecution(Future<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the failing delivery returned");
    }

    private int claimed() {
        return claimedIds().size();
    }

    private List<String> claimedIds() {
        return db.inTransaction(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT message_id FROM idempotency_keys WHERE scope = ?")) {
                ps.setString(1, scope);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
    }
}
