#!/usr/bin/env bash
# Idle cost: PostgreSQL's CPU while Syncline runs on a store of RECORDS records and nothing
# happens (no webhook, no poll, no write).
#   bench/idle.sh [RECORDS] [SECONDS]          defaults: 1000000 records, 30 s per reading
# Syncline starts on a fresh bench schema; the records go in with one INSERT … SELECT, already
# placed in the changes feed, as a store looks after its traffic has passed. After a settle,
# the CPU time of every PostgreSQL process (utime + stime from /proc) over SECONDS gives the
# cores PostgreSQL keeps busy for an idle Syncline. The limit, in the same run: the same reading
# with Syncline stopped. REPEAT readings of each (default 1).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${1:-1000000}" SECS="${2:-30}"
ensure_pg; ensure_tools; build_syncline
routes="$BENCH_TMP/routes-idle"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-ingest.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
trap 'stop_pidfile syncline-idle' EXIT

# CPU ticks of all PostgreSQL server processes (clock ticks, 100 per second here)
pg_ticks() {
  local t=0 pid
  for pid in $(pgrep -u postgres -f 'postgres'); do
    t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$t"
}
# pg_cores SECONDS: cores PostgreSQL used over the next SECONDS (processes that end in between
# take their ticks with them, so short-lived backends count too little, never too much)
pg_cores() {
  local hz a b
  hz="$(getconf CLK_TCK)"; a="$(pg_ticks)"; sleep "$1"; b="$(pg_ticks)"
  node -e 'console.log(((+process.argv[2] - +process.argv[1]) / +process.argv[3] / +process.argv[4]).toFixed(4))' \
    "$a" "$b" "$hz" "$1"
}

JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-idle pg "$routes"
log "loading $N records"
bpsql -qc "
  INSERT INTO syncline_bench.records (provider_config_key, connection_id, model, external_id, payload, content_hash,
      first_seen_at, last_modified_at, last_action, feed_position, stream)
  SELECT 'bench', 'idle', 'Contact', 'r' || i, '{\"email\":\"r' || i || '@x.io\"}', md5(i::text) || md5(i::text),
         now(), now(), 'ADDED', nextval('syncline_bench.feed_position'), 'bench' || chr(31) || 'idle' || chr(31) || 'Contact'
    FROM generate_series(1, $N) i"
bpsql -qc "VACUUM syncline_bench.records"
sleep 10   # settle: whatever the load woke up (the sequencer's probes, the JIT) goes quiet
for rep in $(seq 1 "${REPEAT:-1}"); do
  with="$(pg_cores "$SECS")"
  stop_pidfile syncline-idle
  without="$(pg_cores "$SECS")"
  echo "RESULT records=$N seconds=$SECS pg_cores_syncline_idle=$with pg_cores_without_syncline=$without"
  if (( rep < ${REPEAT:-1} )); then
    JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-idle pg "$routes" QUARKUS_FLYWAY_PG_CLEAN_AT_START=false
    sleep 10
  fi
done
