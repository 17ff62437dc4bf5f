#!/usr/bin/env bash
# servers.sh - throwaway MariaDB and PostgreSQL servers for revpack's tests.
#
# Usage (as root):
#   scripts/servers.sh start          initialise (first time) and start, idempotent
#   scripts/servers.sh stop [--purge] stop via pid files; --purge also deletes the base dir
#   scripts/servers.sh status         print running/stopped (exit 0 when all selected run, else 3)
#   scripts/servers.sh env            print `export VAR=value` lines:  eval "$(scripts/servers.sh env)"
#
# Environment:
#   REVPACK_SERVERS_DIR   base directory D (default /tmp/revpack-servers); the
#                         mysql and postgres users must be able to enter it
#   REVPACK_SERVERS       servers to act on, comma-separated: mariadb,pgsql (default both)
#   REVPACK_MARIADB_PORT  MariaDB TCP port on 127.0.0.1 (default 13306)
#   REVPACK_PG_PORT       PostgreSQL TCP port on 127.0.0.1 (default 15432)
#   REVPACK_PG_BINDIR     PostgreSQL bin dir (default: newest /usr/lib/postgresql/*/bin)
#
# These are private instances, never the system services: MariaDB runs as
# mysql from D/mariadb/data, PostgreSQL as postgres from D/pg/data, both on
# 127.0.0.1 only. They are found and stopped only through their pid files.
# Accounts (passwords are random, stored only in mode-600 files, never printed):
#   MariaDB root@localhost      unix_socket (admin), option file D/mariadb/admin.cnf
#   MariaDB revpack@127.0.0.1, revpack@localhost  read-only export account,
#                               option file D/mariadb/export.cnf
#   PostgreSQL postgres         peer auth over the socket in D/pg (OS root or postgres)
#   PostgreSQL revpack          LOGIN CREATEDB, member of pg_read_all_data (reads every
#                               database), scram-sha-256, password in D/pg/pgpass
set -euo pipefail

PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

