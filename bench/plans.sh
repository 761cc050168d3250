#!/usr/bin/env bash
# Plans that do not depend on statistics (#17): the identity lookup by remote id and the feed
# sequencer's idle probe, each timed with the indexes the service had before (V5, V1) and with
# today's (V12, V12_1), in the same run, on a database of its own (dropped at the end).
#   bench/plans.sh [IDENTITIES] [RECORDS]
# The schema is the service's own migrations applied with psql. The identities are loaded with no
# statistics at all; the records with the statistics of a bulk load taken before the sequencer
# placed it (ANALYZE while unplaced, then placed), which is what a store looks like after a large
# first sync. Reports the median of five EXPLAIN ANALYZE execution times, before and after.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
IDENTITIES="${1:-50000}" RECORDS="${2:-200000}"
ensure_pg
db="syncline_plans_$$"
q() { psql -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }
trap 'psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $db" >/dev/null
for f in $(ls "$REPO"/src/main/resources/db/migration/V*.sql | sort -V) "$REPO"/src/main/resources/db/postgresql/V*.sql; do
  q -f "$f" >/dev/null
done
q -c "ALTER TABLE identity_map SET (autovacuum_enabled = false)" -c "ALTER TABLE records SET (autovacuum_enabled = false)"
q -c "INSERT INTO identity_map (provider_config_key, connection_id, model, local_id, remote_id, match_value, updated_at)
      SELECT 'crm', 'acme', 'Contact', 'local-' || g, 'remote-' || g, 'm' || g, now() FROM generate_series(1, $IDENTITIES) g"
q -c "INSERT INTO records (provider_config_key, connection_id, model, stream, external_id, payload, content_hash,
                           first_seen_at, last_modified_at, last_action)
      SELECT 'crm', 'acme', 'Contact', 'crm/acme/Contact', 'e' || g, repeat('x', 300), md5(g::text), now(), now(), 'added'
        FROM generate_series(1, $RECORDS) g" -c "ANALYZE records" -c "UPDATE records SET feed_position = id" -c "VACUUM records"

identity="SELECT local_id, remote_id, match_value, agreed, last_sent_hash FROM identity_map WHERE provider_config_key = 'crm'
          AND connection_id = 'acme' AND model = 'Contact' AND remote_id = 'remote-$((IDENTITIES / 2))' ORDER BY local_id LIMIT 1 FOR UPDATE"
probe="SELECT id FROM records WHERE feed_position IS NULL ORDER BY id LIMIT 5000"
timed() { # median execution ms of five runs
  for _ in 1 2 3 4 5; do
    q -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p'
  done | median
}
after_identity="$(timed "$identity")" after_probe="$(timed "$probe")"
q -c "DROP INDEX identity_remote" -c "CREATE INDEX identity_remote ON identity_map (provider_config_key, connection_id, model, remote_id)" \
  -c "DROP INDEX records_unplaced" -c "CREATE INDEX records_unplaced ON records (feed_position, id)"
before_identity="$(timed "$identity")" before_probe="$(timed "$probe")"
echo "RESULT identities=$IDENTITIES identity_lookup_ms_before=$before_identity identity_lookup_ms_after=$after_identity" \
  "records=$RECORDS idle_probe_ms_before=$before_probe idle_probe_ms_after=$after_probe"
