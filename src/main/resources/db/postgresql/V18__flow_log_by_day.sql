-- The data-flow log becomes a table partitioned by the day of its lines (UTC), so that retention
-- drops a whole day's partition instead of deleting its rows one by one (at 1,000 writes a second,
-- a day is 86 million rows of DELETE and the vacuum after it). Retention (operate/Retention)
-- creates the partitions of the next days ahead of them and drops those past the retention.
--
-- The existing lines stay where they are: the old table becomes the partition of everything
-- before this migration. Attaching it scans it once to check that range, and builds one index.
-- Lines of a day that has no partition of its own (the rest of the upgrade day, or a day when no
-- replica ran retention ahead of it) go to the default partition, which retention prunes by
-- DELETE, as before.
ALTER TABLE flow_log RENAME TO flow_log_before_days;
ALTER TABLE flow_log_before_days ALTER COLUMN id DROP IDENTITY;
ALTER INDEX flow_log_record RENAME TO flow_log_before_days_record;
ALTER INDEX flow_log_remote RENAME TO flow_log_before_days_remote;
DROP INDEX flow_log_at;

-- ids go on from the old table's: the flow log API pages by id
CREATE SEQUENCE flow_log_id;
SELECT setval('flow_log_id', COALESCE((SELECT MAX(id) FROM flow_log_before_days), 0) + 1, false);

CREATE TABLE flow_log (LIKE flow_log_before_days) PARTITION BY RANGE (at);
ALTER TABLE flow_log ALTER COLUMN id SET DEFAULT nextval('flow_log_id');
ALTER SEQUENCE flow_log_id OWNED BY flow_log.id;
CREATE INDEX flow_log_by_id ON flow_log (id);
CREATE INDEX flow_log_record ON flow_log (provider_config_key, connection_id, model, record_id, id);
CREATE INDEX flow_log_remote ON flow_log (provider_config_key, connection_id, remote_id, id);

ALTER TABLE flow_log ATTACH PARTITION flow_log_before_days FOR VALUES FROM (MINVALUE) TO (CURRENT_TIMESTAMP);
-- its primary key is the old table's; the partitioned index on id serves the same lookups
ALTER TABLE flow_log_before_days DROP CONSTRAINT flow_log_pkey;
CREATE TABLE flow_log_default PARTITION OF flow_log DEFAULT;
