# shellcheck shell=bash
# Schema registry: Apicurio Registry 3 (Confluent-compatible API at /apis/ccompat/v7),
# H2 storage in a file under .stack/registry/data: schema ids survive a restart of the registry,
# as the records in Kafka (whose data also survives) refer to them by id.

APICURIO_VERSION="$(pom_version apicurio)"
APICURIO_HOME="$CACHE/apicurio-$APICURIO_VERSION"
APICURIO_JAR="$APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar"
REGISTRY_PID="$RUN/registry.pid"
REGISTRY_URL="http://$HOST:$REGISTRY_PORT/apis/ccompat/v7"

# Unpacked into a .tmp folder and renamed, so a broken download never looks cached.
registry_fetch() {
  [ -f "$APICURIO_JAR" ] && return 0
  say "registry: fetching Apicurio Registry $APICURIO_VERSION with mvn (first run only)"
  rm -rf "$APICURIO_HOME.tmp"
  # Plugin 2.8 on purpose: 3.x fails on the parent pom missing from Central (see pom.xml).
  mvn_fetch "Apicurio Registry $APICURIO_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:2.8:copy@apicurio -Dstack.apicurio.dir="$APICURIO_HOME.tmp"
  local tgz="$APICURIO_HOME.tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  tar -xzf "$tgz" -C "$APICURIO_HOME.tmp" 2>"$LOGS/tar.log" \
    || die "unpacking $tgz failed (see $LOGS/tar.log); check free disk space and rerun"
  rm -f "$tgz"
  [ -f "$APICURIO_HOME.tmp/${APICURIO_JAR##*/}" ] \
    || die "Apicurio archive has no ${APICURIO_JAR##*/} (see $APICURIO_HOME.tmp); check apicurio.version in $POM"
  rm -rf "$APICURIO_HOME"
  mv "$APICURIO_HOME.tmp" "$APICURIO_HOME"
}

registry_probe() {
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$REGISTRY_URL/subjects")" = 200 ]
}

# Readiness that gives up early (exit 2) once our process has died.
registry_probe_alive() {
  our_pid "$REGISTRY_PID" "$APICURIO_JAR" >/dev/null || return 2
  registry_probe
}

registry_preflight() {
  our_pid "$REGISTRY_PID" "$APICURIO_JAR" >/dev/null && return 0
  registry_probe && return 0 # a registry another checkout started: used as is
  need_java
  command -v curl >/dev/null 2>&1 || die "curl not found; install it (apt-get install -y curl)"
  need_free_port "$REGISTRY_PORT"
}

registry_start() {
  local pid
  if pid="$(our_pid "$REGISTRY_PID" "$APICURIO_JAR")"; then
    wait_for "$REGISTRY_TIMEOUT" registry_probe \
      || die "registry: pid $pid runs but does not answer at $REGISTRY_URL; run scripts/stack.sh stop, see $LOGS/registry.log"
    say "registry: already up at $REGISTRY_URL (pid $pid)"; return 0
  fi
  rm -f "$REGISTRY_PID"
  if registry_probe; then
    registry_set_compatibility
    say "registry: a registry already answers at $REGISTRY_URL (not started from this checkout); using it"; return 0
  fi
  registry_preflight
  registry_fetch
  STARTED+=(registry)
  # Deletes enabled explicitly (not left to the version's defaults) so tests can
  # clean up subjects with DELETE /subjects/x.
  spawn "$REGISTRY_PID" "$LOGS/registry.log" "$STACK_DIR/registry" \
    java -Xmx512m -Djava.awt.headless=true \
    -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.datasource.url="jdbc:h2:file:$STACK_DIR/registry/data/registry" \
    -jar "$APICURIO_JAR"
  local rc=0
  wait_for "$REGISTRY_TIMEOUT" registry_probe_alive || rc=$?
  if [ "$rc" -ne 0 ]; then
    registry_stop >/dev/null
    [ "$rc" -eq 2 ] && die "registry exited during start (see $LOGS/registry.log); fix it and rerun"
    die "registry did not answer at $REGISTRY_URL within ${REGISTRY_TIMEOUT}s (see $LOGS/registry.log); fix it and rerun"
  fi
  registry_set_compatibility
  say "registry: up at $REGISTRY_URL (pid $(cat "$REGISTRY_PID"), Apicurio $APICURIO_VERSION, H2 file storage, BACKWARD compatibility)"
}

# Apicurio's default compatibility is NONE; Confluent's (what pgcdc users run) is BACKWARD, so the
# local registry rejects incompatible schema changes the same way.
registry_set_compatibility() {
  curl -s -f -m 10 -X PUT -H 'Content-Type: application/json' -d '{"compatibility":"BACKWARD"}' "$REGISTRY_URL/config" >/dev/null \
    || die "registry: could not set global compatibility BACKWARD at $REGISTRY_URL/config (see $LOGS/registry.log)"
}

registry_stop() { kill_ours registry "$REGISTRY_PID" "$APICURIO_JAR" 20; }

registry_status() {
  local pid
  if pid="$(our_pid "$REGISTRY_PID" "$APICURIO_JAR")"; then
    if registry_probe; then status_line registry "$HOST:$REGISTRY_PORT" "up (pid $pid, $REGISTRY_URL)"; return 0; fi
    status_line registry "$HOST:$REGISTRY_PORT" "down (pid $pid runs but does not answer)"; return 1
  fi
  if registry_probe; then status_line registry "$HOST:$REGISTRY_PORT" "up (not started from this checkout)"; return 0; fi
  status_line registry "$HOST:$REGISTRY_PORT" "down"; return 1
}
