package io.syncline.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

import io.syncline.api.ProblemMappers;
import io.syncline.http.Problem;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The console exists only where it is switched on ({@code syncline.console.enabled}, off in
 * production unless set), and its pages are never cached, framed, or allowed to run scripts
 * from anywhere but this service.
 */
@Provider
public class ConsoleFilter implements ContainerRequestFilter, ContainerResponseFilter {

    private final boolean enabled;

    public ConsoleFilter(@ConfigProperty(name = "syncline.console.enabled", defaultValue = "true") boolean enabled) {
        this.enabled = enabled;
    }

    private static boolean console(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.equals("/console") || path.startsWith("/console/");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!enabled && console(request)) {
            request.abortWith(ProblemMappers.response(Problem.of(404, "not-found", "Not found",
                    "the console is switched off here; set syncline.console.enabled=true to serve it")));
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (enabled && console(request)) {
            var h = response.getHeaders();
            h.putSingle("Cache-Control", "no-store");
            h.putSingle("X-Frame-Options", "DENY");
            h.putSingle("X-Content-Type-Options", "nosniff");
            h.putSingle("Referrer-Policy", "same-origin");
            h.putSingle("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                    + "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        }
    }
}
