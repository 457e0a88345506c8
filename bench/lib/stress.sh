# The stress run (bench/stress.sh): one broker on its defaults with a fixed heap, hostile loads
# from the load generator's `stress` command phase by phase, a restart, and the report section.
# Sourced, not run. Every knob is an environment variable.

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  STRESS_MODE=quick
  : "${STRESS_SECONDS:=15}" "${STRESS_COOL_SECONDS:=5}" "${STRESS_IDLE:=1000}" "${STRESS_SLOW:=500}"
  : "${STRESS_WS_READERS:=200}" "${STRESS_LARGE_BODIES:=4}" "${STRESS_LARGE_ROUNDS:=1}" "${STRESS_LYING:=16}"
  : "${STRESS_WIDE:=2000}" "${STRESS_GROW_FROM:=1000}" "${STRESS_GROW_TO:=1500}"
else
  STRESS_MODE=full
  # 75 s: long enough for idle, read and drain timeouts of up to a minute to show in the table
  : "${STRESS_SECONDS:=75}" "${STRESS_COOL_SECONDS:=10}" "${STRESS_IDLE:=5000}" "${STRESS_SLOW:=2000}"
  : "${STRESS_WS_READERS:=1000}" "${STRESS_LARGE_BODIES:=16}" "${STRESS_LARGE_ROUNDS:=2}" "${STRESS_LYING:=64}"
  : "${STRESS_WIDE:=10000}" "${STRESS_GROW_FROM:=5000}" "${STRESS_GROW_TO:=8000}"
fi
: "${STRESS_PHASES:=baseline,idle,slow,ws,large,lying,wide}"
: "${STRESS_DRIP_MS:=3000}"           # a slow connection sends one byte this often
: "${STRESS_DATA_RECORDS:=20000}"     # records of 1 KiB that the never-reading WebSocket readers are offered
: "${STRESS_LARGE_MIB:=60}"           # size of a large body, and what a lying body declares
# The broker gets a fixed heap; everything else is its default (data dir ./data, embedded store).
: "${STRESS_BROKER_JVM_OPTS:=-Xms1g -Xmx1g -XX:+UseG1GC}"
: "${STRESS_CLIENT_JVM_OPTS:=-Xms256m -Xmx768m}"
: "${STRESS_HEALTH_MAX_MS:=1000}"     # readiness must answer within this, in every phase
: "${STRESS_RESTART_SECONDS:=180}"    # the restart after the run must be ready within this
: "${STRESS_MAX_SECONDS:=1200}"       # the load generator is stopped after this, whatever the broker does
# where the broker serves readiness and metrics (elsewhere if a management interface is configured)
: "${STRESS_HEALTH_URL:=http://127.0.0.1:$BENCH_SLUICE_PORT/q/health/ready}"
: "${STRESS_METRICS_URL:=http://127.0.0.1:$BENCH_SLUICE_PORT/q/metrics}"

STRESS_BROKER_DIR="$RUN_DIR/broker"
RESTART_FAILURE="it was not restarted: the broker was gone"

# stress_launch LOG: the packaged broker in STRESS_BROKER_DIR, as `java -jar` with a fixed heap,
# bound to 127.0.0.1 on the bench port; sets SLUICE_PID and STRESS_LAUNCHED_AT.
stress_launch() {
  STRESS_BROKER_LOG=$1
  STRESS_LAUNCHED_AT=$EPOCHREALTIME
  # the subshell execs java, so the tracked pid is the broker's own
  # shellcheck disable=SC2086 # JVM options are a word list
  start_bg "$STRESS_BROKER_LOG" bash -c 'cd "$1" && shift && exec "$@"' stress-broker "$STRESS_BROKER_DIR" \
    java $STRESS_BROKER_JVM_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$BENCH_SLUICE_PORT" \
    -jar "$SLUICE_JAR"
  SLUICE_PID=$BG_PID
}

