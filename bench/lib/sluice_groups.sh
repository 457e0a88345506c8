# The consumer-group scenarios, on the three-broker cluster of lib/sluice_cluster.sh (started and
# stopped the same way): a group of readers against plain readers over one backlog, the time a
# group takes to deliver every partition again after a member leaves or dies (eager against
# cooperative), and the size of __consumer_offsets after a million commits, before and after
# compaction.

groups_loadgen() {
  local key=$1 seconds=$2; shift 2
  cluster_loadgen "$key" "$seconds" "$@"
}

# Plain readers first: their run fills the topic (the group then reads the same backlog).
sluice_groups_consume() {
  local mode=$1
  groups_loadgen "sluice_groups.consume.$mode" $(( BENCH_GROUP_MAX_SECONDS + 900 )) group-consume \
    --urls "$(sluice_cluster_urls)" --topic group-backlog --mode "$mode" --members "$BENCH_GROUP_MEMBERS" \
    --partitions "$BENCH_GROUP_PARTITIONS" --fill-records "$BENCH_GROUP_RECORDS" --record-size "$BENCH_RECORD_SIZE" \
    --max-seconds "$BENCH_GROUP_MAX_SECONDS"
}

# sluice_groups_rebalance PROTOCOL EXIT: one group of BENCH_REBALANCE_MEMBERS, one member exits.
sluice_groups_rebalance() {
  local protocol=$1 exit=$2
  groups_loadgen "sluice_groups.rebalance.$protocol.$exit" 300 group-rebalance --urls "$(sluice_cluster_urls)" \
    --topic rebalance --partitions "$BENCH_REBALANCE_PARTITIONS" --members "$BENCH_REBALANCE_MEMBERS" \
    --protocol "$protocol" --exit "$exit" --rate "$BENCH_REBALANCE_RATE" \
    --session-timeout-ms "$BENCH_REBALANCE_SESSION_TIMEOUT_MS" --group "rebalance-$protocol-$exit"
}

sluice_groups_offsets() {
  groups_loadgen sluice_groups.offsets $(( BENCH_OFFSETS_COMPACTION_WAIT_SECONDS + 1800 )) offsets-size \
    --urls "$(sluice_cluster_urls)" --commits "$BENCH_OFFSETS_COMMITS" --partitions "$BENCH_OFFSETS_PARTITIONS" \
    --compaction-wait-seconds "$BENCH_OFFSETS_COMPACTION_WAIT_SECONDS"
}

# The cluster of lib/sluice_cluster.sh, its brokers started one after the other (each once the one
# before it is ready): on a loaded machine a broker that starts slowly becomes a cluster of its own
# and merges later, and after such a merge GET /cluster may miss it on the others for minutes.
sluice_groups_cluster_start() {
  local i host port
  for i in 0 1 2; do
    host=$(sluice_cluster_host "$i")
    for port in "$BENCH_SLUICE_CLUSTER_HTTP_PORT" "$BENCH_SLUICE_CLUSTER_JGROUPS_PORT" "$BENCH_SLUICE_CLUSTER_REPLICATION_PORT"; do
      check_free_port "$port" "$host" || return 1
    done
  done
  rm -rf "$RUN_DIR/sluice-cluster"
  for i in 0 1 2; do
    mkdir -p "$(sluice_cluster_dir "$i")/data"
    sluice_cluster_launch "$i"
    sluice_cluster_await_ready "$i" || return 1
  done
  local deadline=$(( EPOCHSECONDS + BENCH_CLUSTER_WAIT_SECONDS ))
  until sluice_cluster_formed; do
    (( EPOCHSECONDS < deadline )) || { log "GET /cluster does not show three live brokers on every broker after $BENCH_CLUSTER_WAIT_SECONDS s"; return 1; }
    sleep 0.5
  done
  log "Sluice cluster of three up on $(sluice_cluster_urls) (pids ${SLUICE_CLUSTER_PIDS[*]})"
}

run_sluice_groups_scenarios() {
  if sluice_groups_cluster_start; then
    local mode protocol exit
    for mode in plain group; do scenario "sluice_groups.consume.$mode" sluice_groups_consume "$mode"; done
    sluice_cluster_drop_topic group-backlog
    for protocol in cooperative eager; do
      for exit in leave abort; do
        scenario "sluice_groups.rebalance.$protocol.$exit" sluice_groups_rebalance "$protocol" "$exit"
      done
    done
    scenario sluice_groups.offsets sluice_groups_offsets
  else
    FAILED_SCENARIOS+=(sluice_groups.start)
  fi
  sluice_cluster_stop
}
