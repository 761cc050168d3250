package io.syncline.api;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.ProblemException;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.SyncKey;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.schedule.PollSync;
import io.syncline.schedule.SyncRegistry;

/** The declared mapping of any sync, polling, webhook, broker or outbound, by integration and name. */
@ApplicationScoped
public class SyncMappings {

    private final SyncRegistry polls;
    private final InboundSyncs inbound;
    private final OutboundSyncs outbound;
    private final Connections connections;
    private final Caller caller;

    public SyncMappings(SyncRegistry polls, InboundSyncs inbound, OutboundSyncs outbound, Connections connections,
            Caller caller) {
        this.polls = polls;
        this.inbound = inbound;
        this.outbound = outbound;
        this.connections = connections;
        this.caller = caller;
    }

    /** The sync's mapping as declared; 404 when the integration declares no such sync. */
    public Mapping base(String integration, String sync) {
        return polls.find(integration, sync).map(PollSync::mapping)
                .or(() -> inbound.find(integration, sync).map(RecordIntake::mapping))
                .or(() -> outbound.find(integration, sync).map(OutboundSync::mapping))
                .orElseThrow(() -> ProblemException.notFound("no sync '" + sync + "' in integration '" + integration
                        + "'"));
    }

    /** The names of the integration's syncs that map records, sorted. */
    public java.util.List<String> names(String integration) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        polls.of(integration).forEach(s -> out.add(s.name()));
        inbound.names().stream().filter(n -> n[0].equals(integration)).forEach(n -> out.add(n[1]));
        outbound.all().stream().filter(s -> s.integration().equals(integration)).forEach(s -> out.add(s.name()));
        return java.util.List.copyOf(out);
    }

    public Optional<PollSync> poll(String integration, String sync) {
        return polls.find(integration, sync);
    }

    /** The connection the caller may act on; 404 when it does not exist. */
    public Connection connection(SyncKey key) {
        caller.requireWithin(key.integration(), key.connectionId());
        return connections.find(key.integration(), key.connectionId()).orElseThrow(() -> ProblemException.notFound(
                "no connection '" + key.connectionId() + "' in integration '" + key.integration() + "'"));
    }
}
