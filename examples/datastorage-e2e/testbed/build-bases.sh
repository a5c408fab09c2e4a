#!/usr/bin/env bash
# Builds the example's base images from this machine's Debian packages, for machines that cannot pull
# (the test bed): a JRE (the host's OpenJDK 17), PostgreSQL and Redis, each FROM scratch with the shared
# libraries its binaries need (found with ldd) and busybox-static as /bin/sh. The Dockerfiles take these as
# build args (JRE_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE); on a machine that can pull, their defaults are the
# public images (eclipse-temurin:17-jre, postgres:16, redis:7) and this script is not run.
#
#   build-bases.sh OUT.properties
#
# Images are named localhost/e2e-example-base/<name>:<hash of their inputs> (package versions + this
# script) and labelled io.github.e2ekit.example-base=<name>; an image that already exists is not built
# again, so a second run takes well under a second. Writes the three references to OUT.properties
# (example.base.jre, example.base.postgres, example.base.redis). Uses the docker CLI (DOCKER_HOST is honoured).
set -euo pipefail

out=${1:?usage: build-bases.sh OUT.properties}
script_dir=$(cd "$(dirname "$0")" && pwd)
jvm=${E2E_BASE_JVM:-/usr/lib/jvm/java-17-openjdk-amd64}
pg_major=${E2E_BASE_PG_MAJOR:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)}
export DOCKER_BUILDKIT=0 # the classic builder: BuildKit cannot run RUN without a network here

fail() { echo "build-bases.sh: $*" >&2; exit 1; }
[ -x "$jvm/bin/java" ] || fail "no JRE at $jvm (install openjdk-17-jre-headless, or set E2E_BASE_JVM)"
[ -n "$pg_major" ] && [ -x "/usr/lib/postgresql/$pg_major/bin/postgres" ] || fail "no PostgreSQL under /usr/lib/postgresql (run scripts/engine.sh: it installs postgresql)"
command -v redis-server >/dev/null || fail "no redis-server (run scripts/engine.sh: it installs redis-server)"
[ -x /bin/busybox ] || fail "no /bin/busybox (install busybox-static)"

version() { dpkg-query -W -f='${Package}=${Version} ' "$@" 2>/dev/null || true; }
self=$(sha256sum "$0" | cut -c1-16)

# copy_libs ROOT FILE...: every shared library ldd finds for the FILEs
copy_libs() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    [ -f "$f" ] || continue
    ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | while read -r lib; do
      [ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
    done
  done
}

# copy_with_libs ROOT FILE...: FILEs (symlinks followed) and every shared library ldd finds for them
copy_with_libs() {
  local root=$1; shift
  local f
  for f in "$@"; do
    cp -L --parents "$f" "$root"
  done
  copy_libs "$root" "$@"
}

