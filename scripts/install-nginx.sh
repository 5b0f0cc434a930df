#!/usr/bin/env bash
# Installs Debian's nginx for the secured-registry integration test (test/harness/secure-registry.ts
# runs a private nginx on its own port and config; the system service is not used). Quiet unless
# something fails; nothing to do when nginx is already there.
set -euo pipefail
exec bash "$(dirname "$0")/apt-install.sh" nginx 'command -v nginx || [ -x /usr/sbin/nginx ]'
