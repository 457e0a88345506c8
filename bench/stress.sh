#!/usr/bin/env bash
# Hostile clients against one Sluice broker, in one command: idle and slow connections by the
# thousand, WebSocket readers that never read, large and lying bodies, wide topics; the broker's
# memory, descriptors, refusals and readiness latency per phase, every acknowledged record read
# back, then a restart. Writes its section of docs/benchmarks.md (full runs) or
# bench/target/stress/stress.md (BENCH_QUICK=1); exits 1 when a check is missed. Knobs:
# bench/lib/stress.sh; method: README.md. Everything listens on and connects to 127.0.0.1.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
RUN_DIR="$BENCH_DIR/target/stress"
LOG_DIR="$RUN_DIR/logs"
RESULTS="$RUN_DIR/results.txt"

for part in common settings loadgen sluice report stress; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$part.sh"
done

trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

main() {
  rm -rf "$RUN_DIR" && mkdir -p "$LOG_DIR" "$STRESS_BROKER_DIR" && : >"$RESULTS"
  # thousands of sockets on both sides: the soft limit up to the hard one (the JVM does the same
  # for itself on Linux; the shell's own tools get it too)
  ulimit -n "$(ulimit -Hn)"
  log "stress ($STRESS_MODE), phases $STRESS_PHASES, $STRESS_SECONDS s each; descriptors: $(ulimit -n); logs in $LOG_DIR"
  loadgen_build
  sluice_build || die "Sluice did not build"
  require_free_port "$BENCH_SLUICE_PORT"

  stress_launch "$LOG_DIR/broker.log"
  stress_await_ready 120 || die "the broker did not start"
  local ran=true
  stress_load || ran=false
  if kill -0 "$SLUICE_PID" 2>/dev/null; then
    stress_restart || log "the restart failed"
  else
    log "the broker is gone before the restart; see $LOG_DIR/broker.log"
  fi
  stop_pid "$SLUICE_PID"

  stress_verdicts
  local report="${BENCH_REPORT:-}"
  if [[ -z $report ]]; then
    if [[ $STRESS_MODE == full ]]; then report="$REPO_DIR/docs/benchmarks.md"; else report="$RUN_DIR/stress.md"; fi
  fi
  local section
  section=$(stress_section)
  printf '%s\n' "$section"
  write_stress_section "$report" "$section"
  log "section written to $report"
  $ran || die "the load generator failed; see $LOG_DIR/stress-loadgen.log"
  (( ${#STRESS_MISSED[@]} == 0 )) || { log "missed: ${STRESS_MISSED[*]}"; exit 1; }
}

main "$@"
