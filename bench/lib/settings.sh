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

BACKLOG_RECORDS=$(( BENCH_BACKLOG_MIB * 1024 * 1024 / BENCH_RECORD_SIZE ))
TIER_RECORDS=$(( BENCH_TIER_MIB * 1024 * 1024 / BENCH_RECORD_SIZE ))
