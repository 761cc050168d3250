package io.syncline.console;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.syncline.api.ApiKeys;

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

    /** The sign-in form's own token: in a SameSite=Strict cookie and in the form, which another site cannot both send. */
    static final String LOGIN_COOKIE = "syncline_login";

    @GET
    @Path("/login")
    public Response form(@QueryParam("next") String next, @Context HttpHeaders headers) {
        String token = session.randomToken();
        return Response.ok(login.data("next", safeNext(next)).data("error", null).data("loginToken", token).render())
                .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .cookie(cookie(LOGIN_COOKIE, "/console/login", token, 3600, headers)).build();
    }

    @POST
    @Path("/login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("api_key") String apiKey, @FormParam("next") String next,
            @FormParam("login_token") String loginToken, @Context HttpHeaders headers) {
        Cookie expected = headers.getCookies().get(LOGIN_COOKIE);
        if (expected == null || !ConsoleSession.sameToken(expected.getValue(), loginToken)) {
            String token = session.randomToken();
            return Response.status(403).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(login.data("next", safeNext(next)).data("loginToken", token)
                            .data("error", "The sign-in form has expired or did not come from this console. Try again.")
                            .render()).cookie(cookie(LOGIN_COOKIE, "/console/login", token, 3600, headers)).build();
        }
        ApiKeys.Check check = session.check(apiKey);
        String error = switch (check.verdict()) {
            case MISSING -> "Enter an API key.";
            case WRONG -> "That API key is not valid, or was revoked.";
            case OK -> check.principal().providerConfigKey() != null
                    ? "That key is limited to one integration; the console needs a key that is not." : null;
        };
        if (error != null) {
            return Response.status(401).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(login.data("next", safeNext(next)).data("error", error).data("loginToken", loginToken)
                            .render()).build();
        }
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie(ConsoleSession.COOKIE, "/console",
                session.open(apiKey), (int) session.lifetime().toSeconds(), headers)).build();
    }

    @POST
    @Path("/logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signOut(@FormParam("token") String token, @Context HttpHeaders headers) {
        Cookie cookie = headers.getCookies().get(ConsoleSession.COOKIE);
        ConsoleSession.Viewer viewer = session.viewer(cookie == null ? null : cookie.getValue()).orElse(null);
        if (viewer != null) {
            if (!ConsoleSession.sameToken(viewer, token)) {
                return Response.status(403).type(MediaType.TEXT_PLAIN_TYPE)
                        .entity("The sign-out form did not come from this console.").build();
            }
            session.close(viewer); // on every replica, not just in this browser
        }
        return Response.seeOther(URI.create("/console/login"))
                .cookie(cookie(ConsoleSession.COOKIE, "/console", "", 0, headers)).build();
    }

    /** Only a path inside the console: a sign-in must never send the browser elsewhere. */
    static String safeNext(String next) {
        return Console.inside(next, "/console", "/console");
    }

    /** The console's cookies: HttpOnly, SameSite=Strict, and Secure behind TLS. */
    private static NewCookie cookie(String name, String path, String value, int maxAge, HttpHeaders headers) {
        String proto = headers.getHeaderString("X-Forwarded-Proto");
        return new NewCookie.Builder(name).value(value).path(path).maxAge(maxAge).httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).secure("https".equalsIgnoreCase(proto)).build();
    }
}
