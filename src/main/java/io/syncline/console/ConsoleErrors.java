package io.syncline.console;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;

/** The console answers people with pages, not problem+json: a sign-in page, or the refusal in words. */
public class ConsoleErrors {

    private final Template error;

    public ConsoleErrors(@Location("console/error.html") Template error) {
        this.error = error;
    }

    @ServerExceptionMapper
    public Response signIn(Console.SignInRequired e, UriInfo uri) {
        String next = uri.getRequestUri().getRawPath()
                + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
        return Response.seeOther(URI.create("/console/login?next=" + Console.encode(next))).build();
    }

    @ServerExceptionMapper
    public Response refused(Console.Refusal e) {
        return Response.status(e.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(error.data("status", e.status()).data("detail", e.getMessage()).render()).build();
    }
}
