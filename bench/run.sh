#!/usr/bin/env bash
# Runs every benchmark scenario, RUNS times each (the writer, rate and SQL scenarios fewer: they
# take minutes a run), and writes the medians (with min–max) into BENCHMARKS.md between the
# results markers. About 30 minutes on 2 cores.
#   bench/run.sh            (RUNS=5; QUICK=1 for a smoke pass with tiny sizes, as CI may run)
# Needs PostgreSQL on 127.0.0.1:5432 (started if down), node, and wrk (installed if missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-5}"
ensure_pg; ensure_tools; build_syncline
export SKIP_BUILD=1
out="$BENCH_TMP/results-$(date +%Y%m%d-%H%M%S).txt"
: > "$out"

if [[ -n "${QUICK:-}" ]]; then
  REPEAT=2 bash "$BENCH_ROOT/ingest.sh" h2 2s 4 | grep '^RESULT' | tee -a "$out"
  REPEAT=2 FEED=1 bash "$BENCH_ROOT/fullrefresh.sh" 2000 100 | grep '^RESULT' | tee -a "$out"
  REPEAT=1 bash "$BENCH_ROOT/footprint.sh" | grep '^RESULT' | tee -a "$out"
  bash "$BENCH_ROOT/relay.sh" pg 2s 4 | grep '^RESULT' | tee -a "$out"
  bash "$BENCH_ROOT/writer.sh" 500 2s | grep '^RESULT' | tee -a "$out"
  bash "$BENCH_ROOT/rate.sh" 20 5 | grep '^RESULT' | tee -a "$out"
  bash "$BENCH_ROOT/sqlsource.sh" 2000 | grep '^RESULT' | tee -a "$out"
  exit 0
fi

# the outbound scenarios (run alone with ONLY=outbound)
for i in $(seq 1 "$RUNS"); do
  log "relay, run $i of $RUNS"
  bash "$BENCH_ROOT/relay.sh" pg 8s 32 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=relay /" | tee -a "$out"
  log "events, run $i of $RUNS"
  bash "$BENCH_ROOT/events.sh" pg 8s 32 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=events /" | tee -a "$out"
done
for i in $(seq 1 3); do
  log "writer, run $i of 3"
  bash "$BENCH_ROOT/writer.sh" 100000 5s | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=writer /" | tee -a "$out"
done
log "rate adherence (once: it takes over a minute)"
bash "$BENCH_ROOT/rate.sh" 100 60 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=rate /" | tee -a "$out"
log "SQL source batching (once)"
bash "$BENCH_ROOT/sqlsource.sh" 50000 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=sql /" | tee -a "$out"
if [[ "${ONLY:-}" != outbound ]]; then

for db in h2 pg; do
  log "ingest $db, $RUNS runs in one process"
  REPEAT="$RUNS" bash "$BENCH_ROOT/ingest.sh" "$db" 8s 32 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=ingest /" | tee -a "$out"
done
for spec in "100000 1000" "100000 100"; do
  log "full refresh $spec, $RUNS rounds in one process"
  REPEAT="$RUNS" bash "$BENCH_ROOT/fullrefresh.sh" $spec | grep '^RESULT' | sed "s|^RESULT |RESULT scenario=full-$(tr ' ' / <<<"$spec") |" | tee -a "$out"
done
log "full refresh 1000000 1000 (one round: it takes minutes), then the changes feed read $RUNS times"
FEED="$RUNS" bash "$BENCH_ROOT/fullrefresh.sh" 1000000 1000 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=full-1000000\/1000 /" | tee -a "$out"
log "idle: PostgreSQL's CPU with 1,000,000 records and nothing happening, $RUNS readings"
REPEAT="$RUNS" bash "$BENCH_ROOT/idle.sh" 1000000 30 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=idle /" | tee -a "$out"
log "footprint, $RUNS starts"
REPEAT="$RUNS" bash "$BENCH_ROOT/footprint.sh" | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=footprint /" | tee -a "$out"
fi

# medians into BENCHMARKS.md: the outbound tables between the outbound markers, the rest
# between the results markers (left as they are when ONLY=outbound)
write_block() {
  local marker="$1" table="$2"
  node -e '
    const fs = require("fs"), [file, marker, table] = process.argv.slice(1);
    const s = fs.readFileSync(file, "utf8");
    const a = s.indexOf(`<!-- ${marker}:start -->`), b = s.indexOf(`<!-- ${marker}:end -->`);
    if (a < 0 || b < 0) throw new Error(`no ${marker} markers in ${file}`);
    fs.writeFileSync(file, s.slice(0, a) + `<!-- ${marker}:start -->\n` + table + "\n" + s.slice(b));' \
    "$REPO/BENCHMARKS.md" "$marker" "$table"
}
write_block outbound "$(node "$BENCH_ROOT/summarize.js" "$out" "$(commit)" "$(machine)" outbound)"
if [[ "${ONLY:-}" != outbound ]]; then
  write_block results "$(node "$BENCH_ROOT/summarize.js" "$out" "$(commit)" "$(machine)" inbound)"
fi
log "results in $out and BENCHMARKS.md"
