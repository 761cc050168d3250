package io.syncline.steps;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.syncline.outbound.Backoff;
import io.syncline.outbound.FlowLog;
import io.syncline.outbound.WriteQueue;
import io.syncline.outbound.Writer;
import io.syncline.store.Database;
import io.syncline.store.DeadLetters;
import io.syncline.store.RecordStore;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.ScheduledPollConsumer;
import org.jboss.logging.Logger;

/**
 * {@code from: syncline:writes}: the durable write queue of one outbound sync as a Camel
 * consumer. Each poll claims due writes with a lease and sends each through the route as one
 * exchange; the write is settled by how the exchange completed, in one transaction with its flow
 * log line: sent; or, on an exception, retried with backoff; or dead-lettered when the exception
 * is one the step names or the attempts run out (guarantees 1 and 2).
 */
final class WritesConsumer extends ScheduledPollConsumer {

    private static final Logger LOG = Logger.getLogger(WritesConsumer.class);

    /** Headers of each write's exchange; the body is the record's fields (empty for a delete). */
    static final String WRITE_ID = "SynclineWriteId";
    static final String RECORD_ID = "SynclineRecordId";
    static final String OPERATION = "SynclineOperation";
    static final String MODEL = "SynclineModel";
    static final String ATTEMPT = "SynclineAttempt";

    private final String integration;
    private final String sync;
    private final int batch;
    private final Duration lease;
    private final Backoff backoff;
    private final Set<String> deadLetterOn;
    private final WriteQueue queue;
    private final Database db;
    private final DeadLetters deadLetters;
    private final FlowLog flow;

    record Settings(String integration, String sync, int batch, Duration lease, int maxAttempts, Set<String> deadLetterOn) {
    }

    WritesConsumer(Endpoint endpoint, Processor processor, Settings s, WriteQueue queue, Database db,
            DeadLetters deadLetters, FlowLog flow) {
        super(endpoint, processor);
        this.integration = s.integration();
        this.sync = s.sync();
        this.batch = s.batch();
        this.lease = s.lease();
        this.backoff = Backoff.standard(s.maxAttempts());
        this.deadLetterOn = s.deadLetterOn();
        this.queue = queue;
        this.db = db;
        this.deadLetters = deadLetters;
        this.flow = flow;
    }

    @Override
    protected void doStart() throws Exception {
        queue.sentByRoute(integration, sync);
        super.doStart();
    }

    @Override
    protected int poll() throws Exception {
        List<WriteQueue.Write> due = queue.claim(integration, sync, batch, lease);
        for (WriteQueue.Write w : due) {
            if (!isRunAllowed()) {
                queue.release(List.of(w.id()), RecordStore.now()); // stopping: the next start sends it
                continue;
            }
            Map<String, Object> fields = Writer.fields(w.payload());
            Exchange exchange = createExchange(true);
            exchange.getMessage().setBody(new LinkedHashMap<>(fields));
            exchange.getMessage().setHeader(WRITE_ID, w.id());
            exchange.getMessage().setHeader(RECORD_ID, w.recordId());
            exchange.getMessage().setHeader(OPERATION, w.operation());
            exchange.getMessage().setHeader(MODEL, w.model());
            exchange.getMessage().setHeader(StepExchange.CONNECTION_ID, w.connectionId());
            exchange.getMessage().setHeader(ATTEMPT, w.attempts() + 1);
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            settle(w, fields, exchange.getException(), exchange.getFromEndpoint().getEndpointUri());
            releaseExchange(exchange, false);
        }
        return due.size();
    }

    private void settle(WriteQueue.Write w, Map<String, Object> fields, Exception failure, String route) {
        int attempts = w.attempts() + 1;
        Set<String> names = fields.keySet();
        String destination = "route " + getEndpoint().getCamelContext().getName() + ":" + route;
        if (failure == null) {
            db.inLazyTransaction(c -> {
                queue.settle(c, w, "sent", attempts, null);
                flow.add(c, w, null, destination, names, "sent", null, attempts, null);
                return null;
            });
            return;
        }
        String error = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (named(failure) || backoff.exhausted(attempts)) {
            String why = named(failure) ? error : "failed " + attempts + " times; last: " + error;
            long id = db.inLazyTransaction(c -> {
                queue.settle(c, w, "dead", attempts, why);
                flow.add(c, w, null, destination, names, "dead", null, attempts, why);
                return deadLetters.add(c, "write", w.syncName(), w.providerConfigKey(), w.connectionId(), w.model(),
                        "write/" + w.id(), why, null, Writer.deadLetterPayload(w, fields));
            });
            deadLetters.added(id, "write", w.syncName(), w.providerConfigKey(), w.connectionId(), "write/" + w.id(), why);
            return;
        }
        Duration wait = backoff.delay(attempts);
        LOG.debugf("write %d of %s/%s failed (%s); next attempt in %d ms", w.id(), integration, sync, error,
                wait.toMillis());
        db.inLazyTransaction(c -> {
            queue.retryAt(c, w, attempts, error, RecordStore.now().plus(wait));
            flow.add(c, w, null, destination, names, "retry", null, attempts,
                    error + "; next attempt in " + wait.toMillis() + " ms");
            return null;
        });
    }

    /**
     * Whether the failure, or one of its causes, is an exception the step dead-letters at once, or
     * a failed HTTP call whose status it names.
     */
    private boolean named(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (deadLetterOn.contains(t.getClass().getSimpleName()) || deadLetterOn.contains(t.getClass().getName())
                    || t instanceof HttpOperationFailedException h && deadLetterOn.contains(String.valueOf(h.getStatusCode()))) {
                return true;
            }
        }
        return false;
    }
}
