-- A pass's marks are worth keeping only as long as the pass runs: they write no WAL. After a
-- crash of PostgreSQL (or on a promoted standby, or from a base backup) both tables come back
-- empty; a resumed pass then finds its registration gone and deletes nothing (guarantee 4), and
-- the next complete pass decides.
ALTER TABLE seen_keys SET UNLOGGED;
ALTER TABLE seen_passes SET UNLOGGED;
