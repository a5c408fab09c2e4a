#!/usr/bin/env bash
# The seed scenario benchmark (issue 15): the four-service example plus a 200 MB stable base layer, -T 4, on the
# test bed, with the plugin against bench/seed-scenario/by-hand.sh, cold / warm / after a one-line change in
# DataStorage, same run, medians of the rounds, ratios plugin / script with the targets, where the time goes.
#
#   bench/seed-scenario/run.sh [--rounds N] [--reuse]   (default 2 rounds; --reuse adds the -De2e.reuse=true runs)
#   bench/seed-scenario/run.sh heap                     (a 1 GB image loaded into 3 nodes with MAVEN_OPTS=-Xmx256m)
#
# Needs Docker, kubectl and the plugin's sources (it builds this checkout's plugin into its own local repository).
# Starts its own test bed (cluster e2e-bench-seed-<pid>) through scripts/with-testbed.sh; removes the test bed, its
# images, its temp dir and anything else it created, also on failure or Ctrl-C.
set -euo pipefail
bench_root=$(cd "$(dirname "$0")/../.." && pwd)
here=$bench_root/bench/seed-scenario

if [ "${1:-}" = --inner ]; then
  shift
  exec bash "$here/scenario.sh" "$@"
fi

mode=seed rounds=2 reuse=0
while [ $# -gt 0 ]; do
  case $1 in
    heap) mode=heap ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    --reuse) reuse=1 ;;
    *) echo "usage: run.sh [--rounds N] [--reuse] | run.sh heap" >&2; exit 2 ;;
  esac
  shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds must be a positive number, not '$rounds'" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "run.sh: kubectl is not on PATH" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-bench-seed.XXXXXX")
prefix=e2e-bench-seed-$$
source "$here/common.sh"
bases_before=$(docker images -q 'localhost/e2e-example-base/*' | sort -u)
cleanup() {
  local extra
  extra=$(bench_images "$prefix" | awk '{print $1}')
  [ -z "$extra" ] || docker rmi -f $extra >/dev/null 2>&1 || true
  # the example's base images, only if this run built them
  extra=$(comm -13 <(echo "$bases_before") <(docker images -q 'localhost/e2e-example-base/*' | sort -u))
  [ -z "$extra" ] || docker rmi $extra >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bench_install_plugin
workers=0
[ $mode = seed ] || workers=2
export BENCH_WORK=$work BENCH_PREFIX=$prefix BENCH_ROUNDS=$rounds BENCH_REUSE=$reuse BENCH_MODE=$mode
# the plugin's lock files (kind/ClusterLock: $XDG_CACHE_HOME/e2e-maven-plugin/locks) go with the temp dir
export XDG_CACHE_HOME=$work/cache
E2E_TESTBED_DIR=$work/testbed E2E_TESTBED_CLUSTER=e2e-bench-seed-$$ E2E_TESTBED_WORKERS=$workers \
  bash "$bench_root/scripts/with-testbed.sh" bash "$here/run.sh" --inner
