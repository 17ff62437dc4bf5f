#!/usr/bin/env bash
# Tables read in primary-key ranges (include/revpack/source.h): with the
# test hook REVPACK_TEST_CHUNK_MIN_SPAN=8 every fixture table whose key is
# one integer column spanning 8 values or more is split into 8 ranges.
# The files are the same whatever --jobs is; CSV, SIARD and the PostgreSQL
# dump are the same as when tables are read whole; the MariaDB dump (one
# INSERT run per range) restores to the same data.
source "$(dirname "$0")/lib.sh" "$1"
require_pg

src=$(fixture_db ranges)
pg=$(pg_fixture_db ranges)
dst=$(fresh_db ranges_dst)

export_both() { # OUT JOBS
	"$RP" export --quiet --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" --mysql "wp=$(uri "$src")" \
		--pgsql "ca=$(pg_conninfo "$pg")" --jobs "$2" -o "$1" >/dev/null
}
REVPACK_TEST_CHUNK_MIN_SPAN=8 export_both "$WORK/r1" 1
check_eq "split export, --jobs 1" 0 $?
# the archive thread follows every table still being written (not only
# those of 16 MiB), so that its sessions end at other places than with --jobs 1
REVPACK_TEST_CHUNK_MIN_SPAN=8 REVPACK_TEST_SIARD_FOLLOW_MIN=0 export_both "$WORK/r4" 4
check_eq "split export, --jobs 4" 0 $?
export_both "$WORK/whole" 1
check_eq "export reading tables whole" 0 $?

vout=$("$RP" verify "$WORK/r4")
check_eq "verify the split export: exit code" 0 $?
check_grep "verify the split export: valid" "^Result: VALID$" "$vout"

# the tables were split: a small table read in ranges starts one INSERT per
# range that holds rows
n_whole=$(grep -c '^INSERT INTO `wp_posts`' "$WORK/whole/data/database/wp/dump.sql")
n_split=$(grep -c '^INSERT INTO `wp_posts`' "$WORK/r1/data/database/wp/dump.sql")
check "wp_posts was read in several ranges ($n_split INSERT runs, $n_whole whole)" test "$n_split" -gt "$n_whole"

nosnap() { grep -v '^-- Snapshot: ' "$1"; }
siard_content() { # PKG NAME DIR
	mkdir -p "$3" && (cd "$3" && unzip -q "$1/data/database/$2/$2.siard" 'content/*')
}
for s in wp ca; do
	check "$s: dump.sql identical with --jobs 1 and 4" diff <(nosnap "$WORK/r1/data/database/$s/dump.sql") \
		<(nosnap "$WORK/r4/data/database/$s/dump.sql")
	check "$s: CSV identical with --jobs 1 and 4" diff -r "$WORK/r1/data/database/$s/csv" "$WORK/r4/data/database/$s/csv"
	check "$s: CSV identical to tables read whole" diff -r "$WORK/r1/data/database/$s/csv" "$WORK/whole/data/database/$s/csv"
	for p in r1 r4 whole; do siard_content "$WORK/$p" "$s" "$WORK/x-$p-$s"; done
	check "$s: SIARD tables identical with --jobs 1 and 4" diff -r "$WORK/x-r1-$s" "$WORK/x-r4-$s"
	check "$s: the .siard's bytes identical with --jobs 1 and 4 (but times and metadata.xml)" \
		python3 "$SRC/tests/integration/siard_same.py" "$WORK/r1/data/database/$s/$s.siard" "$WORK/r4/data/database/$s/$s.siard"
	check "$s: SIARD tables identical to tables read whole" diff -r "$WORK/x-r1-$s" "$WORK/x-whole-$s"
	inventory_digests "$WORK/r4/data/inventory.xml" "$s" >"$WORK/inv-r4-$s"
	inventory_digests "$WORK/whole/data/inventory.xml" "$s" >"$WORK/inv-whole-$s"
	check "$s: digests and row counts equal to tables read whole" diff "$WORK/inv-r4-$s" "$WORK/inv-whole-$s"
done
check "ca: dump.sql identical to tables read whole" diff <(nosnap "$WORK/r1/data/database/ca/dump.sql") \
	<(nosnap "$WORK/whole/data/database/ca/dump.sql")

# the MariaDB dump written in ranges restores to the same data
admin_sql "$dst" <"$WORK/r4/data/database/wp/dump.sql"
check_eq "restore the split MariaDB dump with mysql" 0 $?
server_digests "$dst" >"$WORK/dst"
inventory_digests "$WORK/r4/data/inventory.xml" wp >"$WORK/inv-wp"
check "restored digests (computed by MariaDB) equal the inventory's" diff "$WORK/inv-wp" "$WORK/dst"

finish
