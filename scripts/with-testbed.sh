#!/usr/bin/env bash
# Runs a command against the plugin's test bed (kind-like nodes with real containerd + a fake
# Kubernetes API), for machines without kind:
#   scripts/with-testbed.sh ./mvnw -B -f examples/datastorage-e2e verify -Pe2e,testbed
# Starts the test bed, appends -De2e.kubeconfig=… -De2e.cluster=… to the command, and removes the
# test bed afterwards, also when the command fails or is interrupted.
# Needs the test bed's classes (src/testbed, compiled into target/test-classes): run './mvnw -B install -DskipTests' first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${E2E_TESTBED_DIR:-$root/target/example-testbed} # E2E_TESTBED_DIR: where the test bed keeps its files (bench/ gives each run its own)
cluster=${E2E_TESTBED_CLUSTER:-e2e-example}
workers=${E2E_TESTBED_WORKERS:-0}
[ -d target/test-classes ] || { echo "with-testbed.sh: build the plugin first: ./mvnw -B install -DskipTests" >&2; exit 2; }
mkdir -p "$dir"
./mvnw -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/classpath" >/dev/null 2>&1 \
  || ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$dir/classpath" >/dev/null
rm -f "$dir/testbed.properties" "$dir/stop"
java -cp "target/classes:target/test-classes:$(cat "$dir/classpath")" \
  io.github.e2ekit.e2e.testbed.TestBedLauncher "$dir" "$cluster" "$workers" >"$dir/launcher.log" 2>&1 &
launcher=$!
stop() {
  touch "$dir/stop"
  wait "$launcher" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 240); do
  [ -f "$dir/testbed.properties" ] && break
  kill -0 "$launcher" 2>/dev/null || { echo "with-testbed.sh: the test bed did not start:" >&2; tail -20 "$dir/launcher.log" >&2; exit 1; }
  sleep 0.5
done
[ -f "$dir/testbed.properties" ] || { echo "with-testbed.sh: the test bed did not start in 120 s" >&2; tail -20 "$dir/launcher.log" >&2; exit 1; }
kubeconfig=$(sed -n 's/^kubeconfig=//p' "$dir/testbed.properties")
echo "with-testbed.sh: test bed '$cluster' is up (kubeconfig $kubeconfig)"
"$@" -De2e.kubeconfig="$kubeconfig" -De2e.cluster="$cluster"
