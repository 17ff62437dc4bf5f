#!/usr/bin/env bash
# run.sh - revpack's benchmark against mysqldump, mydumper and pg_dump, in one run.
#
# Usage (as root, servers from scripts/servers.sh running):
#   tests/bench/run.sh [--scale S] [--repeat N] [--only mariadb|pgsql]
#   tests/bench/run.sh --rss-scales 0.25,1,4 [--repeat N] [--only mariadb|pgsql]
#
#   --scale S        database size, S x 1000 MB each (default 1: about 1 GB)
#   --repeat N       rounds (default 3; 1 with --rss-scales); medians are reported
#   --only ENGINE    only the MariaDB or only the PostgreSQL half
#   --rss-scales L   instead of the comparison: run `revpack export` (all
#                    formats) at each scale of the comma-separated list L and
#                    print its peak RSS per scale
#
# The databases are bench_wp_<MB> (MariaDB, tests/bench/gen-mariadb.sh) and
# bench_ca_<MB> (PostgreSQL, tests/bench/gen-pgsql.sh); they are generated only
# when missing (or made by another version of the generators) and kept.
# Each round runs every tool once, in the same order (A B C D A B C D ...),
# under GNU time (/usr/bin/time -f '%e %U %S %M'), each writing into a fresh
# folder of a scratch directory that is emptied after every run. Right after
# a tool exits, every file and folder it wrote is fsynced and timed: the
# report gives each tool's time until its output is on disk beside its wall
# time, and repeats the time targets on that basis (counted apart).
#
# Environment:
#   REVPACK_BIN         revpack binary (default build/revpack, built in Release
#                       when missing)
#   REVPACK_BENCH_DIR   parent of the scratch directory (default $TMPDIR or /tmp)
#   REVPACK_BENCH_JOBS  value of revpack's --jobs, when revpack has it (default 2)
#   REVPACK_BENCH_SEED  generators' seed (default 20241)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/bench/lib.sh
source "$here/lib.sh"
prog=run.sh
usage() { usage_from "$0" 2 16 "${1:-2}"; }

scale=1
repeat=
only=
rss_scales=
while (($#)); do
  case $1 in
    --scale) (($# >= 2)) || usage; scale=$2; shift 2 ;;
    --repeat) (($# >= 2)) || usage; repeat=$2; shift 2 ;;
    --only) (($# >= 2)) || usage; only=$2; shift 2 ;;
    --rss-scales) (($# >= 2)) || usage; rss_scales=$2; shift 2 ;;
    -h | --help) usage 0 ;;
    *) usage ;;
  esac
done
if [[ -z $repeat ]]; then
  if [[ -n $rss_scales ]]; then repeat=1; else repeat=3; fi
fi
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be a positive integer"
case $only in
  '') engines=(mariadb pgsql) ;;
  mariadb | mysql) engines=(mariadb) ;;
  pgsql | postgres | postgresql) engines=(pgsql) ;;
  *) die "--only takes mariadb or pgsql, not '$only'" ;;
esac

size_of_scale() { # scale -> MB
  awk -v s="$1" 'BEGIN { if (s !~ /^([0-9]+\.?[0-9]*|\.[0-9]+)$/) exit 1;
                         mb = int(s * 1000 + 0.5); if (mb < 1) exit 1; print mb }' ||
    die "a scale must be a positive number (x 1000 MB), not '$1'"
}

seed=${REVPACK_BENCH_SEED:-20241}
export REVPACK_BENCH_SEED=$seed
jobs_n=${REVPACK_BENCH_JOBS:-2}

# ------------------------------------------------------------------ tools --

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time, Debian package time) is missing: scripts/install-deps.sh"
for engine in "${engines[@]}"; do
  case $engine in
    mariadb) for t in mariadb mysqldump mydumper; do
        command -v "$t" >/dev/null || die "$t not found: scripts/install-deps.sh"; done ;;
    pgsql) for t in psql pg_dump; do
        command -v "$t" >/dev/null || die "$t not found: scripts/install-deps.sh"; done ;;
  esac
done

bin=$(revpack_bin)

