#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser suite
# (tests/e2e). Playwright drives it as it is: no browser is ever downloaded
# (`playwright install` is never run).
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "installing Debian's chromium for the browser tests (tests/e2e)"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
test -x "$CHROMIUM"
