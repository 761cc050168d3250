-- A SQL source's run holds a lease, renewed with each batch it commits, instead of a row lock held
-- for the whole run. On PostgreSQL a row lock gives its transaction an id, and the changes feed
-- serves nothing newer than the oldest transaction still running: a long run held every feed back.
ALTER TABLE sql_source_state ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
