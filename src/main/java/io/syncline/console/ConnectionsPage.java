package io.syncline.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.OverlaysResource;
import io.syncline.api.SyncMappings;
import io.syncline.connection.Connections;
import io.syncline.mapping.Overlays;
import io.syncline.api.ConnectSessionsResource;
import io.syncline.api.ConnectionsResource;
import io.syncline.api.SyncResource;
import io.syncline.http.ProblemException;

/**
 * Connections: list, create, edit, and pause or resume all of a connection's scheduled syncs.
 * Credentials are write-only here as in the API: a form sets them, no page ever shows them.
 */
@Path("/console/connections")
@Produces(MediaType.TEXT_HTML)
public class ConnectionsPage {

    private static final String API = "/api/connections";
    private static final int CREDENTIAL_ROWS = 3;

    private final Console console;
    private final ConnectionsResource api;
    private final SyncResource syncApi;
    private final ConnectSessionsResource sessionsApi;
    private final Template list;
    private final Template one;
    private final Connections connections;
    private final Overlays overlays;
    private final OverlaysResource overlaysApi;
    private final SyncMappings syncs;

    public ConnectionsPage(Console console, ConnectionsResource api, SyncResource syncApi,
            ConnectSessionsResource sessionsApi, @Location("console/connections.html") Template list,
            @Location("console/connection.html") Template one, Connections connections, Overlays overlays,
            OverlaysResource overlaysApi, SyncMappings syncs) {
        this.overlaysApi = overlaysApi;
        this.syncs = syncs;
        this.connections = connections;
        this.overlays = overlays;
        this.console = console;
        this.api = api;
        this.syncApi = syncApi;
        this.sessionsApi = sessionsApi;
        this.list = list;
        this.one = one;
    }

    @GET
    public TemplateInstance list(@Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        return Console.page(list, viewer, "connections", "Connections", uri)
                .data("connections", Console.call(() -> api.list(null)).get("connections")).data("editing", false)
                .data("rows", IntStream.range(0, CREDENTIAL_ROWS).boxed().toList());
    }

    @GET
    @Path("/{integration}/{connection}")
    public TemplateInstance one(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.require(headers, API);
        return page(viewer, integration, connection, uri).data("reconnectLink", null).data("reconnectExpires", null);
    }

    private TemplateInstance page(ConsoleSession.Viewer viewer, String integration, String connection, UriInfo uri) {
        Map<String, Object> c = Console.call(() -> api.get(integration, connection));
        return Console.page(one, viewer, "connections", integration + " / " + connection, uri).data("c", c)
                .data("editing", true).data("oauth", c.get("oauth"))
                .data("metadata", c.get("metadata") == null ? "" : JsonText.pretty(c.get("metadata")))
                .data("rows", IntStream.range(0, CREDENTIAL_ROWS).boxed().toList())
                .data("overlays", overlays.ofConnection(integration, connection).stream().map(v -> Map.of(
                        "sync", v.sync(), "version", v.version().version(), "author", v.version().author(),
                        "note", v.version().note() == null ? "" : v.version().note(),
                        "at", v.version().at().toString(), "overlay", JsonText.pretty(v.version().overlay()))).toList())
                .data("syncNames", syncs.names(integration));
    }

    /**
     * A reconnect link for the connection's customer, through the connect-session API (so the
     * signed-in key needs connect:write). It is shown once, on this page, never put in a URL
     * that the console redirects to.
     */
    @POST
    @Path("/{integration}/{connection}/reconnect")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response reconnect(@PathParam("integration") String integration, @PathParam("connection") String connection,
            @FormParam("token") String token, @Context HttpHeaders headers, @Context UriInfo uri) {
        ConsoleSession.Viewer viewer = console.requireForm(headers, "/connect/sessions", token);
        Map<?, ?> data;
        try {
            Object body = sessionsApi.reconnect(new ConnectSessionsResource.Input(null, null, null, null, connection,
                    integration, null)).getEntity();
            data = (Map<?, ?>) ((Map<?, ?>) body).get("data");
        } catch (ProblemException e) {
            return Console.failed(path(integration, connection), e.problem().detail());
        }
        String link = uri.getBaseUri().resolve("oauth/connect/" + Console.encode(integration)
                + "?connect_session_token=" + data.get("token")).toString();
        return Response.ok(page(viewer, integration, connection, uri).data("reconnectLink", link)
                .data("reconnectExpires", data.get("expires_at")).render()).type(MediaType.TEXT_HTML_TYPE)
                .header("Cache-Control", "no-store").build();
    }

