package io.syncline.outbound;

import java.time.Duration;

import com.jayway.jsonpath.JsonPath;

import io.syncline.config.TemplateParams;
import io.syncline.connection.ConnectionAuth;
import org.apache.camel.RouteTemplateContext;
import org.apache.camel.model.RouteTemplateDefinition;

/** The destination parameters every template that writes to a connected app shares, and the {@link Destination} they make. */
public final class DestinationParams {

    private DestinationParams() {
    }

    public static RouteTemplateDefinition declare(RouteTemplateDefinition t) {
        return t
                .templateParameter("path", null, "Collection path at the destination, appended to base_url, e.g. /contacts")
                .templateParameter("upsert", "search", "put (PUT {path}/{id}) or search (search, then update or create)")
                .templateParameter("searchPath", "", "search: path that finds a record by a field, e.g. /contacts?email={email}")
                .templateParameter("resultsPath", "$.results", "search: JSONPath of the list in the search answer")
                .templateParameter("idPath", "$.id", "JSONPath of the destination's id in a record it returns")
                .templateParameter("updateMethod", "PATCH", "PATCH or PUT, for an update of a known record")
                .templateParameter("auth", "bearer",
                        "bearer (credential access_token), basic, header:<Name> or query:<param> (credential api_key), or none")
                .templateParameter("batchPath", "", "batch: HubSpot-style upsert path, e.g. /contacts/batch/upsert")
                .templateParameter("batchSize", "1", "batch: most records per call (1: no batching)")
                .templateParameter("idProperty", "", "batch: the field the destination upserts by, e.g. email")
                .templateParameter("timeoutSeconds", "30", "read timeout of one request")
                .templateParameter("maxAttempts", "8", "attempts before a write becomes a dead letter");
    }

    public static Destination build(RouteTemplateContext rtc) {
        return new Destination(TemplateParams.text(rtc, "path"),
                TemplateParams.text(rtc, "upsert").trim(), TemplateParams.text(rtc, "searchPath"),
                JsonPath.compile(TemplateParams.text(rtc, "resultsPath")), JsonPath.compile(TemplateParams.text(rtc, "idPath")),
                TemplateParams.text(rtc, "updateMethod").trim().toUpperCase(), ConnectionAuth.parse(TemplateParams.text(rtc, "auth")),
                TemplateParams.text(rtc, "batchPath"), Integer.parseInt(TemplateParams.text(rtc, "batchSize").trim()),
                TemplateParams.text(rtc, "idProperty"),
                Duration.ofSeconds(Long.parseLong(TemplateParams.text(rtc, "timeoutSeconds").trim())));
    }
}
