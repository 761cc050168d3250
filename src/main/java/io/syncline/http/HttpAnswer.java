package io.syncline.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes the answer of a Camel HTTP route. Request headers are dropped first: platform-http
 * would otherwise echo them (signatures included) back to the caller as response headers.
 */
public final class HttpAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpAnswer() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        write(exchange, status, "application/json", body);
    }

    public static void problem(Exchange exchange, Problem problem) {
        write(exchange, problem.status(), Problem.MEDIA_TYPE, problem);
    }

    private static void write(Exchange exchange, int status, String contentType, Object body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, contentType);
        try {
            m.setBody(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
