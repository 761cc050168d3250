-- Each connection is owned by one live replica at a time (guarantee 6 for any number of
-- replicas): the owner holds the connection's whole rate budget and sends all of its requests.
-- lease_until is the database's clock; owner is NULL once a replica has handed it over.
CREATE TABLE connection_owners (
    provider_config_key VARCHAR(200) NOT NULL,
    connection_id       VARCHAR(200) NOT NULL,
    owner               VARCHAR(100),
    lease_until         TIMESTAMP WITH TIME ZONE NOT NULL,
    moves               BIGINT NOT NULL DEFAULT 0,
    -- what the owner has used of the connection's long windows (a daily budget), for the next owner
    windows             TEXT,
    PRIMARY KEY (provider_config_key, connection_id)
);

-- where a replica answers the others (a request for a budget permit of a connection it owns)
ALTER TABLE replicas ADD COLUMN address VARCHAR(500);
