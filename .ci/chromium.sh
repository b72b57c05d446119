#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (never a downloaded browser), then print
# its path. Idempotent: safe to run twice.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
echo /usr/bin/chromium
