#!/usr/bin/env bash
# Lifecycle benchmark: the single-service E2E lifecycle (tag, build, load, deploy, teardown) with the plugin, through
# real Maven invocations of a generated project, against bench/lifecycle/by-hand.sh doing the same by hand, on the
# test bed; cold (first run) and warm (second run of an unchanged project). Argument: [rounds] (default 3, ~3 min).
# Needs a Docker engine, docker and kubectl on PATH. Removes its test bed, images and temp dir, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl >/dev/null || { echo "lifecycle bench: kubectl is not on PATH" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-lifecycle-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
m2=${E2E_BENCH_M2_REPOSITORY:-$HOME/.m2/repository}
# The plugin, built offline and installed only into a throwaway local repository; everything else is read from the
# user's repository as a read-only tail (Maven 3.9: the wrapper's Maven, also used for the measured runs).
./mvnw -o -q -B install -DskipTests -Dmaven.repo.local="$work/repo" -Dmaven.repo.local.tail="$m2"
mvn -o -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath"
java -Xmx512m -cp "target/classes:target/test-classes:$(cat "$work/classpath")" \
  io.github.e2ekit.e2e.bench.LifecycleBench "$work" "$m2" "$@"
