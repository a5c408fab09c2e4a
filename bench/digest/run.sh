#!/usr/bin/env bash
# Digest benchmark: SourceDigest vs `find . -type f -print0 | sort -z | xargs -0 sha256sum` on a generated
# context (default 20000 files / 300 MB; arguments: [files] [megabytes] [rounds]).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -o -q -B test-compile -Dmaven.test.skip.exec=true
exec java -Xmx512m -cp target/classes:target/test-classes io.github.e2ekit.e2e.bench.DigestBench "$@"
