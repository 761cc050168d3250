package io.syncline.console;

import java.net.URI;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.ApiKeys;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

/** Signing in with an API key, and out again. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {

    private final ConsoleSession session;
    private final Template login;

    public LoginPage(ConsoleSession session, @Location("console/login.html") Template login) {
        this.session = session;
        this.login = login;
    }

    @GET
    @Path("/login")
    public TemplateInstance form(@QueryParam("next") String next) {
        return login.data("next", safeNext(next)).data("error", null);
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("api_key") String apiKey, @FormParam("next") String next,
            @Context HttpHeaders headers) {
        ApiKeys.Check check = session.check(apiKey);
        String error = switch (check.verdict()) {
            case MISSING -> "Enter an API key.";
            case WRONG -> "That API key is not valid, or was revoked.";
            case OK -> check.principal().providerConfigKey() != null
                    ? "That key is limited to one integration; the console needs a key that is not." : null;
        };
        if (error != null) {
            return Response.status(401).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(login.data("next", safeNext(next)).data("error", error).render()).build();
        }
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie(session.open(apiKey),
                (int) session.lifetime().toSeconds(), headers)).build();
    }

    @POST
    @Path("/logout")
    public Response signOut(@Context HttpHeaders headers) {
        return Response.seeOther(URI.create("/console/login")).cookie(cookie("", 0, headers)).build();
    }

    /** Only a path inside the console: a sign-in must never send the browser elsewhere. */
    static String safeNext(String next) {
        return Console.inside(next, "/console", "/console");
    }

    private static NewCookie cookie(String value, int maxAge, HttpHeaders headers) {
        String proto = headers.getHeaderString("X-Forwarded-Proto");
        return new NewCookie.Builder(ConsoleSession.COOKIE).value(value).path("/console").maxAge(maxAge).httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).secure("https".equalsIgnoreCase(proto)).build();
    }
}
