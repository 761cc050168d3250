package io.syncline.schedule;

import java.io.IOException;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.syncline.config.BackgroundLoop;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.mapping.ConnectionMappings;
import io.syncline.mapping.FieldError;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.SourceTimes;
import io.syncline.mapping.SyncKey;
import io.syncline.metrics.SyncMetrics;
import io.syncline.outbound.AppWebhooks;
import io.syncline.outbound.Backoff;
import io.syncline.outbound.ConnectionOwners;
import io.syncline.outbound.ConnectionRateBudget;
import io.syncline.store.CanonicalJson;
import io.syncline.store.Change;
import io.syncline.store.ChangesFeed;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;
import io.syncline.store.SeenKeys;
import io.syncline.twoway.IdentityMap;
import io.syncline.twoway.RecordAgreement;
import io.syncline.http.LazyHttpClient;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs polling syncs, one (sync, connection) pair at a time per pair and several pairs at once.
 *
 * A run reads page after page; each page's records and the checkpoint after it commit in one
 * transaction, so a run that dies resumes after its last committed page and nothing is stored
 * twice. A full refresh deletes what it did not see only after it read the whole source
 * (guarantee 4), and refuses to delete more than the sync's share without being told to.
 */
@Unremovable
@ApplicationScoped
public class PollRunner {

