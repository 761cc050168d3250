-- Records are addressed by their stream (integration, connection, model, as one key) and external
-- id. With the two indexes sharing only their first column, a key lookup can only be served by
-- records_key, whatever the planner's statistics say: with three shared leading columns, a freshly
-- loaded table without statistics had key lookups scanning the whole feed index of a connection.
ALTER TABLE records ADD COLUMN stream VARCHAR(700);
UPDATE records SET stream = provider_config_key || CHR(31) || connection_id || CHR(31) || model;
ALTER TABLE records ALTER COLUMN stream SET NOT NULL;
ALTER TABLE records DROP CONSTRAINT records_key;
DROP INDEX records_feed;
ALTER TABLE records ADD CONSTRAINT records_key UNIQUE (stream, external_id);
CREATE INDEX records_feed ON records (stream, feed_position);
