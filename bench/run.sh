#!/usr/bin/env bash
# Sluice against Kafka on this machine, in one command: builds what is missing, measures each
# broker alone, prints a markdown report and writes it to docs/benchmarks.md (full runs) or
# bench/target/run/benchmarks.md (BENCH_QUICK=1). Knobs: bench/lib/settings.sh; method: README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
RUN_DIR="$BENCH_DIR/target/run"
LOG_DIR="$RUN_DIR/logs"
RESULTS="$RUN_DIR/results.txt"

for part in common settings machine loadgen kafka kafka_cluster sluice sluice_cluster sluice_groups report report_cluster report_groups stress; do
  # shellcheck source=/dev/null
  source "$BENCH_DIR/lib/$part.sh"
done

# Whatever ends the run (success, failure, Ctrl-C), every process it started is stopped.
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

targeted() { [[ " $BENCH_TARGETS " == *" $1 "* ]]; }
in_suite() { [[ " $BENCH_SUITES " == *" $1 "* ]]; }
cluster_scenario() { [[ " $BENCH_CLUSTER_SCENARIOS " == *" $1 "* ]]; }

main() {
  rm -rf "$RUN_DIR" && mkdir -p "$LOG_DIR" && : >"$RESULTS"
  # read before our own builds raise it: it tells whether something else was using the machine
  START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  log "mode $BENCH_MODE, targets: $BENCH_TARGETS, suites: $BENCH_SUITES; logs in $LOG_DIR"
  # every build first, so no compiler competes with a measurement
  loadgen_build
  # the groups suite measures Sluice alone
  if targeted kafka && { in_suite single || in_suite cluster; }; then kafka_fetch; fi
  local sluice_built=false
  if targeted sluice; then
    if sluice_build; then sluice_built=true; else FAILED_SCENARIOS+=(sluice.build); fi
  fi

  describe_machine >"$RUN_DIR/machine.md"
  if in_suite single; then scenario disk measure_disk; fi
  if in_suite single; then
    if targeted kafka; then run_kafka_scenarios; fi
    if $sluice_built; then run_sluice_scenarios; fi
  fi
  if in_suite cluster; then
    if targeted kafka; then run_kafka_cluster_scenarios; fi
    if $sluice_built; then run_sluice_cluster_scenarios; fi
  fi
  if in_suite groups; then
    if $sluice_built; then run_sluice_groups_scenarios; else FAILED_SCENARIOS+=(sluice_groups); fi
  fi

  if in_suite single || in_suite cluster; then
    local report="${BENCH_REPORT:-}"
    if [[ -z $report ]]; then
      # only a full run of both suites replaces the published report; a part of it would drop the rest
      if [[ $BENCH_MODE == full ]] && in_suite single && in_suite cluster; then
        report="$REPO_DIR/docs/benchmarks.md"
      else
        report="$RUN_DIR/benchmarks.md"
      fi
    fi
    mkdir -p "$(dirname "$report")"
    # the groups suite and the stress run (bench/stress.sh) own sections of the same file: keep them
    local groups_section stress_section
    groups_section=$(kept_groups_section "$report")
    stress_section=$(kept_stress_section "$report")
    { render_report; [[ -z $groups_section ]] || printf '\n%s\n' "$groups_section"
      [[ -z $stress_section ]] || printf '\n%s\n' "$stress_section"; } | tee "$report"
    log "report written to $report"
  fi
  if in_suite groups; then
    # a full groups run replaces its own section of the published report, and nothing else
    local groups_report="${BENCH_REPORT:-}" section
    if [[ -z $groups_report ]]; then
      if [[ $BENCH_MODE == full ]]; then groups_report="$REPO_DIR/docs/benchmarks.md"; else groups_report="$RUN_DIR/benchmarks.md"; fi
    fi
    mkdir -p "$(dirname "$groups_report")"
    section=$(render_groups_section)
    printf '%s\n' "$section"
    write_groups_section "$groups_report" "$section"
    log "groups section written to $groups_report"
  fi
  (( ${#FAILED_SCENARIOS[@]} == 0 )) || { log "failed: ${FAILED_SCENARIOS[*]}"; exit 1; }
}

main "$@"
