-- PostgreSQL only: each full-refresh run notes, on every record it saw unchanged, that it saw it
-- (seen_by_run, so that its deletion step keeps the record). That column is in no index, so the
-- update can stay on the record's page without touching any index (a HOT update) when the page
-- has room. Packed full, every page had none, and each unchanged record cost a new entry in
-- every index of records. Leave a fifth of each page free. This applies to pages written from now
-- on. An existing store gets the room as its pages are rewritten (or at once with VACUUM FULL records).
ALTER TABLE records SET (fillfactor = 80);
