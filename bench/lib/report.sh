# Renders the results store as the markdown report (printed, and written to docs/ on full runs).

# fmt VALUE [DECIMALS]: a number with thousands separators; empty stays empty.
fmt() {
  awk -v v="$1" -v d="${2:-0}" 'BEGIN {
    if (v == "") exit
    s = sprintf("%." d "f", v); split(s, p, "."); i = p[1]; sign = ""
    if (substr(i, 1, 1) == "-") { sign = "-"; i = substr(i, 2) }
    out = ""
    while (length(i) > 3) { out = "," substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) }
    printf "%s%s%s%s\n", sign, i, out, (d > 0 ? "." p[2] : "") }'
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# state KEY: "failed", "n/a" (not run) or empty when the figures are there.
state() {
  case $(get_result "$1.status") in
    ok) ;;
    failed) echo failed ;;
    *) echo n/a ;;
  esac
}

# A dagger marks a run that hit its time cap before its record count (the rate is still over
# the time it ran).
throughput_cell() {
  local s; s=$(state "$1")
  [[ -n $s ]] && { echo "$s"; return; }
  local capped=""; [[ $(get_result "$1.complete") == false ]] && capped=" †"
  echo "$(fmt "$(get_result "$1.records_per_sec")") rec/s ($(fmt "$(get_result "$1.mib_per_sec")" 1) MiB/s)$capped"
}

latency_cell() {
  local s; s=$(state "$1")
  [[ -n $s ]] && { echo "$s"; return; }
  echo "$(fmt "$(get_result "$1.$2")" 2) ms"
}

percent() { if [[ -n $1 ]]; then echo "$(fmt "$1")%"; else echo n/a; fi; }

cpu_cell() { echo "$(percent "$(get_result "$1.client_cpu_pct")") / $(percent "$(get_result "$2.client_cpu_pct")")"; }

# The figure behind the ratio column, or nothing when a side has none.
figure() { [[ -z $(state "$1") ]] && get_result "$1.$2"; }

comparison_table() {
  local batch acks s k
  echo "| Scenario | Sluice | Kafka | Sluice/Kafka | Client CPU, Sluice / Kafka |"
  echo "|---|---:|---:|---:|---:|"
  for batch in 100 1000; do
    for acks in 1 all; do
      s="sluice.produce.b$batch.acks$acks"; k="kafka.produce.b$batch.acks$acks"
      echo "| Produce $BENCH_RECORD_SIZE B, batch $batch, acks=$acks | $(throughput_cell "$s") | $(throughput_cell "$k") | $(ratio "$(figure "$s" records_per_sec)" "$(figure "$k" records_per_sec)") | $(cpu_cell "$s" "$k") |"
    done
  done
  local p label
  for p in p50 p99 p999 ack_p50 ack_p99; do
    case $p in
      ack_*) label="Produce acknowledgement ${p#ack_}, same run" ;;
      *) label="End-to-end latency ${p/p999/p99.9} at $(fmt "$BENCH_LATENCY_RATE") rec/s, acks=all" ;;
    esac
    echo "| $label | $(latency_cell sluice.latency "${p}_ms") | $(latency_cell kafka.latency "${p}_ms") | $(ratio "$(figure sluice.latency "${p}_ms")" "$(figure kafka.latency "${p}_ms")") | $([[ $p == p50 ]] && cpu_cell sluice.latency kafka.latency) |"
  done
  echo "| Consume a $(fmt "$BENCH_BACKLOG_MIB") MiB backlog (WebSocket / ConsumerPerformance) | $(throughput_cell sluice.consume) | $(throughput_cell kafka.consume) | $(ratio "$(figure sluice.consume records_per_sec)" "$(figure kafka.consume records_per_sec)") | $(cpu_cell sluice.consume kafka.consume) |"
}

mib() { if [[ -n $1 ]]; then fmt "$1" 1; else echo n/a; fi; }

