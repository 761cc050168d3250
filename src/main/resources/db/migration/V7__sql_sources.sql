-- SQL sources: how far each has read (its high-water mark) and when it last ran. The row is
-- locked for the length of a run, so one replica runs a source at a time.
CREATE TABLE sql_source_state (
    sync_name   VARCHAR(400) PRIMARY KEY,   -- integration/name
    hwm         TIMESTAMP WITH TIME ZONE,
    ran_at      TIMESTAMP WITH TIME ZONE,
    last_keys   BIGINT,                     -- keys the last run read
    last_batches BIGINT,                    -- property queries it made
    last_error  TEXT
);
