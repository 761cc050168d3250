-- PostgreSQL only. The changes feed is written once (guarantee 3): a change takes its place in the
-- statement that writes it, as the id of its transaction (feed_xid, from pg_current_xact_id()) and
-- a position from the sequence, both column defaults. Readers serve only the changes of
-- transactions older than every transaction still running (below pg_snapshot_xmin of the reader's
-- snapshot), in (feed_xid, feed_position) order. Every transaction that can still commit has a
-- larger id than anything served, so a change committed late lands after the reader, never behind
-- it. The sequencer's second write of every record is gone here; H2 keeps it.
--
-- Records written before this version keep their positions under transaction 0, so they come
-- first, in their old order, and a cursor issued before the upgrade still reads on from its place.
UPDATE records r SET feed_position = p.position
  FROM (SELECT id, nextval('feed_position') AS position
          FROM (SELECT id FROM records WHERE feed_position IS NULL ORDER BY id) unplaced) p
 WHERE r.id = p.id;
ALTER TABLE records ADD COLUMN feed_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE records ALTER COLUMN feed_xid SET DEFAULT pg_current_xact_id();
ALTER TABLE records ALTER COLUMN feed_position SET DEFAULT nextval('feed_position');
ALTER TABLE records ALTER COLUMN feed_position SET NOT NULL;
DROP INDEX records_feed;
CREATE INDEX records_feed ON records (stream, feed_xid, feed_position);
DROP INDEX records_unplaced;
DROP TABLE feed_sequencer_lock;
