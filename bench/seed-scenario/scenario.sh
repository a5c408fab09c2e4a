#!/usr/bin/env bash
# The inner part of bench/seed-scenario/run.sh, run on a started test bed by scripts/with-testbed.sh (which appends
# -De2e.kubeconfig=… -De2e.cluster=…). Not meant to be run alone: run.sh sets BENCH_* and removes what this creates.
set -euo pipefail
bench_root=$(cd "$(dirname "$0")/../.." && pwd)
here=$bench_root/bench/seed-scenario
work=${BENCH_WORK:?run bench/seed-scenario/run.sh} prefix=${BENCH_PREFIX:?} rounds=${BENCH_ROUNDS:-2}
reuse=${BENCH_REUSE:-0} mode=${BENCH_MODE:-seed}
source "$here/common.sh"
bench_testbed_args "$@"
testbed=(-De2e.kubeconfig="$kubeconfig" -De2e.cluster="$cluster")
mkdir -p "$work/logs"
results=$work/results phases=$work/phases
: >"$results"
: >"$phases"

# gen_files DIR COUNT MIB SEED: COUNT files of MIB MiB of pseudo-random bytes (AES-CTR of zeros under a fixed key:
# the same bytes every time), with a fixed mtime, so the layer that copies them is the same layer in every build.
gen_files() {
  local dir=$1 count=$2 mib=$3 seed=$4 i
  mkdir -p "$dir"
  for i in $(seq -w 0 $((count - 1))); do
    head -c $((mib * 1048576)) /dev/zero \
      | openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$seed")" -iv "$(printf '%032x' "$((10#$i))")" >"$dir/f$i"
  done
  touch -d '2026-01-01 00:00:00' "$dir" "$dir"/*
}

# bench_pom ARTIFACT PLUGIN: bench/bench-pom.xml (the plugin's coordinates, shared with LifecycleBench) with the
# artifactId and, inside <plugin>, the configuration and executions PLUGIN filled in.
bench_pom() {
  local pom
  pom=$(<"$bench_root/bench/bench-pom.xml")
  pom=${pom//@artifactId@/"$1"}
  pom=${pom//@plugin@/"$2"}
  printf '%s\n' "$pom"
}

# ======================================================================== heap: 1 GB into three nodes, -Xmx256m
if [ "$mode" = heap ]; then
  proj=$work/heap
  mkdir -p "$proj/image"
  log "generating the 1 GB image context"
  gen_files "$proj/image/data" 8 128 42
  printf 'FROM scratch\nCOPY data/ /data/\n' >"$proj/image/Dockerfile"
  bench_pom heap "$(cat <<EOF
        <configuration>
          <images><image><id>big</id><name>localhost/$prefix/big</name><context>\${project.basedir}/image</context></image></images>
          <cluster><name>\${e2e.cluster}</name><create>never</create></cluster>
        </configuration>
        <executions>
          <execution><id>up</id><goals><goal>tag</goal><goal>build</goal><goal>load</goal></goals></execution>
        </executions>
EOF
)" >"$proj/pom.xml"
  bench_baseline
  log "heap check: tag, build, load of the 1 GB image into $(echo $nodes | wc -w) nodes with MAVEN_OPTS=-Xmx256m"
  t=$(now) rc=0
  MAVEN_OPTS="-Xmx256m -Xlog:gc:file=$work/logs/heap-gc.log" \
    "${mvn_cmd[@]}" -f "$proj" verify "${testbed[@]}" >"$work/logs/heap.log" 2>&1 || rc=$?
  took=$(secs "$t")
  held=0
  for node in $nodes; do
    node_images "$node" | grep -q "^localhost/$prefix/big:" && held=$((held + 1))
  done
  # the largest heap in use before a collection, and the heap's size, from the unified GC log
  peak=$(sed -n 's/.* \([0-9]*\)M->[0-9]*M(\([0-9]*\)M).*/\1 \2/p' "$work/logs/heap-gc.log" | sort -n | tail -1)
  grep -E 'e2e: .*(imported|already present)' "$work/logs/heap.log" | sed 's/^/  /' || true
  echo "heap check: exit $rc, image in $held/$(echo $nodes | wc -w) nodes, ${took} s, heap peak before GC ${peak% *} MB of ${peak#* } MB (-Xmx256m)"
  bench_reset "$prefix"
  [ $rc -eq 0 ] && [ "$held" -eq "$(echo $nodes | wc -w)" ] || { tail -40 "$work/logs/heap.log" >&2; exit 1; }
  exit 0
fi

# ======================================================================== seed scenario
ex=$work/example
log "preparing the example copy (images under localhost/$prefix/) with the 200 MB base layer"
bench_copy_example "$ex" "$prefix"
gen_files "$ex/datastorage/base" 100 2 7
# the stable base layer, copied before the service's own files
sed -i '0,/^FROM /{/^FROM /a COPY base/ /base/
}' "$ex/datastorage/docker/data-storage.Dockerfile"
echo '!base' >>"$ex/datastorage/.dockerignore"
main=$ex/datastorage/src/main/java/io/github/e2ekit/examples/datastorage/DataStorage.java
sed -i '/^public final class DataStorage {/a \  static final String BENCH_CHANGE = "0";' "$main"
grep -q BENCH_CHANGE "$main" || { echo "bench: could not place the line to change in $main" >&2; exit 1; }
grep -q '^COPY base/' "$ex/datastorage/docker/data-storage.Dockerfile" || { echo "bench: no base layer in the Dockerfile" >&2; exit 1; }
bash "$ex/testbed/build-bases.sh" "$work/bases.properties" >&2 # untimed: the bases are there before any run
bench_baseline

reuse_known=0
if grep -q 'e2e\.reuse' "$bench_root/target/classes/META-INF/maven/plugin.xml" 2>/dev/null; then reuse_known=1; fi
sides=(script plugin)
if [ "$reuse" = 1 ]; then
  if [ $reuse_known = 1 ]; then sides+=(reuse); else log "the plugin does not know e2e.reuse yet: the reuse columns are n/a"; fi
fi

# plugin_phases LOG SIDE KIND ROUND: per goal, the mean and the max over the four service modules (seconds), from
# the timestamps of Maven's "--- plugin:version:goal (execution) @ module ---" lines; a goal lasts until the next
# one of its module starts (the last one until the reactor summary). Also Maven's start until the services' first
# goal (the DataStorage jar and the contract suite are built first).
plugin_phases() {
  awk -v side="$2" -v kind="$3" -v round="$4" '
    function ms(t,  a) { split(t, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
    NR == 1 && $1 ~ /^[0-9][0-9]:/ { first = ms($1) }
    /^[0-9:.]+ \[INFO\] --- .* @ [^ ]+ ---$/ {
      t = ms($1); split($4, p, ":"); goal = p[1] ":" p[3]; mod = $(NF - 1)
      if (mod in cur) { d[cur[mod] SUBSEP mod] += t - start[mod] } else { begin[mod] = t }
      cur[mod] = goal; start[mod] = t; goals[goal] = 1
    }
    /^[0-9:.]+ \[INFO\] Reactor Summary/ { end = ms($1) }
    END {
      split("gateway signalprocessing workflowexecution remediationorchestrator", svc, " ")
      for (m in cur) d[cur[m] SUBSEP m] += end - start[m]
      for (g in goals) {
        n = 0; sum = 0; max = 0
        for (i = 1; i <= 4; i++) if ((g SUBSEP svc[i]) in d) { v = d[g SUBSEP svc[i]]; n++; sum += v; if (v > max) max = v }
        if (n > 0) printf "%s %s %s %s %.3f %.3f\n", side, kind, round, g, sum / n / 1000, max / 1000
      }
      s = 0; for (i = 1; i <= 4; i++) if (svc[i] in begin && (s == 0 || begin[svc[i]] < s)) s = begin[svc[i]]
      if (s > 0) printf "%s %s %s %s %.3f %.3f\n", side, kind, round, "(maven-start-to-services)", (s - first) / 1000, (s - first) / 1000
    }' "$1"
}

# run SIDE KIND ROUND: one timed run; appends "SIDE KIND ROUND SECONDS" to results, its phases to phases
run() {
  local side=$1 kind=$2 round=$3 t rc=0 out="$work/logs/$1-$2-r$3.log" took
  if [ "$kind" = change ]; then
    sed -i "s/static final String BENCH_CHANGE = \"[^\"]*\";/static final String BENCH_CHANGE = \"$side-r$round\";/" "$main"
  fi
  sync
  log "round $round: $side $kind"
  t=$(now)
  case $side in
    script)
      bash "$here/by-hand.sh" "$ex" "$kubeconfig" "$cluster" "$prefix" "$kind$round$RANDOM" "${mvn_cmd[@]}" >"$out" 2>&1 || rc=$? ;;
    plugin|reuse)
      local extra=()
      [ "$side" = plugin ] || extra=(-De2e.reuse=true)
      "${mvn_cmd[@]}" -f "$ex" verify -Pe2e,testbed -T 4 "${testbed[@]}" "${extra[@]}" \
        -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
        >"$out" 2>&1 || rc=$?
      if [ $rc -eq 0 ] && [ "$(grep -c 'Tests run: 5, Failures: 0, Errors: 0, Skipped: 0$' "$out")" -lt 4 ]; then
        echo "bench: $side $kind: fewer than four contract suites passed" >&2; rc=1
      fi ;;
  esac
  took=$(secs "$t")
  if [ $rc -ne 0 ]; then
    echo "bench: $side $kind (round $round) failed; its error lines and the last lines of $out:" >&2
    grep -n -i -E 'error|fail|refused|denied|no such|not found' "$out" | grep -v -E 'Failures: 0, Errors: 0|DEPRECATED' | head -20 >&2
    tail -40 "$out" >&2
    if [ -n "${E2E_BENCH_KEEP_LOGS:-}" ]; then mkdir -p "$E2E_BENCH_KEEP_LOGS" && cp -r "$work/logs" "$E2E_BENCH_KEEP_LOGS/"; fi
    exit 1
  fi
  log "round $round: $side $kind ${took} s"
  echo "$side $kind $round $took" >>"$results"
  case $side in
    script) sed -n 's/^by-hand: \([^ ]*\) \([^ ]*\) \([0-9.]*\)$/\1 \2 \3/p' "$out" | awk -v side="$side" -v kind="$kind" -v round="$round" '
              { n[$2]++; s[$2] += $3; if ($3 > m[$2]) m[$2] = $3 }
              END { for (k in n) printf "%s %s %s %s %.3f %.3f\n", side, kind, round, k, s[k] / n[k], m[k] }' >>"$phases" ;;
    *) plugin_phases "$out" "$side" "$kind" "$round" >>"$phases" ;;
  esac
}