# stress_await_ready SECONDS: sets STRESS_READY_MS; fails if the broker exits or is not ready in time.
stress_await_ready() {
  local deadline=$(( EPOCHSECONDS + $1 ))
  STRESS_START_FAILURE=
  until curl -fsS -o /dev/null --max-time 5 "$STRESS_HEALTH_URL" 2>/dev/null; do
    if ! kill -0 "$SLUICE_PID" 2>/dev/null; then
      STRESS_START_FAILURE="it exited while starting"
      # the innermost cause, without this machine's paths
      local cause
      cause=$(grep '^Caused by: ' "$STRESS_BROKER_LOG" | tail -1 | sed "s|$STRESS_BROKER_DIR/||g; s|^Caused by: ||" | cut -c1-200)
      [[ -z $cause ]] || STRESS_START_FAILURE+=" (\`$cause\`)"
      log "the broker exited while starting; see $STRESS_BROKER_LOG"
      return 1
    fi
    if (( EPOCHSECONDS >= deadline )); then
      STRESS_START_FAILURE="it was not ready after $1 s"
      log "the broker was not ready after $1 s; see $STRESS_BROKER_LOG"
      return 1
    fi
    sleep 0.1
  done
  STRESS_READY_MS=$(awk -v now="$EPOCHREALTIME" -v then="$STRESS_LAUNCHED_AT" 'BEGIN { printf "%d", (now - then) * 1000 }')
  log "broker ready on $SLUICE_URL after $STRESS_READY_MS ms (pid $SLUICE_PID)"
}

# stress_load: the phases, with the load generator's progress shown as it runs.
stress_load() {
  local log_file="$LOG_DIR/stress-loadgen.log" status=0
  : >"$log_file"  # there before tail follows it
  # shellcheck disable=SC2086 # JVM options are a word list
  start_bg "$log_file" timeout "$STRESS_MAX_SECONDS" java $STRESS_CLIENT_JVM_OPTS -jar "$LOADGEN_JAR" stress --url "$SLUICE_URL" \
    --pid "$SLUICE_PID" --health-url "$STRESS_HEALTH_URL" --metrics-url "$STRESS_METRICS_URL" --broker-log "$STRESS_BROKER_LOG" --report "$RUN_DIR/phases.md" --acked "$RUN_DIR/acked.tsv" \
    --phases "$STRESS_PHASES" --seconds "$STRESS_SECONDS" --cool-seconds "$STRESS_COOL_SECONDS" \
    --idle "$STRESS_IDLE" --slow "$STRESS_SLOW" --drip-ms "$STRESS_DRIP_MS" --ws-readers "$STRESS_WS_READERS" \
    --data-records "$STRESS_DATA_RECORDS" --large-bodies "$STRESS_LARGE_BODIES" --large-mib "$STRESS_LARGE_MIB" \
    --large-rounds "$STRESS_LARGE_ROUNDS" --lying "$STRESS_LYING" --wide "$STRESS_WIDE" \
    --grow-from "$STRESS_GROW_FROM" --grow-to "$STRESS_GROW_TO"
  local pid=$BG_PID
  tail -n +1 --pid="$pid" -f "$log_file" | grep --line-buffered '^\[stress' >&2 || true
  wait "$pid" || status=$?
  untrack "$pid"
  (( status == 0 )) || { log "the load generator failed: $(tail -1 "$log_file")"; return 1; }
  put_loadgen_result stress "$log_file"
}

# stress_restart: SIGTERM (KILL after 20 s), then the same broker on the same directory; every
# record acknowledged during the run must still be there.
stress_restart() {
  local stop_start=$EPOCHREALTIME
  stop_pid "$SLUICE_PID"
  put_result restart.stop_s "$(awk -v now="$EPOCHREALTIME" -v then="$stop_start" 'BEGIN { printf "%.1f", now - then }')"
  stress_launch "$LOG_DIR/broker-restart.log"
  if ! stress_await_ready "$STRESS_RESTART_SECONDS"; then
    RESTART_FAILURE=$STRESS_START_FAILURE
    return 1
  fi
  put_result restart.ready_ms "$STRESS_READY_MS"
  run_loadgen restart.verify stress-verify --url "$SLUICE_URL" --acked "$RUN_DIR/acked.tsv"
}

# stress_check LABEL CONDITION: one verdict line into STRESS_CHECKS; a missed check fails the
# run (after the report is written).
stress_check() {
  if eval "$2"; then STRESS_CHECKS+="- $1: met"$'\n'; else STRESS_CHECKS+="- $1: **missed**"$'\n'; STRESS_MISSED+=("$1"); fi
}
STRESS_MISSED=()
STRESS_CHECKS=""

