package io.syncline.config;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * A daemon thread that runs one round of work whenever it is woken, and at least every
 * {@code idleMillis}; wake-ups that arrive during a round coalesce into one more round. A round
 * that fails is logged and tried again on the next one. A fatal error (out of memory, say) does
 * not end the loop either: it is logged, the next round runs, and readiness reports DOWN for a
 * while ({@link #recentFatal}), so traffic goes elsewhere while the service recovers.
 */
public final class BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);
    private static final Map<String, Instant> FATAL = new ConcurrentHashMap<>();

    private final String name;
    private final long idleMillis;
    private final Runnable round;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    public BackgroundLoop(String name, long idleMillis, Runnable round) {
        this.name = name;
        this.idleMillis = idleMillis;
        this.round = round;
    }

    public void start() {
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() throws InterruptedException {
        running = false;
        wake.release();
        if (thread != null) {
            thread.join(5000);
        }
    }

    public boolean running() {
        return running;
    }

    /** A fatal error in background work: logged, and readiness is DOWN for a while. */
    public static void fatal(String where, Throwable e) {
        FATAL.put(where, Instant.now());
        LOG.errorf("%s hit a fatal error and goes on with its next round: %s", where, e.toString());
    }

    /** Where a fatal error happened since {@code since}, with when. */
    public static Map<String, Instant> recentFatal(Instant since) {
        Map<String, Instant> out = new TreeMap<>();
        FATAL.forEach((k, v) -> {
            if (v.isAfter(since)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Forgets the fatal errors seen so far (for tests that provoke one). */
    static void forgetFatal() {
        FATAL.clear();
    }

    /** Asks for a round soon. Cheap, and coalesces under load. */
    public void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(idleMillis, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                round.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("%s failed, retrying: %s", name, e.getMessage());
                }
            } catch (Error e) {
                fatal(name, e);
            }
        }
    }
}
