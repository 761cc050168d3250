#!/usr/bin/env bash
# Retention of the data-flow log (#17): one day of LINES lines leaving the log, as the hourly
# DELETE did before V18 (a plain table with the old indexes) and as a dropped day partition does
# now, in the same run, on a database of its own (dropped at the end). Reports the time of each
# and the WAL it wrote.
#   bench/retention.sh [LINES]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LINES="${1:-500000}"
ensure_pg
scratch_db syncline_retention
# before V18: one table, its primary key and the indexes of V5 and V8
q -c "CREATE TABLE plain (LIKE flow_log INCLUDING DEFAULTS, PRIMARY KEY (id))" \
  -c "CREATE INDEX plain_record ON plain (provider_config_key, connection_id, model, record_id, id)" \
  -c "CREATE INDEX plain_at ON plain (at)" \
  -c "CREATE INDEX plain_remote ON plain (provider_config_key, connection_id, remote_id, id)"
# now: two days of their own, well after the partition of everything before the migration
day1="$(date -u -d '+5 days' +%F)" day2="$(date -u -d '+6 days' +%F)" day3="$(date -u -d '+7 days' +%F)"
q -c "CREATE TABLE flow_log_day_${day1//-/} PARTITION OF flow_log FOR VALUES FROM ('$day1 00:00+00') TO ('$day2 00:00+00')" \
  -c "CREATE TABLE flow_log_day_${day2//-/} PARTITION OF flow_log FOR VALUES FROM ('$day2 00:00+00') TO ('$day3 00:00+00')"
fill="SELECT nextval('flow_log_id'), g, TIMESTAMPTZ '%s 00:00+00' + g * INTERVAL '86399 seconds' / $LINES, 'contacts-out',
  'crm', 'acme', 'Contact', 'rec-' || (g %% 50000), 'remote-' || (g %% 50000), 'PATCH https://crm.test/contacts',
  '[\"email\",\"name\"]', md5(g::text) || md5(g::text), 'sent', 200, 1, NULL FROM generate_series(1, $LINES) g"
for t in plain flow_log; do
  for d in "$day1" "$day2"; do q -c "INSERT INTO $t $(printf "$fill" "$d")"; done
done
q -c "CHECKPOINT"
timed() {  # timed SQL: prints ms and WAL MiB of one statement
  local lsn0 t0 t1 lsn1
  lsn0="$(q -c "SELECT pg_current_wal_insert_lsn()")"; t0="$(now_ms)"
  q -c "$1"
  t1="$(now_ms)"; lsn1="$(q -c "SELECT pg_current_wal_insert_lsn()")"
  echo "ms=$(( t1 - t0 )) wal_mib=$(q -c "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / 1048576.0, 1)")"
}
echo "RESULT how=delete lines=$LINES $(timed "DELETE FROM plain WHERE at < '$day2 00:00+00'") left=$(q -c "SELECT COUNT(*) FROM plain")"
echo "RESULT how=drop-day lines=$LINES $(timed "DROP TABLE flow_log_day_${day1//-/}") left=$(q -c "SELECT COUNT(*) FROM flow_log")"