    /** Saves a mapping overlay for one sync of the connection, written as in a mapping file, through the overlays API. */
    @POST
    @Path("/{integration}/{connection}/overlay")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response overlay(@PathParam("integration") String integration, @PathParam("connection") String connection,
            @FormParam("sync") String sync, @FormParam("overlay") String overlay, @FormParam("note") String note,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/api/overlays", token);
        try {
            Map<String, Object> saved = overlaysApi.save(integration, connection, sync, new OverlaysResource.Body(
                    com.fasterxml.jackson.databind.node.TextNode.valueOf(overlay == null ? "" : overlay),
                    Console.blank(note), null, null));
            return Console.back(path(integration, connection), "Saved overlay version " + saved.get("version")
                    + " of " + sync + (saved.get("backfill") == null ? "." : "; a backfill run started."));
        } catch (ProblemException e) {
            return Console.failed(path(integration, connection), e.problem().detail());
        }
    }

    /** Makes a sync's previous overlay version the one in force again. */
    @POST
    @Path("/{integration}/{connection}/overlay/revert")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revertOverlay(@PathParam("integration") String integration,
            @PathParam("connection") String connection, @FormParam("sync") String sync,
            @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/api/overlays", token);
        try {
            Map<String, Object> saved = overlaysApi.revert(integration, connection, sync, null);
            return Console.back(path(integration, connection), "Reverted " + sync + ": " + saved.get("note") + ".");
        } catch (ProblemException e) {
            return Console.failed(path(integration, connection), e.problem().detail());
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("provider_config_key") String integration,
            @FormParam("connection_id") String connection, @FormParam("base_url") String baseUrl,
            @FormParam("credential_name") List<String> names, @FormParam("credential_value") List<String> values,
            @FormParam("metadata") String metadata, @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, API, token);
        try {
            api.create(new ConnectionsResource.Input(integration, connection, Console.blank(baseUrl),
                    credentials(names, values), metadata(metadata)));
        } catch (ProblemException e) {
            return Console.failed("/console/connections", e.problem().detail());
        }
        return Console.back(path(integration, connection), "Created.");
    }

    @POST
    @Path("/{integration}/{connection}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response update(@PathParam("integration") String integration, @PathParam("connection") String connection,
            @FormParam("base_url") String baseUrl, @FormParam("credential_name") List<String> names,
            @FormParam("credential_value") List<String> values, @FormParam("metadata") String metadata,
            @FormParam("replace_credentials") String replaceAll, @FormParam("token") String token,
            @Context HttpHeaders headers) {
        console.requireForm(headers, API, token);
        try {
            Map<String, String> credentials = credentials(names, values);
            if (!credentials.isEmpty() && replaceAll == null) {
                // only what was typed changes; the stored credentials stay, and are never shown
                Map<String, String> merged = new java.util.HashMap<>(connections.find(integration, connection)
                        .map(c -> c.credentials() == null ? Map.<String, String>of() : c.credentials()).orElse(Map.of()));
                merged.putAll(credentials);
                credentials = merged;
            }
            api.update(integration, connection, new ConnectionsResource.Input(null, null,
                    Console.blank(baseUrl), credentials.isEmpty() ? null : credentials, metadata(metadata)));
        } catch (ProblemException e) {
            return Console.failed(path(integration, connection), e.problem().detail());
        }
        return Console.back(path(integration, connection), "Saved.");
    }

    /** Pauses or resumes every scheduled sync of the connection, through the sync API. */
    @POST
    @Path("/{integration}/{connection}/{action:pause|resume}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response pause(@PathParam("integration") String integration, @PathParam("connection") String connection,
            @PathParam("action") String action, @FormParam("token") String token, @Context HttpHeaders headers) {
        console.requireForm(headers, "/sync/" + action, token);
        SyncResource.Control all = new SyncResource.Control(integration, connection, null, null, null, null, null);
        try {
            if (action.equals("pause")) {
                syncApi.pause(all);
            } else {
                syncApi.start(all);
            }
        } catch (ProblemException e) {
            return Console.failed(path(integration, connection), e.problem().detail());
        }
        return Console.back(path(integration, connection), (action.equals("pause") ? "Paused" : "Resumed")
                + " every scheduled sync of this connection.");
    }

    /** The filled name/value rows; an empty form leaves the stored credentials as they are. */
    private static Map<String, String> credentials(List<String> names, List<String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; names != null && i < names.size(); i++) {
            String name = names.get(i) == null ? "" : names.get(i).trim();
            String value = values != null && i < values.size() ? values.get(i) : null;
            if (!name.isEmpty() && value != null && !value.isEmpty()) {
                out.put(name, value);
            } else if (!name.isEmpty() || value != null && !value.isEmpty()) {
                throw ProblemException.badRequest("credentials: give both a name and a value, or neither (row "
                        + (i + 1) + ")");
            }
        }
        return out;
    }

    private static Map<String, Object> metadata(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Map<String, Object> object = JsonText.object(text);
        if (object == null) {
            throw ProblemException.badRequest("metadata: a JSON object is expected, like {\"region\": \"eu\"}");
        }
        return object;
    }

    private static String path(String integration, String connection) {
        return "/console/connections/" + Console.encode(integration) + "/" + Console.encode(connection);
    }
}
