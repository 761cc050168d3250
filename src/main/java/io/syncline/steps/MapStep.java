package io.syncline.steps;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.syncline.connection.Connection;
import io.syncline.http.ProblemException;
import io.syncline.mapping.ConnectionMappings;
import io.syncline.mapping.FieldError;
import io.syncline.mapping.Mapping;
import io.syncline.mapping.SyncKey;
import io.syncline.webhook.WebhookAdmission;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * {@code syncline:map}: applies a mapping file to the body. Pure: it stores nothing. A body that
 * is text or bytes (a broker message) is read as JSON first; one that is not JSON becomes a field
 * error, so the store step dead-letters it instead of failing the exchange for ever.
 */
final class MapStep implements Processor {

    private final Mapping mapping;
    private final String sync;
    private final ConnectionMappings mappings;

    /** @param sync the sync whose per-connection overlays apply, or empty for the mapping as written */
    MapStep(Mapping mapping, String sync, ConnectionMappings mappings) {
        this.mapping = mapping;
        this.sync = sync == null ? "" : sync.trim();
        this.mappings = mappings;
    }

    @Override
    public void process(Exchange e) {
        Message m = e.getMessage();
        Object body = m.getBody();
        Mapping.Result result;
        Object document = body;
        if (!(body instanceof Map) && !(body instanceof List)) {
            byte[] raw = m.getBody(byte[].class);
            raw = raw == null ? new byte[0] : raw;
            if (e.getProperty(WebhookAdmission.RAW_BODY) == null) {
                e.setProperty(WebhookAdmission.RAW_BODY, raw);
            }
            try {
                document = WebhookAdmission.parse(raw);
            } catch (ProblemException notJson) {
                document = null;
            }
            if (document == null) {
                result = new Mapping.Result(Map.of(), null, false,
                        List.of(new FieldError("body", "not a JSON document")));
                finish(e, result, body);
                return;
            }
        }
        Connection c = sync.isEmpty() ? null : StepExchange.admitted(e);
        if (c == null) {
            result = mapping.apply(document);
            finish(e, result, document, mapping);
            return;
        }
        SyncKey key = new SyncKey(c.providerConfigKey(), sync, c.connectionId());
        ConnectionMappings.Mapped mapped = mappings.map(mapping, key, document);
        finish(e, mapped.result(), document, mapped.mapping());
    }

    private void finish(Exchange e, Mapping.Result result, Object source) {
        finish(e, result, source, mapping);
    }

    private void finish(Exchange e, Mapping.Result result, Object source, Mapping applied) {
        e.setProperty(StepExchange.MAPPED, result);
        e.setProperty(StepExchange.MAPPING, applied);
        e.setProperty(StepExchange.SOURCE, source);
        e.getMessage().setHeader(StepExchange.FIELD_ERRORS, result.errors());
        e.getMessage().setBody(result.ok() && result.record() != null ? new LinkedHashMap<>(result.record()) : source);
    }
}
