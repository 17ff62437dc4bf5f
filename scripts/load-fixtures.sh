#!/usr/bin/env bash
# load-fixtures.sh - (re)load revpack's test fixtures into the throwaway servers
# started by scripts/servers.sh. Idempotent: each database is dropped and
# created again before it is loaded.
#
# Usage (as root, servers running):
#   scripts/load-fixtures.sh            load every fixture
#   scripts/load-fixtures.sh NAME...    load only these (see FIXTURES below)
#
# Fixtures:
#   mariadb-wordpress  MariaDB database `wordpress` (utf8mb4, utf8mb4_unicode_520_ci)
#                      from fixtures/mariadb/wordpress.sql, loaded with the stock
#                      `mariadb` client through the admin option file.
# The media files of the WordPress site are in fixtures/media/uploads and are
# used from there; nothing is copied.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
fixtures=$repo/fixtures

die() { printf 'load-fixtures.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'load-fixtures.sh: %s\n' "$*" >&2; }

# Server paths and ports (REVPACK_MARIADB_ADMIN_CNF, REVPACK_PG_*, ...).
env_lines=$("$here/servers.sh" env) || die "scripts/servers.sh env failed"
eval "$env_lines"
: "${REVPACK_MARIADB_ADMIN_CNF:?not set by scripts/servers.sh env}"
: "${REVPACK_MARIADB_SOCKET:?not set by scripts/servers.sh env}"

require_mariadb() {
  [[ -r $REVPACK_MARIADB_ADMIN_CNF ]] ||
    die "no $REVPACK_MARIADB_ADMIN_CNF: start the servers first (scripts/servers.sh start)"
  mariadb-admin --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --connect-timeout=5 ping >/dev/null 2>&1 ||
    die "MariaDB does not answer on $REVPACK_MARIADB_SOCKET: run scripts/servers.sh start"
}

# One function per fixture. To add one (for example a PostgreSQL database),
# write load_<name> below and add <name> to FIXTURES.

load_mariadb_wordpress() {
  local db=wordpress sql=$fixtures/mariadb/wordpress.sql
  [[ -r $sql ]] || die "missing $sql"
  require_mariadb
  note "mariadb: (re)creating database $db from ${sql#"$repo"/}"
  mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --batch -e "
    DROP DATABASE IF EXISTS \`$db\`;
    CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;"
  mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --batch "$db" <"$sql" ||
    die "mariadb: loading $sql into $db failed"
  local tables
  tables=$(mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --batch --skip-column-names -e \
    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'")
  note "mariadb: $db loaded ($tables tables and views)"
}

FIXTURES=(mariadb-wordpress)

if (($# == 0)); then
  set -- "${FIXTURES[@]}"
fi
for name in "$@"; do
  case " ${FIXTURES[*]} " in
    *" $name "*) ;;
    *) die "unknown fixture '$name' (known: ${FIXTURES[*]})" ;;
  esac
done
for name in "$@"; do
  "load_${name//-/_}"
done
