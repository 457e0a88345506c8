# The Kafka peer: a single-node KRaft broker and Kafka's own perf tools, all from the class
# path that bench/kafka-peer/pom.xml gathers into bench/target/kafka-lib.

KAFKA_VERSION=4.4.0
KAFKA_LIB="$BENCH_DIR/target/kafka-lib"
KAFKA_BOOTSTRAP="127.0.0.1:$BENCH_KAFKA_PORT"
KAFKA_PID=

kafka_fetch() {
  [[ -f $KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar && -f $KAFKA_LIB/kafka-tools-$KAFKA_VERSION.jar ]] && return 0
  log "gathering Kafka $KAFKA_VERSION into $KAFKA_LIB"
  "$REPO_DIR/mvnw" -q -f "$BENCH_DIR/kafka-peer/pom.xml" package
}

# kafka_java LOG MAIN_CLASS ARGS...: one of Kafka's tools, as a client of the running broker.
kafka_java() {
  local log_file=$1; shift
  # shellcheck disable=SC2086 # JVM options are a word list
  run_fg "$log_file" java $BENCH_CLIENT_JVM_OPTS -cp "$KAFKA_LIB/*" "$@"
}

kafka_start() {
  local dir="$RUN_DIR/kafka" cluster_id
  require_free_port "$BENCH_KAFKA_PORT"
  require_free_port "$BENCH_KAFKA_CONTROLLER_PORT"
  rm -rf "$dir" && mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$BENCH_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$BENCH_KAFKA_PORT,CONTROLLER://127.0.0.1:$BENCH_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$BENCH_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cluster_id=$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  [[ -n $cluster_id ]] || { log "StorageTool random-uuid printed nothing"; return 1; }
  kafka_java "$LOG_DIR/kafka-format.log" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
    || { log "StorageTool format failed"; return 1; }
  # shellcheck disable=SC2086
  start_bg "$LOG_DIR/kafka-server.log" java $BENCH_BROKER_JVM_OPTS -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties"
  KAFKA_PID=$BG_PID
  wait_until 60 "$KAFKA_PID" "Kafka listener" port_in_use "$BENCH_KAFKA_PORT" || return 1
  # the listener opens before the controller has elected itself; a topic listing proves both
  wait_until 60 "$KAFKA_PID" "Kafka metadata" \
    java -cp "$KAFKA_LIB/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list
  log "Kafka $KAFKA_VERSION up on $KAFKA_BOOTSTRAP (pid $KAFKA_PID)"
}

kafka_stop() {
  [[ -n $KAFKA_PID ]] || return 0
  stop_pid "$KAFKA_PID"
  KAFKA_PID=
  rm -rf "$RUN_DIR/kafka/data"
}

kafka_create_topic() {
  kafka_java "$LOG_DIR/kafka-topic-$1.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --create --topic "$1" --partitions 1 --replication-factor 1
}

# A producer batch of about N records of BENCH_RECORD_SIZE: each v2 record adds at most ~12
# bytes of framing (attributes, varint deltas and lengths) and a batch 61 bytes of header.
kafka_batch_bytes() { echo $(( $1 * (BENCH_RECORD_SIZE + 16) + 64 )); }

# kafka_produce KEY BATCH ACKS: ProducerPerformance at full speed; stores the steady-state
# figures (after --warmup-records) under KEY.
kafka_produce() {
  local key=$1 batch=$2 acks=$3 topic="${1//./-}" log_file="$LOG_DIR/$1.log" line
  kafka_create_topic "$topic" || return 1
  kafka_java "$log_file" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --topic "$topic" --num-records $(( BENCH_WARMUP_RECORDS + BENCH_PRODUCE_RECORDS )) \
    --warmup-records "$BENCH_WARMUP_RECORDS" --throughput -1 --record-size "$BENCH_RECORD_SIZE" \
    --command-property acks="$acks" linger.ms=5 batch.size="$(kafka_batch_bytes "$batch")" || return 1
  # "250000 steady state records sent, 75278.5 records/sec (73.51 MB/sec), ..."
  line=$(grep 'steady state records sent' "$log_file") || { log "no steady-state line in $log_file"; return 1; }
  put_rate "$key" "$(awk '{ for (i = 1; i <= NF; i++) if ($i == "records/sec") print $(i - 1) }' <<<"$line")"
  put_client_cpu "$key"
}

