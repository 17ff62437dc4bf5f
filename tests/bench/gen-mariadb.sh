#!/usr/bin/env bash
# gen-mariadb.sh - (re)create a WordPress-shaped MariaDB database for the benchmark.
#
# Usage (as root, servers from scripts/servers.sh running):
#   tests/bench/gen-mariadb.sh [SIZE_MB [DB]]
#     SIZE_MB  about this many MB of InnoDB data, SUM(data_length) (default 1000)
#     DB       database name (default bench_wp_SIZE_MB); dropped and created again
#
# The data come from gen_wp.py (fixed seed, standard library only): the twelve
# WordPress core tables with the schema of fixtures/mariadb/wordpress.sql.
# Each table is written as a tab-separated file and loaded with
# LOAD DATA LOCAL INFILE through the admin account while the next ones are
# being generated. When everything is loaded the database gets the comment
# "revpack-bench wp v2 size_mb=N seed=S": tests/bench/run.sh only reuses a
# database that carries it. Prints the table sizes and SUM(data_length).
# Environment: REVPACK_BENCH_SEED (default 20241), REVPACK_BENCH_TMP (where the
# temporary files go, default $TMPDIR or /tmp).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly GEN_VERSION=v2

die() { printf 'gen-mariadb.sh: error: %s\n' "$*" >&2; exit 1; }
note() { printf 'gen-mariadb.sh: %s\n' "$*" >&2; }

size=${1:-1000}
[[ $size =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive integer, not '$size'"
db=${2:-bench_wp_$size}
[[ $db =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "DB must be letters, digits and _ only: '$db'"
(($# <= 2)) || die "usage: gen-mariadb.sh [SIZE_MB [DB]]"
seed=${REVPACK_BENCH_SEED:-20241}
[[ $seed =~ ^[0-9]+$ ]] || die "REVPACK_BENCH_SEED must be an integer"

eval "$(bash "$repo/scripts/servers.sh" env)"
[[ -r $REVPACK_MARIADB_ADMIN_CNF ]] || die "no $REVPACK_MARIADB_ADMIN_CNF: run scripts/servers.sh start"
admin() { mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$@"; }
admin -e 'SELECT 1' >/dev/null || die "MariaDB does not answer: run scripts/servers.sh start"

tmp=$(mktemp -d "${REVPACK_BENCH_TMP:-${TMPDIR:-/tmp}}/revpack-genwp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

t0=$SECONDS
note "creating database $db (about $size MB, seed $seed)"
admin -e "DROP DATABASE IF EXISTS \`$db\`;
  CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci
    COMMENT 'revpack-bench: incomplete';"

# Empty table + unique_checks=0 + foreign_key_checks=0: InnoDB's bulk load
# (MariaDB 10.6+) sorts and builds the indexes once, at commit.
load_table() { # table
  local f=$tmp/$1.tsv out
  out=$(admin --local-infile=1 --batch --skip-column-names "$db" -e "
    SET SESSION sql_mode='NO_AUTO_VALUE_ON_ZERO', unique_checks=0, foreign_key_checks=0;
    SET SESSION time_zone='+00:00';
    LOAD DATA LOCAL INFILE '$f' INTO TABLE \`$1\` CHARACTER SET utf8mb4;
    SHOW WARNINGS LIMIT 5;") || die "loading $1 failed"
  [[ -z $out ]] || die "loading $1 gave warnings: $out"
  rm -f "$f"
}

python3 "$here/gen_wp.py" --size-mb "$size" --seed "$seed" --out "$tmp" |
  while read -r table; do
    case $table in
      schema) admin "$db" <"$tmp/schema.sql" ;;
      wp_*) load_table "$table" ;;
      *) die "unexpected line from gen_wp.py: $table" ;;
    esac
  done

tables=$(admin --batch --skip-column-names -e \
  "SELECT GROUP_CONCAT(CONCAT('\`', table_name, '\`')) FROM information_schema.tables WHERE table_schema='$db'")
admin --batch "$db" -e "ANALYZE TABLE $tables" >/dev/null
admin -e "ALTER DATABASE \`$db\` COMMENT 'revpack-bench wp $GEN_VERSION size_mb=$size seed=$seed'"

note "loaded in $((SECONDS - t0)) s"
admin --table -e "
  SELECT table_name AS \`table\`, table_rows AS \`rows (est.)\`,
         ROUND(data_length/1048576, 1) AS data_MiB, ROUND(index_length/1048576, 1) AS index_MiB
  FROM information_schema.tables WHERE table_schema='$db' ORDER BY data_length DESC"
data=$(admin --batch --skip-column-names -e \
  "SELECT SUM(data_length) FROM information_schema.tables WHERE table_schema='$db'")
printf '%s: SUM(data_length) = %s bytes (%.1f MB)\n' "$db" "$data" "$(awk -v b="$data" 'BEGIN{print b/1e6}')"