die() { printf 'servers.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'servers.sh: %s\n' "$*" >&2; }

usage() { # [exit status]
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

# ---------------------------------------------------------------- settings --

D=${REVPACK_SERVERS_DIR:-/tmp/revpack-servers}
[[ $D == /* ]] || D=$PWD/$D
D=${D%/}
# The path is handed to pg_ctl's shell (-o) and written to pgpass and option
# files: keep it to characters that need no quoting anywhere.
[[ $D =~ ^/[A-Za-z0-9._/+-]+$ ]] ||
  die "REVPACK_SERVERS_DIR must be an absolute path of letters, digits and ._/+- only: '$D'"
[[ $D != / && $D != /tmp && $D != /root ]] || die "REVPACK_SERVERS_DIR must be a dedicated directory, not '$D'"

readonly MARKER=$D/.revpack-servers
readonly M=$D/mariadb
readonly M_DATA=$M/data
readonly M_SOCK=$M/mysqld.sock
readonly M_PID=$M/mysqld.pid
readonly M_LOG=$M/error.log
readonly M_EXPORT_CNF=$M/export.cnf
readonly M_ADMIN_CNF=$M/admin.cnf
readonly M_PORT_FILE=$M/port
readonly P=$D/pg
readonly P_DATA=$P/data
readonly P_PID=$P_DATA/postmaster.pid
readonly P_LOG=$P/server.log
readonly P_PASS=$P/pgpass
readonly P_PORT_FILE=$P/port
readonly P_INIT=$P/.initialized
readonly M_INIT=$M/.initialized

want_mariadb=false
want_pgsql=false
IFS=, read -r -a _selected <<<"${REVPACK_SERVERS:-mariadb,pgsql}"
for _s in "${_selected[@]}"; do
  case ${_s//[[:space:]]/} in
    mariadb | mysql) want_mariadb=true ;;
    pgsql | postgres | postgresql) want_pgsql=true ;;
    '') ;;
    *) die "REVPACK_SERVERS: unknown server '$_s' (expected a list of: mariadb,pgsql)" ;;
  esac
done

# A port given in the environment wins; otherwise the port the server was
# last started with (recorded in D), otherwise the default.
port_for() { # env_value file default
  if [[ -n $1 ]]; then
    printf '%s\n' "$1"
  elif [[ -s $2 ]]; then
    head -n 1 "$2"
  else
    printf '%s\n' "$3"
  fi
}
MARIADB_PORT=$(port_for "${REVPACK_MARIADB_PORT:-}" "$M_PORT_FILE" 13306)
PG_PORT=$(port_for "${REVPACK_PG_PORT:-}" "$P_PORT_FILE" 15432)
for _p in "$MARIADB_PORT" "$PG_PORT"; do
  if [[ ! $_p =~ ^[1-9][0-9]{0,4}$ ]] || ((_p > 65535)); then die "invalid port '$_p'"; fi
done

# ----------------------------------------------------------------- helpers --

# Prints the pid in a pid file if it names a live (non-zombie) process whose
# command name is $2; fails otherwise. Checking the name guards against a
# stale pid file whose number was reused by an unrelated process.
live_pid() { # pidfile comm
  local pid comm
  [[ -s $1 ]] || return 1
  pid=$(head -n 1 "$1" 2>/dev/null | tr -d '[:space:]') || return 1
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
  process_alive "$pid" || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$2" ]] || return 1
  printf '%s\n' "$pid"
}

# kill -0, but a zombie (a server that died while we are still its parent)
# counts as gone.
process_alive() { # pid
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    process_alive "$1" || return 0
    sleep 0.1
  done
  return 1
}

new_password() {
  od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

# Writes stdin to a root-owned mode-600 file, atomically.
write_secret_file() { # path
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  chmod 600 "$tmp"
  cat >"$tmp"
  mv -f "$tmp" "$1"
}

tail_log() { # file...
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    printf -- '--- last lines of %s ---\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

check_socket_path() { # path
  ((${#1} <= 100)) || die "socket path too long for a unix socket (${#1} bytes): $1; use a shorter REVPACK_SERVERS_DIR"
}

# Creates the base directory and checks the server users can reach it.
prepare_base_dir() {
  ((EUID == 0)) || die "must run as root (servers run as the mysql and postgres users)"
  local user existed=false
  [[ -d $D ]] && existed=true
  install -d -m 755 "$D"
  for user in mysql postgres; do
    id -u "$user" >/dev/null 2>&1 || continue
    if ! runuser -u "$user" -- test -x "$D"; then
      [[ $existed == true ]] || rmdir "$D" 2>/dev/null || true
      die "user $user cannot enter $D (a parent directory is not traversable); choose another REVPACK_SERVERS_DIR"
    fi
  done
  : >>"$MARKER"
}

take_lock() {
  exec 9>>"$D/.lock"
  flock -w 180 9 || die "another servers.sh is still working on $D (lock $D/.lock)"
}

# ----------------------------------------------------------------- MariaDB --

mariadb_admin_sql() { # reads SQL on stdin
  mariadb --no-defaults --protocol=socket --socket="$M_SOCK" --user=root --batch --silent
}

mariadb_init() {
  [[ -f $M_INIT ]] && return 0
  note "mariadb: initialising $M_DATA"
  rm -rf "$M_DATA"
  install -d -o mysql -g mysql -m 750 "$M_DATA"
  if ! mariadb-install-db --no-defaults --user=mysql --datadir="$M_DATA" \
    --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=64M >"$M/install.log" 2>&1; then
    tail_log "$M/install.log"
    die "mariadb: mariadb-install-db failed (full log: $M/install.log)"
  fi
  : >"$M_INIT"
}

mariadb_write_admin_cnf() {
  write_secret_file "$M_ADMIN_CNF" <<EOF
# revpack throwaway MariaDB: administrator (root over the unix socket)
[client]
user=root
socket=$M_SOCK
default-character-set=utf8mb4
EOF
}

mariadb_launch() {
  local pid i
  rm -f "$M_PID" "$M_SOCK" "$M_SOCK.lock"
  printf '%s\n' "$MARIADB_PORT" >"$M_PORT_FILE"
  note "mariadb: starting on 127.0.0.1:$MARIADB_PORT"
  # setsid: own session, so the server outlives this script and its caller's
  # process group. fd 9 (our lock) is not handed down.
  setsid mariadbd --no-defaults --user=mysql \
    --datadir="$M_DATA" \
    --bind-address=127.0.0.1 --port="$MARIADB_PORT" \
    --socket="$M_SOCK" --pid-file="$M_PID" --log-error="$M_LOG" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-name-resolve --skip-log-bin --event-scheduler=OFF \
    --innodb-buffer-pool-size=256M --innodb-log-file-size=64M \
    --innodb-log-buffer-size=16M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=100 --max-allowed-packet=64M \
    --performance-schema=OFF \
    </dev/null >>"$M/mariadbd.out" 2>&1 9>&- &
  pid=$!
  for ((i = 0; i < 600; i++)); do # 60 s
    if [[ -S $M_SOCK ]] &&
      mariadb-admin --no-defaults --protocol=socket --socket="$M_SOCK" --user=root \
        --connect-timeout=2 ping >/dev/null 2>&1; then
      note "mariadb: running (pid $pid)"
      return 0
    fi
    if ! process_alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      tail_log "$M_LOG" "$M/mariadbd.out"
      die "mariadb: mariadbd exited during startup (log: $M_LOG)"
    fi
    sleep 0.1
  done
  tail_log "$M_LOG" "$M/mariadbd.out"
  kill -TERM "$pid" 2>/dev/null || true
  die "mariadb: no answer to ping on $M_SOCK after 60 s (log: $M_LOG)"
}

# Idempotent: run on every start. The export password is made once and kept
# in export.cnf; ALTER USER re-applies it so the file and server agree.
mariadb_accounts() {
  local pw=''
  if [[ -s $M_EXPORT_CNF ]]; then
    pw=$(sed -n 's/^password=//p' "$M_EXPORT_CNF" | head -n 1)
  fi
  [[ $pw =~ ^[0-9a-f]{32}$ ]] || pw=$(new_password)
  write_secret_file "$M_EXPORT_CNF" <<EOF
# revpack throwaway MariaDB: read-only export account
[client]
user=revpack
password=$pw
host=127.0.0.1
port=$MARIADB_PORT
EOF
  local host
  {
    echo "DROP USER IF EXISTS ''@'localhost';"
    for host in 127.0.0.1 localhost; do
      cat <<EOF
CREATE USER IF NOT EXISTS 'revpack'@'$host' IDENTIFIED BY '$pw';
ALTER USER 'revpack'@'$host' IDENTIFIED BY '$pw';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, RELOAD, PROCESS ON *.* TO 'revpack'@'$host';
GRANT SELECT ON mysql.proc TO 'revpack'@'$host';
EOF
    done
  } | mariadb_admin_sql || die "mariadb: could not create the revpack accounts"
}

mariadb_start() {
  local pid recorded
  install -d -o mysql -g mysql -m 755 "$M"
  check_socket_path "$M_SOCK"
  if pid=$(live_pid "$M_PID" mariadbd); then
    recorded=$(head -n 1 "$M_PORT_FILE" 2>/dev/null || true)
    if [[ -n $recorded && $recorded != "$MARIADB_PORT" ]]; then
      die "mariadb: already running on port $recorded, not $MARIADB_PORT; stop it first"
    fi
    note "mariadb: already running (pid $pid)"
  else
    if [[ -e $M_PID ]]; then
      note "mariadb: removing stale pid file $M_PID"
      rm -f "$M_PID"
    fi
    command -v mariadbd >/dev/null || die "mariadbd not found: run scripts/install-deps.sh"
    mariadb_init
    mariadb_launch
  fi
  mariadb_write_admin_cnf
  mariadb_accounts
}

mariadb_stop() {
  local pid
  if pid=$(live_pid "$M_PID" mariadbd); then
    note "mariadb: stopping (pid $pid)"
    kill -TERM "$pid"
    if ! wait_gone "$pid" 120; then
      note "mariadb: still running after 120 s, sending SIGKILL to pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "mariadb: pid $pid does not exit"
    fi
    rm -f "$M_PID"
    note "mariadb: stopped"
  else
    if [[ -e $M_PID ]]; then
      note "mariadb: removing stale pid file $M_PID"
      rm -f "$M_PID"
    fi
    note "mariadb: not running"
  fi
}

mariadb_status() {
  local pid
  if pid=$(live_pid "$M_PID" mariadbd); then
    printf 'mariadb: running (pid %s, 127.0.0.1:%s, socket %s)\n' "$pid" "$MARIADB_PORT" "$M_SOCK"
  else
    printf 'mariadb: stopped\n'
    return 1
  fi
}

# -------------------------------------------------------------- PostgreSQL --

# The bin dir recorded at initdb time wins, so a newer major version
# installed later does not try to open an older cluster.
pg_bindir() {
  local dir
  if [[ -n ${REVPACK_PG_BINDIR:-} ]]; then
    dir=$REVPACK_PG_BINDIR
  elif [[ -s $P_INIT ]]; then
    dir=$(head -n 1 "$P_INIT")
  else
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [[ -n $dir && -x $dir/pg_ctl && -x $dir/initdb ]] ||
    die "PostgreSQL server binaries not found (looked in ${dir:-/usr/lib/postgresql/*/bin}): run scripts/install-deps.sh"
  printf '%s\n' "$dir"
}

pg_init() { # bindir
  [[ -f $P_INIT ]] && return 0
  note "pgsql: initialising $P_DATA"
  rm -rf "$P_DATA"
  install -d -o postgres -g postgres -m 700 "$P_DATA"
  # initdb refuses to run as root. Trust is only what initdb writes: the
  # pg_hba.conf below replaces it before the server ever starts.
  if ! runuser -u postgres -- "$1/initdb" -D "$P_DATA" --username=postgres \
    --encoding=UTF8 --locale=C.UTF-8 --auth=trust >"$P/initdb.log" 2>&1; then
    tail_log "$P/initdb.log"
    die "pgsql: initdb failed (full log: $P/initdb.log)"
  fi
  cat >"$P_DATA/pg_hba.conf" <<'EOF'
# revpack throwaway PostgreSQL (written by scripts/servers.sh)
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer map=admins
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
EOF
  cat >"$P_DATA/pg_ident.conf" <<'EOF'
# MAPNAME  SYSTEM-USERNAME  PG-USERNAME
admins     postgres         postgres
admins     root             postgres
EOF
  chown postgres:postgres "$P_DATA/pg_hba.conf" "$P_DATA/pg_ident.conf"
  chmod 600 "$P_DATA/pg_hba.conf" "$P_DATA/pg_ident.conf"
  printf '%s\n' "$1" >"$P_INIT"
}

pg_launch() { # bindir
  printf '%s\n' "$PG_PORT" >"$P_PORT_FILE"
  note "pgsql: starting on 127.0.0.1:$PG_PORT"
  # pg_ctl puts the postmaster in a session of its own; fd 9 (our lock) is
  # not handed down.
  if ! runuser -u postgres -- "$1/pg_ctl" -D "$P_DATA" -l "$P_LOG" \
    -o "-p $PG_PORT -k $P -c listen_addresses=127.0.0.1" \
    -w -t 60 start >"$P/pg_ctl.out" 2>&1 9>&-; then
    tail_log "$P/pg_ctl.out" "$P_LOG"
    die "pgsql: pg_ctl start failed (log: $P_LOG)"
  fi
  note "pgsql: running (pid $(live_pid "$P_PID" postgres || echo '?'))"
}

pg_accounts() { # bindir
  local pw=''
  if [[ -s $P_PASS ]]; then
    pw=$(head -n 1 "$P_PASS")
    pw=${pw##*:}
  fi
  [[ $pw =~ ^[0-9a-f]{32}$ ]] || pw=$(new_password)
  write_secret_file "$P_PASS" <<EOF
127.0.0.1:$PG_PORT:*:revpack:$pw
$P:$PG_PORT:*:revpack:$pw
EOF
  runuser -u postgres -- "$1/psql" -X -q -v ON_ERROR_STOP=1 -h "$P" -p "$PG_PORT" \
    -U postgres -d postgres >/dev/null <<EOF || die "pgsql: could not create the revpack role"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'revpack') THEN
    CREATE ROLE revpack;
  END IF;
END
\$\$;
ALTER ROLE revpack WITH LOGIN CREATEDB PASSWORD '$pw';
-- Read every table, view and sequence of every database (PostgreSQL 14+),
-- as pg_dump and revpack's export need; granted once, so no NOTICE later.
DO \$\$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'pg_read_all_data') THEN
    IF NOT pg_catalog.pg_has_role('revpack', 'pg_read_all_data', 'MEMBER') THEN
      GRANT pg_read_all_data TO revpack;
    END IF;
  END IF;
END
\$\$;
EOF
}