# stress_verdicts: what the issue asks of the run, checked against its figures.
stress_verdicts() {
  local lost restart_lost health_max
  lost=$(get_result stress.lost); restart_lost=$(get_result restart.verify.lost)
  health_max=$(get_result stress.health_max_ms)
  stress_check "no OutOfMemoryError in the broker" "[[ '$(get_result stress.oom)' == 0 ]]"
  stress_check "readiness answered within $(fmt "$STRESS_HEALTH_MAX_MS") ms in every phase (max $(fmt "$health_max" 0) ms)" \
    "awk -v x='$health_max' -v l='$STRESS_HEALTH_MAX_MS' 'BEGIN { exit !(x != \"\" && x >= 0 && x <= l) }'"
  stress_check "nothing acknowledged lost, live ($(lost_of "$lost" stress.acked)) and after the restart ($(lost_of "$restart_lost" restart.verify.acked))" \
    "[[ '$lost' == 0 && '$restart_lost' == 0 ]]"
  stress_check "the broker lived through every phase and started again" \
    "[[ '$(get_result stress.broker_alive)' == true && -n '$(get_result restart.ready_ms)' ]]"
}

# lost_of LOST ACKED_KEY: "3 of 7,020", or why there is no figure.
lost_of() {
  if [[ -z $1 ]]; then echo "not read back"
  elif [[ $1 == -1 ]]; then echo "reading back failed"
  else echo "$(fmt "$1") of $(fmt "$(get_result "$2")")"; fi
}

stress_section() {
  local stop_s restart_lost
  stop_s=$(get_result restart.stop_s); restart_lost=$(get_result restart.verify.lost)
  cat <<MD
## Stress: hostile clients against one broker

Produced by \`bench/stress.sh\` ($STRESS_MODE mode, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo none), $(nproc) CPUs). One broker, started as \`java $STRESS_BROKER_JVM_OPTS -jar quarkus-run.jar\` in an empty directory: every setting its default (data dir \`./data\`, the embedded object store) but the heap and the address (127.0.0.1:$BENCH_SLUICE_PORT). The phases run one after the other, each held $STRESS_SECONDS s and followed by $STRESS_COOL_SECONDS s of cool-down that count with it. Throughout, a probe producer sends $(( 1000 / 200 )) requests/s of 10 records with acks=all, one at a time, and a readiness probe opens a new connection for \`GET /q/health/ready\` every 250 ms; each record it had acknowledged is read back at the end. How each figure is made: bench/README.md.

$(cat "$RUN_DIR/phases.md" 2>/dev/null || echo "The load generator produced no table; see bench/target/stress/logs.")

After the run, the broker was stopped with SIGTERM (it exited $(if awk -v s="$stop_s" 'BEGIN { exit !(s >= 20) }'; then echo "only to SIGKILL after 20 s: **it ignored SIGTERM**"; else echo "in $stop_s s"; fi)) and started again on its directory: $(if [[ -n $(get_result restart.ready_ms) ]]; then echo "ready after $(fmt "$(get_result restart.ready_ms)") ms"; else echo "**$RESTART_FAILURE**"; fi); acknowledged records not at their offset after the restart: $(lost_of "$restart_lost" restart.verify.acked).

Checks:

$STRESS_CHECKS
MD
}

# kept_stress_section FILE: the stress section of a report (from its heading to the end), so
# that bench/run.sh, which rewrites the rest of docs/benchmarks.md, keeps it.
kept_stress_section() {
  [[ -f $1 ]] || return 0
  awk '/^## Stress: /{ keep = 1 } keep' "$1"
}

# write_stress_section FILE SECTION: replaces FILE's stress section (or appends one).
write_stress_section() {
  local file=$1 section=$2 rest=""
  [[ -f $file ]] && rest=$(awk '/^## Stress: /{ exit } { print }' "$file")
  { [[ -z $rest ]] || printf '%s\n\n' "$rest"; printf '%s\n' "$section"; } >"$file.tmp"
  mv "$file.tmp" "$file"
}
