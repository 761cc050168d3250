package io.syncline.console;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.JsonPath;
import io.quarkus.qute.TemplateData;
import io.syncline.intake.InboundSyncs;
import io.syncline.intake.RecordIntake;
import io.syncline.mapping.Mapping;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;

/**
 * What of a dead letter's payload a person may see. An inbound record or an event is kept as it
 * arrived, so it can be replayed through its mapping; it may hold fields the mapping leaves out
 * on purpose (personal data the sync must not carry). The console shows only what the mapping
 * reads, by source path, and nothing at all when the sync and its mapping are gone. A write's
 * payload is already the mapping's output and is shown whole.
 */
@ApplicationScoped
public class PayloadView {

    /** The text to show, and whether parts were hidden. */
    @TemplateData
    public record Shown(String text, boolean filtered) {
    }

    private final InboundSyncs inbound;
    private final OutboundSyncs outbound;

    public PayloadView(InboundSyncs inbound, OutboundSyncs outbound) {
        this.inbound = inbound;
        this.outbound = outbound;
    }

    public Shown of(String kind, String integration, String sync, Object payload) {
        if (payload == null) {
            return new Shown("", false);
        }
        Optional<Mapping> mapping = switch (kind) {
            case "inbound" -> inbound.find(integration, sync).map(RecordIntake::mapping);
            case "event" -> outbound.find(integration, sync).map(OutboundSync::mapping);
            default -> null;
        };
        if (mapping == null) {
            return new Shown(JsonText.pretty(payload), false);
        }
        if (mapping.isEmpty()) {
            return new Shown("(hidden: the sync '" + sync + "' is no longer declared, so which fields it may show "
                    + "is unknown)", true);
        }
        Object document = payload instanceof JsonNode n ? JsonText.plain(n) : payload;
        Map<String, Object> read = new LinkedHashMap<>();
        for (Mapping.Field f : mapping.get().fields()) {
            if (f.source() instanceof Mapping.PathSource p) {
                read.put(p.path(), safely(p, document));
            } else if (f.source() instanceof Mapping.ConcatSource c) {
                for (Object part : c.parts()) {
                    if (part instanceof JsonPath jp) {
                        String path = jp.getPath().replaceAll("\\['([A-Za-z0-9_]+)'\\]", ".$1");
                        read.put(path, safely(new Mapping.PathSource(path, jp), document));
                    }
                }
            }
        }
        return new Shown(JsonText.pretty(read), true);
    }

    private static Object safely(Mapping.PathSource p, Object document) {
        try {
            return p.read(document);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
