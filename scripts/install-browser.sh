#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (test/browser/) when /usr/bin/chromium is
# missing; playwright-core drives it (no browser download). Quiet unless something fails.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" chromium '[ -x /usr/bin/chromium ]'
