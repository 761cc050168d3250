package io.syncline.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import io.syncline.http.Problem;

/**
 * Every request under /records, /sync, /events, /connect and /api needs a key with the scope of its path: no key
 * is 401, a key that is unknown, revoked or without the scope is 403, both as problem+json,
 * before any resource runs. A key limited to one integration or connection reads only its records.
 * Webhook endpoints are not here: a signature authenticates them.
 */
@Provider
public class ApiKeyFilter implements ContainerRequestFilter {

    private final ApiKeys keys;
    private final Caller caller;

    public ApiKeyFilter(ApiKeys keys, Caller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    /** The scope a path needs, or null when the path is not guarded by an API key. */
    public static String scopeFor(String path) {
        if (path.startsWith("/records")) {
            return ApiKeys.RECORDS_READ;
        }
        if (path.startsWith("/sync/") || path.equals("/sync")) {
            return ApiKeys.SYNC_CONTROL;
        }
        if (path.startsWith("/api/connections")) {
            return ApiKeys.CONNECTIONS_WRITE;
        }
        if (path.startsWith("/events")) {
            return ApiKeys.EVENTS_WRITE;
        }
        if (path.startsWith("/connect/")) {
            return ApiKeys.CONNECT_WRITE;
        }
        if (path.startsWith("/api/") || path.equals("/api")) {
            return ApiKeys.ADMIN;
        }
        return null;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String scope = scopeFor(request.getUriInfo().getPath());
        if (scope == null) {
            return;
        }
        ApiKeys.Check check = keys.check(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        switch (check.verdict()) {
            case MISSING -> request.abortWith(ProblemMappers.response(Problem.of(401, "api-key-missing",
                    "Unauthorized", "send an API key as 'Authorization: Bearer <key>'")));
            case WRONG -> request.abortWith(ProblemMappers.response(Problem.of(403, "api-key-invalid", "Forbidden",
                    "the API key is not valid, or was revoked")));
            case OK -> {
                ApiKeys.Principal p = check.principal();
                if (!p.may(scope)) {
                    request.abortWith(ProblemMappers.response(Problem.of(403, "scope-missing", "Forbidden",
                            "this API key lacks the scope '" + scope + "'")));
                } else if (scope.equals(ApiKeys.ADMIN) && p.providerConfigKey() != null) {
                    // keys, dead letters, runs and the flow log span every integration: admin has no limited form
                    request.abortWith(ProblemMappers.response(Problem.of(403, "outside-key-limits", "Forbidden",
                            "this API key is limited to " + p.providerConfigKey() + ", and the admin scope works "
                                    + "only on keys without a limit")));
                } else if (!within(p, request)) {
                    request.abortWith(ProblemMappers.response(Problem.of(403, "outside-key-limits", "Forbidden",
                            "this API key is limited to " + p.providerConfigKey()
                                    + (p.connectionId() == null ? "" : "/" + p.connectionId()))));
                } else {
                    caller.set(p); // the resources hold the body's targets to the key's limits
                }
            }
        }
    }

    /**
     * A limited key reads records of its integration (and connection) only, by the headers that
     * name them. Targets named in a body are checked by the resource that reads it ({@link Caller}).
     */
    private static boolean within(ApiKeys.Principal p, ContainerRequestContext request) {
        if (p.providerConfigKey() == null || !request.getUriInfo().getPath().startsWith("/records")) {
            return true;
        }
        return p.providerConfigKey().equals(request.getHeaderString("Provider-Config-Key"))
                && (p.connectionId() == null || p.connectionId().equals(request.getHeaderString("Connection-Id")));
    }
}
