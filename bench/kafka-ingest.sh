#!/usr/bin/env bash
# Kafka in front of ingest, beside direct ingest, with 1, 2 and 3 replicas on one PostgreSQL and
# one Kafka broker (KRaft, from the Kafka jars the tests use), all on this machine.
#   bench/kafka-ingest.sh [DURATION] [CONNECTIONS]
# For each mode and replica count, the shared relay scenario's webhook (unchanged), wrk spread
# evenly over the replicas:
#   accepted/s  webhooks answered 2xx per second (direct: stored; kafka: acknowledged by the broker)
#   stored/s    webhooks stored per second, from the start of the load until the store caught up
#   CPU per webhook, in ms: the replicas' JVMs, PostgreSQL's processes and the broker, over the
#   same span, divided by the webhooks stored.
# On a 2-core machine the replicas, PostgreSQL and the broker share the cores: the figures show
# the cost per webhook, not how far more machines scale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION="${1:-15s}" CONNS="${2:-32}"
ensure_pg; ensure_tools; build_syncline
secs="${DURATION%s}"
cp_file="$BENCH_TMP/jdbc.classpath"
[[ -s "$cp_file" ]] || (cd "$REPO" && ./mvnw -q dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null)

routes="$BENCH_TMP/routes-kafka-ingest"; rm -rf "$routes"; mkdir -p "$routes"
cp "$BENCH_ROOT/routes/bench-ingest.camel.yaml" "$BENCH_ROOT/routes/relay.mapping.yaml" "$routes/"

# the broker: one node, its data under $BENCH_TMP, topics of 3 partitions when first used
KAFKA_PORT=19990 KAFKA_CONTROLLER=19991
kdir="$BENCH_TMP/kafka"; rm -rf "$kdir"; mkdir -p "$kdir"
cat > "$kdir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$kdir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
java -cp "$(cat "$cp_file")" kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d - | head -c 22)" \
  -c "$kdir/server.properties" >"$kdir/format.log" 2>&1 || die "formatting Kafka's storage failed: $kdir/format.log"
replicas=()
cleanup() { for r in "${replicas[@]}"; do stop_pidfile "$r"; done; stop_pidfile kafka-broker; }
trap cleanup EXIT
start_bg kafka-broker java -Xms64m -Xmx512m -XX:+UseSerialGC -cp "$(cat "$cp_file")" kafka.Kafka "$kdir/server.properties" >/dev/null
for _ in $(seq 1 120); do (echo >"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null && break; sleep 0.5; done
broker_pid="$(pid_of kafka-broker)"

pg_ticks() { local t=0 p; for p in $(pgrep -x postgres || pgrep postgres); do t=$(( t + $(cpu_ticks_tree "$p") )); done; echo "$t"; }
stored() { bpsql -Atc "SELECT COUNT(*) FROM syncline_bench.records WHERE provider_config_key = 'bench'"; }

log "machine: $(machine); commit $(commit)"
for mode in direct kafka; do
  for n in 1 2 3; do
    replicas=()
    ports=()
    for i in $(seq 1 "$n"); do
      port=$(( 19900 + i ))
      extra=(QUARKUS_DATASOURCE_PG_JDBC_MAX_SIZE=16)
      (( i > 1 )) && extra+=(QUARKUS_FLYWAY_PG_CLEAN_AT_START=false)
      if [[ "$mode" == kafka ]]; then
        extra+=(SYNCLINE_INTAKE_KAFKA_ENABLED=true SYNCLINE_INTAKE_KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
          SYNCLINE_INTAKE_KAFKA_TOPIC="bench-intake-$n")
      fi
      SYNCLINE_PORT=$port SYNCLINE_URL="http://127.0.0.1:$port" JAVA_OPTS="${JAVA_OPTS:--Xmx512m}" \
        start_syncline "syncline-$mode-$i" pg "$routes" "${extra[@]}"
      replicas+=("syncline-$mode-$i"); ports+=("$port")
    done
    SYNCLINE_URL="http://127.0.0.1:${ports[0]}" api -X POST "http://127.0.0.1:${ports[0]}/api/connections" \
      -d '{"provider_config_key":"bench","connection_id":"bench"}' >/dev/null
    for port in "${ports[@]}"; do   # warm up the JIT and the pools of every replica
      timeout 60 wrk -t1 -c8 -d5s -s "$SHARED_BENCH/load/scenario.lua" "http://127.0.0.1:$port/webhooks/bench/contacts/bench" >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 600); do   # the warm-up is stored before the measured span starts
      sleep 0.2
      [[ "$(stored)" == "$(sleep 1; stored)" ]] && break
    done
    base="$(stored)"
    java0=0; for r in "${replicas[@]}"; do java0=$(( java0 + $(cpu_ticks_tree "$(pid_of "$r")") )); done
    pg0="$(pg_ticks)"; k0="$(cpu_ticks_tree "$broker_pid")"; t0="$(now_ms)"
    outs=(); loads=()
    for port in "${ports[@]}"; do
      out="$BENCH_TMP/wrk-$mode-$n-$port.out"; outs+=("$out")
      BENCH_RUN_ID="r$(date +%s%N)" timeout $(( secs + 30 )) wrk -t1 -c$(( CONNS / n )) -d"${secs}s" --timeout 10s \
        -s "$SHARED_BENCH/load/scenario.lua" "http://127.0.0.1:$port/webhooks/bench/contacts/bench" >"$out" 2>&1 &
      loads+=($!)
    done
    wait "${loads[@]}"
    accepted=0
    for out in "${outs[@]}"; do
      accepted=$(( accepted + $(grep '^BENCH_JSON' "$out" | sed 's/^BENCH_JSON //' | node -e '
        let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const j = JSON.parse(s); console.log(j.requests - j.non2xx); });') ))
    done
    t_accepted="$(now_ms)"
    end=$(( $(date +%s) + 180 ))
    until (( $(stored) - base >= accepted )); do
      (( $(date +%s) < end )) || { log "the store did not catch up: $(( $(stored) - base )) of $accepted"; break; }
      sleep 0.1
    done
    t_stored="$(now_ms)"
    java1=0; for r in "${replicas[@]}"; do java1=$(( java1 + $(cpu_ticks_tree "$(pid_of "$r")") )); done
    pg1="$(pg_ticks)"; k1="$(cpu_ticks_tree "$broker_pid")"
    done_n=$(( $(stored) - base ))
    awk -v mode="$mode" -v n="$n" -v acc="$accepted" -v st="$done_n" -v ta=$(( t_accepted - t0 )) -v ts=$(( t_stored - t0 )) \
      -v j=$(( java1 - java0 )) -v p=$(( pg1 - pg0 )) -v k=$(( k1 - k0 )) -v hz="$CLK_TCK" 'BEGIN {
        printf "RESULT mode=%s replicas=%d accepted_per_s=%d stored_per_s=%d java_cpu_ms=%.3f pg_cpu_ms=%.3f broker_cpu_ms=%.3f accepted=%d stored=%d\n",
          mode, n, acc / (ta / 1000), st / (ts / 1000), j / hz * 1000 / st, p / hz * 1000 / st, k / hz * 1000 / st, acc, st }'
    for r in "${replicas[@]}"; do stop_pidfile "$r"; done
    replicas=()
  done
done
