package io.syncline.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** No key: 401. A wrong key: 403. Both as problem+json, before any resource runs. */
@Provider
public class ApiKeyFilter implements ContainerRequestFilter {

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!(path.startsWith("/records") || path.startsWith("/api/") || path.equals("/api")
                || path.startsWith("/sync/"))) {
            return;
        }
        switch (keys.check(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            case MISSING -> request.abortWith(ProblemMappers.response(Problem.of(401, "api-key-missing",
                    "Unauthorized", "send the API key as 'Authorization: Bearer <key>'")));
            case WRONG -> request.abortWith(ProblemMappers.response(Problem.of(403, "api-key-invalid", "Forbidden",
                    "the API key is not valid")));
            case OK -> {
            }
        }
    }

}
