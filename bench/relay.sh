#!/usr/bin/env bash
# Scenario 1, relay: the shared scenario (../shared/bench, unchanged: its wrk script and its sink)
# posted to a webhook sync that stores each webhook with dedupe and, in the same transaction,
# queues the mapped record as a write to the sink; the writer delivers asynchronously.
#   bench/relay.sh [DB] [DURATION] [CONNECTIONS]      DB = pg (default) | h2
# Reports webhooks accepted/s (2xx only after the commit), deliveries/s at the sink (from the
# first post to the last delivery), lost (accepted, never delivered) and duplicates, the time
# from a webhook's commit to its delivery (p50/p99, from the write queue and the flow log), and
# beside them the limit: wrk straight at the sink with the same settings, in the same invocation,
# and the peer: Node-RED (../shared/bench/peers/nodered, installed from npm on first use) relaying
# the same webhook to the same sink with the same wrk settings, right after Syncline's run.
# PEER=none skips the peer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DB="${1:-pg}" DURATION="${2:-20s}" CONNS="${3:-32}"
ensure_pg; ensure_tools; build_syncline
secs="${DURATION%s}"

PEER="${PEER:-nodered}" PEERS="$SHARED_BENCH/peers/nodered"
trap 'stop_pidfile syncline-relay; [[ "$PEER" == none ]] || "$PEERS/stop.sh" >/dev/null 2>&1 || true; stop_sink_if_ours' EXIT
ensure_sink

# the limit: the sink alone, same wrk settings
limit="$("$SHARED_BENCH/limit/run.sh" "$DURATION" "$CONNS" 2>/dev/null | grep '^RESULT' || true)"
limit_rps="$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$limit" | cut -d. -f1)"
log "limit (sink alone): ${limit_rps} req/s"

routes="$BENCH_TMP/routes-relay"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-relay.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-relay "$DB" "$routes" \
  SYNCLINE_WRITER_THREADS="${WRITER_THREADS:-32}"
pid="$(syncline_pid syncline-relay)"
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"bench","connection_id":"bench"}' >/dev/null
# the sink's budget: no practical rate limit, 32 requests in flight
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"sink","connection_id":"bench",
  "base_url":"'"$SINK_URL"'","metadata":{"rate_requests":1000000,"rate_per_seconds":1,"max_in_flight":32}}' >/dev/null
url="$SYNCLINE_URL/webhooks/bench/relay/bench"
[[ "$(post_hook "$url" "warm-$RANDOM")" == 200 ]] || die "the relay sync does not answer 200"
warm_up "$url" "$SHARED_BENCH/load/scenario.lua" "$CONNS"
settle() { # waits (at most 120 s) until the sink stops counting
  local prev=-1 stable=0 cur
  for _ in $(seq 1 1200); do
    cur="$(curl -sf --max-time 2 "$SINK_URL/stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')"
    if [[ "$cur" == "$prev" ]]; then stable=$((stable + 1)); (( stable >= 20 )) && return 0; else stable=0; LAST_MS="$(now_ms)"; fi
    prev="$cur"; sleep 0.1
  done
}
settle
curl -sf -X POST "$SINK_URL/reset" >/dev/null
t0="$(now_ms)"; LAST_MS="$t0"
out="$(BENCH_RUN_ID="r$(date +%s%N)" timeout $(( secs + 30 )) wrk -t2 -c"$CONNS" -d"${secs}s" --timeout 10s --latency \
  -s "$SHARED_BENCH/load/scenario.lua" "$url" 2>&1)"
t_wrk="$(now_ms)"
rss="$(kb_to_mib "$(proc_kb "$pid" VmRSS)")"
settle
stats="$(curl -sf "$SINK_URL/stats")"
json="$(grep '^BENCH_JSON' <<<"$out" | sed 's/^BENCH_JSON //')"
lat="-"
if [[ "$DB" == pg ]]; then
  lat="$(bpsql -Atc "
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::int || '/' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))::int
      FROM (SELECT EXTRACT(EPOCH FROM (f.at - w.created_at)) * 1000 AS ms
              FROM syncline_bench.flow_log f JOIN syncline_bench.writes w ON w.id = f.write_id
             WHERE f.result = 'sent' AND f.at >= to_timestamp($t0 / 1000.0)) x")"
fi
# the peer, after Syncline has stopped (both would share the 2 cores otherwise)
stop_pidfile syncline-relay
peer_rps="-" peer_lost="-"
if [[ "$PEER" == nodered ]] && "$PEERS/install.sh" >&2 && "$PEERS/start.sh" >&2; then
  peer_url="http://127.0.0.1:${NODERED_PORT:-19901}/hook"
  wait_first_success "$peer_url" 60 || die "Node-RED did not answer 200 on $peer_url"
  warm_up "$peer_url" "$SHARED_BENCH/load/scenario.lua" "$CONNS"
  curl -sf -X POST "$SINK_URL/reset" >/dev/null
  peer_out="$(BENCH_RUN_ID="p$(date +%s%N)" timeout $(( secs + 30 )) wrk -t2 -c"$CONNS" -d"${secs}s" --timeout 10s \
    -s "$SHARED_BENCH/load/scenario.lua" "$peer_url" 2>&1)"
  peer_json="$(grep '^BENCH_JSON' <<<"$peer_out" | sed 's/^BENCH_JSON //')"
  peer_stats="$(curl -sf "$SINK_URL/stats")"
  read -r peer_rps peer_lost < <(node -e '
    const [j, s] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
    const ok = j.requests - j.non2xx;
    console.log(Math.round(ok / j.duration_s), Math.max(0, ok - s.distinct));' "$peer_json" "$peer_stats")
  "$PEERS/stop.sh" >/dev/null 2>&1 || true
else
  [[ "$PEER" == none ]] || log "Node-RED could not be installed or started; the peer column stays empty"
fi
node -e '
  const [j, s] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
  const [t0, tWrk, tLast, limit] = process.argv.slice(3, 7).map(Number);
  const ok = j.requests - j.non2xx;
  const deliveredPerS = s.requests / ((Math.max(tLast, tWrk) - t0) / 1000);
  const [p50, p99] = (process.argv[9] || "-/-").split("/");
  console.log(`RESULT db=${process.argv[7]} accepted_per_s=${Math.round(ok / j.duration_s)} post_p50_ms=${j.p50_ms} ` +
    `post_p99_ms=${j.p99_ms} delivered_per_s=${Math.round(deliveredPerS)} limit_sink_per_s=${limit} ` +
    `ratio=${(deliveredPerS / limit).toFixed(3)} accepted_ratio=${(ok / j.duration_s / limit).toFixed(3)} ` +
    `deliver_p50_ms=${p50} deliver_p99_ms=${p99} accepted=${ok} delivered=${s.distinct} ` +
    `lost=${Math.max(0, ok - s.distinct)} duplicates=${s.requests - s.distinct} non2xx=${j.non2xx} rss_mib=${process.argv[8]} ` +
    `nodered_accepted_per_s=${process.argv[10]} nodered_lost=${process.argv[11]} ` +
    `vs_nodered=${isNaN(+process.argv[10]) ? "-" : (ok / j.duration_s / +process.argv[10]).toFixed(2)}`);' \
  "$json" "$stats" "$t0" "$t_wrk" "$LAST_MS" "$limit_rps" "$DB" "$rss" "$lat" "$peer_rps" "$peer_lost"
