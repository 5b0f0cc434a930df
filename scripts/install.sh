#!/usr/bin/env bash
# Installs the Node dependencies (when package-lock.json changed since the last install) and compiles.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "install: node is missing; install Node.js 20 or newer" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "install: npm ci failed; check access to the npm registry" >&2; exit 1; }
fi
npx tsc -p tsconfig.json || { echo "install: TypeScript compilation failed (see above)" >&2; exit 1; }
