# The Sluice broker under test: built from the repo if needed, started as the Quarkus fast-jar,
# and driven by the Java load generator.

SLUICE_JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
SLUICE_URL="http://127.0.0.1:$BENCH_SLUICE_PORT"
SLUICE_PID=
# the tier scenarios' topic: closed segments go to the object store and leave the local disk
TIER_TOPIC=tier

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

# sluice_start NAME FSYNC [JVM_OPTION...]: one broker on a fresh data dir; FSYNC=false turns off
# fsync-before-ack (sluice.log.fsync) for the group-commit comparison; the options go to its JVM.
sluice_start() {
  local name=$1
  require_free_port "$BENCH_SLUICE_PORT"
  rm -rf "$RUN_DIR/$name" && mkdir -p "$RUN_DIR/$name/data"
  SLUICE_BROKER=("$@")
  sluice_launch "$LOG_DIR/$name-server.log" && sluice_await_ready
}

# sluice_restart LOG: stops the broker (SIGTERM) and starts it again on its data dir as it is.
sluice_restart() {
  stop_pid "$SLUICE_PID"
  sluice_launch "$1" && sluice_await_ready
}

# sluice_kill_and_restart LOG: the same after SIGKILL, for crash recovery.
sluice_kill_and_restart() {
  kill -KILL "$SLUICE_PID"
  wait "$SLUICE_PID" 2>/dev/null || true
  untrack "$SLUICE_PID"
  sluice_launch "$1" && sluice_await_ready
}

# sluice_launch LOG: starts the broker of the last sluice_start (SLUICE_BROKER: name, fsync, JVM
# options) without waiting for it; sets SLUICE_PID, SLUICE_LOG and SLUICE_LAUNCHED_AT.
sluice_launch() {
  local name=${SLUICE_BROKER[0]} fsync=${SLUICE_BROKER[1]}
  SLUICE_LOG=$1
  SLUICE_LAUNCHED_AT=$EPOCHREALTIME
  # The cluster ports move off their defaults so a broker or test running beside the bench does
  # not collide. They go through the environment: a broker that does not know a property yet
  # rejects it as a -D system property, while unknown environment variables are ignored.
  # shellcheck disable=SC2086 # JVM options are a word list
  start_bg "$SLUICE_LOG" \
    env SLUICE_CLUSTER_BIND_PORT="$BENCH_SLUICE_CLUSTER_PORT" SLUICE_REPLICATION_PORT="$BENCH_SLUICE_REPLICATION_PORT" \
    java $BENCH_BROKER_JVM_OPTS "${SLUICE_BROKER[@]:2}" \
    -Dsluice.data-dir="$RUN_DIR/$name/data" -Dsluice.log.fsync="$fsync" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$BENCH_SLUICE_PORT" \
    -Djgroups.bind_addr=127.0.0.1 -Djava.net.preferIPv4Stack=true \
    -jar "$SLUICE_JAR"
  SLUICE_PID=$BG_PID
}

