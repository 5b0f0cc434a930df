#!/usr/bin/env bash
# Local service stack for pgcdc tests: PostgreSQL (logical decoding), Kafka (KRaft)
# and Apicurio schema registry, all on 127.0.0.1, state under .stack/.
#   scripts/stack.sh start   start what is not up yet (idempotent)
#   scripts/stack.sh stop    stop Kafka and the registry we started; PostgreSQL keeps running
#   scripts/stack.sh status  one line per service; exit 1 if any is down
# Env overrides: STACK_PG_PORT STACK_KAFKA_PORT STACK_KAFKA_CONTROLLER_PORT
#   STACK_REGISTRY_PORT STACK_DIR STACK_KAFKA_TIMEOUT STACK_REGISTRY_TIMEOUT
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/stack"
# shellcheck source=stack/common.sh
. "$here/common.sh"
# shellcheck source=stack/postgres.sh
. "$here/postgres.sh"
# shellcheck source=stack/kafka.sh
. "$here/kafka.sh"
# shellcheck source=stack/registry.sh
. "$here/registry.sh"

# Services spawned by this run; if start fails midway they are stopped again,
# so a failed start leaves nothing half-up.
STARTED=()
undo_partial_start() {
  local rc=$? s
  [ "$rc" -ne 0 ] || return 0
  for s in ${STARTED[@]+"${STARTED[@]}"}; do "${s}_stop" >/dev/null 2>&1 || true; done
  exit "$rc"
}

cmd="${1:-}"
case "$cmd" in
  start)
    mkdir -p "$CACHE" "$LOGS" "$RUN"
    trap undo_partial_start EXIT
    # Fail fast on Java and port clashes before anything is started.
    kafka_preflight
    registry_preflight
    # The jars are fetched even when the services already answer (another checkout's stack):
    # tests that start private brokers and registries run them from this checkout's cache.
    kafka_fetch
    registry_fetch
    pg_start
    kafka_start
    registry_start
    ;;
  stop)
    registry_stop
    kafka_stop
    pg_stop
    ;;
  status)
    rc=0
    pg_status || rc=1
    kafka_status || rc=1
    registry_status || rc=1
    exit "$rc"
    ;;
  *)
    echo "usage: scripts/stack.sh start|stop|status" >&2
    exit 2
    ;;
esac
