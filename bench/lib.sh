#!/usr/bin/env bash
# Helpers for Syncline's benchmarks. Source it. Builds on ../shared/bench/lib/common.sh (log,
# die, start_bg/stop_pidfile by PID, wait_http, RSS sampling). Everything stays on 127.0.0.1.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_ROOT/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$REPO/../shared/bench}"
[[ -f "$SHARED_BENCH/lib/common.sh" ]] || { echo "shared bench harness not found at $SHARED_BENCH" >&2; exit 1; }
# shellcheck source=/dev/null
source "$SHARED_BENCH/lib/common.sh"
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/tmp}/syncline-bench}"
mkdir -p "$BENCH_TMP"
SYNCLINE_PORT="${SYNCLINE_PORT:-19901}"
SYNCLINE_URL="http://127.0.0.1:$SYNCLINE_PORT"
BENCH_KEY="bench-key"
# The benchmarks use a database of their own on the local server, created on first use; they
# change no server setting (the store's plans do not depend on statistics or autovacuum).
BENCH_DB="${BENCH_DB:-syncline_bench}"
PG_URL="jdbc:postgresql://127.0.0.1:5432/$BENCH_DB?currentSchema=syncline_bench"
bpsql() { psql -h 127.0.0.1 -U postgres -d "$BENCH_DB" "$@"; }

ensure_pg() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not come up"
  fi
  [[ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")" == 1 ]] \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $BENCH_DB" >/dev/null
}

ensure_tools() {
  command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || die "cannot install wrk"; }
  command -v node >/dev/null || die "node is needed for the sink and the source"
}

build_syncline() {
  if [[ -z "${SKIP_BUILD:-}" || ! -f "$REPO/target/quarkus-app/quarkus-run.jar" ]]; then
    log "building Syncline from $(git -C "$REPO" rev-parse --short HEAD)"
    (cd "$REPO" && ./mvnw -q -DskipTests package) || die "build failed"
  fi
}

# start_syncline NAME DB ROUTES_DIR [VAR=VALUE ...]: a fresh Syncline on $SYNCLINE_PORT (h2|pg).
start_syncline() {
  local name="$1" db="$2" routes="$3"; shift 3
  local data="$BENCH_TMP/$name-data"
  ! curl -s -o /dev/null --max-time 1 "$SYNCLINE_URL/q/health/live" \
    || die "something already answers on $SYNCLINE_URL; stop it first (a Syncline left from an interrupted run?)"
  rm -rf "$data"; mkdir -p "$data"
  local -a env=(QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$SYNCLINE_PORT" SYNCLINE_DATA_DIR="$data" SYNCLINE_ROUTES_DIR="$routes"
    SYNCLINE_API_KEY="$BENCH_KEY" SYNCLINE_ENCRYPTION_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    SYNCLINE_DEMO_ENABLED=false SYNCLINE_LIMITS_REQUESTS_PER_IP=0 QUARKUS_LOG_CATEGORY__IO_SYNCLINE__LEVEL=WARN)
  if [[ "$db" == pg ]]; then
    env+=(SYNCLINE_DB_URL="$PG_URL" QUARKUS_FLYWAY_PG_SCHEMAS=syncline_bench QUARKUS_FLYWAY_PG_CLEAN_AT_START=true
      QUARKUS_FLYWAY_PG_CLEAN_DISABLED=false)
  fi
  T0_MS="$(now_ms)"
  start_bg "$name" env "${env[@]}" "$@" java ${JAVA_OPTS:-} -Xlog:gc:file="$BENCH_TMP/$name-gc.log" \
    -jar "$REPO/target/quarkus-app/quarkus-run.jar" >/dev/null
  local end=$(( $(date +%s) + 120 ))
  until curl -sf -o /dev/null --max-time 2 "$SYNCLINE_URL/q/health/ready"; do
    (( $(date +%s) < end )) || { tail -50 "$BENCH_TMP/$name.out"; die "Syncline did not become ready"; }
    sleep 0.1
  done
  READY_MS=$(( $(now_ms) - T0_MS ))
}