for round in $(seq 1 "$rounds"); do
  order=("${sides[@]}")
  if [ $((round % 2)) = 0 ]; then order=(); for ((i = ${#sides[@]} - 1; i >= 0; i--)); do order+=("${sides[$i]}"); done; fi
  for side in "${order[@]}"; do
    bench_reset "$prefix" "$ex" # cold: nothing built, nothing in the node
    for kind in cold warm change; do run "$side" "$kind" "$round"; done
  done
done
bench_reset "$prefix" "$ex"

# ======================================================================== report
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
cell() { awk -v s="$1" -v k="$2" '$1 == s && $2 == k { print $4 }' "$results" | median; }
ratio() { if [ "$1" = n/a ] || [ "$2" = n/a ]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi; }
met() { if [ "$1" = n/a ]; then echo n/a; else awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "yes" : "no") }'; fi; }
target() { case $1-$2 in cold-plugin|cold-reuse) echo 0.8 ;; warm-plugin) echo 0.5 ;; warm-reuse) echo 0.15 ;; change-plugin) echo 0.5 ;; change-reuse) echo 0.3 ;; esac; }

echo
echo "seed scenario: example + 200 MB base layer, -T 4, test bed cluster $cluster ($(echo $nodes | wc -w) node(s)), $rounds round(s), medians"
echo
echo "| run | script | plugin | plugin / script | target | met? | plugin, reuse | reuse / script | target | met? |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for kind in cold warm change; do
  s=$(cell script "$kind") p=$(cell plugin "$kind") r=$(cell reuse "$kind")
  rp=$(ratio "$p" "$s") rr=$(ratio "$r" "$s")
  echo "| $kind | $s s | $p s | **$rp** | ≤ $(target "$kind" plugin) | $(met "$rp" "$(target "$kind" plugin)") | $r | **$rr** | ≤ $(target "$kind" reuse) | $(met "$rr" "$(target "$kind" reuse)") |"
