package io.syncline.outbound;

import java.util.List;

import com.jayway.jsonpath.JsonPath;

import io.syncline.mapping.Mapping;
import io.syncline.twoway.Ownership;

/**
 * A declared one-way-out (or the outbound half of a two-way) sync: which events it takes, how it
 * maps them to the model, and where it writes them.
 *
 * @param connectionHeader the request header that names the connection
 * @param connectionPath a JSONPath in the event that names it instead, or null
 * @param idHeader the header of the event's idempotency key, when idPath is null
 * @param idPath a JSONPath of the event's idempotency key, or null
 * @param twoWay the two-way rules, or null for one-way out
 */
public record OutboundSync(String name, String integration, List<String> eventTypes, Mapping mapping,
        Destination destination, int maxAttempts, String connectionHeader, JsonPath connectionPath, String idHeader, JsonPath idPath,
        Ownership twoWay) {

    public String model() {
        return mapping.model();
    }
}