pg_start() {
  local pid recorded bindir
  install -d -o postgres -g postgres -m 755 "$P"
  check_socket_path "$P/.s.PGSQL.$PG_PORT"
  bindir=$(pg_bindir)
  if pid=$(live_pid "$P_PID" postgres); then
    recorded=$(head -n 1 "$P_PORT_FILE" 2>/dev/null || true)
    if [[ -n $recorded && $recorded != "$PG_PORT" ]]; then
      die "pgsql: already running on port $recorded, not $PG_PORT; stop it first"
    fi
    note "pgsql: already running (pid $pid)"
  else
    if [[ -e $P_PID ]]; then
      note "pgsql: removing stale pid file $P_PID"
      rm -f "$P_PID"
    fi
    pg_init "$bindir"
    pg_launch "$bindir"
  fi
  pg_accounts "$bindir"
}

pg_stop() {
  local pid bindir
  if pid=$(live_pid "$P_PID" postgres); then
    note "pgsql: stopping (pid $pid)"
    bindir=$(pg_bindir)
    # pg_ctl finds the postmaster through postmaster.pid (fast = SIGINT).
    if ! runuser -u postgres -- "$bindir/pg_ctl" -D "$P_DATA" -m fast -w -t 60 stop >/dev/null 2>&1; then
      note "pgsql: pg_ctl stop failed, signalling pid $pid"
      kill -INT "$pid" 2>/dev/null || true
    fi
    wait_gone "$pid" 60 || die "pgsql: pid $pid still running after 60 s"
    note "pgsql: stopped"
  else
    if [[ -e $P_PID ]]; then
      note "pgsql: removing stale pid file $P_PID"
      rm -f "$P_PID"
    fi
    note "pgsql: not running"
  fi
}