done
echo
echo "rounds (side kind round seconds):"
sed 's/^/  /' "$results"
echo
echo "where the time goes (medians over the rounds; per step/goal: mean over the four services / slowest service, s):"
for side in "${sides[@]}"; do
  echo
  echo "| $side: step or goal | cold | warm | change |"
  echo "| --- | --- | --- | --- |"
  for step in $(awk -v s="$side" '$1 == s { print $4 }' "$phases" | sort -u); do
    row="| $step"
    for kind in cold warm change; do
      mean=$(awk -v s="$side" -v k="$kind" -v p="$step" '$1 == s && $2 == k && $4 == p { print $5 }' "$phases" | median)
      max=$(awk -v s="$side" -v k="$kind" -v p="$step" '$1 == s && $2 == k && $4 == p { print $6 }' "$phases" | median)
      row="$row | $mean / $max"
    done
    echo "$row |"
  done
done
echo
echo "logs were in $work/logs (removed with the temp dir; set E2E_BENCH_KEEP_LOGS=DIR to keep a copy)"
if [ -n "${E2E_BENCH_KEEP_LOGS:-}" ]; then mkdir -p "$E2E_BENCH_KEEP_LOGS" && cp -r "$work/logs" "$work/results" "$work/phases" "$E2E_BENCH_KEEP_LOGS/"; fi
