# shellcheck shell=bash disable=SC2034  # settings are used by the other files
# Shared settings and helpers for scripts/stack.sh (sourced, not executed).

STACK_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$STACK_HERE/../.." && pwd)"

# Fixed defaults; env overrides exist only for a developer whose ports clash.
HOST=127.0.0.1
STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
PG_PORT="${STACK_PG_PORT:-5432}"
KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${STACK_REGISTRY_PORT:-8081}"
KAFKA_TIMEOUT="${STACK_KAFKA_TIMEOUT:-60}"
REGISTRY_TIMEOUT="${STACK_REGISTRY_TIMEOUT:-120}"

CACHE="$STACK_DIR/cache"
LOGS="$STACK_DIR/logs"
RUN="$STACK_DIR/run"
POM="$STACK_HERE/pom.xml"

# One line on stderr, non-zero exit: the caller's EXIT trap undoes a partial start.
die() { echo "stack: $*" >&2; exit 1; }
say() { echo "stack: $*"; }

# Pinned versions live only in pom.xml; read <name.version> from it.
pom_version() {
  sed -n "s:.*<$1.version>\(.*\)</$1.version>.*:\1:p" "$POM" | head -n1
}

need_java() {
  command -v java >/dev/null 2>&1 || die "java not found; install a JDK 17+ (apt-get install -y openjdk-17-jdk-headless)"
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [ "${v:-0}" -ge 17 ] || die "java ${v:-?} is too old; Kafka 4 and Apicurio 3 need Java 17+ (set PATH/JAVA_HOME)"
}

need_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven (apt-get install -y maven) to fetch the pinned jars"
}

# mvn against our pom; output goes to a log so a failure stays one line.
mvn_fetch() { # what, goal args...
  local what="$1"; shift
  need_mvn
  mkdir -p "$LOGS"
  mvn -B -q -Dstyle.color=never -f "$POM" "$@" >"$LOGS/mvn.log" 2>&1 \
    || die "download of $what failed (see $LOGS/mvn.log); check access to Maven Central and ~/.m2/settings.xml"
}

# "pid: cmd" of whoever listens on 127.0.0.1/any:port, empty when free.
port_owner() {
  local port="$1" line pid
  if command -v ss >/dev/null 2>&1; then
    line="$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1)"
    [ -n "$line" ] || return 0
    pid="$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")"
    if [ -n "$pid" ]; then echo "pid $pid: $(ps -o args= -p "$pid" | cut -c1-80)"; else echo "unknown process"; fi
  elif (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
    echo "unknown process"
  fi
}

need_free_port() { # port
  local owner
  owner="$(port_owner "$1")"
  [ -z "$owner" ] || die "port $1 is taken by another process ($owner); stop it or free the port"
}

# Pid from a pid file if that process is alive AND is our java (cmdline has marker).
our_pid() { # pidfile marker
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'java' || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  echo "$pid"
}

# Start a command detached in its own session; the child writes its own pid
# (setsid may fork, so $! would not be the java pid).
spawn() { # pidfile logfile workdir cmd...
  local pidfile="$1" logfile="$2" workdir="$3"; shift 3
  mkdir -p "$RUN" "$LOGS" "$workdir"
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # $$/$0/$@ are meant for the child shell
  (cd "$workdir" && setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
      >>"$logfile" 2>&1 </dev/null &)
  for _ in $(seq 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "could not start $1 (no pid written)"
}

# SIGTERM our process, SIGKILL after a grace period; then drop the pid file.
kill_ours() { # name pidfile marker grace
  local pid
  if pid="$(our_pid "$2" "$3")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $(($4 * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
    rm -f "$2"
    say "$1: stopped (pid $pid)"
  else
    if [ -f "$2" ]; then rm -f "$2"; say "$1: was not running (stale pid file removed)"
    else say "$1: was not running"; fi
  fi
}

# Run a check every second until it passes (0), the timeout ends (1) or the
# check says it can never pass (its exit code 2, e.g. our process died).
wait_for() { # seconds cmd...
  local deadline=$((SECONDS + $1)) rc; shift
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; else rc=$?; fi
    [ "$rc" -ne 2 ] || return 2
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

status_line() { printf '%-9s %-16s %s\n' "$1" "$2" "$3"; }