export_help=$("$bin" export --help 2>&1) || true
has_formats=false
[[ $export_help == *--formats* ]] && has_formats=true
# The database formats of issue 5 (SQL + CSV + SIARD): when revpack also
# writes WordPress content (wxr), that is left out, as the reference tools
# write nothing like it.
all_opt=()
[[ $export_help == *wxr* ]] && all_opt=(--formats sql,csv,siard)
jobs_opt=()
[[ $export_help == *--jobs* ]] && jobs_opt=(--jobs "$jobs_n")

# ---------------------------------------------------------------- servers --

eval "$(bash "$repo/scripts/servers.sh" env)"
export PGPASSFILE=$REVPACK_PG_PASSFILE
madmin() { mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" --batch --skip-column-names "$@"; }
pgadmin() {
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -U postgres "$@"
}
for engine in "${engines[@]}"; do
  case $engine in
    mariadb) madmin -e 'SELECT 1' >/dev/null 2>&1 || die "MariaDB does not answer: scripts/servers.sh start" ;;
    pgsql) pgadmin -d postgres -c 'SELECT 1' >/dev/null 2>&1 || die "PostgreSQL does not answer: scripts/servers.sh start" ;;
  esac
done

gen_version() { sed -n 's/^readonly GEN_VERSION=//p' "$1"; }
wp_version=$(gen_version "$here/gen-mariadb.sh")
ca_version=$(gen_version "$here/gen-pgsql.sh")

# Generates a database unless one made by this generator version, size and
# seed is there (the generators comment the database when they are done).
ensure_db() { # engine size_mb
  local db have want
  case $1 in
    mariadb)
      db=bench_wp_$2
      want="revpack-bench wp $wp_version size_mb=$2 seed=$seed"
      have=$(madmin -e "SELECT schema_comment FROM information_schema.schemata WHERE schema_name='$db'")
      if [[ $have != "$want" ]]; then
        note "generating MariaDB database $db"
        bash "$here/gen-mariadb.sh" "$2" "$db" >&2
      fi ;;
    pgsql)
      db=bench_ca_$2
      want="revpack-bench ca $ca_version size_mb=$2 seed=$seed"
      have=$(pgadmin -d postgres -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname='$db'")
      if [[ $have != "$want" ]]; then
        note "generating PostgreSQL database $db"
        bash "$here/gen-pgsql.sh" "$2" "$db" >&2
      fi ;;
  esac
}

# MB of data: SUM(data_length) (MariaDB), heap + TOAST of the tables (PostgreSQL).
data_mb() { # engine size_mb
  case $1 in
    mariadb) madmin -e "SELECT ROUND(SUM(data_length) / 1e6) FROM information_schema.tables
                        WHERE table_schema='bench_wp_$2'" ;;
    pgsql) pgadmin -d "bench_ca_$2" -c "
             SELECT round(sum(pg_table_size(c.oid)) / 1e6) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')" ;;
  esac
}

db_size_line() { # engine size_mb
  local a b
  case $1 in
    mariadb)
      a=$(madmin -e "SELECT SUM(data_length), SUM(index_length), SUM(table_rows) FROM information_schema.tables
                     WHERE table_schema='bench_wp_$2'")
      read -r a b c <<<"$a"
      printf 'MariaDB    bench_wp_%s: SUM(data_length) %.0f MB, indexes %.0f MB, about %s rows\n' \
        "$2" "$(awk -v x="$a" 'BEGIN{print x/1e6}')" "$(awk -v x="$b" 'BEGIN{print x/1e6}')" "$c" ;;
    pgsql)
      a=$(pgadmin -d "bench_ca_$2" -F ' ' -c "
        SELECT sum(pg_table_size(c.oid)), pg_database_size(current_database()), sum(c.reltuples)::bigint
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')")
      read -r a b c <<<"$a"
      printf 'PostgreSQL bench_ca_%s: tables (heap + TOAST) %.0f MB, pg_database_size %.0f MB, about %s rows\n' \
        "$2" "$(awk -v x="$a" 'BEGIN{print x/1e6}')" "$(awk -v x="$b" 'BEGIN{print x/1e6}')" "$c" ;;
  esac
}

