#!/usr/bin/env bash
# kill -9 chaos on the local stack: bash scripts/chaos.sh [--seed N] [--kills 10] [--max-seconds 240] [--big-tx-rows 50000]
# Compiles, brings the stack up when needed, runs scripts/chaos.ts; exit code 1 on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
rm -rf dist
npx tsc -p . >/dev/null
if [ "${PGCDC_TEST_CONTAINERS:-0}" != "1" ]; then bash scripts/stack.sh start >/dev/null; fi
exec node dist/scripts/chaos.js "$@"
