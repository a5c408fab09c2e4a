#!/usr/bin/env bash
# Load benchmark: ImageLoader vs kind's method (docker save -o tar; docker exec -i <node> ctr images import < tar
# on every node in parallel) for a generated FROM-scratch image (default 200 MB) into 1 and 3 kind-like nodes,
# each load cold into a fresh cluster; plus a second load of an image every node holds.
# Arguments: [imageMegabytes] [rounds] (defaults 200 2). Needs a Docker engine; removes its clusters,
# image and temp files, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -o -q -B test-compile -Dmaven.test.skip.exec=true
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -o -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
java -Xmx512m -cp "target/classes:target/test-classes:$(cat "$cp_file")" io.github.e2ekit.e2e.bench.LoadBench "$@"
