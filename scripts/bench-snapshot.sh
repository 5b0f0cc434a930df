#!/usr/bin/env bash
# Snapshot benchmark (see scripts/bench-snapshot.ts for what it measures and its BENCH_* settings):
#   scripts/bench-snapshot.sh                                         5M rows, 1 and 4 workers
#   BENCH_SNAPSHOT_ROWS=500000 scripts/bench-snapshot.sh              quick run
#   BENCH_SNAPSHOT_THREADS=1,2,4 scripts/bench-snapshot.sh            other worker counts
#   BENCH_KEEP_DB=1 scripts/bench-snapshot.sh                         keep the table for the next run
#   BENCH_PROFILE=1 BENCH_SNAPSHOT_ROWS=1000000 BENCH_SNAPSHOT_THREADS=1 scripts/bench-snapshot.sh
#                                                                     with a CPU profile of pgcdc
#   scripts/bench-snapshot.sh --summarize <file.cpuprofile> [--top N] summarise a profile
# Results: markdown tables on stdout and bench-results/snapshot-<timestamp>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--summarize" ]; then
  exec node dist/scripts/bench-snapshot.js "$@"
fi
if [ "${BENCH_SKIP_INSTALL:-0}" != "1" ]; then
  bash scripts/install.sh
fi
bash scripts/stack.sh start >&2
exec node dist/scripts/bench-snapshot.js "$@"
