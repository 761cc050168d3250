#!/usr/bin/env bash
# Plans that do not depend on statistics (#17): the identity lookup by remote id, a batch of
# 500 identities by local id, a poll page's lookup of 1,000 record keys, and a page of the changes
# feed filtered to deletes, each timed with the statements and indexes the service had before (IN
# lists; V5; the planner's own choice of order) and with today's (one probe per key; V12; pages in
# index order), in the same run, on a database of its own (dropped at the end).
#   bench/plans.sh [IDENTITIES] [RECORDS]
# The schema is the service's own migrations applied with psql. The identities are loaded with no
# statistics at all; the records with the statistics of a bulk load taken before half of them
# were deleted, which is what a store looks like after a mass delete: a reader then asks the feed
# for the deletes. Reports the median of five EXPLAIN ANALYZE execution times, before and after.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
IDENTITIES="${1:-50000}" RECORDS="${2:-200000}"
ensure_pg
scratch_db syncline_plans
q -c "ALTER TABLE identity_map SET (autovacuum_enabled = false)" -c "ALTER TABLE records SET (autovacuum_enabled = false)"
q -c "INSERT INTO identity_map (provider_config_key, connection_id, model, local_id, remote_id, match_value, updated_at)
      SELECT 'crm', 'acme', 'Contact', 'local-' || g, 'remote-' || g, 'm' || g, now() FROM generate_series(1, $IDENTITIES) g"
q -c "INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload, content_hash,
                           first_seen_at, last_modified_at, last_action)
      SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, repeat('x', 300), md5(g::text), now(), now(), 'added'
        FROM generate_series(1, $RECORDS) g"

identity="SELECT local_id, remote_id, match_value, agreed, last_sent_hash FROM identity_map WHERE provider_config_key = 'crm'
          AND connection_id = 'acme' AND model = 'Contact' AND remote_id = 'remote-$((IDENTITIES / 2))' ORDER BY local_id LIMIT 1 FOR UPDATE"
feed_page="SELECT payload, feed_position, feed_xid::text AS transaction_id FROM records WHERE stream = 'crm/acme/Contact'
  AND (feed_xid, feed_position) > ('0'::xid8, 0) AND feed_xid < pg_snapshot_xmin(pg_current_snapshot())
  AND last_action IN ('DELETED') ORDER BY feed_xid, feed_position LIMIT 101"
ids="$(seq 1 500 | awk -v n="$IDENTITIES" '{ printf "%slocal-%d", (NR > 1 ? "," : ""), ($1 * 97) % n + 1 }')"
keys="$(seq 1 1000 | awk -v n="$RECORDS" '{ printf "%se%d", (NR > 1 ? "," : ""), n - $1 + 1 }')"
in_list() { sed "s/\([^,]*\)/'\1'/g" <<<"$1"; }
batch_after="SELECT i.local_id FROM unnest('{$ids}'::varchar[]) AS k(local_id) CROSS JOIN LATERAL (SELECT local_id, agreed
  FROM identity_map WHERE provider_config_key = 'crm' AND connection_id = 'acme' AND model = 'Contact' AND local_id = k.local_id LIMIT 1) i"
batch_before="SELECT local_id, agreed FROM identity_map WHERE provider_config_key = 'crm' AND connection_id = 'acme' AND model = 'Contact'
  AND local_id IN ($(in_list "$ids"))"
page_after="SELECT r.external_id FROM unnest('{$keys}'::varchar[]) AS k(external_id) CROSS JOIN LATERAL (SELECT external_id, content_hash,
  deleted_at FROM records WHERE stream = 'crm/acme/Contact' AND external_id = k.external_id LIMIT 1 FOR UPDATE) r"
page_before="SELECT external_id, content_hash, deleted_at FROM records WHERE stream = 'crm/acme/Contact' AND external_id IN ($(in_list "$keys")) FOR UPDATE"
timed() { # median execution ms of five runs
  for _ in 1 2 3 4 5; do
    q -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p'
  done | median
}
# no statistics yet: the page lookups both ways, then the statistics of the store before a mass delete
page_ms_after="$(timed "$page_after")" page_ms_before="$(timed "$page_before")"
q -c "ANALYZE records" -c "UPDATE records SET last_action = 'DELETED', deleted_at = now() WHERE id % 2 = 0" -c "VACUUM records"
after_identity="$(timed "$identity")" after_batch="$(timed "$batch_after")"
after_feed="$(for _ in 1 2 3 4 5; do q -c "SET enable_sort = off" -c "EXPLAIN (ANALYZE, FORMAT JSON) $feed_page" \
  | sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p'; done | median)"
q -c "DROP INDEX identity_remote" -c "CREATE INDEX identity_remote ON identity_map (provider_config_key, connection_id, model, remote_id)" \
  -c "DROP INDEX identity_match" -c "CREATE INDEX identity_match ON identity_map (provider_config_key, connection_id, model, match_value)"
before_identity="$(timed "$identity")" before_batch="$(timed "$batch_before")" before_feed="$(timed "$feed_page")"
echo "RESULT identities=$IDENTITIES identity_lookup_ms_before=$before_identity identity_lookup_ms_after=$after_identity" \
  "identity_batch500_ms_before=$before_batch identity_batch500_ms_after=$after_batch" \
  "records=$RECORDS page1000_ms_before=$page_ms_before page1000_ms_after=$page_ms_after" \
  "feed_deletes_page_ms_before=$before_feed feed_deletes_page_ms_after=$after_feed"
