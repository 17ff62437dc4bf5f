#!/usr/bin/env bash
# One command exports a MariaDB and a PostgreSQL database into one bag;
# each restores with its stock client into identical data.
source "$(dirname "$0")/lib.sh"
require_pg

my=$(fixture_db multi)
pg=$(pg_fixture_db multi)
pkg=$WORK/both
rp_export --mysql "site=$(uri "$my")" --pgsql "espace=$(pg_conninfo "$pg")" --organization "Mutuelle Exemple" -o "$pkg" >/dev/null
check_eq "export of two sources" 0 $?
check "both sources in the bag" test -f "$pkg/data/database/site/dump.sql" -a -f "$pkg/data/database/espace/dump.sql"
check "verify" "$RP" verify -q "$pkg"
check_eq "two Revpack-Source labels" 2 "$(grep -c '^Revpack-Source: ' "$pkg/bag-info.txt")"
check_eq "two sources in the inventory" 2 "$(grep -c '<source name=' "$pkg/data/inventory.xml")"

mdst=$(fresh_db multi_dst)
mysql --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$mdst" <"$pkg/data/database/site/dump.sql"
check_eq "mysql restores its part" 0 $?
pdst=$(pg_fresh_db multi_dst)
pg_user -d "$pdst" -f "$pkg/data/database/espace/dump.sql" >/dev/null 2>&1
check_eq "psql restores its part" 0 $?
inventory_digests "$pkg/data/inventory.xml" site >"$WORK/inv-site"
inventory_digests "$pkg/data/inventory.xml" espace >"$WORK/inv-espace"
server_digests "$mdst" >"$WORK/got-site"
pg_server_digests "$pdst" >"$WORK/got-espace"
check "MariaDB part restored identical" diff "$WORK/inv-site" "$WORK/got-site"
check "PostgreSQL part restored identical" diff "$WORK/inv-espace" "$WORK/got-espace"

out=$(rp_export --mysql "x=$(uri "$my")" --pgsql "x=$(pg_conninfo "$pg")" -o "$WORK/dup" 2>&1)
check_eq "the same NAME twice: exit 2" 2 $?
check_grep "the same NAME twice: message" "two sources are named x" "$out"

finish
