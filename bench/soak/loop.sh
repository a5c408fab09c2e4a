#!/usr/bin/env bash
# The inner part of bench/soak/run.sh, run on a started test bed by scripts/with-testbed.sh (which appends
# -De2e.kubeconfig=… -De2e.cluster=…). Not meant to be run alone: run.sh sets BENCH_* and removes what this creates.
set -euo pipefail
bench_root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_WORK:?run bench/soak/run.sh} prefix=${BENCH_PREFIX:?} runs=${BENCH_RUNS:-20}
source "$bench_root/bench/seed-scenario/common.sh"
bench_testbed_args "$@"
testbed=(-De2e.kubeconfig="$kubeconfig" -De2e.cluster="$cluster")
ex=$work/example
mkdir -p "$work/logs" "$work/tmp"
bench_copy_example "$ex" "$prefix"
bash "$ex/testbed/build-bases.sh" "$work/bases.properties" >&2 # untimed: the bases are there before the first run
bench_baseline
results=$work/results
: >"$results"

samplers=()
stop_samplers() {
  local p
  for p in "${samplers[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  samplers=()
}
trap stop_samplers EXIT

# leftovers RUN MARKER: one line per kind of leftover, "none" when clean; sets lefts (number of leak findings)
leftovers() {
  local i=$1 marker=$2 node c x
  lefts=0
  # containers
  c=""
  for x in $(comm -13 "$work/containers-before" <(docker ps -aq --no-trunc | sort)); do
    if docker inspect -f '{{.Config.Image}} {{json .Config.Labels}}' "$x" 2>/dev/null | grep -q -e "$prefix" -e "\"io.x-k8s.kind.cluster\":\"$cluster\""; then
      echo "$nodes" | grep -qx "$(docker inspect -f '{{.Name}}' "$x" | tr -d /)" || c="$c ${x:0:12}"
    fi
  done
  report containers "$c"
  # images in the engine: more than the newest of each of the 3 images for each of the 4 services is a leak
  x=$(bench_images "$prefix" | wc -l)
  if [ "$x" -gt 12 ]; then report "engine images" "$x (> 12 kept)"; else echo "  engine images: $x kept (the newest per image and service; ≤ 12 expected)"; fi
  for node in $nodes; do
    x=$(comm -13 "$work/baseline/images-$node" <(node_images "$node") | grep -c "^localhost/$prefix/" || true)
    c=$(comm -13 "$work/baseline/images-$node" <(node_images "$node") | wc -l)
    if [ "$x" -gt 12 ]; then report "images in $node" "$x named (> 12), $c names in all"
    else echo "  images in $node: $x named under the prefix kept, $c names in all (import-… digests included)"; fi
  done
  report namespaces "$(comm -13 "$work/baseline/namespaces" <(kc get ns -o name | sort) | tr '\n' ' ')"
  report processes "$(pgrep -a -f -- "$work/example|$work/tmp|$kubeconfig" | grep -v -e loop.sh -e jstat || true)"
  report "temp files" "$(find "$work/tmp" -mindepth 1 -maxdepth 1 2>/dev/null; find "$ex" -path '*/target/*' -newer "$marker" \( -name '*.tmp' -o -name '*.tar' -o -name '*.part' \) 2>/dev/null)"
  x=$(find /tmp -maxdepth 1 -newer "$marker" -name 'e2e*' ! -path "$work*" 2>/dev/null | tr '\n' ' ')
  echo "  new /tmp/e2e* (any user of this machine): ${x:-none}"
  # lock files: the plugin's (XDG_CACHE_HOME of the soak's own) and any under the copy; a file lock itself ends with
  # the JVM, so a lock file new in run 1 is the plugin's by design, a new one in a later run (same inputs) is growth.
  # Compared by path: a holder writes its pid into the file each time, so its mtime says nothing about being new.
  all=$(find "$ex" "$work/tmp" "$work/cache" \( -name '*.lock' -o -name '*.lck' \) 2>/dev/null | sort)
  if [ "$i" -gt 1 ]; then report "new lock files" "$(comm -13 "$work/locks-after-run-1" <(echo "$all"))"
  else
    echo "$all" >"$work/locks-after-run-1"
    echo "  lock files: $(echo "$all" | grep -c . || true) after the first run (later runs must add none)"
  fi
}
report() {
  local what=$1 found=${2:-}
  found=$(echo "$found" | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
  if [ -z "$found" ]; then echo "  $what: none"; else echo "  $what: LEFT: $found"; lefts=$((lefts + 1)); fi
}

leaks=0
for i in $(seq 1 "$runs"); do
  marker=$work/marker-$i
  touch "$marker"
  docker ps -aq --no-trunc | sort >"$work/containers-before"
  out=$work/logs/run-$i.log
  sync
  t=$(now) rc=0
  MAVEN_OPTS="-Djava.io.tmpdir=$work/tmp ${MAVEN_OPTS:-}" XDG_CACHE_HOME=$work/cache \
    "${mvn_cmd[@]}" -f "$ex" verify -Pe2e,testbed -T 4 "${testbed[@]}" >"$out" 2>&1 &
  pid=$! # mvnw and mvn exec: this is the Maven JVM
  (
    while kill -0 "$pid" 2>/dev/null; do
      awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true
      sleep 0.5
    done
  ) >"$work/threads-$i" &
  samplers+=($!)
  (
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || exit 0
      jstat -gc "$pid" 1000 2>/dev/null && exit 0
      sleep 0.5
    done
  ) >"$work/jstat-$i" &
  samplers+=($!)
  wait "$pid" || rc=$?
  took=$(secs "$t")
  stop_samplers
  suites=$(grep -c 'Tests run: 5, Failures: 0, Errors: 0, Skipped: 0$' "$out" || true)
  green=no
  [ $rc -eq 0 ] && [ "$suites" -ge 4 ] && green=yes
  heap=$(awk '$1 ~ /^[0-9.]+$/ && NF > 8 { u = ($3 + $4 + $6 + $8) / 1024; if (u > m) m = u } END { printf "%.0f", m }' "$work/jstat-$i")
  threads=$(sort -n "$work/threads-$i" | tail -1)
  echo "run $i: green=$green (exit $rc, $suites/4 contract suites) ${took} s, heap peak ${heap} MB, threads peak ${threads:-?}"
  [ $green = yes ] || tail -30 "$out" | sed 's/^/  | /'
  leftovers "$i" "$marker"
  leaks=$((leaks + lefts))
  echo "$i $green $took $heap ${threads:-0} $lefts" >>"$results"
  rm -rf "${work:?}/tmp/"* # so that each run's findings are its own
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.1f", a[(NR + 1) / 2]; else printf "%.1f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "soak: $runs run(s) of the four-service example, -T 4, one test bed cluster ($cluster)"
echo "| green | median | worst | heap peak | threads peak | runs with something left behind |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| $(awk '$2 == "yes"' "$results" | wc -l)/$runs | $(awk '{ print $3 }' "$results" | median) s | $(awk '{ print $3 }' "$results" | sort -n | tail -1) s | $(awk '{ print $4 }' "$results" | sort -n | tail -1) MB | $(awk '{ print $5 }' "$results" | sort -n | tail -1) | $(awk '$6 > 0' "$results" | wc -l) |"
[ "$(awk '$2 == "yes"' "$results" | wc -l)" -eq "$runs" ] && [ "$leaks" -eq 0 ]
