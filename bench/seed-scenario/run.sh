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

source "$bench_root/bench/lib.sh"
bench_begin seed

bench_install_plugin
workers=0
[ $mode = seed ] || workers=2
export BENCH_WORK=$work BENCH_PREFIX=$prefix BENCH_ROUNDS=$rounds BENCH_REUSE=$reuse BENCH_MODE=$mode
bench_in_testbed $workers "$here/run.sh"
