# shellcheck shell=bash
# PostgreSQL: the machine's own Debian cluster, never ours to stop. We only make
# sure it runs and has logical decoding on (restarting it only if that changed).

psql_pg() { psql -X -A -t -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres "$@"; }

# Debian cluster ("15 main") that owns $PG_PORT, as "version name".
pg_cluster() {
  pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }'
}

# Fresh machine: Debian's package creates and starts cluster "main"; we then
# trust local TCP connections so tests can log in as postgres without a password.
pg_install() {
  say "postgres: not installed; installing Debian's postgresql package"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } \
    >"$LOGS/apt.log" 2>&1 || die "apt-get install postgresql failed (see $LOGS/apt.log); install PostgreSQL by hand and rerun"
  local c hba
  c="$(pg_lsclusters -h | awk 'NR==1 { print $1, $2 }')"
  [ -n "$c" ] || die "postgresql installed but no cluster exists; run pg_createcluster --start 15 main"
  hba="/etc/postgresql/${c% *}/${c#* }/pg_hba.conf"
  # First matching line wins, so put trust lines on top.
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "${c% *}" "${c#* }" restart >>"$LOGS/apt.log" 2>&1 || true
}

pg_start() {
  mkdir -p "$LOGS"
  command -v pg_lsclusters >/dev/null 2>&1 || pg_install
  local c ver name
  c="$(pg_cluster)"
  [ -n "$c" ] || die "no PostgreSQL cluster listens on port $PG_PORT (see pg_lsclusters); create one or set STACK_PG_PORT"
  ver="${c% *}"; name="${c#* }"
  if ! pg_isready -q -h "$HOST" -p "$PG_PORT"; then
    say "postgres: cluster $ver/$name is down; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >"$LOGS/postgres.log" 2>&1 \
      || die "PostgreSQL $ver/$name did not start (see $LOGS/postgres.log and /var/log/postgresql/); fix it and rerun"
  fi
  psql_pg -c 'select 1' >/dev/null 2>&1 \
    || die "cannot log in as postgres on $HOST:$PG_PORT; allow trust auth for 127.0.0.1 in pg_hba.conf"

  # ALTER SYSTEM only what is below target; pending_restart then tells us
  # whether a restart is really needed (also catches an earlier unapplied change).
  local changed=""
  [ "$(psql_pg -c 'show wal_level')" = logical ] || { psql_pg -c "alter system set wal_level = logical"; changed+=" wal_level"; }
  local s
  for s in max_replication_slots max_wal_senders; do
    [ "$(psql_pg -c "show $s")" -ge 40 ] || { psql_pg -c "alter system set $s = 40"; changed+=" $s"; }
  done
  [ -z "$changed" ] || psql_pg -c 'select pg_reload_conf()' >/dev/null
  local pending
  pending="$(psql_pg -c "select count(*) from pg_settings where pending_restart and name in ('wal_level','max_replication_slots','max_wal_senders')")"
  if [ "$pending" != 0 ]; then
    say "postgres: restarting $ver/$name to apply${changed:- pending settings}"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" restart >"$LOGS/postgres.log" 2>&1 \
      || die "PostgreSQL $ver/$name could not be restarted (see /var/log/postgresql/postgresql-$ver-$name.log); fix it and rerun"
    wait_for 30 pg_isready -q -h "$HOST" -p "$PG_PORT" || die "PostgreSQL did not come back after restart; check /var/log/postgresql/"
  fi
  [ "$(psql_pg -c 'show wal_level')" = logical ] || die "PostgreSQL wal_level is still not logical; check postgresql.conf overrides"
  if [ -n "$changed" ]; then say "postgres: up at $HOST:$PG_PORT (configured:$changed)"
  else say "postgres: already up at $HOST:$PG_PORT (wal_level=logical)"; fi
}

pg_stop() { say "postgres: left running (system cluster, not started by this script)"; }

pg_status() {
  if pg_isready -q -h "$HOST" -p "$PG_PORT" 2>/dev/null; then
    status_line postgres "$HOST:$PG_PORT" "up (wal_level=$(psql_pg -c 'show wal_level' 2>/dev/null || echo '?'))"
  else
    status_line postgres "$HOST:$PG_PORT" "down"; return 1
  fi
}
