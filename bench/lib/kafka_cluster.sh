# The Kafka peer of the cluster scenarios: three KRaft nodes, each broker and controller (a
# 3-voter quorum), one per loopback address, on the class path of bench/target/kafka-lib.
# Topics have replication factor 3 and min.insync.replicas=2, as the Sluice cluster's.

KAFKA_CLUSTER_PIDS=()
KAFKA_CLUSTER_BOOTSTRAP=

# kafka_cluster_hosts: the nodes' addresses, one word each (BENCH_KAFKA_CLUSTER_HOSTS).
kafka_cluster_hosts() { echo "$BENCH_KAFKA_CLUSTER_HOSTS"; }

kafka_cluster_start() {
  local hosts=() host i voters="" cluster_id dir
  read -r -a hosts <<<"$(kafka_cluster_hosts)"
  (( ${#hosts[@]} == 3 )) || { log "BENCH_KAFKA_CLUSTER_HOSTS needs three addresses: ${hosts[*]}"; return 1; }
  KAFKA_CLUSTER_BOOTSTRAP=
  for i in 0 1 2; do
    host=${hosts[$i]}
    check_free_port "$BENCH_KAFKA_CLUSTER_PORT" "$host" || return 1
    check_free_port "$BENCH_KAFKA_CLUSTER_CONTROLLER_PORT" "$host" || return 1
    voters+="${voters:+,}$(( i + 1 ))@$host:$BENCH_KAFKA_CLUSTER_CONTROLLER_PORT"
    KAFKA_CLUSTER_BOOTSTRAP+="${KAFKA_CLUSTER_BOOTSTRAP:+,}$host:$BENCH_KAFKA_CLUSTER_PORT"
  done
  cluster_id=$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  [[ -n $cluster_id ]] || { log "StorageTool random-uuid printed nothing"; return 1; }
  for i in 0 1 2; do
    host=${hosts[$i]} dir="$RUN_DIR/kafka-cluster/node$i"
    rm -rf "$dir" && mkdir -p "$dir/data"
    # Static voters (controller.quorum.voters): every node knows the whole quorum from its
    # properties, so formatting needs no --standalone or --initial-controllers.
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$(( i + 1 ))
controller.quorum.voters=$voters
listeners=PLAINTEXT://$host:$BENCH_KAFKA_CLUSTER_PORT,CONTROLLER://$host:$BENCH_KAFKA_CLUSTER_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$host:$BENCH_KAFKA_CLUSTER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
auto.create.topics.enable=false
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
PROPS
    kafka_java "$LOG_DIR/kafka-cluster-format-$i.log" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$dir/server.properties" || { log "StorageTool format of node $i failed"; return 1; }
  done
  for i in 0 1 2; do
    # shellcheck disable=SC2086 # JVM options are a word list
    start_bg "$LOG_DIR/kafka-cluster-server-$i.log" java $BENCH_CLUSTER_JVM_OPTS -cp "$KAFKA_LIB/*" kafka.Kafka \
      "$RUN_DIR/kafka-cluster/node$i/server.properties"
    KAFKA_CLUSTER_PIDS+=("$BG_PID")
  done
  for i in 0 1 2; do
    wait_until 90 "${KAFKA_CLUSTER_PIDS[$i]}" "Kafka node $i listener" \
      port_in_use "$BENCH_KAFKA_CLUSTER_PORT" "${hosts[$i]}" || return 1
  done
  # every broker registered: a topic of replication factor 3 can only be created when all three are
  wait_until 90 "${KAFKA_CLUSTER_PIDS[0]}" "Kafka cluster of three" kafka_cluster_create_topic warmup 3 \
    || return 1
  log "Kafka $KAFKA_VERSION cluster of three up on $KAFKA_CLUSTER_BOOTSTRAP (pids ${KAFKA_CLUSTER_PIDS[*]})"
}

kafka_cluster_stop() {
  local pid
  # all at once: a node stopped last, after the others, waits for a quorum that has gone
  for pid in "${KAFKA_CLUSTER_PIDS[@]+"${KAFKA_CLUSTER_PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${KAFKA_CLUSTER_PIDS[@]+"${KAFKA_CLUSTER_PIDS[@]}"}"; do stop_pid "$pid"; done
  KAFKA_CLUSTER_PIDS=()
  rm -rf "$RUN_DIR/kafka-cluster"
}

# kafka_cluster_create_topic NAME RF: one partition; RF 3 gets min.insync.replicas=2. Succeeds
# only once the topic exists with a leader.
kafka_cluster_create_topic() {
  local name=$1 rf=$2 config=()
  (( rf < 3 )) || config=(--config min.insync.replicas=2)
  kafka_java "$LOG_DIR/kafka-cluster-topic-$name.log" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_CLUSTER_BOOTSTRAP" --create --if-not-exists --topic "$name" --partitions 1 \
    --replication-factor "$rf" "${config[@]}" || return 1
  kafka_java "$LOG_DIR/kafka-cluster-topic-$name-describe.log" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_CLUSTER_BOOTSTRAP" --describe --topic "$name" || return 1
  # "Topic: t  Partition: 0  Leader: 2  Replicas: 2,3,1  Isr: 2,3,1 ..." : a leader and a full ISR
  awk -v rf="$rf" '/Partition: 0/ { for (i = 1; i < NF; i++) { if ($i == "Leader:") l = $(i + 1); if ($i == "Isr:") n = split($(i + 1), x, ",") } }
    END { exit !(l != "" && l != "none" && l + 0 >= 0 && n == rf) }' "$LOG_DIR/kafka-cluster-topic-$name-describe.log"
}

# kafka_cluster_produce KEY RF: ProducerPerformance acks=all, batches of BENCH_CLUSTER_BATCH, as
# the single-node scenario (steady state after the warm-up).
kafka_cluster_produce() {
  local key=$1 rf=$2 topic="${1//./-}" log_file="$LOG_DIR/$1.log" line
  wait_until 60 "${KAFKA_CLUSTER_PIDS[0]}" "topic $topic" kafka_cluster_create_topic "$topic" "$rf" || return 1
  kafka_java "$log_file" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$KAFKA_CLUSTER_BOOTSTRAP" \
    --topic "$topic" --num-records $(( BENCH_WARMUP_RECORDS + BENCH_PRODUCE_RECORDS )) \
    --warmup-records "$BENCH_WARMUP_RECORDS" --throughput -1 --record-size "$BENCH_RECORD_SIZE" \
    --command-property acks=all linger.ms=5 batch.size="$(kafka_batch_bytes "$BENCH_CLUSTER_BATCH")" || return 1
  line=$(grep 'steady state records sent' "$log_file") || { log "no steady-state line in $log_file"; return 1; }
  put_rate "$key" "$(awk '{ for (i = 1; i <= NF; i++) if ($i == "records/sec") print $(i - 1) }' <<<"$line")"
  put_client_cpu "$key"
}

# kafka_cluster_latency KEY RF: the fixed-rate probe of the single-node scenario, on the cluster.
kafka_cluster_latency() {
  local key=$1 rf=$2 topic="${1//./-}"
  wait_until 60 "${KAFKA_CLUSTER_PIDS[0]}" "topic $topic" kafka_cluster_create_topic "$topic" "$rf" || return 1
  run_loadgen "$key" kafka-latency --bootstrap "$KAFKA_CLUSTER_BOOTSTRAP" --topic "$topic" \
    --rate "$BENCH_LATENCY_RATE" --warmup-seconds "$BENCH_LATENCY_WARMUP_SECONDS" \
    --seconds "$BENCH_LATENCY_SECONDS" --record-size "$BENCH_RECORD_SIZE" --batch-bytes "$BENCH_KAFKA_LATENCY_BATCH_BYTES"
}

# kafka_cluster_e2e_tool KEY: Kafka's EndToEndLatency on an RF=3 topic. The tool has no rate
# option: it sends one record and waits for it, as in the single-node notes.
kafka_cluster_e2e_tool() {
  local key=$1 topic="${1//./-}" log_file="$LOG_DIR/$1.log" line
  wait_until 60 "${KAFKA_CLUSTER_PIDS[0]}" "topic $topic" kafka_cluster_create_topic "$topic" 3 || return 1
  kafka_java "$log_file" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$KAFKA_CLUSTER_BOOTSTRAP" \
    --topic "$topic" --num-records "$BENCH_E2E_TOOL_RECORDS" --producer-acks all --record-size "$BENCH_RECORD_SIZE" \
    || return 1
  line=$(grep '^Percentiles:' "$log_file") || { log "no percentiles in $log_file"; return 1; }
  put_result "$key.p50_ms" "$(awk -F'[=,]' '{ print $2 + 0 }' <<<"$line")"
  put_result "$key.p99_ms" "$(awk -F'[=,]' '{ print $4 + 0 }' <<<"$line")"
  put_result "$key.p999_ms" "$(awk -F'[=,]' '{ print $6 + 0 }' <<<"$line")"
}

run_kafka_cluster_scenarios() {
  cluster_scenario produce || cluster_scenario latency || return 0
  if kafka_cluster_start; then
    local rf
    if cluster_scenario produce; then
      for rf in 3 1; do scenario kafka_cluster.produce.rf$rf kafka_cluster_produce kafka_cluster.produce.rf$rf $rf; done
    fi
    if cluster_scenario latency; then
      for rf in 3 1; do scenario kafka_cluster.latency.rf$rf kafka_cluster_latency kafka_cluster.latency.rf$rf $rf; done
      scenario kafka_cluster.e2e_tool kafka_cluster_e2e_tool kafka_cluster.e2e_tool
    fi
  else
    FAILED_SCENARIOS+=(kafka_cluster.start)
  fi
  kafka_cluster_stop
}
