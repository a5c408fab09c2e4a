# The prelude and the hand-over to the test bed shared by bench/seed-scenario/run.sh and bench/soak/run.sh
# (sourced, not run). Needs: bench_root.

# bench_begin NAME: a temp dir of its own (work), the image prefix and test bed cluster name e2e-bench-NAME-<pid>
# (prefix), the helpers of bench/seed-scenario/common.sh; on exit (also failure or Ctrl-C) removes the images
# under the prefix, the example's base images only if this run built them, and the temp dir.
bench_begin() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-bench-$1.XXXXXX")
  prefix=e2e-bench-$1-$$
  source "$bench_root/bench/seed-scenario/common.sh"
  bench_bases_before=$(docker images -q 'localhost/e2e-example-base/*' | sort -u)
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local extra
  extra=$(bench_images "$prefix" | awk '{print $1}')
  [ -z "$extra" ] || docker rmi -f $extra >/dev/null 2>&1 || true
  # the example's base images, only if this run built them
  extra=$(comm -13 <(echo "$bench_bases_before") <(docker images -q 'localhost/e2e-example-base/*' | sort -u))
  [ -z "$extra" ] || docker rmi $extra >/dev/null 2>&1 || true
  rm -rf "$work"
}

# bench_in_testbed WORKERS SCRIPT: runs `bash SCRIPT --inner` inside a test bed of its own (cluster $prefix,
# WORKERS worker nodes) through scripts/with-testbed.sh.
bench_in_testbed() {
  # the plugin's lock files (kind/ClusterLock: $XDG_CACHE_HOME/e2e-maven-plugin/locks) go with the temp dir
  export XDG_CACHE_HOME=$work/cache
  E2E_TESTBED_DIR=$work/testbed E2E_TESTBED_CLUSTER=$prefix E2E_TESTBED_WORKERS=$1 \
    bash "$bench_root/scripts/with-testbed.sh" bash "$2" --inner
}
