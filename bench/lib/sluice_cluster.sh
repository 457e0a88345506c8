# The Sluice cluster scenarios: three brokers, broker i on the i-th address of
# BENCH_SLUICE_CLUSTER_HOSTS (HTTP, JGroups and replication all bound there), RF=3 against RF=1
# on the same brokers, and failover after kill -9 or SIGSTOP of a partition's leader.
#
# The tier is off for these runs (-Dsluice.tier.enabled=false: new topics default to
# remote.storage.enable=false, and the bench's topics say so too). Each broker still starts its
# embedded object store on a free port of 127.0.0.1 under its own data dir, where it stays idle:
# a store embedded in one broker cannot serve a failover run, since killing that broker would
# take the store with it.

SLUICE_CLUSTER_PIDS=()       # broker i's pid
SLUICE_CLUSTER_LOGS=()       # broker i's current log file
SLUICE_CLUSTER_LAUNCHES=0    # numbers the brokers' log files, so a restart keeps the log before it
SLUICE_CLUSTER_KEYS=(produce.rf3 produce.rf1 latency.rf3 latency.rf1 failover.kill failover.stop)

sluice_cluster_host() { local hosts; read -r -a hosts <<<"$BENCH_SLUICE_CLUSTER_HOSTS"; echo "${hosts[$1]}"; }

sluice_cluster_url() { echo "http://$(sluice_cluster_host "$1"):$BENCH_SLUICE_CLUSTER_HTTP_PORT"; }

# Broker i's URL at the i-th place: the load generator's --urls.
sluice_cluster_urls() { echo "$(sluice_cluster_url 0),$(sluice_cluster_url 1),$(sluice_cluster_url 2)"; }

sluice_cluster_dir() { echo "$RUN_DIR/sluice-cluster/broker$1"; }

# sluice_cluster_command I: sets SLUICE_CLUSTER_CMD to the command that starts broker I on its
# data dir. The one place that knows how a broker of the cluster is started: to start them
# through bin/sluice-cluster (or with a shared object store), change this function only. The
# command must end by exec'ing the broker's JVM: failover rounds signal the pid it started.
sluice_cluster_command() {
  local i=$1 host members="" j
  host=$(sluice_cluster_host "$i")
  for j in 0 1 2; do members+="${members:+,}$(sluice_cluster_host "$j"):$BENCH_SLUICE_CLUSTER_JGROUPS_PORT"; done
  # shellcheck disable=SC2206 # JVM options are a word list
  SLUICE_CLUSTER_CMD=(java $BENCH_CLUSTER_JVM_OPTS
    -Dsluice.broker-id="$i"
    -Dquarkus.http.host="$host" -Dquarkus.http.port="$BENCH_SLUICE_CLUSTER_HTTP_PORT"
    -Dsluice.cluster.bind-address="$host" -Dsluice.cluster.bind-port="$BENCH_SLUICE_CLUSTER_JGROUPS_PORT"
    -Dsluice.replication.port="$BENCH_SLUICE_CLUSTER_REPLICATION_PORT"
    -Dsluice.cluster.members="$members"
    -Dsluice.data-dir="$(sluice_cluster_dir "$i")/data"
    -Dsluice.tier.enabled=false
    -Djava.net.preferIPv4Stack=true
    -jar "$SLUICE_JAR")
}

# sluice_cluster_launch I: starts broker I without waiting for it.
sluice_cluster_launch() {
  local i=$1
  sluice_cluster_command "$i"
  SLUICE_CLUSTER_LAUNCHES=$(( SLUICE_CLUSTER_LAUNCHES + 1 ))
  SLUICE_CLUSTER_LOGS[$i]="$LOG_DIR/sluice-cluster-broker$i.$SLUICE_CLUSTER_LAUNCHES.log"
  start_bg "${SLUICE_CLUSTER_LOGS[$i]}" "${SLUICE_CLUSTER_CMD[@]}"
  SLUICE_CLUSTER_PIDS[$i]=$BG_PID
}

