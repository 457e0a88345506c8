# The consumer-group section of the report (BENCH_SUITES=groups): each figure beside its target.
# It has a heading of its own, so bench/run.sh can replace it in docs/benchmarks.md and keep it
# when it rewrites the other sections.

GROUPS_HEADING="## Consumer groups"

rebalance_cell() {
  local k=sluice_groups.rebalance.$1.$2 s
  s=$(state "$k")
  [[ -n $s ]] && { echo "$s | | |"; return; }
  echo "$(fmt "$(get_result "$k.full_delivery_ms")") ms | $(get_result "$k.unmoved_members") members, max gap $(fmt "$(get_result "$k.unmoved_max_gap_ms")") ms (before: $(fmt "$(get_result "$k.baseline_max_gap_ms")") ms), $(get_result "$k.unmoved_revocations") revocations | $(get_result "$k.moved_partitions") |"
}

groups_table() {
  local g=sluice_groups.consume.group p=sluice_groups.consume.plain o=sluice_groups.offsets r gr
  r=$(ratio "$(figure $g records_per_sec)" "$(figure $p records_per_sec)")
  echo "| Figure | Sluice | Target | Verdict |"
  echo "|---|---:|---|---|"
  echo "| Group of $BENCH_GROUP_MEMBERS reading $(fmt "$BENCH_GROUP_RECORDS") records of $BENCH_RECORD_SIZE B, $BENCH_GROUP_PARTITIONS partitions RF=3 | $(throughput_cell $g) | ≥ $BENCH_GROUP_MEMBERS plain readers | $(verdict "$r" 'x >= 1.0') ($r) |"
  echo "| $BENCH_GROUP_MEMBERS plain readers (partition/offset, one socket per partition) over the same backlog | $(throughput_cell $p) | | |"
  gr=$(figure sluice_groups.rebalance.cooperative.leave full_delivery_ms)
  echo "| Cooperative, group of $BENCH_REBALANCE_MEMBERS, one member leaves cleanly: to full delivery | $(latency_cell sluice_groups.rebalance.cooperative.leave full_delivery_ms) | < 1 s | $(verdict "$gr" 'x < 1000') |"
  echo "| ... members whose partitions did not move: longest gap between their records messages | $(latency_cell sluice_groups.rebalance.cooperative.leave unmoved_max_gap_ms) (before the leave: $(latency_cell sluice_groups.rebalance.cooperative.leave baseline_max_gap_ms)) | no pause | |"
  echo "| Size of the group's \`__consumer_offsets\` partition after $(fmt "$(get_result $o.commits)") commits: before / after compaction | $(check_bytes $o) | | |"
  echo
  echo "| Rebalance, group of $BENCH_REBALANCE_MEMBERS, $BENCH_REBALANCE_PARTITIONS partitions, $(fmt "$BENCH_REBALANCE_RATE") rec/s | Exit | To full delivery | Members whose partitions did not move | Partitions moved |"
  echo "|---|---|---:|---|---:|"
  local protocol exit
  for protocol in cooperative eager; do
    for exit in leave abort; do
      echo "| $protocol | $([[ $exit == leave ]] && echo 'clean leave (close frame)' || echo "death (socket dropped; session timeout $BENCH_REBALANCE_SESSION_TIMEOUT_MS ms)") | $(rebalance_cell $protocol $exit)"
    done
  done
}

# check_bytes KEY: the offsets partition before and after compaction, or the scenario's state.
check_bytes() {
  local s; s=$(state "$1")
  [[ -n $s ]] && { echo "$s"; return; }
  local after="$(mib_of "$(get_result "$1.after_bytes")") MiB in $(get_result "$1.after_segments") segments"
  [[ $(get_result "$1.compacted") == true ]] || after="not compacted within $BENCH_OFFSETS_COMPACTION_WAIT_SECONDS s ($after)"
  echo "$(mib_of "$(get_result "$1.before_bytes")") MiB in $(get_result "$1.before_segments") segments / $after"
}

mib_of() { awk -v b="$1" 'BEGIN { if (b == "") print "n/a"; else printf "%.1f\n", b / 1048576 }'; }

