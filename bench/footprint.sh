#!/usr/bin/env bash
# Scenario 7, footprint: time from launch to ready, and RSS when idle, of Syncline as the
# quickstart runs it (embedded H2, the ingest sync declared). REPEAT starts (default 5), each a
# fresh process on a fresh data directory. RSS under load is scenario 1's, in bench/relay.sh.
#   bench/footprint.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_tools; build_syncline
routes="$BENCH_TMP/routes-footprint"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-ingest.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"
trap 'stop_pidfile syncline-footprint' EXIT
for _ in $(seq 1 "${REPEAT:-5}"); do
  JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-footprint h2 "$routes"
  pid="$(syncline_pid syncline-footprint)"
  sleep 3   # let start-up work (first migrations, the JIT's first compilations) settle
  echo "RESULT ready_ms=$READY_MS idle_rss_mib=$(kb_to_mib "$(proc_kb "$pid" VmRSS)")"
  stop_pidfile syncline-footprint
done