# base_rootfs ROOT: busybox as /bin/sh (and its applets), /tmp, users root and 999 (the uid of postgres and
# redis in the public images), name lookups from files first
base_rootfs() {
  local root=$1
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/usr/bin"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\nredis:x:998:998:Redis:/data:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\nredis:x:998:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# build NAME HASH ROOT DOCKERFILE-LINES...: builds localhost/e2e-example-base/NAME:HASH from ROOT unless it exists
built=()
build() {
  local name=$1 hash=$2 root=$3; shift 3
  local ref="localhost/e2e-example-base/$name:$hash"
  {
    echo "FROM scratch"
    echo "COPY . /"
    echo 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'
    printf '%s\n' "$@"
    echo "LABEL io.github.e2ekit.example-base=$name"
  } >"$root/Dockerfile"
  echo "Dockerfile" >"$root/.dockerignore"
  docker build -q --network none -t "$ref" "$root" >/dev/null || fail "building $ref failed"
  built+=("$ref")
}

exists() { docker image inspect "$1" >/dev/null 2>&1; }

# With the JDK's jmods (openjdk-17-jdk-headless), the runtime is a jlink image of the modules DataStorage needs
# (jdeps --print-module-deps of its jar and libraries, plus the ones loaded by reflection): ~60 MB instead of ~190.
jre_modules=${E2E_BASE_JRE_MODULES:-java.base,java.compiler,java.desktop,java.management,java.naming,java.security.jgss,java.sql,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,java.logging,jdk.zipfs}
jre_hash=$(echo "$(version openjdk-17-jre-headless openjdk-17-jdk-headless busybox-static) $jre_modules $self" | sha256sum | cut -c1-12)
pg_hash=$(echo "$(version "postgresql-$pg_major" busybox-static) $self" | sha256sum | cut -c1-12)
redis_hash=$(echo "$(version redis-server redis-tools busybox-static) $self" | sha256sum | cut -c1-12)
jre="localhost/e2e-example-base/jre:$jre_hash"
pg="localhost/e2e-example-base/postgres:$pg_hash"
redis="localhost/e2e-example-base/redis:$redis_hash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! exists "$jre"; then
  r=$work/jre; mkdir -p "$r"; base_rootfs "$r"
  mkdir -p "$r/opt/java"
  if [ -d "$jvm/jmods" ] && [ -x "$jvm/bin/jlink" ]; then
    "$jvm/bin/jlink" --add-modules "$jre_modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
      --output "$r/opt/java/openjdk" || fail "jlink failed (modules: $jre_modules)"
    "$r/opt/java/openjdk/bin/java" -Xshare:dump >/dev/null 2>&1 || true # the class data sharing archive: faster starts
  else
  # the JRE without what a headless server never loads (GUI libraries, jmods, sources, headers)
  (cd "$jvm" && find bin/java conf lib release -path lib/src.zip -prune -o -path lib/ct.sym -prune \
      -o -name 'libawt_xawt.so' -prune -o -name 'libsplashscreen.so' -prune -o -name 'libjsound.so' -prune \
      -o -name 'libatk-wrapper.so' -prune -o -name 'libjawt.so' -prune -o -name 'libfontmanager.so' -prune \
      -o \( -type f -o -type l \) -print | while read -r f; do
        [ -e "$f" ] || continue # a link to a file of a package that is not installed
        mkdir -p "$r/opt/java/openjdk/$(dirname "$f")"
        cp -L "$f" "$r/opt/java/openjdk/$f"
      done)
  fi
  copy_libs "$r" $(find "$r/opt/java/openjdk" -name '*.so' -o -path '*/bin/java')
  build jre "$jre_hash" "$r" 'ENV JAVA_HOME=/opt/java/openjdk' \
    'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
fi

if ! exists "$pg"; then
  r=$work/postgres; mkdir -p "$r"; base_rootfs "$r"
  pgbin=/usr/lib/postgresql/$pg_major/bin
  pglib=/usr/lib/postgresql/$pg_major/lib
  copy_with_libs "$r" "$pgbin/postgres" "$pgbin/initdb" "$pgbin/pg_ctl" "$pgbin/pg_isready" "$pgbin/psql" \
    $(find "$pglib" -maxdepth 1 -name '*.so' ! -name 'llvmjit*')
  cp -rL --parents "/usr/share/postgresql/$pg_major" "$r"
  cp -rL --parents /usr/share/zoneinfo/UTC /usr/share/zoneinfo/Etc "$r"
  mkdir -p "$r/var/lib/postgresql/data"
  build postgres "$pg_hash" "$r" \
    'RUN ["/bin/busybox", "sh", "-c", "chown -R 999:999 /var/lib/postgresql && chmod 1777 /var/lib/postgresql/data"]' \
    "ENV PATH=$pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    'ENV PGDATA=/var/lib/postgresql/data' 'ENV TZ=UTC'
fi

if ! exists "$redis"; then
  r=$work/redis; mkdir -p "$r"; base_rootfs "$r"
  copy_with_libs "$r" "$(readlink -f /usr/bin/redis-server)" "$(readlink -f /usr/bin/redis-cli)"
  mkdir -p "$r/usr/local/bin" "$r/data"
  ln -sf "$(readlink -f /usr/bin/redis-server)" "$r/usr/local/bin/redis-server"
  ln -sf "$(readlink -f /usr/bin/redis-cli)" "$r/usr/local/bin/redis-cli"
  build redis "$redis_hash" "$r" \
    'RUN ["/bin/busybox", "chown", "998:998", "/data"]' 'WORKDIR /data'
fi

mkdir -p "$(dirname "$out")"
printf 'example.base.jre=%s\nexample.base.postgres=%s\nexample.base.redis=%s\n' "$jre" "$pg" "$redis" >"$out"
if [ ${#built[@]} -gt 0 ]; then
  echo "build-bases.sh: built ${built[*]}"
else
  echo "build-bases.sh: base images up to date ($jre, $pg, $redis)"
fi
