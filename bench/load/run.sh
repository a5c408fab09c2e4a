#!/usr/bin/env bash
# Load benchmark: ImageLoader vs kind's method (docker save -o tar; docker exec -i <node> ctr images import < tar
# on every node in parallel), same run, into 1 and 3 kind-like nodes: a generated FROM-scratch image (default
# 200 MB base + 5 MB top layer) cold into a fresh cluster, then a second image differing only in the top layer
# into the same cluster (incremental: ours sends only that layer); plus a load of an image every node holds.
# Arguments: [baseMegabytes] [topMegabytes] [rounds] (defaults 200 5 2, ~3 min). Needs a Docker engine; removes
# its clusters, images and temp files, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -o -q -B test-compile -Dmaven.test.skip.exec=true
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -o -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
java -Xmx512m -cp "target/classes:target/test-classes:$(cat "$cp_file")" io.github.e2ekit.e2e.bench.LoadBench "$@"
