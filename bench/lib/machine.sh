# What the figures were measured on, and the disk's own fsync'd write bandwidth.

describe_machine() {
  local cpu mem disk java_version commit
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1024 / 1024 }' /proc/meminfo)
  disk=$(df -hT "$RUN_DIR" | awk 'NR == 2 { printf "%s (%s), %s total, %s free", $1, $2, $3, $5 }')
  java_version=$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')
  commit=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo "no commit")
  cat <<MD
| | |
|---|---|
| Date | $(date -u '+%Y-%m-%d %H:%M UTC') |
| Sluice commit | $commit |
| CPUs (nproc) | $(nproc) |
| CPU model | ${cpu:-unknown} |
| Memory | $mem |
| Disk (data dirs) | $disk |
| Kernel | $(uname -sr) |
| Java | $java_version |
| Load average before the run (1, 5, 15 min) | $START_LOAD |
| Mode | $BENCH_MODE |
MD
}

# dd with conv=fdatasync onto the filesystem of the data dirs: the bandwidth an fsync-per-batch
# log can at best approach. Stores disk.mib_per_sec.
measure_disk() {
  local file="$RUN_DIR/dd.tmp" out bytes seconds
  out=$(LC_ALL=C dd if=/dev/zero of="$file" bs=1M count="$BENCH_DD_MIB" conv=fdatasync 2>&1) || { rm -f "$file"; return 1; }
  rm -f "$file"
  bytes=$(awk '/copied/ { print $1 }' <<<"$out")
  seconds=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) }' <<<"$out")
  [[ -n $bytes && -n $seconds ]] || { log "cannot parse dd output: $out"; return 1; }
  put_result disk.mib_per_sec "$(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / s / 1048576 }')"
}
