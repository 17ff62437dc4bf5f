#!/usr/bin/env bash
# PostgreSQL tables with nothing to COPY by name: a table without columns
# and a table whose only column is generated. dump.sql restores them with
# their rows (COPY without a column list); the .siard leaves the table
# without columns out, with a warning, and stays valid; verify passes. A
# table whose name XML cannot hold is refused; a warning holding such a
# character is mapped in inventory.xml.
source "$(dirname "$0")/lib.sh"
require_pg

SHARED=${REVPACK_SHARED_DIR:-$SRC/../shared}
XSD=$SHARED/reference/siard/metadata.xsd
[ -f "$XSD" ] || XSD=$SRC/formats/siard/metadata.xsd

db=$(pg_fresh_db pgodd)
pg_admin -d "$db" <<'SQL' >/dev/null || exit 3
SET ROLE revpack;
CREATE TABLE nocols ();
INSERT INTO nocols DEFAULT VALUES;
INSERT INTO nocols DEFAULT VALUES;
CREATE TABLE onlygen (x int GENERATED ALWAYS AS (2) STORED);
INSERT INTO onlygen DEFAULT VALUES;
INSERT INTO onlygen DEFAULT VALUES;
INSERT INTO onlygen DEFAULT VALUES;
CREATE TABLE plain (id int PRIMARY KEY);
INSERT INTO plain VALUES (1);
SQL

pkg=$WORK/pkg
"$RP" export --quiet --pgsql "ca=$(pg_conninfo "$db")" -o "$pkg" >/dev/null 2>&1
check_eq "export" 0 $?
d=$pkg/data/database/ca
check_grep "the inventory warns that the .siard leaves nocols out" \
	"table public.nocols has no columns: dump.sql and the CSV keep its rows, the .siard leaves it out" \
	"$(cat "$pkg/data/inventory.xml")"
out=$("$RP" verify "$pkg" 2>&1)
check_eq "verify: $out" 0 $?
check_grep "verify says VALID" "^Result: VALID" "$out"

# COPY without a column list, each row an empty line
check_grep "dump.sql: COPY of nocols without a column list" '^COPY "public"."nocols" FROM stdin;$' "$(cat "$d/dump.sql")"
check_grep "dump.sql: COPY of onlygen without a column list" '^COPY "public"."onlygen" FROM stdin;$' "$(cat "$d/dump.sql")"
dst=$(pg_fresh_db pgodd_dst)
pg_user -d "$dst" -f "$d/dump.sql" >"$WORK/restore.log" 2>&1
rc=$?
check_eq "psql restores dump.sql: $(head -c 300 "$WORK/restore.log")" 0 $rc
counts=$(pg_admin -d "$dst" -At -c "SELECT (SELECT count(*) FROM nocols) || ' ' || (SELECT count(*) FROM onlygen) || ' ' || (SELECT sum(x) FROM onlygen) || ' ' || (SELECT count(*) FROM plain)")
check_eq "restored rows: nocols, onlygen (and the sum of x), plain" "2 3 6 1" "$counts"

# the .siard: valid metadata.xml, without nocols
x=$WORK/x
mkdir -p "$x"
check "the .siard unzips" unzip -qo "$d/ca.siard" -d "$x"
out=$(xmllint --noout --schema "$XSD" "$x/header/metadata.xml" 2>&1)
check_eq "metadata.xml validates against the official metadata.xsd: $out" 0 $?
check "metadata.xml does not describe nocols" test -z "$(grep -o '<name>nocols</name>' "$x/header/metadata.xml")"
check_grep "metadata.xml describes onlygen" '<name>onlygen</name>' "$(cat "$x/header/metadata.xml")"
check "metadata.xml: two tables" test "$(grep -c '<table>' "$x/header/metadata.xml")" -eq 2

# Names XML cannot hold: a table named with a control character is refused
# (inventory.xml could not name it, and verify could not match it with its
# CSV); a warning holding one (an aggregate dump.sql does not recreate) is
# written into inventory.xml mapped, and the package verifies.
odd=$(pg_fresh_db pgoddname)
pg_admin -d "$odd" <<SQL >/dev/null || exit 3
SET ROLE revpack;
CREATE TABLE ok (id int PRIMARY KEY);
CREATE TABLE "a$(printf '\001')b" (id int);
CREATE AGGREGATE "tot$(printf '\033')al"(int) (sfunc = int4pl, stype = int, initcond = '0');
SQL
expect_failure "a table whose name holds a control character" \
	"table public[.]a␁b has a name inventory.xml cannot hold" "$WORK/oddname" \
	"$RP" export -q --pgsql "ca=$(pg_conninfo "$odd")" -o "$WORK/oddname"
"$RP" export -q --pgsql "ca=$(pg_conninfo "$odd")" --exclude-table 'public.a?b' -o "$WORK/oddname" \
	>"$WORK/oddname.log" 2>&1
rc=$?
check_eq "left out with --exclude-table: export: $(head -c 300 "$WORK/oddname.log")" 0 $rc
check_grep "a warning holding a control character is mapped in inventory.xml" 'aggregate public[.]("|&quot;)tot␛al("|&quot;)' \
	"$(cat "$WORK/oddname/data/inventory.xml")"
check_grep "... and shown escaped on the terminal" 'aggregate public[.]"tot\\x1bal"' "$(cat "$WORK/oddname.log")"
check "xmllint reads that inventory.xml" xmllint --noout "$WORK/oddname/data/inventory.xml"
check "verify" "$RP" verify -q "$WORK/oddname"

finish
