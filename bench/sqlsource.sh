#!/usr/bin/env bash
# SQL source batching: N customers with purchases in "your app's database" (schema app_bench on
# the local PostgreSQL), all changed, read by one run of a sql-sync (batches of 500 keys), then
# written to the shared sink.
#   bench/sqlsource.sh [N]
# Reports the property queries the run made (target: N ÷ 500), keys/s for the run, and beside it
# the limit: the same properties query over all N keys in one statement, timed by psql.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${1:-100000}"
ensure_pg; ensure_tools; build_syncline
trap 'stop_pidfile syncline-sql; stop_sink_if_ours' EXIT
ensure_sink
bpsql -q <<SQL
DROP SCHEMA IF EXISTS app_bench CASCADE;
CREATE SCHEMA app_bench;
CREATE TABLE app_bench.users (id text PRIMARY KEY, email text, country text, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE app_bench.purchases (id bigserial PRIMARY KEY, user_id text NOT NULL, amount_cents int NOT NULL,
                                  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON app_bench.purchases (user_id);
INSERT INTO app_bench.users SELECT 'u' || i, 'u' || i || '@x.io', CASE WHEN i % 3 = 0 THEN 'US' ELSE 'FR' END
  FROM generate_series(1, $N) i;
INSERT INTO app_bench.purchases (user_id, amount_cents) SELECT 'u' || (1 + i % $N), (i::bigint * 7919) % 90000
  FROM generate_series(1, $(( N * 3 ))) i;
ANALYZE app_bench.users; ANALYZE app_bench.purchases;
SQL
limit_ms="$(bpsql -At -c '\timing on' -c "SELECT COUNT(*) FROM (SELECT u.id, u.email, u.country,
  COALESCE(SUM(p.amount_cents), 0) FROM app_bench.users u LEFT JOIN app_bench.purchases p ON p.user_id = u.id
  GROUP BY u.id, u.email, u.country) x" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')"
routes="$BENCH_TMP/routes-sql"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-sql.camel.yaml" "$BENCH_ROOT/routes/bench.groups.yaml" "$BENCH_ROOT/routes/bench-customer.mapping.yaml" "$routes/"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" start_syncline syncline-sql pg "$routes" SYNCLINE_APP_DB_URL="jdbc:postgresql://127.0.0.1:5432/$BENCH_DB" \
  SYNCLINE_SCHEDULE_TICK_MS=200 SYNCLINE_WRITER_THREADS=32
t0="$(now_ms)"
api -X POST "$SYNCLINE_URL/api/connections" -d '{"provider_config_key":"sink","connection_id":"bench",
  "base_url":"'"$SINK_URL"'","metadata":{"rate_requests":1000000,"rate_per_seconds":1,"max_in_flight":32}}' >/dev/null
end=$(( $(date +%s) + 900 ))
until [[ "$(bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.sql_source_state WHERE ran_at IS NOT NULL")" == 1 ]]; do
  (( $(date +%s) < end )) || die "the run did not finish in 15 minutes"; sleep 0.2
done
t1="$(now_ms)"
queries="$(curl -sf "$SYNCLINE_URL/q/metrics" | sed -n 's/^syncline_sql_property_queries_total{[^}]*} \([0-9.]*\)/\1/p' | head -1)"
keys="$(bpsql -Atc "SELECT last_keys FROM syncline_bench.sql_source_state")"
while (( $(pending_writes) > 0 )); do (( $(date +%s) < end )) || die "writes still pending"; sleep 0.5; done
t2="$(now_ms)"
node -e '
  const [n, keys, q, t0, t1, t2, limitMs] = process.argv.slice(1).map(Number);
  console.log(`RESULT keys=${keys} property_queries=${q} expected_queries=${Math.ceil(n / 500)} ` +
    `run_seconds=${((t1 - t0) / 1000).toFixed(1)} keys_per_s=${Math.round(keys / ((t1 - t0) / 1000))} ` +
    `limit_one_query_ms=${limitMs} delivered_seconds=${((t2 - t0) / 1000).toFixed(1)}`);' \
  "$N" "$keys" "${queries:-0}" "$t0" "$t1" "$t2" "${limit_ms:-0}"
