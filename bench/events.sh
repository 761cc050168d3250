#!/usr/bin/env bash
# Events accepted per second with durable storage: POST /events/contact.out (API key, unique
# Idempotency-Key, the shared scenario's contact as the body); each event is mapped and queued
# as a write in the transaction that takes its key, and the writer delivers it to the shared
# sink meanwhile. The limit, in the same invocation: single-row INSERT ... ON CONFLICT DO NOTHING
# through JDBC with the same concurrency (as for durable ingest).
#   bench/events.sh [DB] [DURATION] [CONNECTIONS]      DB = pg (default) | h2
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DB="${1:-pg}" DURATION="${2:-20s}" CONNS="${3:-32}"
ensure_pg; ensure_tools; build_syncline
secs="${DURATION%s}"
trap 'stop_pidfile syncline-events; stop_sink_if_ours' EXIT
ensure_sink
raw="$(raw_insert_limit "$DB" "$secs" "$CONNS")"
raw_rps="$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$raw")"
log "limit ($DB): $raw"
routes="$BENCH_TMP/routes-events"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-relay.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-events "$DB" "$routes"
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"sink","connection_id":"bench",
  "base_url":"'"$SINK_URL"'","metadata":{"rate_requests":1000000,"rate_per_seconds":1,"max_in_flight":32}}' >/dev/null
url="$SYNCLINE_URL/events/contact.out"
BENCH_KEY="$BENCH_KEY" warm_up "$url" "$BENCH_ROOT/events.lua" "$CONNS"
out="$(BENCH_KEY="$BENCH_KEY" BENCH_RUN_ID="r$(date +%s%N)" timeout $(( secs + 30 )) wrk -t2 -c"$CONNS" -d"${secs}s" \
  --timeout 10s --latency -s "$BENCH_ROOT/events.lua" "$url" 2>&1)"
json="$(grep '^BENCH_JSON' <<<"$out" | sed 's/^BENCH_JSON //')"
node -e '
  const j = JSON.parse(process.argv[1]), raw = +process.argv[2];
  const ok = j.requests - j.non2xx;
  console.log(`RESULT db=${process.argv[3]} events_per_s=${Math.round(ok / j.duration_s)} p50_ms=${j.p50_ms} ` +
    `p99_ms=${j.p99_ms} non2xx=${j.non2xx} errors=${j.errors} limit_inserts_per_s=${raw} ` +
    `ratio=${(ok / j.duration_s / raw).toFixed(2)}`);' "$json" "$raw_rps" "$DB"
