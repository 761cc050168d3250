-- Console sessions live in a sealed cookie that any replica can open. Signing out records the
-- session here, so that every replica refuses the cookie from then on, until it would have
-- expired anyway.
CREATE TABLE console_signouts (
    session_token VARCHAR(64) PRIMARY KEY,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
