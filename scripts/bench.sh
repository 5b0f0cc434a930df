#!/usr/bin/env bash
# pgcdc side by side with Debezium and the machine's limits, on the same PostgreSQL, broker and
# workloads (issue 8). Writes bench-results/<date>.md and .json and prints the table.
# System pgcdc-eos is pgcdc with exactly.once.support=required (one Kafka transaction per delivered
# batch; its drains count committed records), reported next to pgcdc with their ratio (issue 17).
#   scripts/bench.sh                                   full scale (takes a while; run it on a quiet machine)
#   scripts/bench.sh --workloads a,c --scale 0.05      quick run
#   scripts/bench.sh --systems pgcdc,limits --profile  pgcdc alone, with a CPU profile
#   scripts/bench.sh --systems pgcdc,pgcdc-eos         at-least-once vs exactly-once
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
# Debezium is fetched only when it runs (the default systems include it)
with_debezium=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = --systems ]; then
    case ",${args[i + 1]:-}," in *,debezium,*) with_debezium=1 ;; *) with_debezium=0 ;; esac
  fi
done
if [ "$with_debezium" = 1 ]; then
  BENCH_DEBEZIUM_DIR="$(bash scripts/bench/debezium/fetch.sh)"
  export BENCH_DEBEZIUM_DIR
fi
exec node dist/scripts/bench/main.js "$@"
