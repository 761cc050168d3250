package io.syncline.webhook;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.jayway.jsonpath.JsonPath;
import io.syncline.connection.Connection;
import io.syncline.connection.Connections;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.mapping.Mapping;
import io.syncline.metrics.SyncMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The gate of an inbound webhook, in the order a sender's mistakes are reported: media type
 * (415), size (413), connection (404), signature over the raw bytes (401), JSON (400), delivery
 * id (400). Nothing is stored before every check has passed (guarantee 8).
 */
public final class WebhookAdmission implements Processor {

    /** Exchange properties handed to the next steps. */
    public static final String CONNECTION = "synclineConnection";
    public static final String RAW_BODY = "synclineRawBody";
    public static final String MESSAGE_ID = "SynclineMessageId";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /**
     * @param connection {@code none} when the webhook is the app's rather than one connection's
     *        (HubSpot calls one URL for every account): no connection is looked up here, the
     *        secret is the sync's or the app's client secret, and a later step names the connection
     *        of each event ({@code syncline:connection})
     */
    public record Settings(String integration, String sync, String connectionHeader, SignatureScheme scheme,
            String secret, String idFrom, long maxBodyBytes, String connection) {
        boolean appWide() {
            return "none".equals(connection);
        }
    }

    private final Settings settings;
    private final Connections connections;
    private final Clock clock;
    private final SyncMetrics metrics;
    private final JsonPath idPath;
    private final String idHeader;
    private final ClientSecrets clientSecrets;
    private final String publicUrl;
    private final Deliveries deliveries;

    /** The OAuth2 client secret of an integration, for apps that sign webhooks with it. */
    public interface ClientSecrets {
        Optional<String> of(String integration);
    }

    public WebhookAdmission(Settings settings, Connections connections, Clock clock, SyncMetrics metrics,
            ClientSecrets clientSecrets, Optional<String> publicUrl, Deliveries deliveries) {
        this.deliveries = deliveries;
        this.settings = settings;
        this.connections = connections;
        this.clientSecrets = clientSecrets;
        this.publicUrl = publicUrl.map(u -> u.replaceAll("/+$", "")).orElse(null);
        this.clock = clock;
        this.metrics = metrics;
        String from = settings.idFrom() == null ? "" : settings.idFrom().trim();
        if (from.startsWith("header:")) {
            this.idHeader = from.substring(7).trim();
            this.idPath = null;
        } else if (from.startsWith("$")) {
            this.idHeader = null;
            this.idPath = JsonPath.compile(from);
        } else if (from.isEmpty()) {
            this.idHeader = settings.scheme().deliveryIdHeader().orElse(null);
            this.idPath = idHeader == null ? JsonPath.compile("$.id") : null;
        } else {
            throw new IllegalArgumentException("idFrom must be header:<Name> or a JSONPath starting with $, not '" + from
                    + "'");
        }
    }