# await_owned N: wait until replicas own N connections. Only a connection's owner sends to it; a
# replica claims a new connection within a heartbeat (at once when it is created on it).
await_owned() {
  for _ in $(seq 1 100); do
    (( $(bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.connection_owners WHERE owner IS NOT NULL AND lease_until > now()") >= $1 )) \
      && return 0
    sleep 0.1
  done
  die "no replica owns the $1 connection(s)"
}

# JVM pid under the start_bg wrapper (env execs java, so it is the same pid)
syncline_pid() { pid_of "$1"; }

api() {
  curl -sf --max-time 30 --retry 5 --retry-all-errors --retry-delay 1 -H "Authorization: Bearer $BENCH_KEY" \
    -H 'Content-Type: application/json' "$@" || { log "API call failed: $*"; return 1; }
}

# peak_heap_mib NAME: the largest heap in use before and after a collection, from the GC log
peak_heap_mib() {
  grep -oE '[0-9]+M->[0-9]+M\(' "$BENCH_TMP/$1-gc.log" | tr -d 'M(' | awk -F'->' '
    { if ($1 + 0 > b) b = $1 + 0; if ($2 + 0 > a) a = $2 + 0 } END { printf "%d %d\n", b, a }' 
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }

machine() { echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(java -version 2>&1 | head -1)"; }
commit() { git -C "$REPO" rev-parse --short HEAD; }

# queue_writes SYNC INTEGRATION N [DUE]: N writes of the relay's mapped contact straight into the
# queue of the bench schema, as events would have queued them; due at DUE (default: never, so a
# benchmark can release them all at one instant with release_writes).
queue_writes() {
  local sync="$1" integration="$2" n="$3" due="${4:-2999-01-01}"
  bpsql -qc "
    INSERT INTO syncline_bench.writes (sync_name, provider_config_key, connection_id, model, record_id, operation,
        payload, content_hash, status, pending_key, version, attempts, next_attempt_at, created_at, updated_at)
    SELECT '$sync', '$integration', 'bench', 'Contact', 'w' || i, 'upsert',
           '{\"country\":\"GB\",\"email\":\"a@b.co\",\"external_id\":\"w' || i || '\",\"is_customer\":true,\"name\":\"Ada Lovelace\",\"updated_at_ms\":1795255200000}',
           md5(i::text) || md5(i::text), 'pending', '$sync' || chr(31) || '$integration' || chr(31) || 'bench' || chr(31) || 'Contact' || chr(31) || 'w' || i,
           1, 0, '$due', now(), now()
      FROM generate_series(1, $n) i"
}
release_writes() { bpsql -qc "UPDATE syncline_bench.writes SET next_attempt_at = now() WHERE status = 'pending'"; }
pending_writes() { bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.writes WHERE status = 'pending'"; }

# raw_insert_limit DB SECONDS CONNECTIONS: single-row INSERT ... ON CONFLICT DO NOTHING through JDBC,
# one connection per client, the limit beside durable ingest and events. Prints "... rps=N ...".
raw_insert_limit() {
  local db="$1" secs="$2" conns="$3" cp_file="$BENCH_TMP/jdbc.classpath"
  [[ -s "$cp_file" ]] || (cd "$REPO" && ./mvnw -q dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)
  if [[ "$db" == pg ]]; then
    java -cp "$(cat "$cp_file")" "$BENCH_ROOT/java/RawJdbc.java" insert \
      "jdbc:postgresql://127.0.0.1:5432/$BENCH_DB?currentSchema=public" postgres "$secs" "$conns"
  else
    rm -rf "$BENCH_TMP/raw-h2"; mkdir -p "$BENCH_TMP/raw-h2"
    java -cp "$(cat "$cp_file")" "$BENCH_ROOT/java/RawJdbc.java" insert \
      "jdbc:h2:file:$BENCH_TMP/raw-h2/db;MODE=PostgreSQL;WRITE_DELAY=0" sa "$secs" "$conns"
  fi
}

# The shared scenario's sink on 127.0.0.1:19900: started unless one already answers, and
# stopped by stop_sink_if_ours only if this script started it.
SINK_URL="http://127.0.0.1:19900"
ensure_sink() {
  if ! curl -sf --max-time 1 "$SINK_URL/stats" >/dev/null; then
    "$SHARED_BENCH/sink/start.sh" >/dev/null; SINK_STARTED=1
  fi
}
# warm_up URL SCRIPT CONNS: warms the JVM and the pools by a request count, WARM_REQUESTS (30,000 by
# default) posts of a wrk script, bounded at 180 s; the ids it posts are not the measured run's.
warm_up() {
  WARM_SCENARIO="$2" WARM_PER_THREAD=$(( ${WARM_REQUESTS:-30000} / 2 )) BENCH_RUN_ID="warm$(date +%s%N)" \
    timeout 200 wrk -t2 -c"$3" -d180s -s "$BENCH_ROOT/warmup.lua" "$1" >/dev/null 2>&1 || true
}
stop_sink_if_ours() { [[ -n "${SINK_STARTED:-}" ]] && "$SHARED_BENCH/sink/stop.sh" >/dev/null 2>&1 || true; }

# scratch_db PREFIX: a database of this run's own (PREFIX_<pid>) with the service's migrations
# applied by psql, dropped when the script exits; q runs psql in it, unaligned, stopping on errors.
scratch_db() {
  SCRATCH_DB="${1}_$$"
  trap 'psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $SCRATCH_DB" >/dev/null' EXIT
  psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $SCRATCH_DB" >/dev/null
  local f
  for f in $(ls "$REPO"/src/main/resources/db/migration/V*.sql | sort -V) \
           $(ls "$REPO"/src/main/resources/db/postgresql/V*.sql | sort -V); do
    q -f "$f" >/dev/null
  done
}
q() { psql -h 127.0.0.1 -U postgres -d "$SCRATCH_DB" -v ON_ERROR_STOP=1 -qAt "$@"; }
