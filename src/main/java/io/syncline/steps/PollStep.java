package io.syncline.steps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.schedule.PollRunner;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * {@code syncline:poll}: runs a declared poll-sync. Without {@code now}, it is a schedule slot:
 * each connection whose pair is due runs (what the poll-sync's own timer does). With
 * {@code now=true}, the connection the exchange names (or every connection of the integration)
 * runs at once, as {@code POST /sync/trigger} does: so any Camel consumer (a "source changed"
 * message, your own schedule) can ask for a poll. A run leases its (sync, connection) pair and
 * commits each page with its checkpoint (guarantees 4 and 5), whoever asked for it.
 */
final class PollStep implements Processor {

    private final String integration;
    private final String sync;
    private final boolean now;
    private final String connection;
    private final SyncRegistry registry;
    private final Connections connections;
    private final PollRunner runner;

    PollStep(String integration, String sync, boolean now, String connection, SyncRegistry registry,
            Connections connections, PollRunner runner) {
        this.integration = integration;
        this.sync = sync;
        this.now = now;
        this.connection = connection;
        this.registry = registry;
        this.connections = connections;
        this.runner = runner;
    }

    @Override
    public void process(Exchange e) {
        PollSync s = registry.find(integration, sync).orElseThrow(() -> new IllegalStateException(
                "syncline:poll: no poll-sync '" + sync + "' is declared in integration '" + integration + "'"));
        if (!now) {
            runner.tick(s);
            return;
        }
        String named = StepExchange.connectionId(e, connection);
        List<Connection> targets = named == null || named.isBlank() ? connections.list(integration)
                : connections.find(integration, named).map(List::of).orElseThrow(() -> new IllegalStateException(
                        "syncline:poll: no connection '" + named + "' in integration '" + integration + "'"));
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Connection c : targets) {
            if (!PollRunner.pollable(c)) {
                continue;
            }
            runs.add(runner.trigger(s, c, "route"));
        }
        StepExchange.answer(e, Map.of("runs", runs));
    }
}
