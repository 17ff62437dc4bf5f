#!/usr/bin/env bash
# The PostgreSQL fixture (customer area) exports into a bag that verifies;
# stock psql restores dump.sql into a fresh database whose every table
# digest (computed in SQL by PostgreSQL itself) equals the inventory's, and
# whose schema (pg_dump --schema-only) equals the source's.
source "$(dirname "$0")/lib.sh"
require_pg

src=$(pg_fixture_db pgrt_src)
dst=$(pg_fresh_db pgrt_dst)
pkg=$WORK/pkg

out=$(rp_export --pgsql "ca=$(pg_conninfo "$src")" -o "$pkg" 2>&1)
check_eq "export exit code" 0 $?
echo "$out" | grep warning
check "dump.sql" test -f "$pkg/data/database/ca/dump.sql"
check "nothing hidden left in the package (scratch or staging folders)" test -z "$(find "$pkg" -name '.*')"
check "CSV named schema.table" test -f "$pkg/data/database/ca/csv/public.Contrats résiliés 2024.csv" -o -n "$(ls "$pkg/data/database/ca/csv/" | grep -F 'public.')"
check "verify" "$RP" verify -q "$pkg"
check "inventory.xml valid (xmllint)" xmllint --noout --schema "$SRC/formats/inventory.xsd" "$pkg/data/inventory.xml"
check_grep "restore command recorded" 'psql -v ON_ERROR_STOP=1 -d NEWDB -f data/database/ca/dump.sql' "$(cat "$pkg/data/inventory.xml")"
pw=$(cut -d: -f5 "$REVPACK_PG_PASSFILE" | head -1)
check "no password anywhere in the package" test -z "$(grep -rlF -- "$pw" "$pkg")"

# digests: inventory = PostgreSQL's own SQL computation on the source
inventory_digests "$pkg/data/inventory.xml" ca >"$WORK/inv"
pg_server_digests "$src" >"$WORK/src"
check "inventory digests equal the source's (computed in SQL by PostgreSQL)" diff "$WORK/src" "$WORK/inv"
check "the fixture's tables are all there (>= 10)" test "$(wc -l <"$WORK/inv")" -ge 10

# restore with stock psql, as the export role, into an empty database
pg_user -d "$dst" -f "$pkg/data/database/ca/dump.sql" >"$WORK/restore.log" 2>&1
check_eq "psql -v ON_ERROR_STOP=1 restores dump.sql" 0 $?
[ -s "$WORK/restore.log" ] && grep -E "ERROR|FATAL" "$WORK/restore.log" | head
pg_server_digests "$dst" >"$WORK/dst"
check "restored digests (SQL) equal the inventory's" diff "$WORK/inv" "$WORK/dst"
"$RP" digest --pgsql "$(pg_conninfo "$dst")" | sort >"$WORK/dst-rp"
sort "$WORK/inv" >"$WORK/inv-sorted"
check "revpack digest of the restored database equals the inventory's" diff "$WORK/inv-sorted" "$WORK/dst-rp"

# schema listing of both databases, as pg_dump prints it (owners and
# privileges aside: the restore runs as another role)
schema_of() {
	pg_dump -h 127.0.0.1 -p "$REVPACK_PG_PORT" -U revpack --schema-only --no-owner --no-privileges "$1" |
		grep -vE '^\\(restrict|unrestrict) ' | grep -v '^-- Dumped'
}
schema_of "$src" >"$WORK/schema-src"
schema_of "$dst" >"$WORK/schema-dst"
check "pg_dump --schema-only of source and restored database equal" diff "$WORK/schema-src" "$WORK/schema-dst"
check "the schema listing holds a materialized view, a trigger and a partition" \
	grep -q "MATERIALIZED VIEW" "$WORK/schema-src"
check "sequence values restored" test \
	"$(pg_admin -d "$src" -Atc "SELECT string_agg(schemaname || '.' || sequencename || '=' || COALESCE(last_value::text, 'null'), ',' ORDER BY schemaname, sequencename) FROM pg_sequences")" = \
	"$(pg_admin -d "$dst" -Atc "SELECT string_agg(schemaname || '.' || sequencename || '=' || COALESCE(last_value::text, 'null'), ',' ORDER BY schemaname, sequencename) FROM pg_sequences")"
check "materialized view data restored" test \
	"$(pg_admin -d "$src" -Atc "SELECT string_agg(format('%s.%s', schemaname, matviewname), ',' ORDER BY schemaname, matviewname) FROM pg_matviews WHERE ispopulated")" = \
	"$(pg_admin -d "$dst" -Atc "SELECT string_agg(format('%s.%s', schemaname, matviewname), ',' ORDER BY schemaname, matviewname) FROM pg_matviews WHERE ispopulated")"

# owners: comments by default; statements with --with-owners, restored by
# a superuser with the same roles
check_grep "owners kept as comments" "^-- owner: " "$(cat "$pkg/data/database/ca/dump.sql")"
rp_export --pgsql "ca=$(pg_conninfo "$src")" --with-owners -o "$WORK/owners" >/dev/null
check_eq "export --with-owners" 0 $?
check_grep "owners as statements" "OWNER TO" "$(cat "$WORK/owners/data/database/ca/dump.sql")"
dst2=$(pg_fresh_db pgrt_own)
pg_admin -d "$dst2" <"$WORK/owners/data/database/ca/dump.sql" >/dev/null 2>"$WORK/own.err"
check_eq "--with-owners dump restores as superuser" 0 $?
schema_full() {
	pg_dump -h 127.0.0.1 -p "$REVPACK_PG_PORT" -U revpack --schema-only "$1" | grep -vE '^\\(restrict|unrestrict) ' | grep -v '^-- Dumped'
}
schema_full "$src" >"$WORK/full-src"
schema_full "$dst2" >"$WORK/full-dst"
check "with owners: owners and grants equal too" diff "$WORK/full-src" "$WORK/full-dst"

finish
