#!/usr/bin/env bash
# pgcdc side by side with Debezium and the machine's limits, on the same PostgreSQL, broker and
# workloads (issue 8). Writes bench-results/<date>.md and .json and prints the table.
#   scripts/bench.sh                                   full scale (takes a while; run it on a quiet machine)
#   scripts/bench.sh --workloads a,c --scale 0.05      quick run
#   scripts/bench.sh --systems pgcdc,limits --profile  pgcdc alone, with a CPU profile
#   scripts/bench.sh --summarize <file.cpuprofile>     top functions of a profile
#   scripts/bench.sh --help                            every option
# Debezium 3.x, Kafka Connect and the Avro converter are fetched with mvn into .stack/cache on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
case "${1:-}" in
  --summarize|--help|-h) exec node dist/scripts/bench/main.js "$@" ;;
esac
if [ "${BENCH_SKIP_INSTALL:-0}" != "1" ]; then
  bash scripts/install.sh >&2
fi
bash scripts/stack.sh start >&2
BENCH_DEBEZIUM_DIR="$(bash scripts/bench/debezium/fetch.sh)"
export BENCH_DEBEZIUM_DIR
exec node dist/scripts/bench/main.js "$@"
