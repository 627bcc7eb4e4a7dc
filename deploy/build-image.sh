#!/usr/bin/env bash
# Builds a flowgate worker image without a registry or a base image: a root filesystem holding
# this machine's node (with the shared libraries it links), busybox when present, and this
# repository (bin/, src/, examples/, node_modules/ without dev-only tools), imported with
# `podman import` (or `docker import`).
#
#   bash deploy/build-image.sh [IMAGE]    # @default localhost/flowgate-worker:latest
#   CONTAINER_CLI=docker bash deploy/build-image.sh
#
# Inside: node on PATH, flowgate at /opt/flowgate, so a scheduler or worker runs as
#   node /opt/flowgate/bin/flowgate.js scheduler|worker …
# The image matches this machine's CPU architecture and glibc-era (the node binary is copied).
set -euo pipefail
IMAGE=${1:-localhost/flowgate-worker:latest}
CLI=${CONTAINER_CLI:-podman}
REPO=$(cd "$(dirname "$0")/.." && pwd)
NODE=$(command -v node)
log() { printf '[%(%H:%M:%S)T] build-image: %s\n' -1 "$*"; }

T0=$(date +%s)
ROOT=$(mktemp -d /tmp/flowgate-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
log "building $IMAGE from $REPO with $NODE ($("$NODE" --version))…"

mkdir -p "$ROOT"/{usr/local/bin,bin,etc,tmp,opt/flowgate,root}
chmod 1777 "$ROOT/tmp"
cp "$NODE" "$ROOT/usr/local/bin/node"
# The dynamic loader and every library node links against, at their own paths.
ldd "$NODE" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  mkdir -p "$ROOT$(dirname "$lib")"; cp -L "$lib" "$ROOT$lib"
done
if command -v busybox >/dev/null; then
  cp "$(command -v busybox)" "$ROOT/bin/busybox"
  for a in sh ls cat env sleep kill ps; do ln -s busybox "$ROOT/bin/$a"; done
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ROOT/etc/group"

# The repository as built by `npm ci` (compiled dist/, which the scheduler, workers and task
# threads run, so a container builds nothing at start), less history, tests' leftovers and
# dev-only tools.
test -f "$REPO/dist/.sources-fingerprint" || (cd "$REPO" && npm run build)
tar -C "$REPO" -c --exclude=.git --exclude=test-artifacts --exclude=.flowgate --exclude='*.log' \
  --exclude=node_modules/typescript --exclude=node_modules/eslint --exclude='node_modules/@eslint' \
  --exclude=node_modules/typescript-eslint --exclude='node_modules/@typescript-eslint' \
  --exclude=node_modules/prettier --exclude=node_modules/.cache \
  package.json bin src dist examples node_modules | tar -C "$ROOT/opt/flowgate" -x

tar -C "$ROOT" -c . | "$CLI" import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_ENV=production' \
  --change 'WORKDIR /opt/flowgate' \
  --change 'CMD ["node", "/opt/flowgate/bin/flowgate.js", "--help"]' \
  - "$IMAGE" >/dev/null 2>&1
# Smoke check (podman: runc, as crun fails on some machines; override with CLI_GLOBAL_FLAGS).
if [ "$CLI" = podman ]; then GLOBAL=${CLI_GLOBAL_FLAGS:---runtime runc}; else GLOBAL=${CLI_GLOBAL_FLAGS:-}; fi
# shellcheck disable=SC2086
if out=$("$CLI" $GLOBAL run --rm --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" node /opt/flowgate/bin/flowgate.js --help 2>&1); then
  log "smoke check: flowgate --help runs in the image"
else
  log "WARN: smoke check failed (the image was built): $out"
fi
log "built $IMAGE in $(( $(date +%s) - T0 )) s ($(du -sh "$ROOT" | cut -f1) root filesystem)"
