#!/usr/bin/env bash
# Installs one Debian package quietly for the tests that need a system program (chromium, nginx):
#   bash scripts/apt-install.sh <package> <command that succeeds once it is there>
# Nothing to do when the check already succeeds; waits for another apt/dpkg run instead of failing on
# its lock; prints apt's last lines only when something fails.
set -euo pipefail
package=$1
check=$2
bash -c "$check" >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null || { echo "apt-install: $package is missing and apt-get is not available; install $package" >&2; exit 1; }
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
log=$(mktemp)
if ! { $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && \
       DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$package"; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "apt-install: apt-get install $package failed (see above)" >&2
  rm -f "$log"; exit 1
fi
rm -f "$log"
bash -c "$check" >/dev/null 2>&1 || { echo "apt-install: $package installed but \`$check\` still fails" >&2; exit 1; }
