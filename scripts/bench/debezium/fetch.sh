#!/usr/bin/env bash
# Fetches Debezium's PostgreSQL connector, a Kafka Connect runtime and the Avro converter (pinned in
# pom.xml and converter-pom.xml beside this file) from Maven Central into the git-ignored cache
# .stack/cache/debezium-<version>/ (lib/ = Connect runtime classpath, plugins/ = plugin.path), once.
# Prints the cache directory on stdout. Nothing fetched here is committed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
POM="$HERE/pom.xml"
version() { sed -n "s:.*<$1.version>\(.*\)</$1.version>.*:\1:p" "$2" | head -n1; }
DBZ_VERSION="$(version debezium "$POM")"
CONVERTER_VERSION="$(version apicurio.converter "$HERE/converter-pom.xml")"
DIR="${STACK_DIR:-$ROOT/.stack}/cache/debezium-$DBZ_VERSION"
LOG="${STACK_DIR:-$ROOT/.stack}/logs/bench-debezium-mvn.log"
die() { echo "bench: $*" >&2; exit 1; }

if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi
command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven (apt-get install -y maven) to fetch Debezium"
command -v java >/dev/null 2>&1 || die "java not found; Kafka Connect needs a JDK 17+"
mkdir -p "$(dirname "$LOG")"
echo "bench: fetching Debezium $DBZ_VERSION, Kafka Connect and the Apicurio converter $CONVERTER_VERSION with mvn (first run only)" >&2
# Everything lands in a temporary directory renamed at the end, so a broken download never looks cached.
rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp/plugins"
mvn_q() { mvn -B -q -Dstyle.color=never "$@" >>"$LOG" 2>&1 || die "mvn failed (see $LOG); check access to Maven Central"; }
mvn_q -f "$POM" dependency:copy-dependencies -DoutputDirectory="$DIR.tmp/lib"
# plugin 2.8: 3.x would insist on parent poms this artifact does not need
mvn_q -f "$POM" org.apache.maven.plugins:maven-dependency-plugin:2.8:copy@debezium -Dbench.debezium.dir="$DIR.tmp/archive"
tar -xzf "$DIR.tmp/archive"/debezium-connector-postgres-*-plugin.tar.gz -C "$DIR.tmp/plugins"
mvn_q -f "$HERE/converter-pom.xml" dependency:copy-dependencies -DoutputDirectory="$DIR.tmp/plugins/apicurio-converter"
[ -d "$DIR.tmp/plugins/debezium-connector-postgres" ] || die "the Debezium archive has no debezium-connector-postgres/ directory"
rm -rf "$DIR.tmp/archive"
touch "$DIR.tmp/.complete"
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
echo "$DIR"
