#!/usr/bin/env bash
# Installs and starts what the Slurm and container backend tests need, on a fresh Debian 12
# machine, as root (no init system): a single-node Slurm (slurmctld + slurmd + munge) and
# podman's Docker-compatible Engine API on a unix socket.
#
#   bash .ci/setup-backends.sh            # install + start both; prints the exports to use
#   bash .ci/setup-backends.sh stop       # stops both (by PID) and removes their state
#
# Where things live (override with the variables):
#   FLOWGATE_BACKENDS_DIR  @default /tmp/flowgate-backends
#   SLURM_CONF             $FLOWGATE_BACKENDS_DIR/slurm/slurm.conf
#   FLOWGATE_DOCKER_SOCKET $FLOWGATE_BACKENDS_DIR/podman.sock
#   FLOWGATE_TEST_IMAGE    localhost/flowgate-worker:test (built by deploy/build-image.sh)
# The tests read SLURM_CONF and FLOWGATE_DOCKER_SOCKET, or find these defaults on their own.
# Set FLOWGATE_SETUP_IMAGE=0 to skip building the image (the container tests then use a
# busybox image only).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
TOOLS=${FLOWGATE_SHARED_TOOLS:-$(cd "$HERE/../../shared/tools" 2>/dev/null && pwd || echo /work/shared/tools)}
DIR=${FLOWGATE_BACKENDS_DIR:-/tmp/flowgate-backends}
export SLURM_TEST_DIR=$DIR/slurm
export SLURM_CONF=$SLURM_TEST_DIR/slurm.conf
SOCK=${FLOWGATE_DOCKER_SOCKET:-$DIR/podman.sock}
export DEBIAN_FRONTEND=noninteractive
log() { printf '[%(%H:%M:%S)T] setup-backends: %s\n' -1 "$*"; }

install_pkgs() {
  local need=()
  command -v slurmctld >/dev/null || need+=(slurm-wlm munge)
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  command -v busybox >/dev/null || need+=(busybox-static)
  command -v bc >/dev/null || need+=(bc)
  command -v curl >/dev/null || need+=(curl ca-certificates)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}…"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}"
    log "installed ${need[*]}"
  fi
}

start_slurm() {
  if [ -s "$SLURM_TEST_DIR/slurmctld.pid" ] && kill -0 "$(cat "$SLURM_TEST_DIR/slurmctld.pid")" 2>/dev/null \
     && sinfo -h -N -o %t 2>/dev/null | grep -qx idle; then
    log "slurm already running ($SLURM_CONF)"; return 0
  fi
  mkdir -p "$SLURM_TEST_DIR"
  log "starting slurm…"
  bash "$TOOLS/slurm-setup.sh" start
  log "started slurm"
}

start_podman() {
  if [ -S "$SOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
    log "podman service already answering on $SOCK"; return 0
  fi
  mkdir -p "$DIR"; rm -f "$SOCK"
  log "starting podman's API service on $SOCK…"
  # setsid: its own session, so it outlives this script; the pid file lets `stop` end it.
  setsid podman --runtime runc system service --time=0 "unix://$SOCK" >"$DIR/podman-service.log" 2>&1 < /dev/null &
  echo $! > "$DIR/podman-service.pid"
  for _ in $(seq 100); do
    [ -S "$SOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1
  done
  curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null || { cat "$DIR/podman-service.log"; exit 1; }
  log "started podman service (pid $(cat "$DIR/podman-service.pid"))"
}

build_images() {
  # A tiny busybox image for backend-level tests (fake scheduler/worker), and the real worker image.
  if ! podman --runtime runc image exists localhost/flowgate-busybox:test; then
    log "building localhost/flowgate-busybox:test…"
    local t; t=$(mktemp -d)
    mkdir -p "$t/bin"; cp "$(command -v busybox)" "$t/bin/busybox"
    for a in sh sleep echo cat ls env kill; do ln -s busybox "$t/bin/$a"; done
    tar -C "$t" -c . | podman import --change 'ENV PATH=/bin' - localhost/flowgate-busybox:test >/dev/null
    rm -rf "$t"
    log "built localhost/flowgate-busybox:test"
  fi
  if [ ! -d "$REPO/node_modules" ]; then
    log "WARN: no node_modules in $REPO: run npm ci first; the worker image was not built"
  elif [ "${FLOWGATE_SETUP_IMAGE:-1}" != 0 ]; then
    bash "$REPO/deploy/build-image.sh" "${FLOWGATE_TEST_IMAGE:-localhost/flowgate-worker:test}"
  fi
}

stop_all() {
  if [ -s "$DIR/podman-service.pid" ]; then kill "$(cat "$DIR/podman-service.pid")" 2>/dev/null || true; rm -f "$DIR/podman-service.pid" "$SOCK"; fi
  [ -d "$SLURM_TEST_DIR" ] && bash "$TOOLS/slurm-setup.sh" stop || true
  log stopped
}

case "${1:-start}" in
  start)
    T0=$(date +%s)
    install_pkgs
    start_slurm; start_podman; build_images
    log "ready in $(( $(date +%s) - T0 )) s"
    echo "export SLURM_CONF=$SLURM_CONF FLOWGATE_DOCKER_SOCKET=$SOCK"
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 [start|stop]"; exit 2 ;;
esac
