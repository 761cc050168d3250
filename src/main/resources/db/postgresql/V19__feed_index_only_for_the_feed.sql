-- A record's key lookup (stream = ? AND external_id = ?) must always probe records_key. Without
-- statistics (an empty or freshly loaded table) the feed index, which also starts with stream,
-- costs the same to the planner, and a plan cached then walked every record of the stream for
-- each key: a poll page of 100 keys took half a second on 20,000 records. The feed index becomes
-- partial on a condition only the feed's reads state (ChangesFeed), so no other statement can use it.
CREATE INDEX records_feed_partial ON records (stream, feed_xid, feed_position) WHERE feed_xid >= '0'::xid8;
DROP INDEX records_feed;
ALTER INDEX records_feed_partial RENAME TO records_feed;
