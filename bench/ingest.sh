#!/usr/bin/env bash
# Scenario 2, durable ingest: the shared relay scenario's webhook (../shared/bench/load/scenario.lua,
# unchanged) posted to a webhook sync that stores with dedupe and delivers nothing.
#   bench/ingest.sh DB [DURATION] [CONNECTIONS]      DB = h2 | pg;  REPEAT=5 for five runs
# The limit, in the same invocation: single-row INSERT ... ON CONFLICT DO NOTHING through JDBC
# with the same concurrency (one connection per wrk connection, as Syncline's pool allows).
# With REPEAT, one Syncline takes every run, and the limit is measured again before each.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DB="${1:-pg}" DURATION="${2:-20s}" CONNS="${3:-32}"
ensure_pg; ensure_tools; build_syncline
secs="${DURATION%s}"

routes="$BENCH_TMP/routes-ingest"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-ingest.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
trap 'stop_pidfile syncline-ingest' EXIT
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-ingest "$DB" "$routes"
pid="$(syncline_pid syncline-ingest)"
sleep 5   # settle before reading the idle footprint (scenario 7)
idle_rss="$(kb_to_mib "$(proc_kb "$pid" VmRSS)")"
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"bench","connection_id":"bench"}' >/dev/null
url="$SYNCLINE_URL/webhooks/bench/contacts/bench"
[[ "$(post_hook "$url" "warm-$RANDOM")" == 200 ]] || die "the bench sync does not answer 200"
# warm up the JIT and the pool, then measure, REPEAT times, each beside a fresh limit
warm_up "$url" "$SHARED_BENCH/load/scenario.lua" "$CONNS"
for rep in $(seq 1 "${REPEAT:-1}"); do
  raw="$(raw_insert_limit "$DB" "$secs" "$CONNS")"
  raw_rps="$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' <<<"$raw")"
  log "limit ($DB), run $rep: $raw"
  out="$(BENCH_RUN_ID="r$(date +%s%N)" timeout $(( secs + 30 )) wrk -t2 -c"$CONNS" -d"${secs}s" --timeout 10s --latency \
    -s "$SHARED_BENCH/load/scenario.lua" "$url" 2>&1)"
  json="$(grep '^BENCH_JSON' <<<"$out" | sed 's/^BENCH_JSON //')"
  rss="$(kb_to_mib "$(proc_kb "$pid" VmRSS)")"
  stored="-"
  if [[ "$DB" == pg ]]; then
    stored="$(bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.records WHERE stream LIKE 'bench%'")"
  fi
  node -e '
    const j = JSON.parse(process.argv[1]), raw = +process.argv[2];
    const ok = j.requests - j.non2xx;
    console.log(`RESULT db=${process.argv[3]} accepted_per_s=${Math.round(ok / j.duration_s)} p50_ms=${j.p50_ms} ` +
      `p99_ms=${j.p99_ms} non2xx=${j.non2xx} errors=${j.connect_err + j.read_err + j.write_err + j.timeouts} ` +
      `limit_inserts_per_s=${raw} ratio=${(ok / j.duration_s / raw).toFixed(2)} rss_mib=${process.argv[4]} ` +
      `stored_records=${process.argv[5]} accepted_total=${ok} ready_ms=${process.argv[6]} idle_rss_mib=${process.argv[7]}`);' \
    "$json" "$raw_rps" "$DB" "$rss" "$stored" "$READY_MS" "$idle_rss"
done
