#!/usr/bin/env bash
# The hostile-input fuzz pass: starts the demo (H2, 127.0.0.1), sends COUNT (10,000) hostile
# requests over every endpoint family (bench/java/Fuzz.java), bounded by SECONDS (300), and then
# checks that no answer was a 5xx, that the demo's syncs group is still UP, and that the demo is
# still syncing (its changes feed keeps moving).
#   bench/fuzz.sh [COUNT] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
COUNT="${1:-10000}"
SECONDS_MAX="${2:-300}"
build_syncline
data="$BENCH_TMP/fuzz-data"
rm -rf "$data"; mkdir -p "$data"
trap 'stop_pidfile fuzz-demo >/dev/null 2>&1 || true' EXIT
start_bg fuzz-demo env QUARKUS_PROFILE=demo QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$SYNCLINE_PORT" \
  SYNCLINE_DATA_DIR="$data" SYNCLINE_API_KEY="$BENCH_KEY" SYNCLINE_LIMITS_REQUESTS_PER_IP=0 \
  SYNCLINE_DEMO_TARGET_URL="$SYNCLINE_URL" java -jar "$REPO/target/quarkus-app/quarkus-run.jar" >/dev/null
end=$(( $(date +%s) + 120 ))
until curl -sf -o /dev/null --max-time 2 "$SYNCLINE_URL/q/health/ready"; do
  (( $(date +%s) < end )) || { tail -50 "$BENCH_TMP/fuzz-demo.out"; die "the demo did not become ready"; }
  sleep 0.5
done
feed() {
  curl -s --max-time 10 "$SYNCLINE_URL/records?model=Contact&limit=10000" -H "Authorization: Bearer $BENCH_KEY" \
    -H 'Connection-Id: demo' -H 'Provider-Config-Key: demo-crm' | grep -o '"last_modified_at":"[^"]*"' | sort | tail -1
}
# a webhook-only connection whose signing secret the fuzzer knows, so signed bodies get past the signature
curl -sf -o /dev/null -X POST "$SYNCLINE_URL/api/connections" -H "Authorization: Bearer $BENCH_KEY" \
  -H 'Content-Type: application/json' -d '{"provider_config_key":"demo-crm","connection_id":"fuzz",
  "credentials":{"webhook_secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}' || die "could not create the fuzz connection"
log "fuzzing $SYNCLINE_URL with $COUNT requests, at most ${SECONDS_MAX}s"
status=0
java "$BENCH_ROOT/java/Fuzz.java" "$SYNCLINE_URL" "$BENCH_KEY" "$COUNT" "$SECONDS_MAX" || status=1
syncs="$(curl -s -o /dev/null -w '%{http_code}' "$SYNCLINE_URL/q/health/group/syncs")"
seen="$(feed)"
end=$(( $(date +%s) + 90 ))
until [[ "$(feed)" != "$seen" ]]; do
  (( $(date +%s) < end )) || { log "the demo stopped syncing after the fuzz pass"; status=1; break; }
  sleep 2
done
log "after the pass: syncs group $syncs; newest change in the feed went from $seen to $(feed)"
[[ "$syncs" == 200 ]] || { log "the syncs health group is not UP"; status=1; }
exit $status
