package io.syncline.outbound;

import java.time.Duration;

import com.jayway.jsonpath.JsonPath;

import io.syncline.config.TemplateParams;
import io.syncline.mapping.MappingLoader;
import io.syncline.connection.ConnectionAuth;
import org.apache.camel.RouteTemplateContext;

/** The {@link Destination} that the destination parameters of the Kamelets that write to a connected app make. */
public final class DestinationParams {

    private DestinationParams() {
    }

    public static Destination build(RouteTemplateContext rtc) {
        return new Destination(TemplateParams.text(rtc, "path"),
                TemplateParams.text(rtc, "upsert").trim(), TemplateParams.text(rtc, "searchPath"),
                JsonPath.compile(TemplateParams.text(rtc, "resultsPath")), JsonPath.compile(TemplateParams.text(rtc, "idPath")),
                TemplateParams.text(rtc, "updateMethod").trim().toUpperCase(), ConnectionAuth.parse(TemplateParams.text(rtc, "auth")),
                TemplateParams.text(rtc, "batchPath"), Integer.parseInt(TemplateParams.text(rtc, "batchSize").trim()),
                TemplateParams.text(rtc, "idProperty"),
                Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "timeoutSeconds").trim())),
                TemplateParams.text(rtc, "envelope").trim(),
                TemplateParams.text(rtc, "putMethod").isBlank() ? "PUT" : TemplateParams.text(rtc, "putMethod").trim(),
                "false".equals(TemplateParams.text(rtc, "keyInBody").trim())
                        ? MappingLoader.named(TemplateParams.routesDir(rtc), TemplateParams.text(rtc, "mapping")).keyField()
                        : null,
                TemplateParams.text(rtc, "readPath").trim(), readRecordPath(TemplateParams.text(rtc, "readRecordPath"),
                        TemplateParams.text(rtc, "envelope")));
    }

    /** The record in a read-back answer: the given JSONPath, else under the envelope's key, else the answer. */
    private static JsonPath readRecordPath(String path, String envelope) {
        if (path != null && !path.isBlank()) {
            return JsonPath.compile(path.trim());
        }
        return JsonPath.compile(envelope == null || envelope.isBlank() ? "$" : "$['" + envelope.trim() + "']");
    }
}
