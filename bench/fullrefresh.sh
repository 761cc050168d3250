#!/usr/bin/env bash
# Scenario 3, full refresh: N records from a local paginated source into Syncline on PostgreSQL.
#   bench/fullrefresh.sh N PAGE_SIZE        REPEAT=5 for five rounds, FEED=5 to read the feed five times
# Three runs on one fresh Syncline: first (all added), second (all unchanged), then with 1 %
# changed and 1 % deleted at the source. Each run also reports when all of its changes had their
# place in the changes feed (in_feed_seconds, from the run's start) and the WAL PostgreSQL wrote. Beside them, the limit: a raw client fetching and
# parsing the same pages. With REPEAT, each round does the three on a connection of its own in
# the same process, with the limit measured again before it. Prints one RESULT line per run and
# one for the process (its peak memory after the first round, which is comparable across N).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${1:-100000}" PAGE="${2:-1000}"
SOURCE_PORT=19910 SOURCE="http://127.0.0.1:19910"
ensure_pg; ensure_tools; build_syncline

routes="$BENCH_TMP/routes-full"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-contact.mapping.yaml" "$routes/"
sed "s/PAGE_SIZE/$PAGE/" "$BENCH_ROOT/routes/bench-contacts-full.camel.yaml" > "$routes/bench-contacts-full.camel.yaml"

trap 'stop_pidfile syncline-full; stop_pidfile bench-source' EXIT
start_bg bench-source node "$BENCH_ROOT/source/source.js" "$SOURCE_PORT" >/dev/null
wait_http "$SOURCE/stats" 10 || die "source did not start"
curl -sf -X POST "$SOURCE/config" -d "{\"total\":$N,\"version\":1}" >/dev/null

raw_fetch() {
  raw="$(timeout 600 node "$BENCH_ROOT/source/fetch.js" "$SOURCE" "$PAGE")"
  raw_rps="$(sed -n 's/.*"records_per_s":\([0-9]*\).*/\1/p' <<<"$raw")"
  log "limit: raw fetch of $N records in pages of $PAGE: $raw_rps records/s"
}

JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-full pg "$routes"
pid="$(syncline_pid syncline-full)"
connect() {  # connect ID: a connection of its own, so its first run finds every record new
  api -X POST "$SYNCLINE_URL/api/connections" -d "{\"provider_config_key\":\"bench-src\",\"connection_id\":\"$1\",
    \"base_url\":\"$SOURCE\",\"metadata\":{\"rate_requests\":100000,\"max_in_flight\":8}}" >/dev/null
}

run_once() {  # run_once LABEL CONNECTION -> prints RESULT line
  local label="$1" conn="$2" before after status start end wal0 wal_mib in_feed_ms
  local runs="$SYNCLINE_URL/api/runs?provider_config_key=bench-src&connection_id=$conn&limit=1"
  before="$(api "$runs" | sed -n 's/.*"runs":\[{"id":\([0-9]*\).*/\1/p')"
  wal0="$(bpsql -Atc "SELECT pg_current_wal_lsn()")"
  api -X POST "$SYNCLINE_URL/sync/trigger" -d '{"provider_config_key":"bench-src","connection_id":"'"$conn"'","syncs":["contacts-full"]}' >/dev/null
  local deadline=$(( $(date +%s) + 1800 ))
  while (( $(date +%s) < deadline )); do
    after="$(api "$runs")"
    status="$(sed -n 's/.*"status":"\([A-Z]*\)".*/\1/p' <<<"$after" | head -1)"
    id="$(sed -n 's/.*"runs":\[{"id":\([0-9]*\).*/\1/p' <<<"$after")"
    [[ "$id" != "$before" && "$status" != RUNNING && -n "$status" ]] && break
    sleep 0.5
  done
  # until every change of the run has its place in the feed (a build with a sequencer places them after the run)
  while (( $(date +%s) < deadline )) \
    && (( $(bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.records WHERE feed_position IS NULL") > 0 )); do
    sleep 0.05
  done
  in_feed_ms="$(date +%s%3N)"
  wal_mib="$(bpsql -Atc "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal0') / 1048576.0, 1)")"
  node -e '
    const r = JSON.parse(process.argv[1]).runs[0], n = +process.argv[2], label = process.argv[3], raw = +process.argv[4];
    const s = (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000;
    const inFeed = (+process.argv[5] - Date.parse(r.started_at)) / 1000;
    const read = r.counts.added + r.counts.updated + r.counts.unchanged;
    const rps = Math.round(read / s);
    console.log(`RESULT run=${label} status=${r.status} records=${read} seconds=${s} records_per_s=${rps} ` +
      `limit_records_per_s=${raw} ratio=${(rps / raw).toFixed(2)} added=${r.counts.added} updated=${r.counts.updated} ` +
      `unchanged=${r.counts.unchanged} deleted=${r.counts.deleted} pages=${r.pages} ` +
      `in_feed_seconds=${inFeed.toFixed(2)} wal_mib=${process.argv[6]}`);' "$after" "$N" "$label" "$raw_rps" "$in_feed_ms" "$wal_mib"
}

for round in $(seq 1 "${REPEAT:-1}"); do
  curl -sf -X POST "$SOURCE/config" -d "{\"total\":$N,\"version\":1}" >/dev/null
  raw_fetch
  connect "bench-$round"
  run_once first "bench-$round"
  run_once second "bench-$round"
  curl -sf -X POST "$SOURCE/config" -d "{\"total\":$N,\"version\":2}" >/dev/null
  run_once changed "bench-$round"
  if (( round == 1 )); then
    read -r heap_before heap_after < <(peak_heap_mib syncline-full)
    hwm_kb="$(proc_kb "$pid" VmHWM)"
    process="RESULT process n=$N page=$PAGE peak_heap_mib=$heap_before peak_live_heap_after_gc_mib=$heap_after rss_peak_mib=$(kb_to_mib "$hwm_kb") xmx=${JAVA_OPTS:--Xmx1g}"
  fi
done
# Scenario 6 on the same store: read the whole changes feed, and its limit, a raw JDBC read.
if [[ -n "${FEED:-}" ]]; then
  cp_file="$BENCH_TMP/jdbc.classpath"
  [[ -s "$cp_file" ]] || (cd "$REPO" && ./mvnw -q dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
  for _ in $(seq 1 "$FEED"); do
    feed="$(node "$BENCH_ROOT/feed/read.js" "$SYNCLINE_URL" "$BENCH_KEY" bench-src bench-1 Contact 1000)"
    rawsel="$(java -cp "$(cat "$cp_file")" "$BENCH_ROOT/java/RawJdbc.java" select \
      "$PG_URL" postgres "$(printf 'bench-src\037bench-1\037Contact')" 1000)"
    node -e '
      const f = JSON.parse(process.argv[1]), raw = process.argv[2];
      const rrps = +raw.match(/rps=(\d+)/)[1], rp99 = raw.match(/p99_ms=([\d.]+)/)[1];
      console.log(`RESULT feed records=${f.records} records_per_s=${f.records_per_s} p99_page_ms=${f.p99_page_ms} ` +
        `limit_records_per_s=${rrps} limit_p99_page_ms=${rp99} ratio=${(f.records_per_s / rrps).toFixed(2)}`);' "$feed" "$rawsel"
  done
fi
echo "$process"