    /** The signature scheme a sync names, with its options. */
    public static SignatureScheme scheme(String name, String header, String encoding, Duration tolerance) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "standard-webhooks" -> new StandardWebhookVerifier(tolerance);
            case "github" -> new GithubVerifier();
            case "stripe" -> new StripeVerifier(tolerance);
            case "hubspot-v3" -> new HubSpotV3Verifier(tolerance);
            case "zendesk" -> new ZendeskVerifier(tolerance);
            case "basic" -> new BasicAuthVerifier();
            case "intercom" -> new IntercomVerifier();
            case "hmac-sha256" -> new HeaderHmacVerifier(header, encoding);
            case "none" -> new NoSignature();
            default -> throw new IllegalArgumentException("signature must be one of standard-webhooks, github, stripe, "
                    + "hubspot-v3, zendesk, intercom, hmac-sha256, basic or none (explicitly), not '" + name + "'");
        };
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        requireJson(in.getHeader(Exchange.CONTENT_TYPE, String.class));
        byte[] raw = in.getBody(byte[].class);
        if (raw == null) {
            raw = new byte[0];
        }
        requireSize(raw, settings.maxBodyBytes());
        if (settings.appWide()) {
            verify(in, raw, null);
            exchange.setProperty(RAW_BODY, raw);
            in.setBody(parse(raw));
            return;
        }
        Connection connection = connection(in);
        verify(in, raw, connection);
        Object document = parse(raw);
        String id = deliveryId(in, document);
        exchange.setProperty(CONNECTION, connection);
        exchange.setProperty(RAW_BODY, raw);
        deliveries.admitted(settings.integration(), settings.sync(), connection.connectionId(), clock.instant());
        in.setHeader(MESSAGE_ID, connection.connectionId() + "/" + id);
        in.setBody(document);
    }

    public static void requireJson(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new ProblemException(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "Content-Type must be application/json, not '" + (contentType == null ? "(none)" : contentType)
                            + "'"));
        }
    }

    public static void requireSize(byte[] raw, long max) {
        if (raw.length > max) {
            throw new ProblemException(Problem.of(413, "body-too-large", "Payload too large",
                    "the body is " + raw.length + " bytes; this endpoint accepts at most " + max));
        }
    }

    private Connection connection(Message in) {
        String header = settings.connectionHeader() == null || settings.connectionHeader().isBlank() ? "connectionId"
                : settings.connectionHeader();
        String id = in.getHeader(header, String.class);
        if (id == null || id.isBlank()) {
            throw ProblemException.badRequest("the connection is named by the " + header + " header, which is missing");
        }
        return connections.find(settings.integration(), id)
                .orElseThrow(() -> ProblemException.notFound("no connection '" + id + "' in integration '"
                        + settings.integration() + "'"));
    }

    private void verify(Message in, byte[] raw, Connection connection) {
        if (settings.scheme() instanceof NoSignature) {
            return;
        }
        String secret = settings.secret() != null && !settings.secret().isBlank() ? settings.secret()
                : settings.scheme().signsWithClientSecret() || settings.appWide()
                        ? clientSecrets.of(settings.integration()).orElse(null)
                : connection == null ? null : connection.credential("webhook_secret");
        if (secret == null || secret.isBlank()) {
            throw ProblemException.unauthorized("invalid-signature", settings.scheme().signsWithClientSecret()
                    || settings.appWide()
                    ? "no client secret is configured for integration '" + settings.integration() + "' (syncline.oauth."
                            + settings.integration() + ".client-secret), so no signature can be verified"
                    : connection == null ? "this webhook has no secret configured, so no signature can be verified"
                    : "no webhook secret is configured for this connection, so no signature can be verified");
        }
        try {
            settings.scheme().verify(name -> header(in, name), raw, secret, clock.instant());
        } catch (SignatureScheme.SignatureRejected e) {
            metrics.signatureFailure(settings.integration(), settings.sync());
            deliveries.refused(settings.integration(), settings.sync(), connection == null ? null
                    : connection.connectionId(), clock.instant(), e.getMessage());
            throw ProblemException.unauthorized("invalid-signature", e.getMessage());
        }
    }

    /** A request header, or a pseudo-header: the method, and the URL the sender called. */
    private String header(Message in, String name) {
        if (HubSpotV3Verifier.METHOD.equals(name)) {
            return in.getHeader(Exchange.HTTP_METHOD, String.class);
        }
        if (HubSpotV3Verifier.URL.equals(name)) {
            String uri = in.getHeader(Exchange.HTTP_URI, String.class); // path and query, as sent
            if (publicUrl != null) {
                return publicUrl + uri;
            }
            String proto = in.getHeader("X-Forwarded-Proto", String.class);
            String host = in.getHeader("X-Forwarded-Host", String.class);
            host = host != null ? host : in.getHeader("Host", String.class);
            return (proto != null ? proto : "http") + "://" + host + uri;
        }
        return in.getHeader(name, String.class);
    }

    public static Object parse(byte[] raw) {
        if (raw.length == 0) {
            throw ProblemException.badRequest("the body is empty; a JSON document is expected");
        }
        try {
            // strict: overlong forms and lone surrogates, which a lenient reader lets through, are refused
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("the body is not valid UTF-8");
        }
        Object document;
        try {
            document = JSON.readValue(raw, Object.class);
        } catch (JsonParseException e) {
            throw ProblemException.badRequest("the body is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
        }
        if (!(document instanceof Map) && !(document instanceof List)) {
            throw ProblemException.badRequest("the body is JSON " + (document == null ? "null" : "a single value")
                    + "; a JSON object (or array) is expected");
        }
        String why = storable(document, 0);
        if (why != null) {
            throw ProblemException.badRequest(why);
        }
        return document;
    }

    /** Deepest nesting a body may have. */
    static final int MAX_DEPTH = 64;

    /**
     * Why the document cannot be stored as it is, or null. PostgreSQL keeps no NUL character in
     * text, so one is refused here rather than failing the commit; and nesting is bounded.
     */
    private static String storable(Object v, int depth) {
        if (depth > MAX_DEPTH) {
            return "the body nests deeper than " + MAX_DEPTH + " levels";
        }
        if (v instanceof String s) {
            return s.indexOf('\u0000') >= 0 ? NUL : null;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String why = String.valueOf(e.getKey()).indexOf('\u0000') >= 0 ? NUL : storable(e.getValue(), depth + 1);
                if (why != null) {
                    return why;
                }
            }
        } else if (v instanceof List<?> l) {
            for (Object item : l) {
                String why = storable(item, depth + 1);
                if (why != null) {
                    return why;
                }
            }
        }
        return null;
    }

    private static final String NUL = "a string in the body holds a NUL character (\\u0000), which cannot be stored";

    private String deliveryId(Message in, Object document) {
        String id = null;
        String where;
        if (idHeader != null) {
            id = in.getHeader(idHeader, String.class);
            where = "the " + idHeader + " header";
        } else {
            Object v = idPath.read(document, Mapping.JSONPATH);
            id = v == null || v instanceof Map || v instanceof List ? null : String.valueOf(v);
            where = "the body at " + idPath.getPath();
        }
        if (id == null || id.isBlank()) {
            throw ProblemException.badRequest("no delivery id: expected one in " + where);
        }
        if (id.length() > 300) {
            throw ProblemException.badRequest("the delivery id in " + where + " is longer than 300 characters");
        }
        return id;
    }
}