sluice_table() {
  local on off disk gc_ratio disk_ratio verdict
  on=$(figure sluice.produce.b1000.acksall mib_per_sec)
  off=$(figure sluice_nofsync.produce.b1000.acksall mib_per_sec)
  disk=$(get_result disk.mib_per_sec)
  gc_ratio=$(ratio "$on" "$off")
  disk_ratio=$(ratio "$on" "$disk")
  verdict=$(awk -v r="$gc_ratio" 'BEGIN { if (r == "n/a") print "n/a"; else if (r >= 0.9) print "met"; else print "**missed**" }')
  echo "| Check | Figures | Ratio | Target |"
  echo "|---|---:|---:|---|"
  echo "| Group commit: acks=all, batch 1000, fsync on / fsync off | $(mib "$on") / $(mib "$off") MiB/s | $gc_ratio | ≥ 0.90: $verdict |"
  echo "| Disk: dd $(fmt "$BENCH_DD_MIB") MiB, conv=fdatasync, same filesystem | $(mib "$disk") MiB/s | | |"
  echo "| Sluice acks=all, batch 1000, as a share of the disk | $(mib "$on") / $(mib "$disk") MiB/s | $disk_ratio | |"
}

notes() {
  local e2e
  e2e="p50 $(get_result kafka.e2e_tool.p50_ms) ms, p99 $(get_result kafka.e2e_tool.p99_ms) ms, p99.9 $(get_result kafka.e2e_tool.p999_ms) ms"
  [[ -z $(state kafka.e2e_tool) ]] || e2e=$(state kafka.e2e_tool)
  local load=${START_LOAD%% *}
  if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
    echo "- **The machine was busy when the run started (load average $load): these figures are noisy.** Run on an idle machine for results."
  fi
  echo "- Sluice/Kafka above 1 means Sluice is faster for throughput, and slower for latency."
  echo "- Throughput counts value bytes only (1 MiB = 1,048,576 B), at steady state: $(fmt "$BENCH_PRODUCE_RECORDS") records after $(fmt "$BENCH_WARMUP_RECORDS") of warm-up, Sluice with $BENCH_INFLIGHT requests in flight, values as \`format=$BENCH_FORMAT\`."
  if grep -q '\.complete false$' "$RESULTS"; then
    echo "- † the run reached its time cap (BENCH_PRODUCE_MAX_SECONDS=$BENCH_PRODUCE_MAX_SECONDS) before its record count."
  fi
  echo "- Durability differs by default: Sluice fsyncs before it acknowledges acks=all; a single Kafka broker acknowledges from the page cache (it leaves fsync to the OS and relies on replication). The fsync-off row above is Sluice on Kafka's terms."
  echo "- Client CPU is % of one core (this machine has $(nproc)). Sluice and both latency probes: the load generator over the measured window. Kafka throughput: the tool's whole process, JVM start and warm-up included, so read it as a rough figure."
  echo "- Latency: both brokers get the same open-loop load from the same probe (bench/loadgen), ${BENCH_LATENCY_SECONDS} s after ${BENCH_LATENCY_WARMUP_SECONDS} s of warm-up; the acknowledgement rows time the produce reply, to tell a slow append from a slow delivery.$(lost_note Sluice sluice.latency)$(lost_note Kafka kafka.latency)"
  echo "- Kafka's own EndToEndLatency (closed loop: one record in flight, $(fmt "$BENCH_E2E_TOOL_RECORDS") records, whole milliseconds): $e2e."
  if (( ${#FAILED_SCENARIOS[@]} > 0 )); then
    echo "- Failed: ${FAILED_SCENARIOS[*]} (logs under bench/target/run/logs)."
  fi
}

# lost_note BROKER KEY: a loud sentence when a latency run lost records.
lost_note() {
  local lost; lost=$(get_result "$2.lost")
  [[ -z $lost || $lost == 0 ]] || echo " **$1 lost $lost records in the latency run.**"
}

render_report() {
  cat <<MD
# Benchmarks: Sluice and Kafka on one machine

Produced by \`bench/run.sh\` ($BENCH_MODE mode); how each figure is made is in bench/README.md.
Each broker ran alone on the machine, one after the other, with the same JVM options.

## Machine

$(cat "$RUN_DIR/machine.md")

## Sluice and Kafka $KAFKA_VERSION

$(comparison_table)

## Sluice alone

$(sluice_table)

## Notes

$(notes)
MD
}