pg_status() {
  local pid
  if pid=$(live_pid "$P_PID" postgres); then
    printf 'pgsql: running (pid %s, 127.0.0.1:%s, socket dir %s)\n' "$pid" "$PG_PORT" "$P"
  else
    printf 'pgsql: stopped\n'
    return 1
  fi
}

# -------------------------------------------------------------- commands --

cmd_start() {
  prepare_base_dir
  cd "$D"
  take_lock
  if [[ $want_mariadb == true ]]; then mariadb_start; fi
  if [[ $want_pgsql == true ]]; then pg_start; fi
}

cmd_stop() { # [--purge]
  local purge=false
  case ${1:-} in
    '') ;;
    --purge) purge=true ;;
    *) usage ;;
  esac
  if [[ ! -d $D ]]; then
    note "nothing to stop: $D does not exist"
    return 0
  fi
  ((EUID == 0)) || die "must run as root"
  cd "$D"
  take_lock
  if [[ $purge == true ]]; then
    # Purging deletes both data dirs, so stop both whatever REVPACK_SERVERS says.
    mariadb_stop
    pg_stop
    [[ -e $MARKER ]] || die "refusing to delete $D: it has no $MARKER, so it was not made by servers.sh"
    cd /
    rm -rf -- "$D"
    note "deleted $D"
  else
    if [[ $want_mariadb == true ]]; then mariadb_stop; fi
    if [[ $want_pgsql == true ]]; then pg_stop; fi
  fi
}

