#!/usr/bin/env bash
# Streaming benchmark (see scripts/bench-streaming.ts for what it measures and its BENCH_* settings):
#   scripts/bench-streaming.sh                          1M changes in 10-row transactions
#   BENCH_ROWS=100000 scripts/bench-streaming.sh        quick run
#   BENCH_BIG_TX=1 scripts/bench-streaming.sh           one 1M-row transaction (memory bound)
#   BENCH_BIG_TX=both scripts/bench-streaming.sh        both workloads, one report
#   BENCH_PROFILE=1 BENCH_ROWS=200000 scripts/bench-streaming.sh   with a CPU profile of pgcdc
#   scripts/bench-streaming.sh --summarize <file.cpuprofile>       summarise a profile
# Results: a markdown table on stdout and bench-results/streaming-<timestamp>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--summarize" ]; then
  exec node dist/scripts/bench-streaming.js "$@"
fi
if [ "${BENCH_SKIP_INSTALL:-0}" != "1" ]; then
  bash scripts/install.sh
fi
bash scripts/stack.sh start >&2
exec node dist/scripts/bench-streaming.js "$@"
