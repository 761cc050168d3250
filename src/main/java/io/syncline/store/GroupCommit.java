package io.syncline.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Group commit for deliveries that are acknowledged to a sender (webhooks, events, broker
 * messages): the deliveries waiting at one moment are applied together in one transaction, and
 * each caller returns only after the commit that holds its delivery (guarantee 1).
 *
 * A transaction per delivery costs its round trips and its commit whatever the delivery holds;
 * under load the same statements applied many per transaction cost a fraction of that. At low
 * load nothing waits: a delivery that finds no transaction running applies itself at once, as
 * before. There is no thread of its own: the first caller that finds a free slot leads a group
 * (up to {@code syncline.store.group-commit.max-batch} deliveries, at most
 * {@code syncline.store.group-commit.transactions} groups at a time) and the others park until
 * their group has committed.
 *
 * One delivery never fails others: when a group fails (a delivery's own error, a lost race, a
 * deadlock the database broke), it is rolled back whole and every delivery of it is applied
 * again alone, in a transaction of its own, as if no group had formed. A unit of work must
 * therefore keep its effects inside the transaction and may run twice; duplicates are found
 * with {@code ON CONFLICT DO NOTHING} ({@link IdempotencyKeys#claim}), which does not abort a
 * transaction, so a redelivery does not cost its group.
 */
@Unremovable
@ApplicationScoped
public class GroupCommit {

    private final Database db;
    private final int maxBatch;
    private final Semaphore transactions;
    private final Queue<Pending<?>> waiting = new ConcurrentLinkedQueue<>();

    public GroupCommit(Database db,
            @ConfigProperty(name = "syncline.store.group-commit.max-batch", defaultValue = "64") int maxBatch,
            @ConfigProperty(name = "syncline.store.group-commit.transactions", defaultValue = "4") int transactions) {
        if (maxBatch < 1 || transactions < 1) {
            throw new IllegalArgumentException("syncline.store.group-commit.max-batch and .transactions must be at "
                    + "least 1, not " + maxBatch + " and " + transactions);
        }
        this.db = db;
        this.maxBatch = maxBatch;
        this.transactions = new Semaphore(transactions);
    }

    /**
     * Applies {@code work} in a transaction, grouped with other deliveries, and returns its result
     * once that transaction has committed. Within a group, deliveries run in the order of
     * {@code order} (arrival order among equals), so two groups lock the same records in the same
     * order.
     *
     * @param order the record the work writes (its stream and id), or "" when it writes none
     * @throws Database.StoreException or the work's own exception, when it fails alone as well
     */
    public <T> T apply(String order, Database.Work<T> work) {
        Pending<T> mine = new Pending<>(order, work, Thread.currentThread());
        waiting.add(mine);
        boolean interrupted = false;
        while (!mine.done) {
            // a delivery already in a group waits for it; one still waiting tries to lead the next
            if (!mine.grouped && transactions.tryAcquire()) {
                try {
                    applyWaiting();
                } finally {
                    transactions.release();
                }
                // whoever waits at the head leads the next group (it may be this caller again)
                Pending<?> next = waiting.peek();
                if (next != null) {
                    LockSupport.unpark(next.caller);
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // the delivery is in a group already: finish it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return mine.result();
    }

    /** How many deliveries wait for a group (for tests that form one). */
    int waiting() {
        return waiting.size();
    }

    private void applyWaiting() {
        List<Pending<?>> group = new ArrayList<>();
        for (Pending<?> p; group.size() < maxBatch && (p = waiting.poll()) != null;) {
            p.grouped = true;
            group.add(p);
        }
        if (group.size() > 1) {
            group.sort(Comparator.comparing(p -> p.order)); // stable: arrival order within one record
            try {
                List<Object> results = db.inTransaction(c -> {
                    List<Object> out = new ArrayList<>(group.size());
                    for (Pending<?> p : group) {
                        out.add(p.work.run(c));
                    }
                    return out;
                });
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).complete(results.get(i), null);
                }
                return;
            } catch (RuntimeException | Error groupFailed) {
                // rolled back whole: each one again on its own, so only a delivery that fails alone fails
            }
        }
        for (Pending<?> p : group) {
            try {
                p.complete(RecordStore.retryOnRace(() -> db.inTransaction(p.work)), null);
            } catch (RuntimeException | Error alone) {
                p.complete(null, alone);
            }
        }
    }

    private static final class Pending<T> {
        final String order;
        final Database.Work<T> work;
        final Thread caller;
        private Object result;
        private Throwable failure;
        volatile boolean grouped;
        volatile boolean done;

        Pending(String order, Database.Work<T> work, Thread caller) {
            this.order = order == null ? "" : order;
            this.work = work;
            this.caller = caller;
        }

        void complete(Object result, Throwable failure) {
            this.result = result;
            this.failure = failure;
            done = true; // publishes result and failure to the caller
            LockSupport.unpark(caller);
        }

        @SuppressWarnings("unchecked")
        T result() {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return (T) result;
        }
    }
}
