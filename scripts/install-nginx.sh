#!/usr/bin/env bash
# Installs Debian's nginx for the secured-registry integration test (test/harness/secure-registry.ts
# runs a private nginx on its own port and config; the system service is not used). Quiet unless
# something fails; nothing to do when nginx is already there.
set -euo pipefail
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && exit 0
command -v apt-get >/dev/null || { echo "install-nginx: nginx is missing and apt-get is not available; install nginx" >&2; exit 1; }
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
log=$(mktemp)
# Waits for another apt/dpkg run to finish instead of failing on its lock.
if ! { $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && \
       DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "install-nginx: apt-get install nginx failed (see above)" >&2
  rm -f "$log"; exit 1
fi
rm -f "$log"
{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || { echo "install-nginx: nginx installed but not found" >&2; exit 1; }