# process_alive PID: running or stopped, not gone and not a zombie (a killed child of this shell
# that is not reaped yet still answers kill -0).
process_alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
  [[ -n $state && $state != Z && $state != X ]]
}

# sluice_cluster_await_ready I: /q/health/ready of broker I answers 200 (readiness means the
# broker joined the cluster and loaded its partitions), within BENCH_CLUSTER_WAIT_SECONDS.
sluice_cluster_await_ready() {
  local i=$1 pid=${SLUICE_CLUSTER_PIDS[$1]} deadline=$(( EPOCHSECONDS + BENCH_CLUSTER_WAIT_SECONDS ))
  until curl -fsS -m 2 -o /dev/null "$(sluice_cluster_url "$i")/q/health/ready" 2>/dev/null; do
    process_alive "$pid" || {
      log "Sluice broker $i (pid $pid) exited while starting: $(grep -v '^\s*$' "${SLUICE_CLUSTER_LOGS[$i]}" | tail -1 | cut -c1-300) (log: ${SLUICE_CLUSTER_LOGS[$i]})"
      return 1
    }
    (( EPOCHSECONDS < deadline )) || { log "Sluice broker $i not ready after $BENCH_CLUSTER_WAIT_SECONDS s"; return 1; }
    sleep 0.1
  done
}

# Every broker sees three live members in GET /cluster.
sluice_cluster_formed() {
  local i
  for i in 0 1 2; do
    [[ $(curl -fsS -m 10 "$(sluice_cluster_url "$i")/cluster" 2>/dev/null | grep -o '"alive" *: *true' | wc -l) == 3 ]] || return 1
  done
}

sluice_cluster_start() {
  local i host port
  for i in 0 1 2; do
    host=$(sluice_cluster_host "$i")
    [[ -n $host ]] || { log "BENCH_SLUICE_CLUSTER_HOSTS needs three addresses: $BENCH_SLUICE_CLUSTER_HOSTS"; return 1; }
    for port in "$BENCH_SLUICE_CLUSTER_HTTP_PORT" "$BENCH_SLUICE_CLUSTER_JGROUPS_PORT" "$BENCH_SLUICE_CLUSTER_REPLICATION_PORT"; do
      check_free_port "$port" "$host" || return 1
    done
  done
  rm -rf "$RUN_DIR/sluice-cluster"
  for i in 0 1 2; do mkdir -p "$(sluice_cluster_dir "$i")/data"; sluice_cluster_launch "$i"; done
  for i in 0 1 2; do sluice_cluster_await_ready "$i" || return 1; done
  local deadline=$(( EPOCHSECONDS + BENCH_CLUSTER_WAIT_SECONDS ))
  until sluice_cluster_formed; do
    (( EPOCHSECONDS < deadline )) || { log "GET /cluster does not show three live brokers on every broker after $BENCH_CLUSTER_WAIT_SECONDS s"; return 1; }
    sleep 0.5
  done
  log "Sluice cluster of three up on $(sluice_cluster_urls) (pids ${SLUICE_CLUSTER_PIDS[*]})"
}

sluice_cluster_stop() {
  local pid
  # all at once, as an operator stops a cluster; CONT first for a broker a failed round left paused
  for pid in "${SLUICE_CLUSTER_PIDS[@]+"${SLUICE_CLUSTER_PIDS[@]}"}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${SLUICE_CLUSTER_PIDS[@]+"${SLUICE_CLUSTER_PIDS[@]}"}"; do stop_pid "$pid"; done
  SLUICE_CLUSTER_PIDS=()
  rm -rf "$RUN_DIR/sluice-cluster"
}

