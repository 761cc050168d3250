-- What a full-refresh pass read and found unchanged: one narrow row per record, instead of a
-- rewrite of the record itself (seen_by_run, which new and changed records still carry, since
-- they are written anyway). The pass's deletion step is an anti-join against these rows; the
-- pass removes them when it ends.
-- A pass is registered before its first mark. A pass that resumes and finds its registration
-- gone (PostgreSQL truncates these tables after a crash: V20_1) deletes nothing.
CREATE TABLE seen_passes (
    generation          BIGINT       NOT NULL PRIMARY KEY, -- the pass's first run
    provider_config_key VARCHAR(200) NOT NULL,
    connection_id       VARCHAR(200) NOT NULL,
    sync_name           VARCHAR(200) NOT NULL,
    intact              BOOLEAN      NOT NULL,             -- false: marks were lost, the pass deletes nothing
    started_at          TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX seen_passes_pair ON seen_passes (provider_config_key, connection_id, sync_name);

CREATE TABLE seen_keys (
    generation  BIGINT       NOT NULL,
    external_id VARCHAR(500) NOT NULL,
    PRIMARY KEY (generation, external_id)
);

-- A held deletion whose record a later pass read again: the preview no longer holds.
ALTER TABLE delete_review_records ADD COLUMN seen_again BOOLEAN DEFAULT FALSE NOT NULL;