# Reads the database's files once, so that the first timed run does not pay
# for a cold OS cache that the following ones would not.
warm_cache() { # engine size_mb
  local dir
  case $1 in
    mariadb)
      dir=$(madmin -e 'SELECT @@datadir')
      cat "${dir%/}/bench_wp_$2"/*.ibd >/dev/null ;;
    pgsql)
      dir=$(pgadmin -d postgres -c 'SHOW data_directory')
      local oid
      oid=$(pgadmin -d postgres -c "SELECT oid FROM pg_database WHERE datname='bench_ca_$2'")
      find "$dir/base/$oid" -type f -exec cat {} + >/dev/null ;;
  esac
}

# CPU time (clock ticks) used so far by the server: mariadbd's threads; the
# postmaster and the backends it has reaped.
server_ticks() { # engine
  local pidfile
  case $1 in
    mariadb) pidfile=$REVPACK_SERVERS_DIR/mariadb/mysqld.pid ;;
    pgsql) pidfile=$REVPACK_SERVERS_DIR/pg/data/postmaster.pid ;;
  esac
  awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$(head -n 1 "$pidfile")/stat"
}
clk_tck=$(getconf CLK_TCK)

# ----------------------------------------------------------------- runs --

scratch_parent=${REVPACK_BENCH_DIR:-${TMPDIR:-/tmp}}
scratch=$(mktemp -d "$scratch_parent/revpack-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results.txt
: >"$results"

tools_of() { # engine
  case $1 in
    mariadb) echo my_rp_sql my_rp_all mysqldump mydumper ;;
    pgsql) echo pg_rp_sql pg_rp_all pg_dump_p pg_dump_d ;;
  esac
}

label() { # tool id
  case $1 in
    my_rp_sql | pg_rp_sql) echo "revpack export --formats sql" ;;
    my_rp_all | pg_rp_all) echo "revpack export sql+csv+siard" ;;
    mysqldump) echo "mysqldump --single-transaction" ;;
    mydumper) echo "mydumper -t 2" ;;
    pg_dump_p) echo "pg_dump -Fp" ;;
    pg_dump_d) echo "pg_dump -Fd -j 2 -Z 0" ;;
  esac
}

# Sets CMD to the command line of a tool reading database $db into folder $2.
tool_cmd() { # tool outdir
  local my_uri="mysql://revpack@127.0.0.1:$REVPACK_MARIADB_PORT/$db"
  local pg_conn="host=127.0.0.1 port=$REVPACK_PG_PORT dbname=$db user=revpack"
  case $1 in
    my_rp_sql) CMD=("$bin" export --mysql "$my_uri" --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF"
      --formats sql "${jobs_opt[@]}" -q -o "$2/package") ;;
    my_rp_all) CMD=("$bin" export --mysql "$my_uri" --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF"
      "${all_opt[@]}" "${jobs_opt[@]}" -q -o "$2/package") ;;
    mysqldump) CMD=(mysqldump --defaults-file="$REVPACK_MARIADB_EXPORT_CNF" --single-transaction
      --result-file="$2/dump.sql" "$db") ;;
    # --long-query-guard: mydumper refuses to start while any query of the
    # server has run for 60 s; on a shared test server that may be another
    # session's. It changes nothing else.
    mydumper) CMD=(mydumper --defaults-file="$REVPACK_MARIADB_EXPORT_CNF" -B "$db" -t 2
      --long-query-guard 86400 -o "$2/dump") ;;
    pg_rp_sql) CMD=("$bin" export --pgsql "$pg_conn" --formats sql "${jobs_opt[@]}" -q -o "$2/package") ;;
    pg_rp_all) CMD=("$bin" export --pgsql "$pg_conn" "${all_opt[@]}" "${jobs_opt[@]}" -q -o "$2/package") ;;
    pg_dump_p) CMD=(pg_dump -h 127.0.0.1 -p "$REVPACK_PG_PORT" -U revpack -w -Fp -f "$2/dump.sql" "$db") ;;
    pg_dump_d) CMD=(pg_dump -h 127.0.0.1 -p "$REVPACK_PG_PORT" -U revpack -w -Fd -j 2 -Z 0 -f "$2/dump" "$db") ;;
  esac
}

package_formats= # what "sql+csv+siard" wrote, seen in the first package

# Runs one tool once and appends "engine tool round wall user sys rss_kb
# out_bytes server_s sync_s" to $results (sync_s: the fsync of its output
# after it exited).
measure() { # engine tool round
  local out=$scratch/out tf=$scratch/time.txt log=$scratch/stderr.txt s0 s1 d0 d1 line bytes w u s m
  rm -rf "$out"
  mkdir "$out"
  tool_cmd "$2" "$out"
  sync
  s0=$(server_ticks "$1")
  if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" -- "${CMD[@]}" >"$log" 2>&1; then
    printf 'run.sh: %s failed:\n  %s\n' "$(label "$2")" "${CMD[*]}" >&2
    tail -n 20 "$log" >&2
    cat "$tf" >&2 || true
    exit 1
  fi
  # Until the output is on disk: fsync every file and folder the tool
  # wrote (coreutils sync FILE...). revpack and pg_dump -Fd have done it
  # before they exit; mysqldump, mydumper and pg_dump -Fp have not.
  d0=$EPOCHREALTIME
  find "$out" -print0 | xargs -0 -r sync --
  d1=$EPOCHREALTIME
  sleep 0.3 # let the postmaster reap the backends, so their CPU time is counted
  s1=$(server_ticks "$1")
  line=$(tail -n 1 "$tf")
  bytes=$(du -sb "$out" | cut -f1)
  if [[ $2 == *_rp_all && -z $package_formats ]]; then
    package_formats=$(cd "$out/package" && {
      [[ -n $(find data -name dump.sql -print -quit) ]] && printf 'sql '
      [[ -n $(find data -name '*.csv' -print -quit) ]] && printf 'csv '
      [[ -n $(find data -name '*.siard' -print -quit) ]] && printf 'siard '
      true
    })
    package_formats=${package_formats% }
  fi
  if [[ $2 == *_rp_* && ! -f $out/package/bagit.txt ]]; then
    die "$(label "$2") exited 0 but wrote no package (no bagit.txt)"
  fi
  rm -rf "$out"
  printf '%s %s %s %s %s %s %s\n' "$1" "$2" "$3" "$line" "$bytes" \
    "$(awk -v a="$s0" -v b="$s1" -v t="$clk_tck" 'BEGIN{printf "%.2f", (b-a)/t}')" \
    "$(awk -v a="$d0" -v b="$d1" 'BEGIN{printf "%.2f", b-a}')" >>"$results"
  read -r w u s m <<<"$line"
  note "$(printf '%-8s round %d  %-32s wall %7.2f s  cpu %7.2f s  rss %6.1f MiB  sync %5.2f s' "$1" "$3" \
    "$(label "$2")" "$w" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" "$(awk -v m="$m" 'BEGIN{print m/1024}')" \
    "$(awk -v a="$d0" -v b="$d1" 'BEGIN{print b-a}')")"
}

# ------------------------------------------------------------- machine --

describe_machine() {
  local engine
  describe_machine_common "$scratch"
  printf '  servers disk    %s (%s)\n' "$(df -h --output=source,fstype,size,avail "$REVPACK_SERVERS_DIR" |
    tail -n 1 | tr -s ' ')" "$REVPACK_SERVERS_DIR"
  for engine in "${engines[@]}"; do
    case $engine in
      mariadb)
        printf '  MariaDB         %s, innodb_buffer_pool_size %s MiB (127.0.0.1:%s)\n' \
          "$(madmin -e 'SELECT VERSION()')" "$(madmin -e 'SELECT @@innodb_buffer_pool_size DIV 1048576')" \
          "$REVPACK_MARIADB_PORT"
        printf '  mysqldump       %s\n' "$(mysqldump --version)"
        printf '  mydumper        %s\n' "$(mydumper --version 2>&1 | head -n 1)" ;;
      pgsql)
        printf '  PostgreSQL      %s, shared_buffers %s (127.0.0.1:%s)\n' \
          "$(pgadmin -d postgres -c 'SHOW server_version')" "$(pgadmin -d postgres -c 'SHOW shared_buffers')" \
          "$REVPACK_PG_PORT"
        printf '  pg_dump         %s\n' "$(pg_dump --version)" ;;
    esac
  done
  local btype=''
  [[ -f $(dirname "$bin")/CMakeCache.txt ]] &&
    btype=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$bin")/CMakeCache.txt")
  printf '  revpack         %s (%s; build type %s)\n' "$("$bin" --version 2>&1 | head -n 1)" \
    "$bin" "${btype:-unknown}"
  printf '  revpack options %s\n' "$( ((${#jobs_opt[@]})) && echo "${jobs_opt[*]}" || echo "no --jobs (not in this build)")"
}

# ------------------------------------------------------------- reports --

col() { # engine tool field-number
  awk -v e="$1" -v t="$2" -v f="$3" '$1 == e && $2 == t { print $f }' "$results"
}
have_tool() { [[ -n $(col "$1" "$2" 4) ]]; }
med_wall() { col "$1" "$2" 4 | median; }
med_cpu() { awk -v e="$1" -v t="$2" '$1 == e && $2 == t { print $5 + $6 }' "$results" | median; }
max_rss_mib() { col "$1" "$2" 7 | sort -g | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }'; }
med_out_mib() { col "$1" "$2" 8 | median | awk '{ printf "%.0f", $1 / 1048576 }'; }
med_server() { col "$1" "$2" 9 | median; }
# Elapsed until the output is on disk: the tool's wall time plus the fsync
# of what it wrote (about 0 for the tools that fsync before they exit).
med_disk() { awk -v e="$1" -v t="$2" '$1 == e && $2 == t { print $4 + $10 }' "$results" | median; }
med_time() { # basis(wall|disk) engine tool
  case $1 in wall) med_wall "$2" "$3" ;; disk) med_disk "$2" "$3" ;; esac
}
ratio() { # basis engine tool reference
  awk -v a="$(med_time "$1" "$2" "$3")" -v b="$(med_time "$1" "$2" "$4")" 'BEGIN{printf "%.2f", a/b}'
}

verdicts=$scratch/verdicts.txt
verdicts_disk=$scratch/verdicts-disk.txt
: >"$verdicts"
: >"$verdicts_disk"
verdict() { verdict_to "$verdicts" "$@"; } # text pass(0/1)

report_engine() { # engine
  local e=$1 t refs mode ref pre basis
  echo
  case $e in
    mariadb) echo "MariaDB, database $db_wp ($repeat rounds; wall and CPU: median; peak RSS: highest round)" ;;
    pgsql) echo "PostgreSQL, database $db_ca ($repeat rounds; wall and CPU: median; peak RSS: highest round)" ;;
  esac
  printf '  %-32s %8s %8s %10s %9s %11s %9s\n' "tool" "wall s" "CPU s" "peak RSS" "output" "server CPU" "on disk"
  printf '  %-32s %8s %8s %10s %9s %11s %9s\n' "" "" "(u+s)" "MiB" "MiB" "s" "s"
  for t in $(tools_of "$e"); do
    have_tool "$e" "$t" || { printf '  %-32s %s\n' "$(label "$t")" "skipped"; continue; }
    printf '  %-32s %8.2f %8.2f %10s %9s %11.2f %9.2f\n' "$(label "$t")" "$(med_wall "$e" "$t")" \
      "$(med_cpu "$e" "$t")" "$(max_rss_mib "$e" "$t")" "$(med_out_mib "$e" "$t")" "$(med_server "$e" "$t")" \
      "$(med_disk "$e" "$t")"
  done
  echo "  per round, wall s:"
  for t in $(tools_of "$e"); do
    have_tool "$e" "$t" || continue
    printf '    %-30s %s\n' "$(label "$t")" "$(col "$e" "$t" 4 | tr '\n' ' ')"
  done
  case $e in
    mariadb) refs="mysqldump mydumper"; pre=my ;;
    pgsql) refs="pg_dump_p pg_dump_d"; pre=pg ;;
  esac
  for basis in wall disk; do
    case $basis in
      wall) echo "  ratio of median wall times (revpack / reference; < 1.0 means revpack is faster):" ;;
      disk) echo "  ratio of median times until the output is on disk (wall + fsync of the output):" ;;
    esac
    printf '    %-30s' ""
    for ref in $refs; do printf ' %31s' "$(label "$ref")"; done
    echo
    for mode in ${pre}_rp_sql ${pre}_rp_all; do
      printf '    %-30s' "$(label "$mode")"
      for ref in $refs; do
        if have_tool "$e" "$mode"; then printf ' %31s' "$(ratio "$basis" "$e" "$mode" "$ref")"; else printf ' %31s' "n/a"; fi
      done
      echo
    done
  done
}

# Sets the caller's pre, sql_ref, all_ref and name for an engine: the
# prefix of its revpack modes, the references of the two time targets.
engine_refs() { # engine
  case $1 in
    mariadb) pre=my; sql_ref=mydumper; all_ref=mysqldump; name=MariaDB ;;
    pgsql) pre=pg; sql_ref=pg_dump_d; all_ref=pg_dump_p; name=PostgreSQL ;;
  esac
}

targets_engine() { # engine
  local e=$1 pre sql_ref all_ref r mode rss name
  engine_refs "$e"
  if have_tool "$e" "${pre}_rp_sql"; then
    r=$(ratio wall "$e" "${pre}_rp_sql" "$sql_ref")
    verdict "$(printf '  %-10s %-29s / %-30s wall ratio %6s, target < 1.0' "$name" "$(label "${pre}_rp_sql")" \
      "$(label "$sql_ref")" "$r")" "$(awk -v r="$r" 'BEGIN{print (r < 1.0) ? 1 : 0}')"
  else
    printf '  %-10s %-29s / %-30s not measured: this revpack has no --formats\n' "$name" "$(label "${pre}_rp_sql")" \
      "$(label "$sql_ref")"
    echo "SKIP" >>"$verdicts"
  fi
  r=$(ratio wall "$e" "${pre}_rp_all" "$all_ref")
  verdict "$(printf '  %-10s %-29s / %-30s wall ratio %6s, target < 1.0' "$name" "$(label "${pre}_rp_all")" \
    "$(label "$all_ref")" "$r")" "$(awk -v r="$r" 'BEGIN{print (r < 1.0) ? 1 : 0}')"
  for mode in "${pre}_rp_sql" "${pre}_rp_all"; do
    have_tool "$e" "$mode" || continue
    rss=$(max_rss_mib "$e" "$mode")
    verdict "$(printf '  %-10s %-29s   %-30s peak RSS %6s MiB, target < 64' "$name" "$(label "$mode")" "" "$rss")" \
      "$(awk -v r="$rss" 'BEGIN{print (r < 64) ? 1 : 0}')"
  done
}

# The time targets again, each tool timed until its output is on disk
# (shown beside the targets, counted apart: see docs/performance.md).
targets_disk_engine() { # engine
  local e=$1 pre sql_ref all_ref name mode ref r
  engine_refs "$e"
  for mode in ${pre}_rp_sql ${pre}_rp_all; do
    have_tool "$e" "$mode" || continue
    case $mode in *_sql) ref=$sql_ref ;; *) ref=$all_ref ;; esac
    r=$(ratio disk "$e" "$mode" "$ref")
    verdict_to "$verdicts_disk" "$(printf '  %-10s %-29s / %-30s on-disk ratio %4s, target < 1.0' "$name" \
      "$(label "$mode")" "$(label "$ref")" "$r")" "$(awk -v r="$r" 'BEGIN{print (r < 1.0) ? 1 : 0}')"
  done
}

summary() {
  local pass fail skip
  pass=$(grep -c PASS "$verdicts" || true)
  fail=$(grep -c FAIL "$verdicts" || true)
  skip=$(grep -c SKIP "$verdicts" || true)
  echo
  printf 'Targets met: %s of %s' "$pass" "$((pass + fail + skip))"
  ((skip == 0)) || printf ' (%s not measured)' "$skip"
  echo
  if [[ -s $verdicts_disk ]]; then
    pass=$(grep -c PASS "$verdicts_disk" || true)
    printf 'Time targets met when every tool is timed until its output is on disk: %s of %s\n' \
      "$pass" "$(grep -c . "$verdicts_disk")"
  fi
}

# ------------------------------------------------------------ modes --

if [[ -n $rss_scales ]]; then
  IFS=, read -r -a scales <<<"$rss_scales"
  ((${#scales[@]} >= 1)) || die "--rss-scales needs a list, e.g. 0.25,1,4"
  sizes=()
  for s in "${scales[@]}"; do sizes+=("$(size_of_scale "$s")"); done
  for engine in "${engines[@]}"; do
    for mb in "${sizes[@]}"; do ensure_db "$engine" "$mb"; done
  done
  echo "revpack benchmark: peak RSS of revpack export (SQL + CSV + SIARD) as the data grow"
  echo
  describe_machine
  echo
  echo "Databases"
  for engine in "${engines[@]}"; do
    for mb in "${sizes[@]}"; do db_size_line "$engine" "$mb" | sed 's/^/  /'; done
  done
  for engine in "${engines[@]}"; do
    for i in "${!sizes[@]}"; do
      mb=${sizes[$i]}
      case $engine in mariadb) db=bench_wp_$mb; t=my_rp_all ;; pgsql) db=bench_ca_$mb; t=pg_rp_all ;; esac
      warm_cache "$engine" "$mb"
      for ((r = 1; r <= repeat; r++)); do measure "$engine" "$t" "$r"; done
      # keep the scale in the results: the tool column gets a suffix
      sed -i "s/^$engine $t /$engine ${t}@${scales[$i]} /" "$results"
    done
  done
  echo
  over64=0
  echo "Peak RSS of revpack export (${package_formats:-?}); $repeat run(s) per scale"
  printf '  %-11s %7s %10s %10s %12s\n' "engine" "scale" "data MB" "wall s" "peak RSS MiB"
  for engine in "${engines[@]}"; do
    case $engine in mariadb) t=my_rp_all ;; pgsql) t=pg_rp_all ;; esac
    lo='' hi=''
    for i in "${!sizes[@]}"; do
      rss=$(max_rss_mib "$engine" "${t}@${scales[$i]}")
      printf '  %-11s %7s %10s %10.2f %12s\n' "$engine" "${scales[$i]}" "$(data_mb "$engine" "${sizes[$i]}")" \
        "$(med_wall "$engine" "${t}@${scales[$i]}")" "$rss"
      verdict "$(printf '    %-10s scale %-5s peak RSS %5s MiB (target < 64)' "$engine" "${scales[$i]}" "$rss")" \
        "$(awk -v r="$rss" 'BEGIN{print (r < 64) ? 1 : 0}')" >/dev/null
      awk -v r="$rss" 'BEGIN{exit !(r >= 64)}' && over64=$((over64 + 1))
      [[ -n $lo ]] || lo=$rss
      hi=$rss
    done
    # Flat: the largest scale needs at most 10% (and 2 MiB) more than the smallest.
    verdict "$(printf '  %-10s peak RSS %s MiB at scale %s, %s MiB at scale %s: flat (at most +10%% + 2 MiB)' \
      "$engine" "$lo" "${scales[0]}" "$hi" "${scales[-1]}")" \
      "$(awk -v a="$lo" -v b="$hi" 'BEGIN{print (b <= a * 1.10 + 2) ? 1 : 0}')"
  done
  if ((over64 == 0)); then echo "  every run under 64 MiB: yes"; else echo "  every run under 64 MiB: no ($over64 over)"; fi
  summary
  exit 0
fi

size=$(size_of_scale "$scale")
db_wp=bench_wp_$size
db_ca=bench_ca_$size
for engine in "${engines[@]}"; do ensure_db "$engine" "$size"; done

echo "revpack benchmark: scale $scale ($size MB per database), $repeat rounds"
echo
describe_machine
echo
echo "Databases"
for engine in "${engines[@]}"; do db_size_line "$engine" "$size" | sed 's/^/  /'; done
$has_formats || note "this revpack has no 'export --formats': the SQL-only mode is skipped"

for engine in "${engines[@]}"; do
  case $engine in mariadb) db=$db_wp ;; pgsql) db=$db_ca ;; esac
  warm_cache "$engine" "$size"
  for ((r = 1; r <= repeat; r++)); do
    for t in $(tools_of "$engine"); do
      if [[ $t == *_rp_sql ]] && ! $has_formats; then continue; fi
      measure "$engine" "$t" "$r"
    done
  done
done

echo
echo "Measured with GNU time: wall = elapsed, CPU = user + sys of the tool and its children,"
echo "peak RSS = largest resident set of the tool or any one of its child processes (%M)."
echo "Server CPU = CPU time of the database server during the run (all its sessions)."
echo "revpack's sql+csv+siard package held: ${package_formats:-n/a}"
for engine in "${engines[@]}"; do
  case $engine in mariadb) db=$db_wp ;; pgsql) db=$db_ca ;; esac
  report_engine "$engine"
done
echo
echo "Targets (issue 5)"
for engine in "${engines[@]}"; do targets_engine "$engine"; done
echo
echo "The time targets, every tool timed until its output is on disk (revpack and"
echo "pg_dump -Fd fsync before they exit; the others are fsynced after they exit)"
for engine in "${engines[@]}"; do targets_disk_engine "$engine"; done
summary
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
