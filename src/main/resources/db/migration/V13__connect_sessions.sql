-- Connect sessions: your backend asks for one, your customer's browser spends it once to connect
-- an account. Only the SHA-256 of the session token and of the flow's OAuth2 state are kept; what
-- the flow must remember (the PKCE verifier, the redirect and return URLs, the browser binding)
-- is sealed with the credential cipher.
CREATE TABLE connect_sessions (
    token_hash            VARCHAR(64)   PRIMARY KEY,
    end_user              TEXT          NOT NULL,  -- JSON: id, email, display_name
    organization          TEXT,                    -- JSON: id, display_name
    allowed_integrations  TEXT,                    -- JSON list; null allows every integration
    integrations_config   TEXT,                    -- JSON: integrations_config_defaults
    connection_id         VARCHAR(200),            -- the connection to create or to reconnect; null: a new id
    reconnect_integration VARCHAR(200),            -- set for a reconnect session
    return_urls           TEXT,                    -- JSON list of allowed return URLs
    expires_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    state_hash            VARCHAR(64),
    flow                  TEXT,                    -- AES-GCM ciphertext only
    used_at               TIMESTAMP WITH TIME ZONE,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX connect_sessions_state ON connect_sessions (state_hash);
