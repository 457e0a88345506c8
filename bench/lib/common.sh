# Shared helpers of bench/run.sh: logging, the processes the run started, bounded waits, and
# the results store. Sourced, not run.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- processes -------------------------------------------------------------------------------
# Every process the bench starts is tracked here by pid, so the EXIT trap can stop exactly
# those (and nothing else on the machine) however the run ends.
TRACKED_PIDS=()

track() { TRACKED_PIDS+=("$1"); }

untrack() {
  local pid=$1 kept=() p
  for p in "${TRACKED_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  TRACKED_PIDS=("${kept[@]+"${kept[@]}"}")
}

# stop_pid PID: TERM, up to 20 s for a clean shutdown, then KILL. CONT first: a broker the
# failover scenario paused (SIGSTOP) would otherwise sit on the TERM until the KILL.
stop_pid() {
  local pid=$1
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "pid $pid ignored TERM; killing"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  wait "$pid" 2>/dev/null || true
  untrack "$pid"
}

stop_all() {
  local pid
  (( ${#TRACKED_PIDS[@]} == 0 )) || log "stopping ${TRACKED_PIDS[*]}"
  for pid in "${TRACKED_PIDS[@]+"${TRACKED_PIDS[@]}"}"; do stop_pid "$pid"; done
}

# start_bg LOG CMD...: starts CMD in the background, output to LOG, and sets BG_PID. (It sets a
# variable rather than printing the pid: in a $(...) subshell the process would be tracked by
# the subshell, not by this shell's EXIT trap.)
start_bg() {
  local log_file=$1; shift
  "$@" >"$log_file" 2>&1 &
  BG_PID=$!
  track "$BG_PID"
}

# run_fg LOG CMD...: runs CMD to completion with output to LOG, tracked so that an interrupt
# stops it too. Sets CHILD_CPU_SECONDS and CHILD_WALL_SECONDS: the CPU the command used (from
# the shell's accounting of reaped children) and its wall time. Returns CMD's exit status.
run_fg() {
  local log_file=$1; shift
  local cpu_before wall_before status=0
  read_children_cpu; cpu_before=$CHILDREN_CPU
  wall_before=$(now_seconds)
  "$@" >"$log_file" 2>&1 &
  local pid=$!
  track "$pid"
  wait "$pid" || status=$?
  untrack "$pid"
  CHILD_WALL_SECONDS=$(awk -v a="$(now_seconds)" -v b="$wall_before" 'BEGIN { printf "%.3f", a - b }')
  read_children_cpu
  CHILD_CPU_SECONDS=$(awk -v a="$CHILDREN_CPU" -v b="$cpu_before" 'BEGIN { printf "%.3f", a - b }')
  return "$status"
}

now_seconds() { date +%s.%N; }

# Sets CHILDREN_CPU to the user plus system seconds of all reaped children of this shell, from
# the `times` builtin (second line, "XmY.YYYs XmY.YYYs"). `times` must run in this shell, not
# in a $(...) subshell, which has no children of its own: hence the file.
read_children_cpu() {
  times >"$RUN_DIR/times.txt"
  CHILDREN_CPU=$(awk 'NR == 2 {
    total = 0
    for (i = 1; i <= 2; i++) { split($i, part, "m"); sub("s", "", part[2]); total += part[1] * 60 + part[2] }
    printf "%.3f", total }' "$RUN_DIR/times.txt")
}

# wait_until SECONDS PID WHAT CMD...: polls CMD every half second until it succeeds; fails if
# PID (the process being waited for) dies or the time runs out.
wait_until() {
  local limit=$1 pid=$2 what=$3; shift 3
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { log "$what: process $pid exited"; return 1; }
    (( $(date +%s) < deadline )) || { log "$what: not ready after ${limit}s"; return 1; }
    sleep 0.5
  done
}

# port_in_use PORT [HOST]: something accepts connections there (HOST defaults to 127.0.0.1).
port_in_use() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# check_free_port PORT HOST: as require_free_port, but a failure to return, so a busy address fails
# one set of scenarios (marked failed) rather than the whole run.
check_free_port() {
  ! port_in_use "$1" "$2" || { log "port $1 on $2 is in use; set the BENCH_*_PORT or *_HOSTS variables"; return 1; }
}

require_free_port() {
  ! port_in_use "$1" "${2:-127.0.0.1}" || die "port $1 on ${2:-127.0.0.1} is in use; set the BENCH_*_PORT (or *_HOSTS) variables"
}

# --- results ---------------------------------------------------------------------------------
# One "key value" line per figure in $RESULTS; the report reads them back by key.
put_result() { printf '%s %s\n' "$1" "$2" >>"$RESULTS"; }

get_result() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$RESULTS"; }

# put_loadgen_result PREFIX LOG: stores every key=value of the loadgen's RESULT line under PREFIX.
put_loadgen_result() {
  local prefix=$1 log_file=$2 line pair
  line=$(grep '^RESULT ' "$log_file" | tail -1) || return 1
  for pair in ${line#RESULT }; do put_result "$prefix.${pair%%=*}" "${pair#*=}"; done
}

# scenario KEY FUNCTION ARGS...: runs one measurement; a failure is recorded (and shown in the
# table) instead of ending the run, so one broken scenario still leaves the others' figures.
scenario() {
  local key=$1; shift
  # Start from a clean page cache state: without this, the gigabytes a page-cache broker (Kafka)
  # left dirty in the previous scenario are written back during the next one and slow it down,
  # while a broker that fsyncs as it goes (Sluice) carries no such debt.
  sync
  log "scenario $key"
  if "$@"; then
    put_result "$key.status" ok
  else
    log "scenario $key FAILED (logs in $LOG_DIR)"
    put_result "$key.status" failed
    FAILED_SCENARIOS+=("$key")
  fi
}
FAILED_SCENARIOS=()
