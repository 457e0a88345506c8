# The cluster section of the report: three Sluice brokers and three Kafka brokers, RF=3 against
# RF=1, end-to-end latency, failover; each figure beside the target it answers to.

# rounds_cell KEY: p50 and max of a failover scenario's rounds, or its state when it has none.
rounds_cell() {
  local s; s=$(state "$1")
  [[ -n $s ]] && { echo "$s"; return; }
  echo "p50 $(fmt "$(get_result "$1.p50_ms")") ms, max $(fmt "$(get_result "$1.max_ms")") ms"
}

cluster_table() {
  local b=$BENCH_CLUSTER_BATCH s3=sluice_cluster.produce.rf3 s1=sluice_cluster.produce.rf1
  local k3=kafka_cluster.produce.rf3 k1=kafka_cluster.produce.rf1 l3=sluice_cluster.latency.rf3 l1=sluice_cluster.latency.rf1
  local kl3=kafka_cluster.latency.rf3 kl1=kafka_cluster.latency.rf1 fk=sluice_cluster.failover.kill fs=sluice_cluster.failover.stop
  local s_rf kafka_ratio k_rf p99_ratio k_p99_ratio
  s_rf=$(ratio "$(figure $s3 records_per_sec)" "$(figure $s1 records_per_sec)")
  k_rf=$(ratio "$(figure $k3 records_per_sec)" "$(figure $k1 records_per_sec)")
  kafka_ratio=$(ratio "$(figure $s3 records_per_sec)" "$(figure $k3 records_per_sec)")
  p99_ratio=$(ratio "$(figure $l3 p99_ms)" "$(figure $l1 p99_ms)")
  k_p99_ratio=$(ratio "$(figure $kl3 p99_ms)" "$(figure $kl1 p99_ms)")
  echo "| Figure | Sluice | Kafka | Target | Verdict |"
  echo "|---|---:|---:|---|---|"
  echo "| Produce $BENCH_RECORD_SIZE B, batch $b, acks=all, RF=3, min.insync.replicas=2 | $(throughput_cell $s3) | $(throughput_cell $k3) | Sluice RF=3 ≥ Kafka RF=3 (Sluice/Kafka $kafka_ratio) | $(verdict "$kafka_ratio" 'x >= 1.0') |"
  echo "| Produce $BENCH_RECORD_SIZE B, batch $b, acks=all, RF=1, same cluster | $(throughput_cell $s1) | $(throughput_cell $k1) | | |"
  echo "| RF=3 / RF=1 produce | $s_rf | $k_rf | Sluice ≥ 0.6 | $(verdict "$s_rf" 'x >= 0.6') |"
  echo "| End-to-end p99 at $(fmt "$BENCH_LATENCY_RATE") rec/s, acks=all, RF=3 | $(latency_cell $l3 p99_ms) | $(latency_cell $kl3 p99_ms) | | |"
  echo "| End-to-end p99 at $(fmt "$BENCH_LATENCY_RATE") rec/s, acks=all, RF=1 | $(latency_cell $l1 p99_ms) | $(latency_cell $kl1 p99_ms) | | |"
  echo "| End-to-end p99, RF=3 / RF=1 | $p99_ratio | $k_p99_ratio | Sluice ≤ 2.0 | $(verdict "$p99_ratio" 'x <= 2.0') |"
  echo "| End-to-end p50, RF=3 / RF=1 | $(latency_cell $l3 p50_ms) / $(latency_cell $l1 p50_ms) | $(latency_cell $kl3 p50_ms) / $(latency_cell $kl1 p50_ms) | | |"
  echo "| After kill -9 of the leader: first acks=all write acknowledged, over $BENCH_FAILOVER_ROUNDS rounds | $(rounds_cell $fk) | | p50 ≤ 2 s, max ≤ 5 s | p50 $(verdict "$(figure $fk p50_ms)" 'x <= 2000'), max $(verdict "$(figure $fk max_ms)" 'x <= 5000') |"
  echo "| After SIGSTOP of the leader (paused until a write is acknowledged), over $BENCH_FAILOVER_ROUNDS rounds | $(rounds_cell $fs) | | | |"
}

cluster_notes() {
  local e2e=kafka_cluster.e2e_tool e2e_text
  e2e_text="p50 $(get_result $e2e.p50_ms) ms, p99 $(get_result $e2e.p99_ms) ms, p99.9 $(get_result $e2e.p999_ms) ms"
  [[ -z $(state $e2e) ]] || e2e_text=$(state $e2e)
  busy_note
  echo "- Three brokers of each, one at a time: Sluice's on $BENCH_SLUICE_CLUSTER_HOSTS, Kafka's (KRaft, every node broker and controller, a quorum of three voters) on $BENCH_KAFKA_CLUSTER_HOSTS, all on this machine's $(nproc) cores and one disk, each JVM with \`$BENCH_CLUSTER_JVM_OPTS\`. Every replica's writes go to the same disk, so RF=3 writes each byte three times to it."
  echo "- Durability differs: a Sluice replica acknowledges its position only after fsync, so acks=all means fsync'd on the in-sync replicas; Kafka's replicas write to the page cache."
  echo "- Produce: $(fmt "$BENCH_PRODUCE_RECORDS") records after $(fmt "$BENCH_WARMUP_RECORDS") of warm-up into a one-partition topic, sent to the partition's leader (the Kafka producer's way; Sluice forwards otherwise). RF=3 and RF=1 run on the same cluster, one after the other."
  echo "- Latency: the single-node probe (open loop, $(fmt "$BENCH_LATENCY_RATE") rec/s, ${BENCH_LATENCY_SECONDS} s after ${BENCH_LATENCY_WARMUP_SECONDS} s of warm-up), producing to and reading from the leader.$(lost_note Sluice "sluice_cluster.latency.rf3")$(lost_note Kafka "kafka_cluster.latency.rf3") Kafka's own EndToEndLatency on an RF=3 topic (closed loop, it has no rate option; $(fmt "$BENCH_E2E_TOOL_RECORDS") records, whole ms): $e2e_text."
  echo "- Failover: the tier is off (\`sluice.tier.enabled=false\`), so no object store is shared. Each round the load generator finds the leader of an RF=3, min.insync.replicas=2 partition, sends it SIGKILL or SIGSTOP itself, and from that instant sends a one-record acks=all produce every 20 ms through the two other brokers in turn (each request bounded at 3 s, none waiting for another); the figure is the time to the first reply with an offset. Then the broker is started again on its data dir (or sent SIGCONT) and the next round waits for an ISR of three with the preferred replica leading again (the controller moves leadership back a few seconds after a broker returns; a round started earlier would signal a leader about to hand over, and time a failover that never happened). Rounds, ms: kill -9 $(get_result sluice_cluster.failover.kill.rounds_ms | sed 's/,/, /g'); SIGSTOP $(get_result sluice_cluster.failover.stop.rounds_ms | sed 's/,/, /g')."
}
