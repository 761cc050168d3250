package io.syncline.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.syncline.http.ProblemException;
import io.syncline.mapping.FieldError;
import io.syncline.store.ChangesFeed;

/** API keys (scope admin): create (the plaintext is in this answer only), list, revoke. */
@Path("/api/keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApiKeysResource {

    private final ApiKeys keys;
    private final Caller caller;

    public ApiKeysResource(ApiKeys keys, Caller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @RegisterForReflection
    public record Input(String name, List<String> scopes,
            @JsonProperty("provider_config_key") String providerConfigKey,
            @JsonProperty("connection_id") String connectionId) {
    }

    @POST
    public Response create(Input in) {
        if (in == null) {
            throw ProblemException.badRequest("a JSON body is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        if (in.name() == null || in.name().isBlank() || in.name().length() > 200) {
            errors.add(new FieldError("name", "is required, at most 200 characters"));
        }
        if (in.scopes() == null || in.scopes().isEmpty()) {
            errors.add(new FieldError("scopes", "is required: some of " + ApiKeys.SCOPES));
        } else {
            for (String scope : in.scopes()) {
                if (scope == null || !ApiKeys.SCOPES.contains(scope)) {
                    errors.add(new FieldError("scopes", "'" + scope + "' is not one of " + ApiKeys.SCOPES));
                    break;
                }
                if (!caller.may(scope)) {
                    errors.add(new FieldError("scopes", "'" + scope + "' is beyond the scopes of the key that "
                            + "creates it"));
                    break;
                }
            }
            if (in.providerConfigKey() != null && in.scopes().contains(ApiKeys.ADMIN)) {
                errors.add(new FieldError("scopes", "admin cannot be limited to an integration: it manages keys, "
                        + "dead letters and runs of every integration"));
            }
        }
        for (String[] f : new String[][] { { "provider_config_key", in.providerConfigKey() },
                { "connection_id", in.connectionId() } }) {
            if (f[1] != null && (f[1].isBlank() || f[1].length() > 200)) {
                errors.add(new FieldError(f[0], "must be 1 to 200 characters"));
            }
        }
        if (in.connectionId() != null && in.providerConfigKey() == null) {
            errors.add(new FieldError("connection_id", "needs provider_config_key too"));
        }
        ConnectionsResource.invalidIf(errors);
        Map.Entry<ApiKeys.Key, String> created = keys.create(in.name(), in.scopes(), in.providerConfigKey(),
                in.connectionId());
        Map<String, Object> body = view(created.getKey());
        body.put("key", created.getValue());
        return Response.status(201).entity(body).build();
    }

    @GET
    public Map<String, Object> list() {
        return Map.of("keys", keys.list().stream().map(ApiKeysResource::view).toList());
    }

    @DELETE
    @Path("/{id}")
    public Response revoke(@PathParam("id") long id) {
        if (!keys.revoke(id)) {
            throw ProblemException.notFound("no active API key " + id);
        }
        return Response.noContent().build();
    }

    static Map<String, Object> view(ApiKeys.Key k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("name", k.name());
        m.put("prefix", k.prefix());
        m.put("scopes", k.scopes());
        m.put("provider_config_key", k.providerConfigKey());
        m.put("connection_id", k.connectionId());
        m.put("created_at", ChangesFeed.iso(k.createdAt()));
        m.put("revoked_at", ChangesFeed.iso(k.revokedAt()));
        return m;
    }
}
