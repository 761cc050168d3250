#!/usr/bin/env bash
# Scenario 4, the writer: N writes queued at once (straight into the queue table), delivered to
# the shared sink with no rate limit, one record per request, then the same again unchanged (each
# skipped without a request), then in batches of 100.
#   bench/writer.sh [N] [DURATION_OF_LIMIT_RUN]
# writes/s = N ÷ the time from their release to the last one settled. The limit, in the same
# invocation: wrk straight at the sink (../shared/bench/limit/run.sh), 32 connections.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${1:-100000}" LIMIT_DURATION="${2:-20s}"
ensure_pg; ensure_tools; build_syncline
trap 'stop_pidfile syncline-writer; stop_sink_if_ours' EXIT
ensure_sink
limit="$("$SHARED_BENCH/limit/run.sh" "$LIMIT_DURATION" 32 2>/dev/null | grep '^RESULT' || true)"
limit_rps="$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$limit" | cut -d. -f1)"
log "limit (sink alone): ${limit_rps} req/s"

routes="$BENCH_TMP/routes-writer"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-writer.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-writer pg "$routes" SYNCLINE_WRITER_THREADS="${WRITER_THREADS:-32}"
pid="$(syncline_pid syncline-writer)"
for integration in sink sinkbatch; do
  api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"'$integration'","connection_id":"bench",
    "base_url":"'"$SINK_URL"'","metadata":{"rate_requests":1000000,"rate_per_seconds":1,"max_in_flight":32}}' >/dev/null
done
await_owned 2
# unchanged: the single run's writes queued again with the same content, which the destination
# already holds, so each is skipped without a request
for mode in single unchanged batch; do
  if [[ "$mode" == batch ]]; then sync=contacts-batch integration=sinkbatch; else sync=contacts-out integration=sink; fi
  if [[ "$mode" == unchanged ]]; then bpsql -qc "TRUNCATE syncline_bench.writes, syncline_bench.flow_log"
  else bpsql -qc "TRUNCATE syncline_bench.writes, syncline_bench.flow_log, syncline_bench.identity_map"; fi
  queue_writes "$sync" "$integration" "$N"
  bpsql -qc "ANALYZE syncline_bench.writes"
  curl -sf -X POST "$SINK_URL/reset" >/dev/null
  t0="$(now_ms)"; release_writes
  end=$(( $(date +%s) + 900 ))
  while (( $(pending_writes) > 0 )); do
    (( $(date +%s) < end )) || die "writes still pending after 15 minutes"
    sleep 0.2
  done
  t1="$(now_ms)"
  rss="$(kb_to_mib "$(proc_kb "$pid" VmRSS)")"
  stats="$(curl -sf "$SINK_URL/stats")"
  counts="$(bpsql -Atc "SELECT status || ':' || COUNT(*) FROM syncline_bench.writes GROUP BY status ORDER BY 1" | tr '\n' ' ')"
  node -e '
    const s = JSON.parse(process.argv[1]); const [n, t0, t1, limit] = process.argv.slice(2, 6).map(Number);
    const wps = n / ((t1 - t0) / 1000);
    console.log(`RESULT mode=${process.argv[6]} writes=${n} writes_per_s=${Math.round(wps)} seconds=${((t1 - t0) / 1000).toFixed(1)} ` +
      `sink_requests=${s.requests} limit_sink_per_s=${limit} ratio=${(wps / limit).toFixed(3)} rss_mib=${process.argv[7]} ` +
      `settled=${process.argv[8].trim().replace(/ /g, ",")}`);' "$stats" "$N" "$t0" "$t1" "$limit_rps" "$mode" "$rss" "$counts"
done
