# The Java load generator (bench/loadgen): built with the repo's Maven wrapper, run per scenario.

LOADGEN_JAR="$BENCH_DIR/loadgen/target/loadgen.jar"

# Rebuilt when any of its sources is newer than the jar; its own tests run against an
# in-memory fake of the API, so a broken client fails here rather than as odd figures.
loadgen_build() {
  if [[ -f $LOADGEN_JAR ]] && [[ -z $(find "$BENCH_DIR/loadgen/src" "$BENCH_DIR/loadgen/pom.xml" -newer "$LOADGEN_JAR" -print -quit) ]]; then
    return 0
  fi
  log "building the load generator"
  "$REPO_DIR/mvnw" -q -f "$BENCH_DIR/loadgen/pom.xml" package
}

# run_loadgen KEY COMMAND ARGS...: runs one loadgen command and stores its RESULT under KEY.
run_loadgen() {
  local key=$1; shift
  local log_file="$LOG_DIR/$key.log"
  # shellcheck disable=SC2086 # JVM options are a word list
  run_fg "$log_file" java $BENCH_CLIENT_JVM_OPTS -jar "$LOADGEN_JAR" "$@" || { log "$(tail -1 "$log_file")"; return 1; }
  put_loadgen_result "$key" "$log_file"
}
