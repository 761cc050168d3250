-- The console and /api/flow find a record's writes by the connected app's id as well as by yours.
CREATE INDEX flow_log_remote ON flow_log (provider_config_key, connection_id, remote_id, id);
