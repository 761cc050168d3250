package io.syncline.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import io.syncline.http.Problem;

/**
 * Guarantee 8 at the door of every API endpoint: a path or query value that no field can hold
 * (a NUL character, which PostgreSQL refuses even to compare, or more than 2,000 characters) is
 * a 400 that names it, before any resource or query sees it.
 */
@Provider
@PreMatching
public class InputBounds implements ContainerRequestFilter {

    static final int MAX_VALUE_LENGTH = 2000;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.indexOf('\u0000') >= 0) {
            request.abortWith(ProblemMappers.response(Problem.of(400, "bad-request", "Bad request",
                    "the path holds a NUL character")));
            return;
        }
        for (var e : request.getUriInfo().getQueryParameters().entrySet()) {
            for (String v : e.getValue()) {
                if (v.indexOf('\u0000') >= 0 || v.length() > MAX_VALUE_LENGTH) {
                    String name = e.getKey().length() > 100 ? e.getKey().substring(0, 100) + "…" : e.getKey();
                    request.abortWith(ProblemMappers.response(Problem.of(400, "invalid-fields", "Invalid fields",
                            "query parameter '" + name + "' must be at most " + MAX_VALUE_LENGTH
                                    + " characters with no NUL character")));
                    return;
                }
            }
        }
    }
}
