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
#   pgsql-customer-area
#                      PostgreSQL database `customer_area` (UTF8, from template0,
#                      owned by postgres; its objects owned by role espace_app)
#                      from fixtures/pgsql/customer_area.sql, loaded with the
#                      stock `psql` as the superuser postgres (peer over the
#                      socket; root maps to postgres). The roles espace_app and
#                      espace_lecture are created by the file when missing; the
#                      export role revpack reads it through pg_read_all_data
#                      (granted by scripts/servers.sh start) and gets CONNECT.
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
: "${REVPACK_PG_SOCKET_DIR:?not set by scripts/servers.sh env}"
: "${REVPACK_PG_PORT:?not set by scripts/servers.sh env}"

require_mariadb() {
  [[ -r $REVPACK_MARIADB_ADMIN_CNF ]] ||
    die "no $REVPACK_MARIADB_ADMIN_CNF: start the servers first (scripts/servers.sh start)"
  mariadb-admin --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --connect-timeout=5 ping >/dev/null 2>&1 ||
    die "MariaDB does not answer on $REVPACK_MARIADB_SOCKET: run scripts/servers.sh start"
}

# The PostgreSQL superuser, over the unix socket (pg_ident.conf maps OS root
# and postgres to it). -X: no ~/.psqlrc.
pg_admin() { # psql arguments...
  psql -X -q -v ON_ERROR_STOP=1 -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -U postgres "$@"
}

require_pgsql() {
  pg_isready -q -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -t 5 ||
    die "PostgreSQL does not answer on $REVPACK_PG_SOCKET_DIR port $REVPACK_PG_PORT: run scripts/servers.sh start"
  pg_admin -d postgres -c 'SELECT 1' >/dev/null ||
    die "cannot connect to PostgreSQL as postgres over $REVPACK_PG_SOCKET_DIR (run this as root or postgres)"
}

# One function per fixture. To add one, write load_<name> below (dashes in
# the fixture name become underscores) and add <name> to FIXTURES.

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

load_pgsql_customer_area() {
  local db=customer_area sql=$fixtures/pgsql/customer_area.sql
  [[ -r $sql ]] || die "missing $sql"
  require_pgsql
  note "pgsql: (re)creating database $db from ${sql#"$repo"/}"
  # WITH (FORCE) ends sessions still connected to it (PostgreSQL 13+).
  pg_admin -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
    -c "CREATE DATABASE $db WITH OWNER postgres TEMPLATE template0 ENCODING 'UTF8'" ||
    die "pgsql: could not re-create database $db"
  # Not --single-transaction: the file adds an enum value and then uses it,
  # which PostgreSQL allows only after the ALTER TYPE has committed.
  pg_admin -d "$db" -f "$sql" >/dev/null ||
    die "pgsql: loading $sql into $db failed"
  pg_admin -d postgres -c "GRANT CONNECT ON DATABASE $db TO revpack" ||
    die "pgsql: could not grant CONNECT on $db to revpack"
  local counts tables views matviews
  counts=$(pg_admin -d "$db" -At -F ' ' -c "
    SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p')),
           count(*) FILTER (WHERE c.relkind = 'v'),
           count(*) FILTER (WHERE c.relkind = 'm')
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")
  read -r tables views matviews <<<"$counts"
  note "pgsql: $db loaded ($tables tables, $views views, $matviews materialized views)"
}

FIXTURES=(mariadb-wordpress pgsql-customer-area)

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
