-- What runs of a (sync, connection) committed that no webhook to your app has announced yet:
-- the start of the earliest such run and the counts. A run that dies after committing pages
-- leaves them here, and the next webhook that is sent covers them (modifiedAfter = notify_from).
ALTER TABLE sync_state ADD COLUMN notify_from TIMESTAMP WITH TIME ZONE;
ALTER TABLE sync_state ADD COLUMN notify_added BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN notify_updated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN notify_deleted BIGINT NOT NULL DEFAULT 0;
