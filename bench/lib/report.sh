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

# verdict FIGURE CONDITION: "met" or "**missed**" as the awk CONDITION on x (the figure) holds;
# "n/a" without a figure.
verdict() {
  awk -v x="$1" "BEGIN { if (x == \"\" || x == \"n/a\") print \"n/a\"; else if ($2) print \"met\"; else print \"**missed**\" }"
}

sluice_table() {
  local on off disk gc_ratio disk_ratio
  on=$(figure sluice.produce.b1000.acksall mib_per_sec)
  off=$(figure sluice_nofsync.produce.b1000.acksall mib_per_sec)
  disk=$(get_result disk.mib_per_sec)
  gc_ratio=$(ratio "$on" "$off")
  disk_ratio=$(ratio "$on" "$disk")
  echo "| Check | Figures | Ratio | Target |"
  echo "|---|---:|---:|---|"
  echo "| Group commit: acks=all, batch 1000, fsync on / fsync off | $(mib "$on") / $(mib "$off") MiB/s | $gc_ratio | ≥ 0.90: $(verdict "$gc_ratio" 'x >= 0.9') |"
  echo "| Disk: dd $(fmt "$BENCH_DD_MIB") MiB, conv=fdatasync, same filesystem | $(mib "$disk") MiB/s | | |"
  echo "| Sluice acks=all, batch 1000, as a share of the disk | $(mib "$on") / $(mib "$disk") MiB/s | $disk_ratio | |"
  recovery_row
  tier_rows
}

# check_row LABEL KEY FIGURES [RATIO [TARGET]]: one row of the Sluice table; a scenario that has
# no figures (failed, not run) shows its state instead, and no verdict.
check_row() {
  local s; s=$(state "$2")
  if [[ -n $s ]]; then echo "| $1 | $s | | |"; else echo "| $1 | $3 | ${4:-} | ${5:-} |"; fi
}

recovery_row() {
  local r=sluice.recovery ready
  ready=$(get_result $r.ready_ms)
  check_row "Restart after kill -9 with $(fmt "$BENCH_BACKLOG_MIB") MiB in one partition: launch to ready" $r \
    "$(fmt "$ready") ms, of which opening the broker $(fmt "$(get_result $r.open_ms)") ms (its \`opened\` line $(fmt "$(get_result $r.opened_at_ms)") ms after launch); on the empty data dir: $(fmt "$(get_result $r.empty.ready_ms)") ms, opening $(fmt "$(get_result $r.empty.open_ms)") ms" \
    "" "< 2 s: $(verdict "$ready" 'x < 2000')"
}

# The partition's recovery: broker open after the crash minus broker open on the empty data dir.
recovery_cost() {
  [[ -z $(state sluice.recovery) ]] || { echo "n/a"; return; }
  awk -v crash="$(get_result sluice.recovery.open_ms)" -v empty="$(get_result sluice.recovery.empty.open_ms)" 'BEGIN {
    d = crash - empty
    if (d > 0) printf "%d ms\n", d; else printf "%d ms, within the noise of the start-up\n", d }'
}

tier_rows() {
  local u=sluice.tier_upload f=sluice.tier_first_record c=sluice.catchup segment_mib=$(( BENCH_TIER_SEGMENT_BYTES / 1048576 ))
  local upload produce backlog_end tier local_disk catchup_ratio
  upload=$(get_result $u.upload_mib_per_sec); produce=$(get_result $u.produce_mib_per_sec)
  backlog_end=$(get_result $u.backlog_end_mib)
  check_row "Tier upload: $(fmt "$BENCH_TIER_MIB") MiB produced at full speed, segment.bytes $segment_mib MiB, local.retention.bytes=0" $u \
    "uploaded $(mib "$upload") MiB/s, produced $(mib "$produce") MiB/s; upload backlog max $(mib "$(get_result $u.backlog_max_mib)") MiB, $(mib "$backlog_end") MiB when the produce ended, empty $(fmt "$(get_result $u.drain_seconds)" 1) s later" \
    "$(ratio "$upload" "$produce")" "uploads keep up (backlog ≤ 2 segments when the produce ends): $(verdict "$backlog_end" "x <= 2 * $segment_mib")"
  check_row "First record from the tier (a fetch of maxRecords=1), median of $BENCH_FIRST_RECORD_SAMPLES: cold / cached" $f \
    "$(fmt "$(get_result $f.cold_p50_ms)" 1) / $(fmt "$(get_result $f.cached_p50_ms)" 1) ms (the first after a restart: $(fmt "$(get_result $f.cold_first_ms)" 1) ms)"
  tier=$(get_result $c.tier.mib_per_sec); local_disk=$(get_result $c.local.mib_per_sec)
  catchup_ratio=$(ratio "$tier" "$local_disk")
  check_row "Catch-up read of the tiered range from offset 0 over REST (maxBytes 8 MiB): from the tier / the same records from local disk" $c \
    "$(mib "$tier") / $(mib "$local_disk") MiB/s" "$catchup_ratio" "≥ 0.80: $(verdict "$catchup_ratio" 'x >= 0.8')"
}

