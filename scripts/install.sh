#!/usr/bin/env bash
# Puts the pinned Node first on PATH (scripts/node-env.sh: fetched once when the machine's node is
# older), installs the dependencies with it (when package-lock.json or the Node release changed since
# the last install: native add-ons are built for one release), then compiles into a clean dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
command -v npm >/dev/null || { echo "install: npm is missing; install Node.js 20 or newer with npm" >&2; exit 1; }
node_version="$(node --version)"
echo "install: node $node_version ($(command -v node))" >&2
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ "$(cat node_modules/.pgcdc-node-version 2>/dev/null)" != "$node_version" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "install: npm ci failed; check access to the npm registry" >&2; exit 1; }
  echo "$node_version" > node_modules/.pgcdc-node-version
fi
# nginx for the secured-registry test (test/harness/secure-registry.ts); a machine without apt-get
# still installs, and that test says what is missing.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || bash scripts/install-nginx.sh || echo "install: nginx not installed; test/integration/registry-secured.test.ts needs it" >&2
# A clean output: a test or module deleted from the sources must not keep running from a stale dist/.
rm -rf dist
npx tsc -p tsconfig.json || { echo "install: TypeScript compilation failed (see above)" >&2; exit 1; }
