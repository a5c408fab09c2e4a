# Shared by bench/seed-scenario/run.sh and bench/soak/run.sh (sourced, not run). Needs: bench_root, work.
# Everything here acts only on what the benchmark created: a copy of the example whose images are renamed to
# localhost/<prefix>/…, namespaces created after the baseline, node images created after the baseline, in a test
# bed cluster of its own.

m2=${E2E_BENCH_M2_REPOSITORY:-$HOME/.m2/repository}
# The wrapper's Maven (3.9: -Dmaven.repo.local.tail reads everything but the plugin from ~/.m2 without copying it).
mvn_cmd=("$bench_root/mvnw" -B -o -Dmaven.repo.local="$work/repo" -Dmaven.repo.local.tail="$m2")

log() { echo "$(date +%H:%M:%S) $*" >&2; }
now() { date +%s%N; }
secs() { local ms=$(( ($(now) - $1) / 1000000 )); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }

# The plugin of this checkout, installed only into the benchmark's own local repository.
bench_install_plugin() {
  log "building the plugin of this checkout into $work/repo"
  (cd "$bench_root" && ./mvnw -o -q -B install -DskipTests -Dmaven.repo.local="$work/repo" -Dmaven.repo.local.tail="$m2")
}

# bench_copy_example DEST PREFIX: the example without build output, its images renamed to localhost/PREFIX/…
bench_copy_example() {
  local dest=$1 prefix=$2
  mkdir -p "$dest"
  (cd "$bench_root/examples/datastorage-e2e" && tar --exclude=./target --exclude='./*/target' -cf - .) | tar -xf - -C "$dest"
  sed -i "s#localhost/kubernaut/#localhost/$prefix/#g" "$dest/pom.xml" "$dest"/datastorage/k8s/*.yaml
}

# Reads the test bed's -De2e.kubeconfig=… -De2e.cluster=… (appended by scripts/with-testbed.sh) into
# kubeconfig/cluster, and the cluster's nodes into nodes.
bench_testbed_args() {
  local a
  for a in "$@"; do
    case $a in
      -De2e.kubeconfig=*) kubeconfig=${a#*=} ;;
      -De2e.cluster=*) cluster=${a#*=} ;;
    esac
  done
  [ -n "${kubeconfig:-}" ] && [ -n "${cluster:-}" ] || { echo "bench: no -De2e.kubeconfig/-De2e.cluster (run through scripts/with-testbed.sh)" >&2; return 2; }
  nodes=$(docker ps --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Names}}' | sort)
  [ -n "$nodes" ] || { echo "bench: no nodes of cluster $cluster" >&2; return 1; }
}

kc() { kubectl --kubeconfig "$kubeconfig" "$@"; }
node_images() { docker exec "$1" ctr -n k8s.io images ls -q | sort; }

# What the cluster held before the benchmark ran anything: the reset removes everything else.
bench_baseline() {
  local node
  mkdir -p "$work/baseline"
  for node in $nodes; do node_images "$node" >"$work/baseline/images-$node"; done
  kc get ns -o name | sort >"$work/baseline/namespaces"
}

# bench_images PREFIX: "ref id" of every engine image under localhost/PREFIX/
bench_images() {
  docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep "^localhost/$1/" || true
}

# bench_reset PREFIX [DIR]: nothing built, nothing in the nodes — the benchmark's namespaces, node images and
# engine images removed (classic builder: the intermediate images of its builds go with them), DIR's build output
# and the plugin's state under the benchmark's XDG_CACHE_HOME deleted.
bench_reset() {
  local prefix=$1 dir=${2:-} node extra ns
  for ns in $(comm -13 "$work/baseline/namespaces" <(kc get ns -o name | sort)); do
    kc delete "$ns" --wait=true --timeout=300s >/dev/null
  done
  for node in $nodes; do
    extra=$(comm -13 "$work/baseline/images-$node" <(node_images "$node"))
    [ -z "$extra" ] || docker exec "$node" ctr -n k8s.io images rm --sync $extra >/dev/null
  done
  extra=$(bench_images "$prefix" | awk '{print $1}')
  [ -z "$extra" ] || docker rmi -f $extra >/dev/null
  [ -z "$dir" ] || find "$dir" -maxdepth 2 -name target -type d -prune -exec rm -rf {} +
  # what the plugin keeps outside target/ (lock files; a reusable environment's record) when it is the benchmark's
  [ "${XDG_CACHE_HOME:-}" != "$work/cache" ] || rm -rf "$work/cache"
}