# A loud line when the run started on a busy machine (the cluster notes repeat it).
busy_note() {
  local load=${START_LOAD%% *}
  if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
    echo "- **The machine was busy when the run started (load average $load): these figures are noisy.** Run on an idle machine for results."
  fi
}

notes() {
  local e2e
  e2e="p50 $(get_result kafka.e2e_tool.p50_ms) ms, p99 $(get_result kafka.e2e_tool.p99_ms) ms, p99.9 $(get_result kafka.e2e_tool.p999_ms) ms"
  [[ -z $(state kafka.e2e_tool) ]] || e2e=$(state kafka.e2e_tool)
  busy_note
  echo "- Sluice/Kafka above 1 means Sluice is faster for throughput, and slower for latency."
  echo "- Throughput counts value bytes only (1 MiB = 1,048,576 B), at steady state: $(fmt "$BENCH_PRODUCE_RECORDS") records after $(fmt "$BENCH_WARMUP_RECORDS") of warm-up, Sluice with $BENCH_INFLIGHT requests in flight, values as \`format=$BENCH_FORMAT\`."
  if grep -q '\.complete false$' "$RESULTS"; then
    echo "- † the run reached its time cap (BENCH_PRODUCE_MAX_SECONDS=$BENCH_PRODUCE_MAX_SECONDS) before its record count."
  fi
  echo "- Durability differs by default: Sluice fsyncs before it acknowledges acks=all; a single Kafka broker acknowledges from the page cache (it leaves fsync to the OS and relies on replication). The fsync-off row above is Sluice on Kafka's terms."
  echo "- Client CPU is % of one core (this machine has $(nproc)). Sluice and both latency probes: the load generator over the measured window. Kafka throughput: the tool's whole process, JVM start and warm-up included, so read it as a rough figure."
  echo "- Latency: both brokers get the same open-loop load from the same probe (bench/loadgen), ${BENCH_LATENCY_SECONDS} s after ${BENCH_LATENCY_WARMUP_SECONDS} s of warm-up; the acknowledgement rows time the produce reply, to tell a slow append from a slow delivery.$(lost_note Sluice sluice.latency)$(lost_note Kafka kafka.latency)"
  echo "- Kafka's own EndToEndLatency (closed loop: one record in flight, $(fmt "$BENCH_E2E_TOOL_RECORDS") records, whole milliseconds): $e2e."
  echo "- Crash recovery and tiered storage are Sluice's alone (Kafka runs neither here); each set runs on a broker of its own, on a fresh data dir. Recovery: one partition of a topic with \`remote.storage.enable=false\` is filled on the fast path (acks=1, batches of 1000), the broker is killed with SIGKILL and started again on its data dir, and every acknowledged record must still be there. Launch to ready is wall time from starting \`java\` to \`/q/health/ready\` = 200 (polled every 25 ms); broker open is the broker's own time to open its topics (its \`opened N topics\` log line), which includes starting the embedded object store and listing the bucket; the rest is JVM and Quarkus start. The same broker's start on its empty data dir is the baseline: the partition's own recovery is the difference of the two opening times, $(recovery_cost)."
  echo "- Tiered storage: the embedded S3-compatible store (S3Proxy) runs inside the broker's JVM and writes to the same disk, so uploads and reads from the tier share the $(nproc) cores with the broker and the load generator. The tier broker runs retention every $BENCH_MAINTENANCE_INTERVAL_MS ms (\`sluice.log.maintenance-interval-ms\`). Upload: produce with acks=1, batches of 1000; the upload rate is the bytes in the tier over the time from the first produce request to the empty backlog; the backlog (\`/q/health/group/storage\`) once a second during the produce and as it ended, in MiB: $(get_result sluice.tier_upload.backlog_samples_mib | sed 's/,/, /g')."
  echo "- First record from the tier: each cold fetch goes to another remote segment, spread over the tiered range, so neither its index nor its bytes are in the broker's read cache; the first, at offset 0 right after a broker restart (the cache lives in memory), also opens the broker's connections to the store. Cached: offset 0 again. Times are the client's, request to whole reply."
  echo "- Catch-up: one reader, one fetch at a time (maxRecords 10,000, maxBytes 8 MiB, \`format=binary\`), each from where the last ended; a fetch returns one segment at most. The local copy is a topic with \`remote.storage.enable=false\` and the same \`segment.bytes\`, filled with as many records just before. Client CPU: $(percent "$(get_result sluice.catchup.tier.client_cpu_pct)") reading the tier, $(percent "$(get_result sluice.catchup.local.client_cpu_pct)") reading local disk."
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
MD
  if in_suite single; then
    cat <<MD

## Sluice and Kafka $KAFKA_VERSION

$(comparison_table)

## Sluice alone

$(sluice_table)

## Notes

$(notes)
MD
  fi
  if in_suite cluster; then
    cat <<MD

## Cluster: three Sluice brokers and three Kafka $KAFKA_VERSION brokers

$(cluster_table)

$(cluster_notes)
MD
  fi
  if ! in_suite single && (( ${#FAILED_SCENARIOS[@]} > 0 )); then
    printf '\n- Failed: %s (logs under bench/target/run/logs).\n' "${FAILED_SCENARIOS[*]}"
  fi
}
