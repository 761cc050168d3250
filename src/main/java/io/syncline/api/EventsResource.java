package io.syncline.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import com.jayway.jsonpath.JsonPath;
import io.syncline.api.Caller;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.events.EventEntry;
import io.syncline.http.ProblemException;
import io.syncline.mapping.Mapping;
import io.syncline.outbound.OutboundSync;
import io.syncline.outbound.OutboundSyncs;
import io.syncline.webhook.WebhookAdmission;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /events/{type}}: events from your backend (API key with the events:write scope).
 * It answers as inbound webhooks do: 415, 413, 404 for a type no sync takes or an unknown
 * connection, 400 for malformed JSON or a missing idempotency key, and 200 only once every
 * sync that takes the type has durably queued its write (or recognised a duplicate).
 */
@Path("/events/{type}")
public class EventsResource {

    private final OutboundSyncs syncs;
    private final Connections connections;
    private final EventEntry entry;
    private final long maxBodyBytes;
    private final Caller caller;

    public EventsResource(OutboundSyncs syncs, Connections connections, EventEntry entry, Caller caller,
            @ConfigProperty(name = "syncline.events.max-body-bytes", defaultValue = "1048576") long maxBodyBytes) {
        this.caller = caller;
        this.syncs = syncs;
        this.connections = connections;
        this.entry = entry;
        this.maxBodyBytes = maxBodyBytes;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> post(@PathParam("type") String type, HttpHeaders headers, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        WebhookAdmission.requireJson(headers.getHeaderString(HttpHeaders.CONTENT_TYPE));
        WebhookAdmission.requireSize(raw, maxBodyBytes);
        String integration = headers.getHeaderString("Provider-Config-Key");
        if (caller.integration() != null) {
            // a limited key sends events to its own integration only
            caller.requireWithin(integration == null ? caller.integration() : integration,
                    caller.principal().orElseThrow().connectionId());
            integration = caller.integration();
        }
        List<OutboundSync> targets = syncs.forEvent(type, integration);
        if (targets.isEmpty()) {
            throw ProblemException.notFound("no sync takes events of type '" + type + "'");
        }
        Object document = WebhookAdmission.parse(raw);
        // Check every sync's connection and key before any of them stores anything. Without a
        // Provider-Config-Key, an event goes to each integration that has the named connection.
        List<Object[]> admitted = new ArrayList<>();
        ProblemException missing = null;
        for (OutboundSync sync : targets) {
            try {
                Connection c = connection(sync, headers, document);
                caller.requireWithin(sync.integration(), c.connectionId());
                admitted.add(new Object[] {sync, c, idempotencyKey(sync, headers, document)});
            } catch (ProblemException e) {
                if (e.problem().status() != 404) {
                    throw e;
                }
                missing = missing == null ? e : missing;
            }
        }
        if (admitted.isEmpty()) {
            throw missing;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        String text = new String(raw, StandardCharsets.UTF_8);
        for (Object[] a : admitted) {
            results.add(entry.send((OutboundSync) a[0], (Connection) a[1], (String) a[2], document, text));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type);
        out.put("results", results);
        return out;
    }

    private Connection connection(OutboundSync sync, HttpHeaders headers, Object document) {
        String id;
        String where;
        if (sync.connectionPath() != null) {
            Object v = sync.connectionPath().read(document, Mapping.JSONPATH);
            id = v == null ? null : v.toString();
            where = "the event at " + sync.connectionPath().getPath();
        } else {
            id = headers.getHeaderString(sync.connectionHeader());
            where = "the " + sync.connectionHeader() + " header";
        }
        if (id == null || id.isBlank()) {
            throw ProblemException.badRequest("the connection is named by " + where + ", which is missing");
        }
        String cid = id;
        return connections.find(sync.integration(), id).orElseThrow(() -> ProblemException.notFound(
                "no connection '" + cid + "' in integration '" + sync.integration() + "'"));
    }

    private static String idempotencyKey(OutboundSync sync, HttpHeaders headers, Object document) {
        JsonPath path = sync.idPath();
        String key;
        String where;
        if (path != null) {
            Object v = path.read(document, Mapping.JSONPATH);
            key = v == null || v instanceof Map || v instanceof List ? null : v.toString();
            where = "the event at " + path.getPath();
        } else {
            key = headers.getHeaderString(sync.idHeader());
            where = "the " + sync.idHeader() + " header";
        }
        if (key == null || key.isBlank()) {
            throw ProblemException.badRequest("no idempotency key: expected one in " + where);
        }
        if (key.length() > 300) {
            throw ProblemException.badRequest("the idempotency key in " + where + " is longer than 300 characters");
        }
        return key;
    }
}