    private static final Logger LOG = Logger.getLogger(PollRunner.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /** Written records between refreshes of the planner's statistics during a run. */
    static final long ANALYZE_EVERY = 20_000;

    public enum Outcome {
        SUCCESS, ERROR, SKIPPED
    }

    private final Database db;
    private final RecordStore store;
    private final DeadLetters deadLetters;
    private final RecordAgreement agreement;
    private final SyncState state;
    private final Connections connections;
    private final ConnectionRateBudget budget;
    private final AppWebhooks appWebhooks;
    private final ConnectionOwners owners;
    private final SyncRegistry registry;
    private final SyncMetrics metrics;
    private final ConnectionMappings mappings;
    private final DeleteReviews reviews;
    private final Duration lease;
    private final Duration timeout;
    private final String notifyUrl;
    private final String owner = "syncline-" + UUID.randomUUID().toString().substring(0, 8);
    private final LazyHttpClient http = LazyHttpClient.connectTimeout(Duration.ofSeconds(10));
    private final ExecutorService workers;
    private final ExecutorService prefetch = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "poll-prefetch");
        t.setDaemon(true);
        return t;
    });

    public PollRunner(Database db, RecordStore store, DeadLetters deadLetters, RecordAgreement agreement, SyncState state, Connections connections,
            ConnectionRateBudget budget, ConnectionOwners owners, AppWebhooks appWebhooks, SyncRegistry registry, SyncMetrics metrics,
            ConnectionMappings mappings, DeleteReviews reviews,
            @ConfigProperty(name = "syncline.poll.lease", defaultValue = "5m") Duration lease,
            @ConfigProperty(name = "syncline.poll.request-timeout", defaultValue = "30s") Duration timeout,
            @ConfigProperty(name = "syncline.poll.workers", defaultValue = "4") int workers,
            @ConfigProperty(name = "syncline.notify.url") Optional<String> notifyUrl) {
        this.db = db;
        this.store = store;
        this.deadLetters = deadLetters;
        this.agreement = agreement;
        this.state = state;
        this.connections = connections;
        this.budget = budget;
        this.owners = owners;
        this.appWebhooks = appWebhooks;
        this.registry = registry;
        this.metrics = metrics;
        this.mappings = mappings;
        this.reviews = reviews;
        this.lease = lease;
        this.timeout = timeout;
        this.notifyUrl = notifyUrl.filter(u -> !u.isBlank()).orElse(null);
        this.workers = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "poll-run");
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        workers.shutdownNow();
        prefetch.shutdownNow();
    }

    void takeUpLeftRuns(@Observes StartupEvent ignored) {
        if (!db.isPostgres() && state.expireLeases() > 0) {
            LOG.warn("runs that were going when the service last stopped resume now");
        }
    }

    /** The error type of a run whose deletions wait for approval. */
    static final String AWAITING_APPROVAL = "awaiting_approval";

    /** The error type of a run stopped because its connection moved to another replica. */
    static final String HANDED_OVER = "handed_over";

    /** A schedule slot: every connection of the integration whose pair is due runs, in the background. */
    public void tick(PollSync sync) {
        for (Connection c : connections.list(sync.integration())) {
            if (!pollable(c)) {
                continue; // a connection made for webhooks only: nothing to poll, and nothing wrong
            }
            if (c.needsReconnect()) {
                continue; // paused until its customer connects again: asking the provider cannot help
            }
            if (!owners.owns(c.providerConfigKey() + "/" + c.connectionId())) {
                continue; // another replica owns the connection and runs its syncs
            }
            SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name());
            // A pair without state has never run: it is due, unless the sync waits for a start.
            SyncState.Row row = state.find(pair).orElse(null);
            if (row == null) {
                if (!sync.waitForStart()) {
                    submit(sync, c, "schedule", true);
                }
                continue;
            }
            OffsetDateTime now = RecordStore.now();
            if (row.interrupted(now)) {
                // its replica stopped mid-run: take the work up now, not at the next slot
                submit(sync, c, "recover", false);
                continue;
            }
            if (row.paused() || (row.nextRunAt() != null && row.nextRunAt().isAfter(now))) {
                continue;
            }
            if (sync.waitForStart() && row.lastRunId() == null && row.nextRunAt() == null) {
                continue; // declared to wait for an explicit start or trigger
            }
            if (row.running(now)) {
                state.countSkipped(pair);
                continue;
            }
            // an incremental sync's periodic reconciling read: this run reads the whole source again
            boolean reconcile = sync.reconcileEvery() != null && !sync.fullRefresh()
                    && state.reconcileDue(pair, sync.reconcileEvery());
            submit(sync, c, reconcile ? "reconcile" : "schedule", true);
        }
    }

    /** A new connection: its syncs import everything right away, unless they wait for a start. */
    void connected(@Observes Connections.Created event) {
        String integration = event.providerConfigKey();
        connections.find(integration, event.connectionId()).filter(PollRunner::pollable)
                .filter(c -> owners.owns(integration + "/" + c.connectionId()))
                .ifPresent(c -> registry.of(integration).stream()
                .filter(s -> !s.waitForStart()).forEach(s -> submit(s, c, "connect", false)));
    }

    /** Whether a connection says where to poll: one without a base_url is there for webhooks only. */
    public static boolean pollable(Connection c) {
        return c.baseUrl() != null && !c.baseUrl().isBlank();
    }

    public Future<Outcome> submit(PollSync sync, Connection c, String trigger, boolean scheduled) {
        return workers.submit(() -> run(sync, c, trigger, scheduled));
    }

    /** A run that has its lease and its id, and reads in the background. */
    public record Started(long runId, Future<Outcome> outcome) {
    }

    /**
     * Starts a run now: claims the pair and records the run in the calling thread, so the caller
     * has its id at once, then reads in the background. Empty when the pair could not start
     * (another run holds it, or the connection has no base_url).
     */
    public Optional<Started> start(PollSync sync, Connection c, String trigger) {
        return start(sync, c, trigger, null);
    }

    /** {@link #start} of a scoped run (null: a whole run). */
    public Optional<Started> start(PollSync sync, Connection c, String trigger, Scope scope) {
        Begun b = begin(sync, c, trigger, false, scope);
        if (b == null) {
            return Optional.empty();
        }
        return Optional.of(new Started(b.runId(), workers.submit(() -> finish(sync, c, b))));
    }

    /**
     * A run asked for now, by the API or a route: started here, already running, or, when another
     * replica owns the connection, queued for it (due now, so its next tick runs it). The answer
     * names the sync, the connection, the status and the run id where there is one.
     */
    public Map<String, Object> trigger(PollSync sync, Connection c, String trigger) {
        return trigger(sync, c, trigger, null);
    }

    /**
     * {@link #trigger} of a scoped run (null: a whole run). A scoped run is started only on the
     * connection's owner: elsewhere it is refused as {@code not_owner}, with the owner to ask.
     */
    public Map<String, Object> trigger(PollSync sync, Connection c, String trigger, Scope scope) {
        SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name());
        state.ensure(pair);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sync", sync.name());
        r.put("connection_id", c.connectionId());
        if (!owners.owns(c.providerConfigKey() + "/" + c.connectionId())) {
            if (scope != null) {
                r.put("status", "not_owner"); // a scope is not kept in the schedule: ask the owner
                r.put("owner", owners.ownerAddress(c.providerConfigKey(), c.connectionId()).orElse(null));
                return r;
            }
            state.dueNow(pair);
            r.put("status", "queued");
            r.put("run_id", state.runningRun(pair).orElse(null));
            return r;
        }
        Optional<Started> started = start(sync, c, trigger, scope);
        r.put("status", started.isPresent() ? "started" : "already_running");
        r.put("run_id", started.map(Started::runId).orElseGet(() -> state.runningRun(pair).orElse(null)));
        return r;
    }

    /** One run of one pair, start to finish, in the calling thread. */
    public Outcome run(PollSync sync, Connection c, String trigger, boolean scheduled) {
        Begun b = begin(sync, c, trigger, scheduled);
        return b == null ? Outcome.SKIPPED : finish(sync, c, b);
    }

    private record Begun(SyncState.Pair pair, SyncState.Row row, long runId, OffsetDateTime started, Scope scope) {
    }

    private Begun begin(PollSync sync, Connection c, String trigger, boolean scheduled) {
        return begin(sync, c, trigger, scheduled, null);
    }

    private Begun begin(PollSync sync, Connection c, String trigger, boolean scheduled, Scope scope) {
        SyncState.Pair pair = new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name());
        OffsetDateTime started = RecordStore.now();
        if (!state.claim(pair, owner, started, started.plus(lease), scheduled)) {
            if (!scheduled) {
                state.countSkipped(pair);
            }
            return null;
        }
        SyncState.Row row = state.find(pair).orElseThrow();
        for (SyncState.Run dead : state.closeInterrupted(pair, started)) {
            LOG.warnf("run %d of %s/%s was interrupted: %s", dead.id(), c.connectionId(), sync.name(),
                    SyncState.INTERRUPTED);
            notifyApp(sync, c, pair, dead.startedAt(), started, "interrupted", SyncState.INTERRUPTED);
        }
        if (trigger.equals("recover") && row.paused()) {
            state.releaseLease(pair); // paused: the interrupted run is closed, and resumes when started
            return null;
        }
        if (!pollable(c)) {
            state.releaseLease(pair);
            return null;
        }
        long runId = state.startRun(pair, sync.model(), scope != null ? scope.trigger()
                : row.checkpoint().inProgress() ? "resume" : trigger, sync.fullRefresh() && scope == null, started);
        return new Begun(pair, row, runId, started, scope);
    }

    private Outcome finish(PollSync sync, Connection c, Begun b) {
        SyncState.Pair pair = b.pair();
        SyncState.Row row = b.row();
        long runId = b.runId();
        OffsetDateTime started = b.started();
        Checkpoint cp = row.checkpoint();
        SyncState.RunCounts n = new SyncState.RunCounts();
        SourceClient client = new SourceClient(http.get(), budget, Backoff.standard(sync.maxAttempts()), timeout,
                false);
        String errorType = null;
        String errorDescription = null;
        HeldForReview reviewed = null;
        try {
            if (b.scope() != null) {
                readScoped(sync, c, pair, started, b.scope(), n, client);
            } else {
                reviewed = read(sync, c, pair, runId, started, cp, n, client);
            }
            if (reviewed != null) {
                errorType = AWAITING_APPROVAL;
                errorDescription = reviewed.description();
            }
        } catch (RunFailure f) {
            errorType = f.type();
            errorDescription = f.getMessage();
        } catch (ConnectionOwners.NotOwned e) {
            errorType = HANDED_OVER;
            errorDescription = "the connection moved to another replica during the run; "
                    + "that replica resumes it at once, after the last committed page";
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %d of %s/%s failed inside Syncline", runId, c.connectionId(), sync.name());
            errorType = "internal_error";
            errorDescription = "the run failed inside Syncline; see the service log for run " + runId;
        } catch (Error e) {
            // out of memory, say: the run is closed as failed rather than left RUNNING with nothing running
            BackgroundLoop.fatal("poll run " + runId, e);
            errorType = "internal_error";
            errorDescription = "the run stopped on a fatal error inside Syncline (" + e.getClass().getSimpleName()
                    + "); the next run resumes after its last committed page";
        } finally {
            n.requests = client.requests.get();
            n.retries = client.retries.get();
        }
        OffsetDateTime finished = RecordStore.now();
        String status = errorType == null ? "SUCCESS" : reviewed != null ? "AWAITING_APPROVAL" : "ERROR";
        state.finishRun(runId, status, n, errorType, errorDescription);
        metrics.run(sync.integration(), sync.name(), status,
                Duration.between(started, finished), n.retries);
        metrics.recordsIn(sync.integration(), sync.name(), "added", n.added);
        metrics.recordsIn(sync.integration(), sync.name(), "updated", n.updated);
        metrics.recordsIn(sync.integration(), sync.name(), "deleted", n.deleted);
        metrics.recordsIn(sync.integration(), sync.name(), "unchanged", n.unchanged);
        metrics.recordsIn(sync.integration(), sync.name(), "dead_lettered", n.failed);
        // a scoped run leaves the schedule as it was
        state.release(pair, HANDED_OVER.equals(errorType) ? finished : b.scope() != null ? row.nextRunAt()
                : sync.nextRun(finished, row.frequencySeconds()), runId);
        store.poke();
        // One line per run, with ids and counts only; a failed run is a warning.
        LOG.logf(errorType == null ? Logger.Level.INFO : Logger.Level.WARN,
                "run %d %s: sync=%s connection=%s/%s added=%d updated=%d deleted=%d unchanged=%d failed=%d pages=%d%s",
                runId, errorType == null ? "succeeded" : "failed", sync.name(), c.providerConfigKey(),
                c.connectionId(), n.added, n.updated, n.deleted, n.unchanged, n.failed, n.pages,
                errorType == null ? "" : " error=" + errorType + ": " + errorDescription);
        if (reviewed != null) {
            notifyReview(sync, c, reviewed);
        }
        if (!HANDED_OVER.equals(errorType)) {
            notifyApp(sync, c, pair, started, finished, errorType, errorDescription);
        }
        return errorType == null ? Outcome.SUCCESS : Outcome.ERROR;
    }

    /**
     * A scoped run: reads from the window's start (or the whole source), stores only the records
     * in scope, and stops once every listed id was found. It deletes nothing it did not see (a
     * record the source reports deleted within the scope is deleted), and keeps the checkpoint.
     */
    private void readScoped(PollSync sync, Connection c, SyncState.Pair pair, OffsetDateTime started, Scope scope,
            SyncState.RunCounts n, SourceClient client) {
        Pagination p = sync.pagination();
        Pagination.State position = p.start();
        String since = scope.after() == null ? null : sync.format(scope.after());
        URI first = sync.firstRequest(c, since);
        java.util.Set<String> found = new java.util.HashSet<>();
        while (position != null && !(scope.kind() == Scope.Kind.IDS && found.containsAll(scope.ids()))) {
            PollSync.Request request = sync.request(first, position, since);
            Fetched f = fetch(sync, c, client, request);
            Pagination.State next = p.next(position, request.uri(), f.page(), f.body(), f.records().size());
            commitPage(sync, c, pair, started, f.records(), null, n, null, null, scope, found);
            n.pages++;
            position = next;
        }
    }

    /** A run over the sync's source; returns the deletions it held for review, or null. */
    private HeldForReview read(PollSync sync, Connection c, SyncState.Pair pair, long runId, OffsetDateTime started,
            Checkpoint cp, SyncState.RunCounts n, SourceClient client) {
        Pagination p = sync.pagination();
        Pagination.State position = cp.inProgress() ? cp.page() : p.start();
        String since = cp.inProgress() ? cp.since() : cp.hwm() == null ? null : sync.sinceValue(Instant.parse(cp.hwm()));
        Long generation = sync.fullRefresh() ? (cp.inProgress() && cp.generation() != null ? cp.generation() : runId)
                : null;
        String runHwm = cp.inProgress() ? cp.runHwm() : null;
        // Guarantee 4 (and no missed changes): a pass that an earlier run began proves what the
        // source holds only if the saved position still means the same place now.
        boolean consistent = !cp.inProgress() || p.stableAcrossRuns();
        if (generation != null && !db.inTransaction(tx -> SeenKeys.begin(tx, c.providerConfigKey(), c.connectionId(),
                sync.name(), generation, cp.inProgress() && cp.generation() != null))) {
            LOG.infof("run %d of %s/%s resumes a pass whose marks of the records it read are gone (the database "
                    + "restarted without them): it deletes nothing; the next complete pass decides",
                    runId, c.connectionId(), sync.name());
        }
        URI first = sync.firstRequest(c, since);
        Ahead ahead = null;
        try {
            while (position != null) {
                PollSync.Request request = ahead != null ? ahead.request() : sync.request(first, position, since);
                Fetched f = ahead != null ? ahead.fetched() : fetch(sync, c, client, request);
                ahead = null;
                List<?> records = f.records();
                Pagination.State next = p.next(position, request.uri(), f.page(), f.body(), records.size());
                if (next != null && sync.maxResults() > 0 && next.offset() + p.pageSize > sync.maxResults()) {
                    // the source answers at most maxResults records a search (HubSpot's 10,000): the next
                    // window searches again from the newest modification read, the pages after it unread
                    String windowHwm = runHwm;
                    for (Object item : records) {
                        windowHwm = latest(windowHwm, modifiedAt(sync, item));
                    }
                    String from = windowHwm == null ? null : sync.format(Instant.parse(windowHwm));
                    if (from == null || from.equals(since)) {
                        throw new RunFailure("source_limit", "more than " + sync.maxResults() + " records share one "
                                + "modification time, so the source's search cannot page past them");
                    }
                    since = from;
                    next = p.start();
                }
                if (next != null) {
                    // the next page is read while this one commits
                    PollSync.Request following = sync.request(first, next, since);
                    ahead = new Ahead(following, prefetch.submit(() -> fetch(sync, c, client, following)));
                }
                String pageHwm = commitPage(sync, c, pair, started, records, generation, n, runHwm,
                        new Checkpoint(cp.hwm(), next, since, generation, null), null, null);
                runHwm = pageHwm;
                n.pages++;
                position = next;
            }
        } finally {
            if (ahead != null) {
                ahead.page().cancel(false); // the run failed before it: the answer is dropped
            }
        }
        // The whole source was read: only now may a full refresh delete, and the high-water mark
        // advance. A resumed pass over offsets or pages may have missed records that shifted across
        // its saved position: what it read is stored, but it deletes nothing and keeps the old
        // high-water mark, so the next run reads the whole source (or the same window) again.
        if (!consistent) {
            LOG.infof("run %d of %s/%s resumed a pass over %s pagination, whose positions shift between runs: "
                    + "it deletes nothing and keeps the high-water mark; the next complete pass decides",
                    runId, c.connectionId(), sync.name(), p.style.name().toLowerCase(Locale.ROOT));
        }
        String finalHwm = consistent ? latest(cp.hwm(), runHwm) : cp.hwm();
        Checkpoint done = new Checkpoint(sync.fullRefresh() ? null : finalHwm, null, null, null, null);
        return db.inTransaction(tx -> {
            HeldForReview review = null;
            // the pass's marks are asked for again: PostgreSQL may have restarted (and lost them) meanwhile
            if (sync.fullRefresh() && consistent && SeenKeys.intact(tx, generation)) {
                RecordStore.Unseen u = store.countUnseen(tx, c.providerConfigKey(), c.connectionId(), sync.model(),
                        generation);
                if (u.unseen() > 0 && u.unseen() > sync.maxDeleteShare() * u.live()) {
                    // too many to delete unasked: held for review, with exactly what would go
                    review = new HeldForReview(reviews.hold(tx, pair, sync.model(), generation, u), u);
                } else {
                    long deleted = store.deleteUnseen(tx, c.providerConfigKey(), c.connectionId(), sync.model(),
                            generation);
                    state.unannounced(tx, pair, started, 0, 0, deleted);
                    n.deleted += deleted;
                }
            }
            if (generation != null) {
                SeenKeys.end(tx, c.providerConfigKey(), c.connectionId(), sync.name(), generation);
            }
            state.saveCheckpoint(tx, pair, done, RecordStore.now().plus(lease));
            return review;
        });
    }

    /** The end of a run whose deletions wait for approval (DeleteReviews). */
    record HeldForReview(long review, RecordStore.Unseen unseen) {
        String description() {
            return "the source no longer lists " + unseen.unseen() + " of " + unseen.live() + " records, more than "
                    + "the sync's maxDeleteShare; nothing was deleted, and delete review " + review + " waits for "
                    + "approval: POST /api/delete-reviews/" + review + "/approve";
        }
    }

    /** One page: its records and the checkpoint after it, in one transaction. Returns the run's newest modification time. */
    private String commitPage(PollSync sync, Connection c, SyncState.Pair pair, OffsetDateTime started,
            List<?> records, Long generation,
            SyncState.RunCounts n, String runHwm, Checkpoint after, Scope scope, java.util.Set<String> found) {
        SyncKey syncKey = new SyncKey(c.providerConfigKey(), sync.name(), c.connectionId());
        Mapping mapping = sync.mapping(); // its model and key: an overlay changes neither
        String[] hwm = { runHwm };
        long[] counts = new long[4];
        List<Object[]> failures = new ArrayList<>();
        RecordStore.retryOnRace(() -> db.inTransaction(tx -> {
            Arrays.fill(counts, 0);
            failures.clear();
            hwm[0] = runHwm;
            List<RecordStore.Item> upserts = new ArrayList<>(records.size());
            List<RecordKey> deletes = new ArrayList<>();
            for (Object item : records) {
                Mapping.Result r = mappings.map(mapping, syncKey, item).result();
                if (scope != null && !scope.includes(r.externalId(), modifiedAt(sync, item))) {
                    continue; // outside a scoped run's scope: not stored, not dead-lettered, not counted
                }
                if (!r.ok()) {
                    failures.add(new Object[] { item, r });
                    continue;
                }
                if (scope != null) {
                    found.add(r.externalId());
                }
                hwm[0] = latest(hwm[0], modifiedAt(sync, item));
                if (r.deleted()) {
                    deletes.add(new RecordKey(c.providerConfigKey(), c.connectionId(), mapping.model(), r.externalId()));
                } else {
                    String canonical = CanonicalJson.write(sync.twoWay() == null ? r.record()
                            : agreement.fromRemote(tx, sync.name(), sync.twoWay(), new IdentityMap.Scope(
                                    c.providerConfigKey(), c.connectionId(), mapping.model()), mapping.keyField(),
                                    r.externalId(), r.record(), RecordAgreement.modifiedAt(sync.twoWay(), r.record())));
                    upserts.add(new RecordStore.Item(r.externalId(), canonical, CanonicalJson.sha256(canonical)));
                }
            }
            for (Change change : store.upsertAll(tx, c.providerConfigKey(), c.connectionId(), mapping.model(), upserts,
                    generation)) {
                counts[change.ordinal()]++;
            }
            for (RecordKey key : deletes) {
                counts[store.delete(tx, key, RecordStore.now()).ordinal()]++;
            }
            state.unannounced(tx, pair, started, counts[Change.ADDED.ordinal()], counts[Change.UPDATED.ordinal()],
                    counts[Change.DELETED.ordinal()]);
            if (scope != null) {
                // a scoped run leaves the sync's checkpoint as it was, and only keeps its lease
                state.extendLease(tx, pair, RecordStore.now().plus(lease));
                return null;
            }
            // After the last page the checkpoint has no page: read() completes the run, and a crash
            // before that starts the next run afresh, which re-reads rather than misses.
            state.saveCheckpoint(tx, pair, new Checkpoint(after.hwm(), after.page(), after.since(), after.generation(),
                    hwm[0]), RecordStore.now().plus(lease));
            return null;
        }));
        long before = n.added + n.updated + n.deleted;
        n.added += counts[Change.ADDED.ordinal()];
        n.updated += counts[Change.UPDATED.ordinal()];
        n.deleted += counts[Change.DELETED.ordinal()];
        n.unchanged += counts[Change.UNCHANGED.ordinal()];
        for (Object[] f : failures) {
            Mapping.Result r = (Mapping.Result) f[1];
            n.failed++;
            deadLetters.add("inbound", sync.name(), c.providerConfigKey(), c.connectionId(), mapping.model(),
                    r.externalId(), "mapping or validation failed: " + r.errors(), r.errors(), json(f[0]));
        }
        store.poke();
        if ((n.added + n.updated + n.deleted) / ANALYZE_EVERY > before / ANALYZE_EVERY) {
            store.analyze(); // a bulk load must not outgrow the statistics its lookups are planned with
        }
        return hwm[0];
    }

    /**
     * A client that reads from connected apps as this runner's polls do (same budget, timeouts and
     * retries), from whichever replica a delivery arrived at.
     */
    public SourceClient client(int maxAttempts) {
        return new SourceClient(http.get(), budget, Backoff.standard(maxAttempts), timeout, true);
    }

    /** One record as a dry run classifies it. */
    public record DryRecord(String id, String change, Map<String, Object> record, List<FieldError> errors) {
    }

    public record DryRun(List<DryRecord> records, Map<String, Long> counts, int pages, boolean complete) {
    }

    /**
     * Reads up to {@code maxPages} pages as a run would (same request, credentials, budget and
     * mapping) and says what each record would do, storing and writing nothing: no record, no
     * checkpoint, no run, no dead letter, no webhook to your app.
     */
    public DryRun dryRun(PollSync sync, Connection c, int maxPages) {
        return dryRun(sync, c, maxPages, null);
    }

    /** A dry run with the given mapping instead of the connection's (an overlay's preview); null: the connection's. */
    public DryRun dryRun(PollSync sync, Connection c, int maxPages, Mapping overlay) {
        SyncState.Row row = state.find(new SyncState.Pair(c.providerConfigKey(), c.connectionId(), sync.name()))
                .orElse(null);
        String hwm = row == null ? null : row.checkpoint().hwm();
        String since = hwm == null ? null : sync.sinceValue(Instant.parse(hwm));
        URI first = sync.firstRequest(c, since);
        // answers the caller on whichever replica it asked, with the owner's permit
        SourceClient client = new SourceClient(http.get(), budget, Backoff.standard(sync.maxAttempts()), timeout, true);
        Pagination p = sync.pagination();
        Pagination.State position = p.start();
        Mapping mapping = overlay != null ? overlay
                : mappings.mapping(sync.mapping(), new SyncKey(c.providerConfigKey(), sync.name(), c.connectionId()));
        List<DryRecord> out = new ArrayList<>();
        Map<String, Long> counts = new TreeMap<>();
        int pages = 0;
        while (position != null && pages < maxPages) {
            PollSync.Request request = sync.request(first, position, since);
            Fetched f = fetch(sync, c, client, request);
            List<?> records = f.records();
            for (Object item : records) {
                Mapping.Result r = mapping.apply(item);
                String change;
                if (!r.ok()) {
                    change = "dead_letter";
                } else {
                    RecordKey key = new RecordKey(c.providerConfigKey(), c.connectionId(), sync.model(), r.externalId());
                    String hash = r.deleted() ? "" : CanonicalJson.sha256(CanonicalJson.write(r.record()));
                    change = store.wouldChange(key, hash, r.deleted()).name().toLowerCase();
                }
                counts.merge(change, 1L, Long::sum);
                out.add(new DryRecord(r.externalId(), change, r.record(), r.ok() ? null : r.errors()));
            }
            pages++;
            position = p.next(position, request.uri(), f.page(), f.body(), records.size());
        }
        return new DryRun(out, counts, pages, position == null);
    }

    /** The next page of a run, requested while the current one commits. */
    private record Ahead(PollSync.Request request, Future<Fetched> page) {

        /** The page, or what its request threw. */
        Fetched fetched() {
            try {
                return page.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the next page was read", e);
            }
        }
    }

    /** One page of a source: the answer, its parsed body, and the list of records in it. */
    private record Fetched(SourceClient.Page page, Object body, List<?> records) {
    }

    private static Fetched fetch(PollSync sync, Connection c, SourceClient client, PollSync.Request request) {
        URI uri = request.uri();
        SourceClient.Page page = client.send(c, uri, sync.auth(), request.body(), false);
        Object body;
        try {
            body = JSON.readValue(page.body(), Object.class);
        } catch (IOException e) {
            throw new RunFailure("bad_response", uri.getHost() + " answered with a body that is not JSON");
        }
        if (!(sync.recordsPath().read(body, Mapping.JSONPATH) instanceof List<?> records)) {
            throw new RunFailure("bad_response", "no list of records at " + sync.recordsPath().getPath()
                    + " in the answer from " + uri.getHost());
        }
        return new Fetched(page, body, records);
    }

    private static String modifiedAt(PollSync sync, Object item) {
        if (sync.modifiedField() == null) {
            return null;
        }
        Object v = sync.modifiedField().read(item, Mapping.JSONPATH);
        if (v == null) {
            return null;
        }
        try {
            if (v instanceof Number num) {
                long x = num.longValue();
                return (x > 100_000_000_000L ? Instant.ofEpochMilli(x) : Instant.ofEpochSecond(x)).toString();
            }
            Instant at = SourceTimes.instant(v.toString());
            return at == null ? null : at.toString();
        } catch (DateTimeException e) {
            return null; // a number out of range
        }
    }

    static String latest(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Instant.parse(a).isAfter(Instant.parse(b)) ? a : b;
    }

    /**
     * The webhook to your app after a run. A success announces everything committed since the
     * last webhook that was sent for the pair, including the pages of runs that died before they
     * could announce them: {@code modifiedAfter} is the start of the earliest such run, and the
     * changes are taken in the transaction that queues the webhook, so each is announced once.
     */
    private void notifyApp(PollSync sync, Connection c, SyncState.Pair pair, OffsetDateTime started,
            OffsetDateTime finished, String errorType, String errorDescription) {
        String url = notifyUrl(sync, c);
        if (errorType != null) {
            if (url != null) {
                appWebhooks.enqueue(url, notice(sync, c, null, errorType, errorDescription, started, finished));
            }
            return;
        }
        db.inTransaction(tx -> {
            SyncState.Unannounced u = state.takeUnannounced(tx, pair).orElse(null);
            if (u != null && url != null) {
                appWebhooks.enqueue(tx, url, notice(sync, c, u, null, null, started, finished));
            }
            return null;
        });
    }

    private String notifyUrl(PollSync sync, Connection c) {
        Object perConnection = c.metadata() == null ? null : c.metadata().get("notify_url");
        return perConnection != null ? perConnection.toString() : sync.notifyUrl() != null ? sync.notifyUrl()
                : notifyUrl;
    }

    /** The webhook to your app when deletions wait for approval: {@code type: "delete_review"}. */
    private void notifyReview(PollSync sync, Connection c, HeldForReview h) {
        String url = notifyUrl(sync, c);
        if (url == null) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", "syncline");
        body.put("type", "delete_review");
        body.put("connectionId", c.connectionId());
        body.put("providerConfigKey", c.providerConfigKey());
        body.put("syncName", sync.name());
        body.put("model", sync.model());
        body.put("reviewId", h.review());
        body.put("deletes", h.unseen().unseen());
        body.put("live", h.unseen().live());
        appWebhooks.enqueue(url, body);
    }

    private static Map<String, Object> notice(PollSync sync, Connection c, SyncState.Unannounced u, String errorType,
            String errorDescription, OffsetDateTime started, OffsetDateTime finished) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", "syncline");
        body.put("type", "sync");
        body.put("connectionId", c.connectionId());
        body.put("providerConfigKey", c.providerConfigKey());
        body.put("syncName", sync.name());
        body.put("model", sync.model());
        body.put("success", errorType == null);
        if (errorType == null) {
            body.put("modifiedAfter", ChangesFeed.iso(u.from()));
            body.put("responseResults", Map.of("added", u.added(), "updated", u.updated(), "deleted", u.deleted()));
        } else {
            body.put("error", Map.of("type", errorType, "description", errorDescription));
            body.put("startedAt", ChangesFeed.iso(started));
            body.put("failedAt", ChangesFeed.iso(finished));
        }
        return body;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            return String.valueOf(o);
        }
    }
}
