# Sizes and knobs of a bench run, each overridable from the environment. BENCH_QUICK=1 picks
# small sizes so the whole script can be checked in a few minutes; its figures are not results.

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  BENCH_MODE=quick
  : "${BENCH_PRODUCE_RECORDS:=60000}" "${BENCH_WARMUP_RECORDS:=20000}" "${BENCH_PRODUCE_MAX_SECONDS:=10}"
  : "${BENCH_LATENCY_WARMUP_SECONDS:=2}" "${BENCH_LATENCY_SECONDS:=5}" "${BENCH_E2E_TOOL_RECORDS:=1000}"
  : "${BENCH_BACKLOG_MIB:=64}" "${BENCH_DD_MIB:=256}" "${BENCH_TIER_MIB:=64}"
else
  BENCH_MODE=full
  : "${BENCH_PRODUCE_RECORDS:=1000000}" "${BENCH_WARMUP_RECORDS:=200000}" "${BENCH_PRODUCE_MAX_SECONDS:=40}"
  # the WebSocket read path is still cold when the latency scenario starts: let both JITs settle
  : "${BENCH_LATENCY_WARMUP_SECONDS:=10}" "${BENCH_LATENCY_SECONDS:=20}" "${BENCH_E2E_TOOL_RECORDS:=5000}"
  # 1 GiB of backlog per broker, as specified; lower it (in MiB) if a run must be shorter
  : "${BENCH_BACKLOG_MIB:=1024}" "${BENCH_DD_MIB:=2048}" "${BENCH_TIER_MIB:=512}"
fi

: "${BENCH_TARGETS:=kafka sluice}"          # which brokers to measure
: "${BENCH_BUILD:=auto}"                    # Sluice build: auto (if sources are newer) | always | never
: "${BENCH_RECORD_SIZE:=1024}"
: "${BENCH_INFLIGHT:=8}"                    # Sluice produce requests in flight (one per connection)
: "${BENCH_FORMAT:=binary}"                 # Sluice value format: binary (base64) | string
: "${BENCH_LATENCY_RATE:=5000}"             # records/s offered in the latency scenario
: "${BENCH_TIER_SEGMENT_BYTES:=16777216}"   # segment.bytes of the tiered topic: each closed segment is one upload
: "${BENCH_MAINTENANCE_INTERVAL_MS:=200}"   # sluice.log.maintenance-interval-ms of the tier broker: how soon retention runs
: "${BENCH_FIRST_RECORD_SAMPLES:=5}"        # fetches per figure of the first-record-from-the-tier scenario
# Both brokers get the same heap and collector (Kafka's own start script uses 1 GiB and G1).
: "${BENCH_BROKER_JVM_OPTS:=-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
: "${BENCH_CLIENT_JVM_OPTS:=-Xms512m -Xmx512m}"
: "${BENCH_KAFKA_PORT:=19092}" "${BENCH_KAFKA_CONTROLLER_PORT:=19093}"
: "${BENCH_SLUICE_PORT:=18080}" "${BENCH_SLUICE_CLUSTER_PORT:=17800}" "${BENCH_SLUICE_REPLICATION_PORT:=19094}"

# The cluster scenarios (issue: RF=3 against RF=1, failover). BENCH_SUITES picks the sets:
# "single" (one broker each, everything above), "cluster" (three brokers each), or both.
: "${BENCH_SUITES:=single cluster}"
: "${BENCH_CLUSTER_SCENARIOS:=produce latency failover}"   # which of the cluster scenarios run
: "${BENCH_CLUSTER_BATCH:=1000}"            # records per produce request (Kafka: batch.size for as many)
# three JVMs at once on 2 cores and a shared machine: a modest heap each, the same for both brokers
: "${BENCH_CLUSTER_JVM_OPTS:=-Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
: "${BENCH_SLUICE_CLUSTER_HOSTS:=127.0.0.11 127.0.0.12 127.0.0.13}"   # broker i binds the i-th address
: "${BENCH_SLUICE_CLUSTER_HTTP_PORT:=8080}" "${BENCH_SLUICE_CLUSTER_JGROUPS_PORT:=7800}"
: "${BENCH_SLUICE_CLUSTER_REPLICATION_PORT:=9093}"
: "${BENCH_KAFKA_CLUSTER_HOSTS:=127.0.0.21 127.0.0.22 127.0.0.23}"
: "${BENCH_KAFKA_CLUSTER_PORT:=9092}" "${BENCH_KAFKA_CLUSTER_CONTROLLER_PORT:=9093}"
# batch.size of the Kafka latency probe on the cluster: Kafka's default, as the single-node probe.
# With acks=all and RF=3 a producer that falls behind catches up by at most this much per request
# (about 15 records); the Sluice probe sends up to 100 per request; 104064 lets Kafka send as many.
: "${BENCH_KAFKA_LATENCY_BATCH_BYTES:=16384}"
: "${BENCH_FAILOVER_ROUNDS:=5}"              # kill -9 rounds, and as many SIGSTOP rounds
: "${BENCH_FAILOVER_TIMEOUT_SECONDS:=30}"    # a round that sees no acknowledged write by then fails
: "${BENCH_CLUSTER_WAIT_SECONDS:=120}"       # bound on every wait for a broker, a leader or a full ISR

# The consumer-group scenarios (BENCH_SUITES=groups), on the same three-broker cluster.
if [[ $BENCH_MODE == quick ]]; then
  : "${BENCH_GROUP_RECORDS:=100000}" "${BENCH_OFFSETS_COMMITS:=100000}"
else
  : "${BENCH_GROUP_RECORDS:=1000000}" "${BENCH_OFFSETS_COMMITS:=1000000}"
fi
: "${BENCH_GROUP_PARTITIONS:=8}"            # partitions of the backlog topic (RF=3)
: "${BENCH_GROUP_MEMBERS:=4}"               # members of the reading group, and as many plain readers
: "${BENCH_GROUP_MAX_SECONDS:=300}"         # a read of the backlog that takes longer fails
: "${BENCH_REBALANCE_MEMBERS:=10}" "${BENCH_REBALANCE_PARTITIONS:=20}"
: "${BENCH_REBALANCE_RATE:=2000}"           # records/s produced while the group rebalances
: "${BENCH_REBALANCE_SESSION_TIMEOUT_MS:=3000}"   # sessionTimeoutMs of the members (a dead one is noticed after it)
: "${BENCH_OFFSETS_PARTITIONS:=100}"        # partitions committed by each commit message
: "${BENCH_OFFSETS_COMPACTION_WAIT_SECONDS:=180}"  # how long to wait for __consumer_offsets to be compacted

BACKLOG_RECORDS=$(( BENCH_BACKLOG_MIB * 1024 * 1024 / BENCH_RECORD_SIZE ))
TIER_RECORDS=$(( BENCH_TIER_MIB * 1024 * 1024 / BENCH_RECORD_SIZE ))
