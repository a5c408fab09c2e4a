#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs Debian's docker.io, containerd and
# busybox-static when missing and starts dockerd (no bridge, no iptables: containers here use
# --network none or host). Fails with the daemon's log tail when it does not come up in 60 s.
set -euo pipefail

log=${E2E_DOCKERD_LOG:-/tmp/e2e-dockerd.log}
need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v containerd >/dev/null 2>&1 || need_install+=(containerd)
dpkg -s busybox-static >/dev/null 2>&1 || need_install+=(busybox-static)

if [ ${#need_install[@]} -gt 0 ]; then
  echo "engine.sh: installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "engine.sh: Docker $(docker version --format '{{.Server.Version}}') answers"
  exit 0
fi

echo "engine.sh: starting dockerd (log: $log)"
nohup dockerd --bridge=none --iptables=false --ip-masq=false >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "engine.sh: Docker $(docker version --format '{{.Server.Version}}') answers"
    exit 0
  fi
  sleep 1
done
echo "engine.sh: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 30 "$log" >&2
exit 1
