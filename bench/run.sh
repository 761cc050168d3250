#!/usr/bin/env bash
# Runs every benchmark scenario Syncline has so far, RUNS times each where a run is short, and
# writes the medians (with min–max) into BENCHMARKS.md between the results markers.
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
  bash "$BENCH_ROOT/ingest.sh" h2 2s 4 | grep '^RESULT' | tee -a "$out"
  bash "$BENCH_ROOT/fullrefresh.sh" 2000 100 | grep '^RESULT' | tee -a "$out"
  exit 0
fi

for db in h2 pg; do
  for i in $(seq 1 "$RUNS"); do
    log "ingest $db, run $i of $RUNS"
    bash "$BENCH_ROOT/ingest.sh" "$db" 20s 32 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=ingest /" | tee -a "$out"
  done
done
for spec in "100000 1000" "100000 100"; do
  for i in $(seq 1 3); do
    log "full refresh $spec, run $i of 3"
    bash "$BENCH_ROOT/fullrefresh.sh" $spec | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=full-$(tr ' ' / <<<"$spec") /" | tee -a "$out"
  done
done
log "full refresh 1000000 1000 with the changes feed read (once: it takes minutes)"
FEED=1 bash "$BENCH_ROOT/fullrefresh.sh" 1000000 1000 | grep '^RESULT' | sed "s/^RESULT /RESULT scenario=full-1000000\/1000 /" | tee -a "$out"

# medians into BENCHMARKS.md
table="$(node "$BENCH_ROOT/summarize.js" "$out" "$(commit)" "$(machine)")"
node -e '
  const fs = require("fs"), [file, table] = process.argv.slice(1);
  const s = fs.readFileSync(file, "utf8");
  const a = s.indexOf("<!-- results:start -->"), b = s.indexOf("<!-- results:end -->");
  fs.writeFileSync(file, s.slice(0, a) + "<!-- results:start -->\n" + table + "\n" + s.slice(b));' "$REPO/BENCHMARKS.md" "$table"
log "results in $out and BENCHMARKS.md"
