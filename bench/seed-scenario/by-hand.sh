#!/usr/bin/env bash
# The seed scenario done by hand, the way teams script it without the plugin: the baseline of
# bench/seed-scenario/run.sh (it runs this; it can be run alone against any kind-like cluster).
#
#   by-hand.sh <example-dir> <kubeconfig> <cluster> <image-prefix> <nonce> [maven args...]
#
# 1. maven:  the example's DataStorage jar and the contract suite, installed for failsafe
#            (mvn -T 4 install -pl .,datastorage,datastorage-contract -DskipTests)
# then per service (gateway, signalprocessing, workflowexecution, remediationorchestrator), all four in parallel:
# 2. build:  docker build --no-cache of DataStorage, PostgreSQL and Redis, each with a unique tag
#            <image-prefix>/<image>:<service>-<nonce> (classic builder, like the plugin on this engine)
# 3. load:   kind's `kind load docker-image` (kind pkg/cmd/kind/load/docker-image/docker-image.go runE: all images
#            saved into one temp tar, then imported into every node concurrently; pkg/cluster/nodeutils/util.go
#            LoadImageArchive: ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=<s> -)
# 4. deploy: kubectl create namespace, then the three stages with the images put in by sed, each waited for:
#            stage 1 `kubectl rollout status` of PostgreSQL and Redis, stage 2 `kubectl wait --for=condition=complete`
#            of the migration Job, stage 3 `kubectl rollout status` of DataStorage
# 5. test:   `kubectl port-forward` to DataStorage's Service, the contract ITs through failsafe against it
#            (mvn -pl <service> failsafe:integration-test failsafe:verify)
# 6. down:   kubectl delete namespace --wait, docker rmi of the three images
#
# Prints `by-hand: <service|all> <step> <seconds>` per step. Exits non-zero if any step of any service fails.
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: by-hand.sh <example-dir> <kubeconfig> <cluster> <image-prefix> <nonce> [maven args...]" >&2; exit 2; }
ex=$1 kubeconfig=$2 cluster=$3 prefix=$4 nonce=$5
shift 5
maven=("$@")
[ ${#maven[@]} -gt 0 ] || maven=(mvn -B -o)
services=(gateway signalprocessing workflowexecution remediationorchestrator)
timeout=${E2E_BENCH_WAIT_TIMEOUT:-300s}
export KUBECONFIG=$kubeconfig DOCKER_BUILDKIT=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/e2e-bench-by-hand.XXXXXX")
children=()
cleanup() {
  local pid
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  # the port-forwards of pipelines that did not get to stop them
  for pid in $(cat "$tmp"/*/port-forward.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s%N; }
report() { # report <who> <step> <start-ns>
  local ms=$(( ($(now) - $3) / 1000000 ))
  printf 'by-hand: %s %s %d.%03d\n' "$1" "$2" $((ms / 1000)) $((ms % 1000))
}

# ---- 1. Maven: the jar the Dockerfile copies, and the contract suite failsafe scans
t=$(now)
"${maven[@]}" -q -f "$ex" -T 4 install -pl .,datastorage,datastorage-contract -DskipTests
report all maven "$t"

# the base images (the example's testbed profile builds them from this machine's packages; well under a second
# when they exist, which run.sh makes sure of before anything is timed)
bash "$ex/testbed/build-bases.sh" "$tmp/bases.properties" >/dev/null
base() { sed -n "s/^example.base.$1=//p" "$tmp/bases.properties"; }
jre=$(base jre) pg=$(base postgres) redis=$(base redis)
nodes=$(docker ps --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Names}}')
[ -n "$nodes" ] || { echo "by-hand: no nodes of cluster $cluster" >&2; exit 1; }

# stage <service> <namespace> <manifest> <images...>: the manifest with the images' tags and the example's property
stage() {
  local ns=$1 manifest=$2 img=$3
  sed -e "s#image: localhost/$prefix/datastorage\$#image: $img/datastorage:$tag#" \
      -e "s#image: localhost/$prefix/datastorage-postgresql\$#image: $img/datastorage-postgresql:$tag#" \
      -e "s#image: localhost/$prefix/datastorage-redis\$#image: $img/datastorage-redis:$tag#" \
      -e 's#${datastorage.databaseUrl}#jdbc:postgresql://postgresql:5432/datastorage#' "$manifest" \
    | kubectl apply -n "$ns" -f - >/dev/null
}

pipeline() {
  local svc=$1 t ns="bench-$svc-$nonce" img="localhost/$prefix" log="$tmp/$svc"
  local tag="$svc-$nonce" # stage() reads it
  local ds="$img/datastorage:$tag" pgi="$img/datastorage-postgresql:$tag" rdi="$img/datastorage-redis:$tag"
  local label="io.github.e2ekit.bench=$prefix"
  # ---- 2. build
  t=$(now)
  docker build -q --no-cache --label "$label" --build-arg "JRE_IMAGE=$jre" --build-arg "E2E_SOURCE_DIGEST=$nonce" \
    -f "$ex/datastorage/docker/data-storage.Dockerfile" -t "$ds" "$ex/datastorage" >/dev/null
  docker build -q --no-cache --label "$label" --build-arg "POSTGRES_IMAGE=$pg" -t "$pgi" "$ex/datastorage/docker/postgres" >/dev/null
  docker build -q --no-cache --label "$label" --build-arg "REDIS_IMAGE=$redis" -t "$rdi" "$ex/datastorage/docker/redis" >/dev/null
  report "$svc" build "$t"
  # ---- 3. load (kind's way)
  t=$(now)
  mkdir -p "$log"
  docker save -o "$log/images.tar" "$ds" "$pgi" "$rdi"
  local node pids=()
  for node in $nodes; do
    docker exec -i "$node" ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs - \
      <"$log/images.tar" >"$log/import-$node.log" &
    pids+=($!)
  done
  for node in "${pids[@]}"; do wait "$node"; done
  rm -f "$log/images.tar"
  report "$svc" load "$t"
  # ---- 4. deploy
  t=$(now)
  kubectl create namespace "$ns" >/dev/null
  stage "$ns" "$ex/datastorage/k8s/backing.yaml" "$img"
  kubectl rollout status -n "$ns" deployment/postgresql --timeout="$timeout" >/dev/null
  kubectl rollout status -n "$ns" deployment/redis --timeout="$timeout" >/dev/null
  stage "$ns" "$ex/datastorage/k8s/migrations-job.yaml" "$img"
  kubectl wait -n "$ns" --for=condition=complete job/datastorage-migrations --timeout="$timeout" >/dev/null
  stage "$ns" "$ex/datastorage/k8s/datastorage.yaml" "$img"
  kubectl rollout status -n "$ns" deployment/datastorage --timeout="$timeout" >/dev/null
  report "$svc" deploy "$t"
  # ---- 5. the contract ITs through a port-forward
  t=$(now)
  kubectl port-forward -n "$ns" service/data-storage-service :8080 >"$log/port-forward.log" 2>&1 &
  local pf=$! port=
  echo "$pf" >"$log/port-forward.pid" # removed once stopped, so a reused pid is never killed
  for _ in $(seq 1 240); do
    port=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$log/port-forward.log" | head -1)
    [ -z "$port" ] || break
    kill -0 "$pf" 2>/dev/null || { rm -f "$log/port-forward.pid"; echo "by-hand: $svc: port-forward exited: $(cat "$log/port-forward.log")" >&2; return 1; }
    sleep 0.25
  done
  [ -n "$port" ] || { echo "by-hand: $svc: port-forward did not listen" >&2; kill "$pf"; rm -f "$log/port-forward.pid"; return 1; }
  local rc=0
  "${maven[@]}" -f "$ex" -pl "$svc" failsafe:integration-test failsafe:verify -DskipITs=false \
    -De2e.endpoint.datastorage.url="http://127.0.0.1:$port" -De2e.digest.datastorage="$nonce" \
    -De2e.service="$svc" -De2e.image.datastorage="$ds" >"$log/failsafe.log" 2>&1 || rc=$?
  kill "$pf" 2>/dev/null || true
  wait "$pf" 2>/dev/null || true
  rm -f "$log/port-forward.pid"
  [ $rc -eq 0 ] || { echo "by-hand: $svc: the contract ITs failed:" >&2; tail -30 "$log/failsafe.log" >&2; return 1; }
  grep -q 'Tests run: 5, Failures: 0, Errors: 0' "$log/failsafe.log" \
    || { echo "by-hand: $svc: failsafe ran no contract ITs:" >&2; tail -30 "$log/failsafe.log" >&2; return 1; }
  report "$svc" test "$t"
  # ---- 6. down
  t=$(now)
  kubectl delete namespace "$ns" --wait=true --timeout="$timeout" >/dev/null
  docker rmi "$ds" "$pgi" "$rdi" >/dev/null
  report "$svc" down "$t"
}

pids=()
for svc in "${services[@]}"; do
  pipeline "$svc" >"$tmp/$svc.out" 2>&1 &
  pids+=($!)
  children+=($!)
done
failed=0
for i in "${!services[@]}"; do
  wait "${pids[$i]}" || { failed=1; echo "by-hand: ${services[$i]} failed" >&2; }
  cat "$tmp/${services[$i]}.out"
done
exit $failed
