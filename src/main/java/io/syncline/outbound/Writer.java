package io.syncline.outbound;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.metrics.SyncMetrics;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordStore;
import io.syncline.twoway.IdentityMap;
import io.syncline.twoway.RecordAgreement;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The durable, rate-limited writer. It claims due writes from the {@link WriteQueue}, and for
 * each one: skips it when the destination already received this exact content, waits for the
 * connection's rate budget, sends it (alone, or in a batch with others of the same connection),
 * and records the result in the data-flow log, all in the transaction that settles the write.
 * 2xx is sent; 429, 5xx and no answer are retried with backoff (a 429 or 503 pauses the whole
 * connection as the server asked, guarantee 6); any other 4xx, and exhausted retries, become
 * dead letters at once, with the answer as the reason.
 */
@Unremovable
@ApplicationScoped
public class Writer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(Writer.class);
    private static final TypeReference<LinkedHashMap<String, Object>> FIELDS = new TypeReference<>() {
    };

    private final Database db;
    private final WriteQueue queue;
    private final OutboundSyncs syncs;
    private final Connections connections;
    private final ConnectionRateBudget budget;
    private final ConnectionOwners owners;
    private final CircuitBreakers breakers;
    private final FlowLog flow;
    private final DeadLetters deadLetters;
    private final RecordAgreement agreement;
    private final IdentityMap identities;
    private final RecordStore store;
    private final SyncMetrics metrics;
    private final Vertx vertx;
    private final WriteClient client;
    private final int threads;
    private final int claimSize;
    private final Duration lease;
    private final Duration backoffBase;
    private final long lingerMillis;
    private final ExecutorService executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<Long> working = ConcurrentHashMap.newKeySet();
    /** Sent or skipped writes whose settling is not committed yet: still leased, never claimed again here. */
    private final Set<Long> settling = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perConnection = new ConcurrentHashMap<>();
    private final BackgroundLoop loop;
    private final LinkedBlockingQueue<Settled> toSettle = new LinkedBlockingQueue<>();
    private final BackgroundLoop settler = new BackgroundLoop("writer-settle", 100, this::settleBatch);

    public Writer(Database db, WriteQueue queue, OutboundSyncs syncs, Connections connections,
            ConnectionRateBudget budget, ConnectionOwners owners, CircuitBreakers breakers, FlowLog flow, DeadLetters deadLetters,
            RecordAgreement agreement, IdentityMap identities, RecordStore store, SyncMetrics metrics,
            @ConfigProperty(name = "syncline.writer.threads", defaultValue = "16") int threads,
            @ConfigProperty(name = "syncline.writer.claim", defaultValue = "200") int claimSize,
            @ConfigProperty(name = "syncline.writer.lease", defaultValue = "60s") Duration lease,
            @ConfigProperty(name = "syncline.writer.backoff-base", defaultValue = "1s") Duration backoffBase,
            @ConfigProperty(name = "syncline.writer.linger", defaultValue = "20ms") Duration linger,
            @ConfigProperty(name = "syncline.writer.connect-timeout", defaultValue = "5s") Duration connectTimeout) {
        this.db = db;
        this.queue = queue;
        this.syncs = syncs;
        this.connections = connections;
        this.budget = budget;
        this.owners = owners;
        this.breakers = breakers;
        this.flow = flow;
        this.deadLetters = deadLetters;
        this.agreement = agreement;
        this.identities = identities;
        this.store = store;
        this.metrics = metrics;
        // Vert.x's HTTP client on an event loop of the writer's own (its I/O never queues behind the HTTP
        // server's), with keep-alive connections per destination, as many as there are writer threads
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.client = new WriteClient(vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis()).setKeepAlive(true).setMaxPoolSize(threads)), budget);
        this.threads = threads;
        this.claimSize = claimSize;
        this.lease = lease;
        this.backoffBase = backoffBase;
        this.lingerMillis = linger.toMillis();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "writer");
            t.setDaemon(true);
            return t;
        });
        this.loop = new BackgroundLoop("writer", 250, this::round);
    }

    void start(@Observes StartupEvent ignored) {
        settler.start();
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop();
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        vertx.close(); // after the workers: a request in flight gets its answer
        settler.stop();
        settleBatch(); // what the workers finished last
    }

    /** A write was queued: look for due writes now rather than at the next idle tick. */
    public void wake() {
        loop.wake();
    }

    private void round() {
        if (lingerMillis > 0) {
            try {
                Thread.sleep(lingerMillis); // lets a batch fill before it is claimed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        while (loop.running()) {
            int room = threads * 4 - inFlight.get();
            if (room <= 0) {
                return;
            }
            List<WriteQueue.Write> due = queue.claim(Math.min(room, claimSize), lease);
            if (due.isEmpty()) {
                return;
            }
            Map<String, List<WriteQueue.Write>> groups = new LinkedHashMap<>();
            for (WriteQueue.Write w : due) {
                if (!settling.contains(w.id()) && working.add(w.id())) {
                    groups.computeIfAbsent(w.syncName() + "\u0000" + w.connectionKey(), k -> new ArrayList<>()).add(w);
                }
            }
            for (List<WriteQueue.Write> group : groups.values()) {
                try {
                    dispatch(group);
                } catch (RuntimeException e) {
                    // e.g. the database failed mid-dispatch: give the group back, to be claimed again shortly
                    LOG.warnf("writer could not dispatch %d writes of %s: %s", group.size(),
                            group.get(0).connectionKey(), e.getMessage());
                    release(group.stream().filter(w -> working.contains(w.id())).toList(),
                            RecordStore.now().plusSeconds(5));
                }
            }
            if (due.size() < Math.min(room, claimSize)) {
                return;
            }
        }
    }

    private void dispatch(List<WriteQueue.Write> group) {
        WriteQueue.Write first = group.get(0);
        OutboundSync sync = syncs.find(first.providerConfigKey(), first.syncName()).orElse(null);
        Connection conn = connections.find(first.providerConfigKey(), first.connectionId()).orElse(null);
        if (sync == null && queue.isSentByRoute(first.providerConfigKey(), first.syncName())) {
            release(group, RecordStore.now()); // claimed just before its route started: the route sends it
            return;
        }
        if (sync == null || conn == null) {
            String why = sync == null ? "no outbound sync named '" + first.syncName() + "' is declared any more"
                    : "connection " + first.connectionKey() + " no longer exists";
            group.forEach(w -> finish(w, () -> settle(null, w, Map.of(), new WriteClient.Dead(null, "-", why))));
            return;
        }
        if (!owners.owns(first.connectionKey())) {
            release(group, RecordStore.now()); // the connection moved to another replica: its owner sends them
            return;
        }
        Instant open = breakers.openUntil(first.connectionKey());
        if (open != null) {
            release(group, OffsetDateTime.ofInstant(open, ZoneOffset.UTC));
            return;
        }
        // Never hold more of a connection's writes than its budget sends well within a lease.
        ConnectionRateBudget.Limits limits = budget.limitsFor(conn.metadata());
        long perLease = Math.max(1, limits.rate() * lease.toMillis() / Math.max(1, limits.per().toMillis()) / 2);
        AtomicInteger held = perConnection.computeIfAbsent(first.connectionKey(), k -> new AtomicInteger());
        int take = (int) Math.max(0, Math.min(group.size(), perLease - held.get()));
        if (take < group.size()) {
            release(group.subList(take, group.size()), RecordStore.now().plusSeconds(1));
            group = group.subList(0, take);
        }
        if (group.isEmpty()) {
            return;
        }
        Destination d = sync.destination();
        Map<Long, Prepared> prepared = prepare(sync, group);
        List<Prepared> batchable = new ArrayList<>();
        for (WriteQueue.Write w : group) {
            Prepared p = prepared.get(w.id());
            if (d.batched() && w.operation().equals("upsert")) {
                batchable.add(p);
            } else {
                submit(List.of(w), () -> sendOne(sync, conn, p));
            }
        }
        for (int i = 0; i < batchable.size(); i += d.batchSize()) {
            List<Prepared> batch = List.copyOf(batchable.subList(i, Math.min(batchable.size(), i + d.batchSize())));
            submit(batch.stream().map(Prepared::write).toList(), () -> sendBatch(sync, conn, batch));
        }
    }

    private void release(List<WriteQueue.Write> writes, OffsetDateTime at) {
        writes.forEach(w -> working.remove(w.id()));
        queue.release(writes.stream().map(WriteQueue.Write::id).toList(), at);
    }

    private void submit(List<WriteQueue.Write> writes, Runnable task) {
        inFlight.addAndGet(writes.size());
        AtomicInteger held = perConnection.computeIfAbsent(writes.get(0).connectionKey(), k -> new AtomicInteger());
        held.addAndGet(writes.size());
        executor.execute(() -> {
            try {
                task.run();
            } catch (ConnectionOwners.NotOwned e) {
                // handed over while these waited for the budget: unsent, due now for the new owner
                queue.release(writes.stream().map(WriteQueue.Write::id).toList(), RecordStore.now());
            } finally {
                held.addAndGet(-writes.size());
                inFlight.addAndGet(-writes.size());
                writes.forEach(w -> working.remove(w.id()));
                loop.wake();
            }
        });
    }

    private void finish(WriteQueue.Write w, Runnable r) {
        try {
            r.run();
        } finally {
            working.remove(w.id());
        }
    }

    /** What a write will carry, or why it need not be sent. */
    private record Prepared(WriteQueue.Write write, Map<String, Object> fields, String hash, String remoteId,
            String skip) {
    }

    /**
     * Reads, for every write of one connection and sync in one go, what the destination already
     * holds (remote id, last content hash), and decides what each will carry or why it need not
     * be sent.
     */
    private Map<Long, Prepared> prepare(OutboundSync sync, List<WriteQueue.Write> writes) {
        WriteQueue.Write first = writes.get(0);
        IdentityMap.Scope scope = new IdentityMap.Scope(first.providerConfigKey(), first.connectionId(), first.model());
        return db.inTransaction(c -> {
            Map<String, IdentityMap.Link> links = identities.peekLocal(c, scope,
                    writes.stream().map(WriteQueue.Write::recordId).toList());
            Map<Long, Prepared> out = new HashMap<>();
            for (WriteQueue.Write w : writes) {
                Map<String, Object> fields = fields(w.payload());
                Map<String, Object> send = sync.twoWay() == null ? fields
                        : agreement.stillOurs(c, scope, w.recordId(), fields);
                IdentityMap.Link link = links.get(w.recordId());
                String hash = CanonicalJson.sha256(CanonicalJson.write(send));
                String skip = null;
                if (w.operation().equals("upsert") && send.isEmpty()) {
                    skip = "superseded: the connected app changed these fields since";
                } else if (w.operation().equals("upsert") && link != null && hash.equals(link.lastSentHash())) {
                    skip = "unchanged: the destination already received this exact content";
                }
                out.put(w.id(), new Prepared(w, send, hash, link == null ? null : link.remoteId(), skip));
            }
            return out;
        });
    }

    private void sendOne(OutboundSync sync, Connection conn, Prepared p) {
        if (p.skip() != null) {
            skip(sync, p);
            return;
        }
        if (stillOurs(sync, List.of(p)).isEmpty()) {
            return;
        }
        WriteQueue.Write w = p.write();
        WriteClient.Outcome outcome = client.write(conn, sync.destination(),
                new WriteClient.Item(w.recordId(), p.remoteId(), w.operation(), p.fields()));
        settle(sync, w, p, outcome);
    }

    private void sendBatch(OutboundSync sync, Connection conn, List<Prepared> batch) {
        List<Prepared> toSend = new ArrayList<>();
        for (Prepared p : batch) {
            if (p.skip() != null) {
                skip(sync, p);
            } else {
                toSend.add(p);
            }
        }
        toSend = stillOurs(sync, toSend);
        if (toSend.isEmpty()) {
            return;
        }
        Map<String, WriteClient.Outcome> outcomes = client.writeBatch(conn, sync.destination(), toSend.stream()
                .map(p -> new WriteClient.Item(p.write().recordId(), p.remoteId(), "upsert", p.fields())).toList());
        for (Prepared p : toSend) {
            settle(sync, p.write(), p, outcomes.getOrDefault(p.write().recordId(),
                    new WriteClient.Retry(null, "-", "no outcome for this record", null)));
        }
    }

    /** Time a write's lease must still have when it is sent, beyond its requests: for settling. */
    static final Duration SETTLE_MARGIN = Duration.ofSeconds(5);

    /**
     * Makes sure the lease of writes about to be sent outlasts their requests (one, or a search
     * and a create when the remote id is not known yet, each up to the destination's timeout) and
     * the settling after them. Usually the claim's lease already does, and nothing is written;
     * otherwise the lease is renewed. A write whose lease ran out while it waited here, and that
     * another worker claimed, is dropped: the other worker sends it (guarantee 2: never sent
     * twice at the same time). The price: a write in flight on a replica that dies is retried
     * only when its lease runs out.
     */
    private List<Prepared> stillOurs(OutboundSync sync, List<Prepared> sending) {
        Destination d = sync.destination();
        OffsetDateTime now = RecordStore.now();
        boolean twoRequests = sending.stream().anyMatch(p -> p.remoteId() == null && d.upsert().equals("search"));
        OffsetDateTime needed = now.plus(SETTLE_MARGIN).plus(d.timeout().multipliedBy(twoRequests ? 2 : 1));
        if (sending.stream().allMatch(p -> !p.write().leasedUntil().isBefore(needed))) {
            return sending; // the claim's lease covers the send: no extra statement on the common path
        }
        Set<Long> kept = new HashSet<>();
        queue.renew(sending.stream().map(Prepared::write).toList(), needed.plus(lease)).forEach(w -> kept.add(w.id()));
        if (kept.size() < sending.size()) {
            LOG.warnf("%d write(s) of %s waited past their lease and were claimed elsewhere; not sent from here",
                    sending.size() - kept.size(), sending.get(0).write().connectionKey());
        }
        return sending.stream().filter(p -> kept.contains(p.write().id())).toList();
    }

    private void skip(OutboundSync sync, Prepared p) {
        WriteQueue.Write w = p.write();
        settleLater(new Settled(w, p.fields(), "skipped", p.remoteId(), null, null, null, w.attempts(), p.skip()));
        metrics.write(w.providerConfigKey(), w.syncName(), "skipped");
    }

    /** Hands a sent or skipped write to the batched settler (see {@link #settleBatch}). */
    private void settleLater(Settled s) {
        settling.add(s.write().id());
        toSettle.add(s);
        settler.wake();
    }

    private void settle(OutboundSync sync, WriteQueue.Write w, Prepared p, WriteClient.Outcome outcome) {
        settle(sync, w, p.fields(), outcome, p.hash());
    }

    private void settle(OutboundSync sync, WriteQueue.Write w, Map<String, Object> fields, WriteClient.Outcome outcome) {
        settle(sync, w, fields, outcome, w.contentHash());
    }

    private void settle(OutboundSync sync, WriteQueue.Write w, Map<String, Object> fields, WriteClient.Outcome outcome,
            String hash) {
        int attempts = w.attempts() + 1;
        String key = w.connectionKey();
        int maxAttempts = sync == null ? 1 : sync.maxAttempts();
        if (outcome instanceof WriteClient.Retry r && attempts >= maxAttempts) {
            outcome = new WriteClient.Dead(r.status(), r.destination(), "failed " + attempts + " times; last: "
                    + r.error());
        }
        IdentityMap.Scope scope = new IdentityMap.Scope(w.providerConfigKey(), w.connectionId(), w.model());
        if (outcome instanceof WriteClient.Sent s && sync.twoWay() == null) {
            // the common case is settled in batches, many writes per transaction (see settleBatch)
            breakers.success(key);
            settleLater(new Settled(w, fields, "sent", s.remoteId(), s.destination(), s.status(),
                    w.operation().equals("delete") ? null : hash, attempts, null));
            metrics.write(w.providerConfigKey(), w.syncName(), "sent");
        } else if (outcome instanceof WriteClient.Sent s) {
            breakers.success(key);
            db.inLazyTransaction(c -> {
                queue.settle(c, w, "sent", attempts, null);
                agreement.sent(c, sync.twoWay(), scope, sync.mapping().keyField(), w.recordId(), s.remoteId(), fields,
                        w.operation().equals("delete") ? null : hash);
                flow.add(c, w, s.remoteId(), s.destination(), fields.keySet(), "sent", s.status(), attempts, null);
                return null;
            });
            if (sync.twoWay() != null) {
                store.poke(); // the agreed view may have moved into the changes feed
            }
            metrics.write(w.providerConfigKey(), w.syncName(), "sent");
        } else if (outcome instanceof WriteClient.Retry r) {
            if (r.status() == null || r.status() != 404) {
                breakers.failure(key); // a record not there yet (upsert: update) is no fault of the destination
            }
            Duration wait = r.after() != null ? r.after()
                    : new Backoff(maxAttempts, backoffBase, Duration.ofMinutes(10)).delay(attempts);
            db.inLazyTransaction(c -> {
                queue.retryAt(c, w, attempts, r.error(), RecordStore.now().plus(wait));
                flow.add(c, w, null, r.destination(), fields.keySet(), "retry", r.status(), attempts,
                        r.error() + "; next attempt in " + wait.toMillis() + " ms");
                return null;
            });
            metrics.write(w.providerConfigKey(), w.syncName(), "retry");
        } else {
            WriteClient.Dead d = (WriteClient.Dead) outcome;
            String payload = deadLetterPayload(w, fields);
            long id = db.inLazyTransaction(c -> {
                queue.settle(c, w, "dead", attempts, d.error());
                flow.add(c, w, null, d.destination(), fields.keySet(), "dead", d.status(), attempts, d.error());
                return deadLetters.add(c, "write", w.syncName(), w.providerConfigKey(), w.connectionId(), w.model(),
                        "write/" + w.id(), d.error(), null, payload);
            });
            deadLetters.added(id, "write", w.syncName(), w.providerConfigKey(), w.connectionId(), "write/" + w.id(),
                    d.status() == null ? "not sent" : "answered " + d.status());
            metrics.write(w.providerConfigKey(), w.syncName(), "dead");
        }
    }

    /**
     * A write settled by the batched settler: sent (one-way) with the remote id, destination and
     * HTTP status of its answer and the hash the destination now holds, or skipped, with why.
     */
    private record Settled(WriteQueue.Write write, Map<String, Object> fields, String result, String remoteId,
            String destination, Integer status, String hash, int attempts, String detail) {
        boolean sent() {
            return result.equals("sent");
        }
    }

    /**
     * Settles sent (one-way) and skipped writes many per transaction: the write's row, the
     * identity of a sent one (remote id and the hash the destination now holds) and the flow log
     * line of each. Until then the write stays leased, so nobody sends it again; a crash before
     * the commit only sends it again (or skips it again), and the destination's upsert by key
     * makes that harmless (guarantee 2).
     */
    private void settleBatch() {
        while (true) {
            List<Settled> batch = new ArrayList<>();
            toSettle.drainTo(batch, 500);
            if (batch.isEmpty()) {
                return;
            }
            // rows locked in id order, as every other writer of this table locks them: no deadlock
            batch.sort(Comparator.comparingLong(b -> b.write().id()));
            try {
                db.inLazyTransaction(c -> {
                    queue.settleAll(c, batch.stream().map(b -> new WriteQueue.Settle(b.write(), b.result(),
                            b.attempts(), b.detail())).toList());
                    identities.recordSent(c, batch.stream().filter(Settled::sent).map(b -> new IdentityMap.Sent(
                            new IdentityMap.Scope(b.write().providerConfigKey(), b.write().connectionId(),
                                    b.write().model()), b.write().recordId(), b.remoteId(), b.hash())).toList());
                    flow.addAll(c, batch.stream().map(b -> new FlowLog.Line(b.write(), b.remoteId(), b.destination(),
                            b.fields().keySet(), b.result(), b.status(), b.attempts(), b.detail())).toList());
                    return null;
                });
            } catch (RuntimeException e) {
                toSettle.addAll(batch); // the next round tries again; the writes stay leased meanwhile
                throw e;
            }
            batch.forEach(b -> settling.remove(b.write().id()));
        }
    }

    /** What a dead letter of a write keeps: enough to queue it again on replay. */
    public static String deadLetterPayload(WriteQueue.Write w, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("record_id", w.recordId());
        m.put("operation", w.operation());
        m.put("fields", fields);
        return CanonicalJson.write(m);
    }

    /** The fields a write's payload carries. */
    public static Map<String, Object> fields(String payload) {
        try {
            return payload == null ? new LinkedHashMap<>() : JSON.readValue(payload, FIELDS);
        } catch (IOException e) {
            throw new IllegalStateException("write payload is not JSON: " + e.getMessage(), e);
        }
    }
}