# After a failover round: resumes every broker (SIGCONT is harmless to a running one) and starts
# again, on its data dir as it is, any broker that is gone; then waits until all are ready.
sluice_cluster_heal() {
  local i pid
  for i in 0 1 2; do
    pid=${SLUICE_CLUSTER_PIDS[$i]}
    kill -CONT "$pid" 2>/dev/null || true
    if ! process_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      untrack "$pid"
      log "starting Sluice broker $i again on its data dir"
      sluice_cluster_launch "$i"
    fi
  done
  for i in 0 1 2; do sluice_cluster_await_ready "$i" || return 1; done
}

# cluster_loadgen KEY SECONDS COMMAND ARGS...: run_loadgen, stopped after SECONDS whatever the
# command does, so no wait on a cluster that never forms can hang the run.
cluster_loadgen() {
  local key=$1 seconds=$2; shift 2
  local log_file="$LOG_DIR/$key.log"
  # shellcheck disable=SC2086 # JVM options are a word list
  run_fg "$log_file" timeout -k 10 "$seconds" java $BENCH_CLIENT_JVM_OPTS -jar "$LOADGEN_JAR" "$@" \
    || { log "$key: $(tail -1 "$log_file")"; return 1; }
  put_loadgen_result "$key" "$log_file"
}

# sluice_cluster_topic KEY TOPIC RF: creates TOPIC (one partition, RF replicas; RF=3 with
# min.insync.replicas=2) and waits for its leader and a full ISR; KEY.leader_url is the leader.
sluice_cluster_topic() {
  local key=$1 topic=$2 rf=$3 config=remote.storage.enable=false
  (( rf < 3 )) || config+=,min.insync.replicas=2
  cluster_loadgen "$key" $(( BENCH_CLUSTER_WAIT_SECONDS + 30 )) await-leader --urls "$(sluice_cluster_urls)" \
    --topic "$topic" --replication-factor "$rf" --topic-config "$config" --isr "$rf" \
    --timeout-seconds "$BENCH_CLUSTER_WAIT_SECONDS"
}

# sluice_cluster_drop_topic TOPIC: deletes a measured topic (best effort), so that a broker
# started again in a failover round recovers the failover topic, not gigabytes of earlier runs.
sluice_cluster_drop_topic() {
  local i
  for i in 0 1 2; do
    curl -fsS -m 30 -o /dev/null -X DELETE "$(sluice_cluster_url "$i")/topics/$1" 2>/dev/null && return 0
  done
  log "could not delete topic $1; it stays on the brokers' disks"
}

# sluice_cluster_produce KEY RF: the single-node produce scenario (acks=all, batches of
# BENCH_CLUSTER_BATCH, closed loop) sent to the partition's leader, as a Kafka client sends to
# its leader; RF=3 and RF=1 run on the same cluster one after the other.
sluice_cluster_produce() {
  local key=$1 rf=$2 topic="${1//./-}"
  sluice_cluster_topic "$key.topic" "$topic" "$rf" || return 1
  run_loadgen "$key" produce --url "$(get_result "$key.topic.leader_url")" --topic "$topic" \
    --batch "$BENCH_CLUSTER_BATCH" --acks all --format "$BENCH_FORMAT" --record-size "$BENCH_RECORD_SIZE" \
    --inflight "$BENCH_INFLIGHT" --warmup-records "$BENCH_WARMUP_RECORDS" --records "$BENCH_PRODUCE_RECORDS" \
    --max-seconds "$BENCH_PRODUCE_MAX_SECONDS"
  local status=$?
  sluice_cluster_drop_topic "$topic"
  return $status
}

# sluice_cluster_latency KEY RF: the single-node latency probe (5,000 rec/s, acks=all, one
# WebSocket reader), producing to and reading from the partition's leader.
sluice_cluster_latency() {
  local key=$1 rf=$2 topic="${1//./-}"
  sluice_cluster_topic "$key.topic" "$topic" "$rf" || return 1
  run_loadgen "$key" latency --url "$(get_result "$key.topic.leader_url")" --topic "$topic" \
    --rate "$BENCH_LATENCY_RATE" --warmup-seconds "$BENCH_LATENCY_WARMUP_SECONDS" \
    --seconds "$BENCH_LATENCY_SECONDS" --record-size "$BENCH_RECORD_SIZE"
  local status=$?
  sluice_cluster_drop_topic "$topic"
  return $status
}