# Polls readiness every 25 ms, so SLUICE_READY_MS (launch to /q/health/ready = 200) is a start-up
# time to within about that.
sluice_await_ready() {
  local deadline=$(( EPOCHSECONDS + 120 ))
  until curl -fsS -o /dev/null "$SLUICE_URL/q/health/ready" 2>/dev/null; do
    kill -0 "$SLUICE_PID" 2>/dev/null || { log "Sluice exited while starting; see $SLUICE_LOG"; return 1; }
    (( EPOCHSECONDS < deadline )) || { log "Sluice not ready after 120 s; see $SLUICE_LOG"; return 1; }
    sleep 0.025
  done
  SLUICE_READY_MS=$(awk -v now="$EPOCHREALTIME" -v then="$SLUICE_LAUNCHED_AT" 'BEGIN { printf "%d", (now - then) * 1000 }')
  log "Sluice (${SLUICE_BROKER[*]}) ready on $SLUICE_URL after $SLUICE_READY_MS ms (pid $SLUICE_PID)"
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

# sluice_fill KEY TOPIC RECORDS [TOPIC_CONFIG]: the fast produce path (acks=1, batches of 1000)
# into TOPIC, created with TOPIC_CONFIG (k=v,...) if new; fails unless every record was taken.
sluice_fill() {
  local key=$1 topic=$2 records=$3 config=${4:-}
  run_loadgen "$key" produce --url "$SLUICE_URL" --topic "$topic" --topic-config "$config" --batch 1000 --acks 1 \
    --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --inflight "$BENCH_INFLIGHT" \
    --warmup-records 0 --records "$records" --max-seconds 900 || return 1
  [[ $(get_result "$key.complete") == true ]] || { log "$key: the fill did not complete"; return 1; }
}

# sluice_consume KEY: fills the backlog, then one WebSocket reader takes all of it from offset 0.
sluice_consume() {
  local key=$1 topic="${1//./-}"
  sluice_fill "$key.fill" "$topic" "$BACKLOG_RECORDS" || return 1
  run_loadgen "$key" consume --url "$SLUICE_URL" --topic "$topic" --partition 0 --offset 0 \
    --records "$BACKLOG_RECORDS" --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --max-seconds 900
}

# sluice_recovery KEY: fills one partition of a topic that stays on local disk with the backlog,
# kills the broker with SIGKILL and starts it again on the same data dir. The start of the same
# broker on its empty data dir, just before, is the baseline; every record must still be there.
sluice_recovery() {
  local key=$1 topic="${1//./-}" written log_end
  put_startup_figures "$key.empty" || return 1
  sluice_fill "$key.fill" "$topic" "$BACKLOG_RECORDS" remote.storage.enable=false || return 1
  sluice_kill_and_restart "$LOG_DIR/$key-restart-server.log" || return 1
  put_startup_figures "$key" || return 1
  written=$(get_result "$key.fill.records")
  log_end=$(curl -fsS "$SLUICE_URL/topics/$topic" | grep -o '"logEndOffset":[0-9]*' | cut -d: -f2)
  [[ $log_end == "$written" ]] || { log "log end offset after recovery: $log_end, expected $written"; return 1; }
}

# put_startup_figures KEY: the start-up of the broker launched last: wall time from the launch to
# readiness, the broker's own time to open its topics (its "opened N topics ... in X ms" line:
# log recovery, the embedded store and the bucket's listing), and when that line was logged.
put_startup_figures() {
  local key=$1 line
  line=$(grep -m1 -E 'broker .* opened [0-9,]+ topics from .* in [0-9,]+ ms' "$SLUICE_LOG") \
    || { log "no 'opened N topics' line in $SLUICE_LOG"; return 1; }
  put_result "$key.ready_ms" "$SLUICE_READY_MS"
  # the broker's number comes with thousands separators: "in 2,049 ms"
  put_result "$key.open_ms" "$(sed -E 's/.* in ([0-9,]+) ms.*/\1/; s/,//g' <<<"$line")"
  # the line starts with its time of day, HH:MM:SS,mmm
  put_result "$key.opened_at_ms" "$(awk -v logged="${line%% *}" -v launched="$(date -d "@$SLUICE_LAUNCHED_AT" +%T.%N)" '
    function ms(t, part) { sub(",", ".", t); split(t, part, ":"); return ((part[1] * 60 + part[2]) * 60 + part[3]) * 1000 }
    BEGIN { d = ms(logged) - ms(launched); if (d < 0) d += 86400000; printf "%d", d }')"
}

# sluice_tier_upload KEY: full-speed produce into TIER_TOPIC, whose closed segments go to the
# tier and leave the local disk; see TierUpload.
sluice_tier_upload() {
  run_loadgen "$1" tier-upload --url "$SLUICE_URL" --topic "$TIER_TOPIC" \
    --topic-config "segment.bytes=$BENCH_TIER_SEGMENT_BYTES,local.retention.bytes=0,remote.storage.enable=true" \
    --batch 1000 --acks 1 --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" --inflight "$BENCH_INFLIGHT" \
    --records "$TIER_RECORDS" --max-seconds 900
}

# sluice_tier_first_record KEY: restarts the broker first, as its read cache lives in memory; see
# TierFirstRecord.
sluice_tier_first_record() {
  sluice_restart "$LOG_DIR/$1-server.log" || return 1
  run_loadgen "$1" tier-first-record --url "$SLUICE_URL" --topic "$TIER_TOPIC" --samples "$BENCH_FIRST_RECORD_SAMPLES"
}

# sluice_catchup KEY: reads TIER_TOPIC's tiered range, from offset 0 to its local log start, then
# as many records of a copy on local disk (same records, same segment size).
sluice_catchup() {
  local key=$1 tiered_end copy="${1//./-}-local"
  tiered_end=$(get_result sluice.tier_upload.local_log_start_offset)
  [[ -n $tiered_end ]] || { log "$key: no tiered range (the tier upload scenario failed)"; return 1; }
  sluice_fill "$key.local_fill" "$copy" "$tiered_end" \
    "segment.bytes=$BENCH_TIER_SEGMENT_BYTES,remote.storage.enable=false" || return 1
  sync
  run_loadgen "$key.tier" catchup --url "$SLUICE_URL" --topic "$TIER_TOPIC" --records "$tiered_end" \
    --record-size "$BENCH_RECORD_SIZE" || return 1
  run_loadgen "$key.local" catchup --url "$SLUICE_URL" --topic "$copy" --records "$tiered_end" \
    --record-size "$BENCH_RECORD_SIZE"
}

run_sluice_scenarios() {
  # Kafka tiers nothing here: the comparison brokers keep every topic local (remote.storage.enable
  # defaults to false), so they are measured on the same terms; the tier has rows of its own.
  if sluice_start sluice true -Dsluice.tier.enabled=false; then
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
  if sluice_start sluice-nofsync false -Dsluice.tier.enabled=false; then
    scenario sluice_nofsync.produce.b1000.acksall sluice_produce sluice_nofsync.produce.b1000.acksall 1000 all
  else
    FAILED_SCENARIOS+=(sluice-nofsync.start)
  fi
  sluice_stop sluice-nofsync
  # crash recovery, on a broker of its own so that only the one partition is recovered
  if sluice_start sluice-recovery true; then
    scenario sluice.recovery sluice_recovery sluice.recovery
  else
    FAILED_SCENARIOS+=(sluice-recovery.start)
  fi
  sluice_stop sluice-recovery
  # tiered storage: retention checked often, so uploaded segments leave the disk at once
  if sluice_start sluice-tier true -Dsluice.log.maintenance-interval-ms="$BENCH_MAINTENANCE_INTERVAL_MS"; then
    scenario sluice.tier_upload sluice_tier_upload sluice.tier_upload
    scenario sluice.tier_first_record sluice_tier_first_record sluice.tier_first_record
    scenario sluice.catchup sluice_catchup sluice.catchup
  else
    FAILED_SCENARIOS+=(sluice-tier.start)
  fi
  sluice_stop sluice-tier
}
