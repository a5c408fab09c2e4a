#!/usr/bin/env bash
# Makes sure both container engines answer on this machine, for the tests that run on each:
# - Docker: installs Debian's docker.io, containerd and busybox-static when missing and starts dockerd
#   (no bridge, no iptables: containers here use --network none or host).
# - Podman: installs Debian's podman when missing and starts its Docker-compatible API service, rootful,
#   at unix:///run/podman/podman.sock (E2E_PODMAN_SOCKET overrides the path).
# - docker-registry (Debian's distribution 2.8), for the tests of load.mode=registry: installed, not started.
# - postgresql and redis-server, from which the example's testbed profile builds its base images: installed,
#   never started (Debian's policy-rc.d, put in place for the install when missing, keeps their services down).
# Quick when both already answer. Fails with the engine's log tail when one does not come up in 60 s.
set -euo pipefail

log=${E2E_DOCKERD_LOG:-/tmp/e2e-dockerd.log}
podman_log=${E2E_PODMAN_LOG:-/tmp/e2e-podman.log}
podman_socket=${E2E_PODMAN_SOCKET:-/run/podman/podman.sock}

need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v containerd >/dev/null 2>&1 || need_install+=(containerd)
dpkg -s busybox-static >/dev/null 2>&1 || need_install+=(busybox-static)
command -v podman >/dev/null 2>&1 || need_install+=(podman)
command -v curl >/dev/null 2>&1 || need_install+=(curl)
command -v docker-registry >/dev/null 2>&1 || need_install+=(docker-registry)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_install+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_install+=(redis-server)

if [ ${#need_install[@]} -gt 0 ]; then
  echo "engine.sh: installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    # invoke-rc.d asks this before starting a service: 101 = not allowed (the packages' services stay down)
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  [ -z "$own_policy" ] || trap 'rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

docker_up() { docker info >/dev/null 2>&1; }
podman_up() { curl -sf --max-time 5 --unix-socket "$podman_socket" http://d/_ping >/dev/null 2>&1; }
podman_version() {
  curl -sf --max-time 5 --unix-socket "$podman_socket" http://d/version | sed -n 's/.*"Version":"\([^"]*\)","ApiVersion".*/\1/p'
}

# wait_for NAME CHECK LOG PID: up to 60 s, less when the process PID ends first
wait_for() {
  for _ in $(seq 1 60); do
    if "$2"; then
      return 0
    fi
    if ! kill -0 "$4" 2>/dev/null; then
      echo "engine.sh: $1 exited without answering; last lines of $3:" >&2
      tail -n 30 "$3" >&2
      return 1
    fi
    sleep 1
  done
  echo "engine.sh: $1 did not answer within 60 s; last lines of $3:" >&2
  tail -n 30 "$3" >&2
  return 1
}

if docker_up; then
  echo "engine.sh: Docker $(docker version --format '{{.Server.Version}}') answers"
else
  echo "engine.sh: starting dockerd (log: $log)"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >"$log" 2>&1 &
  wait_for dockerd docker_up "$log" $!
  echo "engine.sh: Docker $(docker version --format '{{.Server.Version}}') answers"
fi

if podman_up; then
  echo "engine.sh: Podman $(podman_version) answers at unix://$podman_socket"
else
  echo "engine.sh: starting the Podman API service at unix://$podman_socket (log: $podman_log)"
  mkdir -p "$(dirname "$podman_socket")"
  rm -f "$podman_socket" # a socket left by a service that is gone would refuse connections
  nohup podman system service --time=0 "unix://$podman_socket" >"$podman_log" 2>&1 &
  wait_for "podman system service" podman_up "$podman_log" $!
  echo "engine.sh: Podman $(podman_version) answers at unix://$podman_socket"
fi
