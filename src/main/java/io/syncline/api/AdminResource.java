package io.syncline.api;

import java.util.Map;

import io.syncline.connection.Connections;
import io.syncline.connection.CredentialCipher;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Maintenance that an operator runs while the service runs (scope admin). */
@Path("/api/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final Connections connections;
    private final CredentialCipher cipher;

    public AdminResource(Connections connections, CredentialCipher cipher) {
        this.connections = connections;
        this.cipher = cipher;
    }

    /** After an encryption key rotation: reseal every credential still sealed with a previous key. */
    @POST
    @Path("/reseal-credentials")
    public Map<String, Object> reseal() {
        return Map.of("resealed", connections.resealCredentials(), "key_id", cipher.keyId());
    }
}
