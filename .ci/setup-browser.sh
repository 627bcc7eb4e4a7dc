#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/dashboard/), which drive it with
# playwright-core; playwright never downloads a browser. Run as root on a fresh Debian machine.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