groups_notes() {
  local o=sluice_groups.offsets
  busy_note
  echo "- Three Sluice brokers as in the cluster section (\`$BENCH_CLUSTER_JVM_OPTS\` each, tier off), all on this machine's $(nproc) cores; the load generator on the same machine."
  echo "- Backlog: $(fmt "$BENCH_GROUP_RECORDS") records filled round-robin (acks=1) into $BENCH_GROUP_PARTITIONS partitions; readers connect to the brokers in turn, with \`format=binary\` and a credit of 5,000 given back in halves; every socket opens with no credit and the clock starts when the credit is granted (for the group: once its $BENCH_GROUP_MEMBERS members own every partition). The window ends when every partition was delivered to its end. Group: delivered $(fmt "$(get_result sluice_groups.consume.group.delivered)") (duplicates $(get_result sluice_groups.consume.group.duplicates)), client CPU $(percent "$(get_result sluice_groups.consume.group.client_cpu_pct)"); plain: client CPU $(percent "$(get_result sluice_groups.consume.plain.client_cpu_pct)"), $(get_result sluice_groups.consume.plain.sockets) sockets. The plain readers run first, right after the fill, the group second, over the same backlog (both from the page cache)."
  echo "- Rebalance: a producer writes $(fmt "$BENCH_REBALANCE_RATE") records/s of 64 B (acks=1) to every partition in turn; the $BENCH_REBALANCE_MEMBERS members (default assignor sticky, \`from=latest\`, auto-commit every 500 ms) connect to the brokers in turn. Full delivery: every partition has delivered a record, after the exit, to the member that owns it then, after that member was handed it. Gaps: the longest time without a records message for a member that kept all its partitions, from 1 s before the exit to 1 s after full delivery; 'before' is the same over the 3 s before the exit (the records' own pace)."
  echo "- \`__consumer_offsets\`: one member owning all $BENCH_OFFSETS_PARTITIONS partitions of a topic commits them all in each commit message ($(fmt "$(get_result $o.commit_messages)") messages, 16 in flight, $(fmt "$(get_result $o.commits_per_sec)") commits/s); sizes are \`sizeBytes\` and \`segments\` of the group's offsets partition (partition $(get_result $o.offsets_partition)) on its leader, read right after the commits and every 2 s after until it shrank$( [[ $(get_result $o.compacted) == true ]] && echo " ($(fmt "$(get_result $o.compacted_after_ms)") ms later)"). The cleaner works in the background while the commits go on, so the first figure may be partly compacted already (uncompacted, a commit of 100 partitions per message takes about 56 B per partition); the active segment is never compacted, so what stays is the active segment and the latest commit of each partition."
  echo "- A member learns that partitions were freed at its next heartbeat, which a member whose partitions do not move sends every \`sluice.group.heartbeat-interval-ms\` (250 ms by default): a clean leave takes up to that interval, plus the leaver's last commit (acks=all on \`__consumer_offsets\`), its leave, the new owner's start-offset lookup on the partition's leader and its first read, before every partition delivers again. A death takes the session timeout on top."
  if (( ${#FAILED_SCENARIOS[@]} > 0 )); then
    echo "- Failed: ${FAILED_SCENARIOS[*]} (logs under bench/target/run/logs)."
  fi
}

render_groups_section() {
  cat <<MD
$GROUPS_HEADING

Produced by \`BENCH_SUITES=groups bench/run.sh\` ($BENCH_MODE mode) on $(date -u '+%Y-%m-%d %H:%M UTC'), Sluice commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown), load average before the run $START_LOAD; how each figure is made is in bench/README.md.

$(groups_table)

$(groups_notes)
MD
}

# kept_groups_section FILE: the groups section of a report (its heading to the next section).
kept_groups_section() {
  [[ -f $1 ]] || return 0
  awk -v h="$GROUPS_HEADING" '$0 == h { keep = 1; print; next } keep && /^## / { exit } keep' "$1"
}

# write_groups_section FILE SECTION: replaces FILE's groups section, or puts it before the stress
# section (which stays last), or at the end.
write_groups_section() {
  local file=$1 section=$2
  [[ -f $file ]] || : >"$file"
  # the section goes through the environment: awk -v would read its backslashes as escapes
  SECTION=$section awk -v h="$GROUPS_HEADING" '
    function put() { if (!done) { print ENVIRON["SECTION"]; print ""; done = 1 } }
    $0 == h { skip = 1; put(); next }
    skip && /^## / { skip = 0 }
    skip { next }
    /^## Stress: / { put() }
    { print }
    END { if (!done) { print ""; print ENVIRON["SECTION"] } }' "$file" >"$file.tmp"
  mv "$file.tmp" "$file"
}
