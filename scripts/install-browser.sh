#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (test/browser/) when /usr/bin/chromium is
# missing; playwright-core drives it (no browser download). Quiet unless something fails.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
command -v apt-get >/dev/null || { echo "install-browser: /usr/bin/chromium is missing and apt-get is not available; install chromium" >&2; exit 1; }
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
log=$(mktemp)
# Waits for another apt/dpkg run to finish instead of failing on its lock.
if ! { $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && \
       DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "install-browser: apt-get install chromium failed (see above)" >&2
  rm -f "$log"; exit 1
fi
rm -f "$log"
[ -x /usr/bin/chromium ] || { echo "install-browser: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
