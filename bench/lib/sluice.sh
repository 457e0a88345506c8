# The Sluice broker under test: built from the repo if needed, started as the Quarkus fast-jar,
# and driven by the Java load generator.

SLUICE_JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
SLUICE_URL="http://127.0.0.1:$BENCH_SLUICE_PORT"
SLUICE_PID=

sluice_build() {
  case $BENCH_BUILD in
    never) ;;
    always) sluice_package || return 1 ;;
    auto)
      if [[ ! -f $SLUICE_JAR ]] || [[ -n $(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$SLUICE_JAR" -print -quit) ]]; then
        sluice_package || return 1
      fi ;;
    *) die "BENCH_BUILD must be auto, always or never: $BENCH_BUILD" ;;
  esac
  [[ -f $SLUICE_JAR ]] || { log "no $SLUICE_JAR"; return 1; }
}

sluice_package() {
  log "building Sluice (./mvnw -q -DskipTests package)"
  (cd "$REPO_DIR" && ./mvnw -q -DskipTests package)
}

# sluice_start NAME FSYNC: one broker with its own data dir; FSYNC=false turns off
# fsync-before-ack (sluice.log.fsync) for the group-commit comparison.
sluice_start() {
  local name=$1 fsync=$2 dir="$RUN_DIR/$1"
  require_free_port "$BENCH_SLUICE_PORT"
  rm -rf "$dir" && mkdir -p "$dir/data"
  # The cluster ports move off their defaults so a broker or test running beside the bench does
  # not collide. They go through the environment: a broker that does not know a property yet
  # rejects it as a -D system property, while unknown environment variables are ignored.
  # shellcheck disable=SC2086 # JVM options are a word list
  start_bg "$LOG_DIR/$name-server.log" \
    env SLUICE_CLUSTER_BIND_PORT="$BENCH_SLUICE_CLUSTER_PORT" SLUICE_REPLICATION_PORT="$BENCH_SLUICE_REPLICATION_PORT" \
    java $BENCH_BROKER_JVM_OPTS \
    -Dsluice.data-dir="$dir/data" -Dsluice.log.fsync="$fsync" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$BENCH_SLUICE_PORT" \
    -Djgroups.bind_addr=127.0.0.1 -Djava.net.preferIPv4Stack=true \
    -jar "$SLUICE_JAR"
  SLUICE_PID=$BG_PID
  wait_until 120 "$SLUICE_PID" "Sluice ($name) readiness" curl -fsS -o /dev/null "$SLUICE_URL/q/health/ready" || return 1
  log "Sluice ($name, fsync=$fsync) up on $SLUICE_URL (pid $SLUICE_PID)"
}

sluice_stop() {
  [[ -n $SLUICE_PID ]] || return 0
  stop_pid "$SLUICE_PID"
  SLUICE_PID=
  rm -rf "$RUN_DIR/$1/data"
}

# sluice_produce KEY BATCH ACKS: closed-loop REST produce; see ProduceThroughput.
sluice_produce() {
  local key=$1 batch=$2 acks=$3
  run_loadgen "$key" produce --url "$SLUICE_URL" --topic "${key//./-}" --batch "$batch" --acks "$acks" \
    --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --inflight "$BENCH_INFLIGHT" \
    --warmup-records "$BENCH_WARMUP_RECORDS" --records "$BENCH_PRODUCE_RECORDS" --max-seconds "$BENCH_PRODUCE_MAX_SECONDS"
}

sluice_latency() {
  local key=$1
  run_loadgen "$key" latency --url "$SLUICE_URL" --topic "${key//./-}" --rate "$BENCH_LATENCY_RATE" \
    --warmup-seconds "$BENCH_LATENCY_WARMUP_SECONDS" --seconds "$BENCH_LATENCY_SECONDS" --record-size "$BENCH_RECORD_SIZE"
}

# sluice_consume KEY: fills the backlog on the fast path (acks=1, batches of 1000), then one
# WebSocket reader takes all of it from offset 0.
sluice_consume() {
  local key=$1 topic="${1//./-}"
  run_loadgen "$key.fill" produce --url "$SLUICE_URL" --topic "$topic" --batch 1000 --acks 1 \
    --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --inflight "$BENCH_INFLIGHT" \
    --warmup-records 0 --records "$BACKLOG_RECORDS" --max-seconds 900 || return 1
  [[ $(get_result "$key.fill.complete") == true ]] || { log "backlog fill did not complete"; return 1; }
  run_loadgen "$key" consume --url "$SLUICE_URL" --topic "$topic" --partition 0 --offset 0 \
    --records "$BACKLOG_RECORDS" --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --max-seconds 900
}

run_sluice_scenarios() {
  if sluice_start sluice true; then
    local batch acks
    for batch in 100 1000; do
      for acks in 1 all; do
        scenario "sluice.produce.b$batch.acks$acks" sluice_produce "sluice.produce.b$batch.acks$acks" "$batch" "$acks"
      done
    done
    scenario sluice.latency sluice_latency sluice.latency
    scenario sluice.consume sluice_consume sluice.consume
  else
    FAILED_SCENARIOS+=(sluice.start)
  fi
  sluice_stop sluice
  # group commit: the same acks=all batch-1000 run with fsync-before-ack switched off
  if sluice_start sluice-nofsync false; then
    scenario sluice_nofsync.produce.b1000.acksall sluice_produce sluice_nofsync.produce.b1000.acksall 1000 all
  else
    FAILED_SCENARIOS+=(sluice-nofsync.start)
  fi
  sluice_stop sluice-nofsync
}