# kafka_latency KEY: the same fixed-rate probe as Sluice's (bench/loadgen, kafka-latency).
kafka_latency() {
  local key=$1 topic="${1//./-}"
  kafka_create_topic "$topic" || return 1
  run_loadgen "$key" kafka-latency --bootstrap "$KAFKA_BOOTSTRAP" --topic "$topic" \
    --rate "$BENCH_LATENCY_RATE" --warmup-seconds "$BENCH_LATENCY_WARMUP_SECONDS" \
    --seconds "$BENCH_LATENCY_SECONDS" --record-size "$BENCH_RECORD_SIZE"
}

# kafka_e2e_tool KEY: Kafka's EndToEndLatency, closed loop (send one, wait for it, repeat).
kafka_e2e_tool() {
  local key=$1 topic="${1//./-}" log_file="$LOG_DIR/$1.log" line
  kafka_create_topic "$topic" || return 1
  kafka_java "$log_file" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --topic "$topic" --num-records "$BENCH_E2E_TOOL_RECORDS" --producer-acks all --record-size "$BENCH_RECORD_SIZE" \
    || return 1
  # "Percentiles: 50th = 1, 99th = 7, 99.9th = 13" (whole milliseconds)
  line=$(grep '^Percentiles:' "$log_file") || { log "no percentiles in $log_file"; return 1; }
  put_result "$key.p50_ms" "$(awk -F'[=,]' '{ print $2 + 0 }' <<<"$line")"
  put_result "$key.p99_ms" "$(awk -F'[=,]' '{ print $4 + 0 }' <<<"$line")"
  put_result "$key.p999_ms" "$(awk -F'[=,]' '{ print $6 + 0 }' <<<"$line")"
}

# kafka_consume KEY: fills a topic with the backlog (fast path: acks=1, batches of 1000), then
# ConsumerPerformance reads it all; the fetch.* figures leave out the consumer group join.
kafka_consume() {
  local key=$1 topic="${1//./-}" log_file="$LOG_DIR/$1.log" line
  kafka_create_topic "$topic" || return 1
  kafka_java "$LOG_DIR/$key-fill.log" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --topic "$topic" --num-records "$BACKLOG_RECORDS" --throughput -1 --record-size "$BENCH_RECORD_SIZE" \
    --command-property acks=1 linger.ms=5 batch.size="$(kafka_batch_bytes 1000)" || return 1
  kafka_java "$log_file" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --topic "$topic" --num-records "$BACKLOG_RECORDS" --timeout 60000 || return 1
  # header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  #         rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  line=$(grep -A1 '^start.time' "$log_file" | tail -1)
  [[ $(awk -F', ' '{ print $5 }' <<<"$line") == "$BACKLOG_RECORDS" ]] \
    || { log "ConsumerPerformance did not read $BACKLOG_RECORDS records: $line"; return 1; }
  put_rate "$key" "$(awk -F', ' '{ print $10 }' <<<"$line")"
  put_client_cpu "$key"
}

# put_rate KEY RECORDS_PER_SEC: stores records/s and the MiB/s of their values.
put_rate() {
  [[ -n $2 ]] || { log "$1: no rate parsed"; return 1; }
  put_result "$1.records_per_sec" "$2"
  put_result "$1.mib_per_sec" "$(awk -v r="$2" -v s="$BENCH_RECORD_SIZE" 'BEGIN { printf "%.1f", r * s / 1048576 }')"
}

# The last run_fg's CPU over its whole life (JVM start and warm-up included), as % of a core.
put_client_cpu() {
  put_result "$1.client_cpu_pct" "$(awk -v c="$CHILD_CPU_SECONDS" -v w="$CHILD_WALL_SECONDS" 'BEGIN { printf "%.1f", 100 * c / w }')"
}

run_kafka_scenarios() {
  kafka_start || { FAILED_SCENARIOS+=(kafka.start); kafka_stop; return 0; }
  local batch acks
  for batch in 100 1000; do
    for acks in 1 all; do
      scenario "kafka.produce.b$batch.acks$acks" kafka_produce "kafka.produce.b$batch.acks$acks" "$batch" "$acks"
    done
  done
  scenario kafka.latency kafka_latency kafka.latency
  scenario kafka.e2e_tool kafka_e2e_tool kafka.e2e_tool
  scenario kafka.consume kafka_consume kafka.consume
  kafka_stop
}
