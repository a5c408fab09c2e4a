#!/usr/bin/env bash
# The single-service E2E lifecycle done by hand, as a typical hand-written script does it: the baseline of the
# lifecycle benchmark (bench/lifecycle/run.sh runs it; it is not meant to be run alone, but can be).
#
#   by-hand.sh <app-dir> <manifest-dir> <image> <namespace> <cluster> <keep|remove>
#
# build:    docker build --pull=false -t <image> <app-dir>
# load:     docker save to a tar, then on every node of the kind cluster <cluster> (in parallel)
#           docker exec -i <node> ctr -n k8s.io images import --digests --snapshotter=overlayfs - < tar (kind's way)
# deploy:   kubectl apply of the namespace, then of each manifest in <manifest-dir> (sorted; ${e2e.image.app}
#           replaced by <image> with sed), each followed by a wait: Jobs until succeeded, Deployments until all
#           replicas are available, by polling `kubectl get -o jsonpath` every 0.25 s (the test bed's fake API has
#           no streaming watches, so `kubectl rollout status`/`kubectl wait` do not work there)
# teardown: kubectl delete namespace; with `remove` also the image from every node (ctr images rm of the
#           references the import created and of the image ID) and from the engine (docker rmi)
#
# Needs docker and kubectl on PATH, KUBECONFIG pointing at the cluster. Prints one line per phase:
# `by-hand: phase <name> <seconds>`. Exits non-zero if anything fails or does not become ready within 60 s.
set -euo pipefail
[ $# -eq 6 ] || { echo "usage: by-hand.sh <app-dir> <manifest-dir> <image> <namespace> <cluster> <keep|remove>" >&2; exit 2; }
app=$1 manifests=$2 image=$3 ns=$4 cluster=$5 images=$6
# no OpenAPI on the test bed's fake API server: client-side validation would fail to download it
kubectl_apply=(kubectl apply --validate=false)

now() { date +%s%N; }
mark=$(now)
phase() {
  local t ms
  t=$(now)
  ms=$(( (t - mark) / 1000000 ))
  printf 'by-hand: phase %s %d.%03d\n' "$1" $((ms / 1000)) $((ms % 1000))
  mark=$t
}

# poll <object> <jsonpath giving ready/wanted/failed>: one kubectl get every 0.25 s until ready = wanted (60 s at most)
poll() {
  local object=$1 path=$2 deadline=$(( $(date +%s) + 60 )) value ready wanted failed
  while :; do
    value=$(kubectl get -n "$ns" "$object" -o jsonpath="$path")
    IFS=/ read -r ready wanted failed <<<"$value"
    wanted=${wanted:-1} # a Job without spec.completions needs one success
    [ -n "$ready" ] && [ "$ready" = "$wanted" ] && return 0
    [ "$failed" != True ] || { echo "by-hand: $object failed" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "by-hand: $object not ready after 60 s ($value)" >&2; return 1; }
    sleep 0.25
  done
}

# ---- build
docker build --pull=false -t "$image" "$app"
phase build

# ---- load
nodes=$(docker ps --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Names}}')
[ -n "$nodes" ] || { echo "by-hand: no nodes of cluster $cluster" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docker save -o "$tmp/image.tar" "$image"
pids=()
for node in $nodes; do
  docker exec -i "$node" ctr -n k8s.io images import --digests --snapshotter=overlayfs - \
    < "$tmp/image.tar" > "$tmp/import-$node.log" &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid"
done
rm -f "$tmp/image.tar"
phase load

# ---- deploy
"${kubectl_apply[@]}" -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
EOF
for manifest in $(ls "$manifests"/*.yaml | sort); do
  applied=$(sed "s#\${e2e.image.app}#$image#g" "$manifest" | "${kubectl_apply[@]}" -n "$ns" -f - -o name)
  for object in $applied; do
    case $object in
      job.batch/*) poll "$object" '{.status.succeeded}/{.spec.completions}/{.status.conditions[?(@.type=="Failed")].status}' ;;
      deployment.apps/*) poll "$object" '{.status.availableReplicas}/{.spec.replicas}/' ;;
    esac
  done
done
phase deploy

# ---- teardown
kubectl delete namespace "$ns" >/dev/null
if [ "$images" = remove ]; then
  id=$(docker image inspect -f '{{.Id}}' "$image")
  for node in $nodes; do
    # the references the import created (the image's own and kind's import-<date>@<digest>), and the image ID
    refs=$(sed -n 's/^unpacking \([^ ]*\) (.*/\1/p' "$tmp/import-$node.log")
    docker exec "$node" ctr -n k8s.io images rm $refs "$id" >/dev/null
  done
  docker rmi "$image" >/dev/null
fi
phase teardown
