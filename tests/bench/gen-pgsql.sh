#!/usr/bin/env bash
# gen-pgsql.sh - (re)create a customer-area PostgreSQL database for the benchmark.
#
# Usage (as root, servers from scripts/servers.sh running):
#   tests/bench/gen-pgsql.sh [SIZE_MB [DB]]
#     SIZE_MB  about this many MB of table data, heap + TOAST (default 1000)
#     DB       database name (default bench_ca_SIZE_MB); dropped and created again
#
# The data come from gen_ca.py (fixed seed, standard library only): members,
# dependants, contracts, invoices, claims, documents and events in five
# schemas. The database is owned by revpack and so are its schemas and
# tables (created under SET ROLE revpack); the rows are loaded by the
# superuser with COPY ... FROM STDIN (FREEZE), two tables at a time, then keys,
# foreign keys and indexes are added and ANALYZE runs. When everything is done
# the database gets the comment "revpack-bench ca v2 size_mb=N seed=S":
# tests/bench/run.sh only reuses a database that carries it. Prints the table
# sizes, their sum and pg_database_size.
# Environment: REVPACK_BENCH_SEED (default 20241), REVPACK_BENCH_TMP (where the
# temporary files go, default $TMPDIR or /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly GEN_VERSION=v2

die() { printf 'gen-pgsql.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'gen-pgsql.sh: %s\n' "$*" >&2; }

size=${1:-1000}
[[ $size =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive integer, not '$size'"
db=${2:-bench_ca_$size}
[[ $db =~ ^[a-z0-9_]{1,63}$ ]] || die "DB must be lower-case letters, digits and _ only: '$db'"
(($# <= 2)) || die "usage: gen-pgsql.sh [SIZE_MB [DB]]"
seed=${REVPACK_BENCH_SEED:-20241}
[[ $seed =~ ^[0-9]+$ ]] || die "REVPACK_BENCH_SEED must be an integer"

eval "$(bash "$repo/scripts/servers.sh" env)"
# The superuser, over the unix socket (root and postgres map to it).
pg() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -U postgres "$@"; }
pg -d postgres -c 'SELECT 1' >/dev/null || die "PostgreSQL does not answer: run scripts/servers.sh start"

tmp=$(mktemp -d "${REVPACK_BENCH_TMP:-${TMPDIR:-/tmp}}/revpack-genca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

t0=$SECONDS
note "creating database $db (about $size MB, seed $seed)"
pg -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
pg -d postgres -c "CREATE DATABASE $db OWNER revpack TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'"
pg -d postgres -c "COMMENT ON DATABASE $db IS 'revpack-bench: incomplete'"

# TRUNCATE in the same transaction lets COPY freeze the rows as it writes
# them: no hint-bit writes or vacuum later, when the exports read the table.
load_table() { # schema.table
  pg -d "$db" -c "BEGIN" -c "TRUNCATE $1" -c "COPY $1 FROM STDIN WITH (FREEZE)" -c "COMMIT" \
    <"$tmp/$1.copy" || return 1
  rm -f "$tmp/$1.copy"
}

pids=()
fail=0
gen_status=none
while read -r line; do
  case $line in
    schema)
      { echo "SET ROLE revpack;"; cat "$tmp/schema.sql"; } | pg -d "$db" -f - ;;
    constraints) ;;
    exit\ *) gen_status=${line#exit } ;;
    *.*)
      # at most two loads at a time
      if ((${#pids[@]} >= 2)); then
        wait "${pids[0]}" || fail=1
        pids=("${pids[@]:1}")
      fi
      load_table "$line" &
      pids+=($!) ;;
    *) die "unexpected line from gen_ca.py: $line" ;;
  esac
done < <(python3 "$here/gen_ca.py" --size-mb "$size" --seed "$seed" --out "$tmp"; echo "exit $?")
# (the last line, "exit N", is gen_ca.py's status)
for p in "${pids[@]}"; do wait "$p" || fail=1; done
((fail == 0)) || die "a COPY failed"
[[ $gen_status == 0 ]] || die "gen_ca.py failed (exit status: $gen_status)"

note "rows loaded after $((SECONDS - t0)) s; adding keys and indexes"
{ echo "SET ROLE revpack; SET maintenance_work_mem = '256MB';"; cat "$tmp/constraints.sql"; } | pg -d "$db" -f -
pg -d "$db" -c "ANALYZE"
pg -d postgres -c "COMMENT ON DATABASE $db IS 'revpack-bench ca $GEN_VERSION size_mb=$size seed=$seed'"
note "loaded in $((SECONDS - t0)) s"

pg -d "$db" -P footer=off -c "
  SELECT n.nspname || '.' || c.relname AS \"table\", c.reltuples::bigint AS rows,
         round(pg_table_size(c.oid) / 1048576.0, 1) AS \"data MiB\",
         round(pg_indexes_size(c.oid) / 1048576.0, 1) AS \"index MiB\"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  ORDER BY pg_table_size(c.oid) DESC"
pg -d "$db" -At -F ' ' -c "
  SELECT sum(pg_table_size(c.oid)), pg_database_size(current_database())
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')" |
  while read -r data dbsize; do
    printf '%s: table data (heap + TOAST) = %s bytes (%.1f MB); pg_database_size = %s bytes (%.1f MB)\n' \
      "$db" "$data" "$(awk -v b="$data" 'BEGIN{print b/1e6}')" "$dbsize" "$(awk -v b="$dbsize" 'BEGIN{print b/1e6}')"
  done
