#!/usr/bin/env bash
# Soak (issue 19): the four-service example with -T 4, N times in a row on one test bed cluster (default 20).
# Reports green runs, median and worst time, what each run left behind, and the Maven JVM's heap and thread peaks.
#
#   bench/soak/run.sh [N]
#
# Per run, after Maven has exited, it looks for what the run left behind:
#   containers  created during the run whose image is under the soak's prefix, or that carry it in a label, or that
#               are labelled as nodes of its cluster but are not its nodes
#   images      in the engine under localhost/<prefix>/ (the plugin keeps the newest of each by default:
#               3 images x 4 services = 12 is the steady state, more is a leak) and in every node
#               (`ctr -n k8s.io images ls`, names added since the cluster started)
#   namespaces  added since the cluster started (any phase, Terminating included)
#   processes   any process whose command line names the soak's temp dir or its kubeconfig (port-forwards, forks)
#   temp files  anything in the Maven JVM's java.io.tmpdir (a directory of the soak's own), *.tmp/*.tar/*.part
#               under the example's target/ dirs, new /tmp/e2e* entries (informational: the machine is shared)
#   locks       *.lock / *.lck files new since the run started under the example, the JVM's tmpdir and ~/.cache
# Heap: `jstat -gc <Maven JVM> 1000` (S0U+S1U+EU+OU, peak); threads: /proc/<pid>/status every 0.5 s (peak).
# Not part of .ci/run. Needs Docker and kubectl. Starts its own test bed (cluster e2e-bench-soak-<pid>) through
# scripts/with-testbed.sh; removes it, its images and its temp dir afterwards, also on failure or Ctrl-C.
set -euo pipefail
bench_root=$(cd "$(dirname "$0")/../.." && pwd)
here=$bench_root/bench/soak

if [ "${1:-}" = --inner ]; then
  shift
  exec bash "$here/loop.sh" "$@"
fi

n=${1:-20}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/soak/run.sh [N]   (N: a positive number of runs, not '$n')" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "soak: kubectl is not on PATH" >&2; exit 2; }
command -v jstat >/dev/null || { echo "soak: jstat is not on PATH (a JDK's bin/)" >&2; exit 2; }

source "$bench_root/bench/lib.sh"
bench_begin soak

bench_install_plugin
export BENCH_WORK=$work BENCH_PREFIX=$prefix BENCH_RUNS=$n
bench_in_testbed 0 "$here/run.sh"
