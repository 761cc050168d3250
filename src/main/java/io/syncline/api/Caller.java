package io.syncline.api;

import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;

import io.syncline.http.Problem;
import io.syncline.http.ProblemException;

/**
 * The API key of the request being served, set by {@link ApiKeyFilter} (or by the console from
 * its session). A key limited to an integration, or to one connection of it, is held to that
 * limit here, for every target a request names: in a header, the path, a query parameter or the
 * body. One place, so no endpoint family can forget it.
 */
@RequestScoped
public class Caller {

    private ApiKeys.Principal principal;

    public void set(ApiKeys.Principal p) {
        this.principal = p;
    }

    public Optional<ApiKeys.Principal> principal() {
        return Optional.ofNullable(principal);
    }

    /** The integration the key is limited to, or null. */
    public String integration() {
        return principal == null ? null : principal.providerConfigKey();
    }

    public boolean may(String scope) {
        return principal == null || principal.may(scope);
    }

    /** Refuses (403) a target outside the key's limits; a null connection means "every connection". */
    public void requireWithin(String integration, String connectionId) {
        if (principal == null || principal.providerConfigKey() == null) {
            return;
        }
        boolean ok = principal.providerConfigKey().equals(integration)
                && (principal.connectionId() == null || principal.connectionId().equals(connectionId));
        if (!ok) {
            throw new ProblemException(Problem.of(403, "outside-key-limits", "Forbidden",
                    "this API key is limited to " + limits() + (principal.connectionId() != null && connectionId == null
                            ? "; name that connection in the request" : "")));
        }
    }

    /** Refuses (403) a request that needs a scope the key lacks. */
    public void requireScope(String scope, String why) {
        if (!may(scope)) {
            throw new ProblemException(Problem.of(403, "scope-missing", "Forbidden",
                    "this API key lacks the scope '" + scope + "', which " + why + " needs"));
        }
    }

    String limits() {
        return principal.providerConfigKey() + (principal.connectionId() == null ? "" : "/" + principal.connectionId());
    }
}