cmd_status() {
  local rc=0
  if [[ $want_mariadb == true ]]; then mariadb_status || rc=3; fi
  if [[ $want_pgsql == true ]]; then pg_status || rc=3; fi
  return "$rc"
}

cmd_env() {
  local name value
  for name in REVPACK_SERVERS_DIR REVPACK_MARIADB_PORT REVPACK_MARIADB_SOCKET \
    REVPACK_MARIADB_EXPORT_CNF REVPACK_MARIADB_ADMIN_CNF \
    REVPACK_PG_PORT REVPACK_PG_SOCKET_DIR REVPACK_PG_PASSFILE; do
    case $name in
      REVPACK_SERVERS_DIR) value=$D ;;
      REVPACK_MARIADB_PORT) value=$MARIADB_PORT ;;
      REVPACK_MARIADB_SOCKET) value=$M_SOCK ;;
      REVPACK_MARIADB_EXPORT_CNF) value=$M_EXPORT_CNF ;;
      REVPACK_MARIADB_ADMIN_CNF) value=$M_ADMIN_CNF ;;
      REVPACK_PG_PORT) value=$PG_PORT ;;
      REVPACK_PG_SOCKET_DIR) value=$P ;;
      REVPACK_PG_PASSFILE) value=$P_PASS ;;
    esac
    printf 'export %s=%q\n' "$name" "$value"
  done
}

case ${1:-} in
  start) (($# == 1)) || usage; cmd_start ;;
  stop) (($# <= 2)) || usage; cmd_stop "${2:-}" ;;
  status) (($# == 1)) || usage; cmd_status ;;
  env) (($# == 1)) || usage; cmd_env ;;
  -h | --help | help) usage 0 ;;
  *) usage ;;
esac
