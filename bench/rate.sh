#!/usr/bin/env bash
# Scenario 5, rate adherence: a connection limited to LIMIT requests per second writes for
# DURATION seconds to a sink that answers 429 to any request beyond LIMIT in a sliding second
# (bench/sink/limited.js); then the sink answers one request with 429 and Retry-After: 2.
#   bench/rate.sh [LIMIT] [DURATION_SECONDS]
# Reports achieved ÷ configured rate, the requests beyond the limit (target 0), the busiest
# sliding second the sink saw, and the measured pause after Retry-After: 2 (target 2000 ms ±10 %).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LIMIT="${1:-100}" SECS="${2:-60}"
ensure_pg; ensure_tools; build_syncline
SINK="http://127.0.0.1:19902"
trap 'stop_pidfile syncline-rate; stop_pidfile limited-sink' EXIT
! curl -s -o /dev/null --max-time 1 "$SINK/stats" || die "something already answers on $SINK"
start_bg limited-sink node "$BENCH_ROOT/sink/limited.js" 19902 "$LIMIT" >/dev/null
wait_http "$SINK/stats" 10 || die "the limited sink did not come up"

routes="$BENCH_TMP/routes-rate"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-writer.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m}" start_syncline syncline-rate pg "$routes"
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"sinkrate","connection_id":"bench",
  "base_url":"'"$SINK"'","metadata":{"rate_requests":'"$LIMIT"',"rate_per_seconds":1,"max_in_flight":8}}' >/dev/null
await_owned 1
queue_writes contacts-rate sinkrate $(( LIMIT * (SECS + 30) ))
curl -sf -X POST "$SINK/reset" >/dev/null
t0="$(now_ms)"; release_writes
sleep "$SECS"
stats="$(curl -sf "$SINK/stats")"
t1="$(now_ms)"
# the pause: the next request is answered 429 with Retry-After: 2
curl -sf -X POST "$SINK/config" -d '{"retry_after_once":2}' >/dev/null
end=$(( $(date +%s) + 40 ))
until [[ "$(curl -sf "$SINK/stats" | sed -n 's/.*"pause_ms":\(-\{0,1\}[0-9]*\).*/\1/p')" != "-1" ]]; do
  (( $(date +%s) < end )) || die "no request came after the Retry-After"
  sleep 0.2
done
pause="$(curl -sf "$SINK/stats" | sed -n 's/.*"pause_ms":\([0-9]*\).*/\1/p')"
node -e '
  const s = JSON.parse(process.argv[1]); const [limit, t0, t1, pause] = process.argv.slice(2).map(Number);
  const secs = (t1 - t0) / 1000, achieved = s.ok / secs;
  console.log(`RESULT limit=${limit} seconds=${secs.toFixed(1)} sent_ok=${s.ok} achieved_per_s=${achieved.toFixed(1)} ` +
    `ratio=${(achieved / limit).toFixed(3)} beyond_limit=${s.beyond} busiest_second=${s.window_max} ` +
    `retry_after_ms=2000 measured_pause_ms=${pause} pause_error=${((pause - 2000) / 20).toFixed(1)}%`);' \
  "$stats" "$LIMIT" "$t0" "$t1" "$pause"