# sluice_cluster_failover KEY SIGNAL: BENCH_FAILOVER_ROUNDS rounds on one RF=3 topic. Each:
# the load generator finds the partition's leader, signals it (KILL or STOP) and times the first
# acks=all write a survivor acknowledges; then every broker is resumed or started again and the
# round ends when the partition has a full ISR again and its preferred replica leads (the
# controller moves leadership back a few seconds after a broker returns; a round started before
# that would signal a leader about to hand over). Stores p50 and max of the rounds.
sluice_cluster_failover() {
  local key=$1 signal=$2 topic="${1//./-}" round pids figures=""
  sluice_cluster_topic "$key.topic" "$topic" 3 || return 1
  for round in $(seq 1 "$BENCH_FAILOVER_ROUNDS"); do
    pids=$(IFS=,; echo "${SLUICE_CLUSTER_PIDS[*]}")
    log "$key round $round: $signal the leader of $topic-0 (brokers' pids $pids)"
    local ok=true
    cluster_loadgen "$key.r$round" $(( BENCH_FAILOVER_TIMEOUT_SECONDS + 90 )) failover --urls "$(sluice_cluster_urls)" \
      --pids "$pids" --topic "$topic" --partition 0 --signal "$signal" \
      --timeout-seconds "$BENCH_FAILOVER_TIMEOUT_SECONDS" || ok=false
    # whatever the round did, the cluster is made whole before the next or before the run ends
    sluice_cluster_heal || return 1
    cluster_loadgen "$key.r$round.isr" $(( BENCH_CLUSTER_WAIT_SECONDS + 30 )) await-leader \
      --urls "$(sluice_cluster_urls)" --topic "$topic" --isr 3 --preferred-leader true \
      --timeout-seconds "$BENCH_CLUSTER_WAIT_SECONDS" || return 1
    $ok || return 1
    figures+="${figures:+,}$(get_result "$key.r$round.failover_ms")"
    log "$key round $round: broker $(get_result "$key.r$round.victim") down, a write acknowledged after $(get_result "$key.r$round.failover_ms") ms; ISR full again"
  done
  put_result "$key.rounds_ms" "$figures"
  put_result "$key.rounds" "$BENCH_FAILOVER_ROUNDS"
  # nearest rank, as the latency percentiles
  put_result "$key.p50_ms" "$(tr ',' '\n' <<<"$figures" | sort -g | awk '{ v[NR] = $1 } END { r = int((NR + 1) / 2); printf "%.1f", v[r] }')"
  put_result "$key.max_ms" "$(tr ',' '\n' <<<"$figures" | sort -g | tail -1 | awk '{ printf "%.1f", $1 }')"
}

run_sluice_cluster_scenarios() {
  if sluice_cluster_start; then
    local rf signal
    if cluster_scenario produce; then
      for rf in 3 1; do scenario sluice_cluster.produce.rf$rf sluice_cluster_produce sluice_cluster.produce.rf$rf $rf; done
    fi
    if cluster_scenario latency; then
      for rf in 3 1; do scenario sluice_cluster.latency.rf$rf sluice_cluster_latency sluice_cluster.latency.rf$rf $rf; done
    fi
    if cluster_scenario failover; then
      for signal in KILL STOP; do
        scenario "sluice_cluster.failover.${signal,,}" sluice_cluster_failover "sluice_cluster.failover.${signal,,}" $signal
      done
    fi
  else
    # every scenario shows as failed in the table: the cluster they need did not form
    local k
    for k in "${SLUICE_CLUSTER_KEYS[@]}"; do
      if cluster_scenario "${k%%.*}"; then put_result "sluice_cluster.$k.status" failed; fi
    done
    FAILED_SCENARIOS+=(sluice_cluster.start)
  fi
  sluice_cluster_stop
}
