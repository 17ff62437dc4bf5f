#!/usr/bin/env bash
# Table selection, the socket form, the excel-fr dialect and MYSQL_PWD.
source "$(dirname "$0")/lib.sh"

src=$(fixture_db sel)

# --table / --exclude-table
pkg=$WORK/sel
rp_export --mysql "wp=$(uri "$src")" --table 'wp_post*' --table wp_users --exclude-table wp_postmeta -o "$pkg" >/dev/null
check_eq "export with patterns" 0 $?
got=$(cd "$pkg/data/database/wp/csv" && ls | tr '\n' ' ')
check_eq "selected tables only" "wp_posts.csv wp_users.csv " "$got"
check_grep "the selected tables' triggers come along" "TRIGGER" "$(grep -v '^--' "$pkg/data/database/wp/dump.sql")"
check "verify" "$RP" verify -q "$pkg"

out=$(rp_export --mysql "wp=$(uri "$src")" --table 'nope_*' -o "$WORK/none" 2>&1)
check_eq "pattern matching nothing: exit 2" 2 $?
check_grep "pattern matching nothing: message" "matches no table" "$out"
check "pattern matching nothing: no package" test ! -e "$WORK/none"
# revpack digest takes the same patterns, with the same rule
out=$("$RP" digest --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" --mysql "wp=$(uri "$src")" --table 'wp_post*' --table wp_users --exclude-table wp_postmeta 2>&1)
check_eq "digest with patterns: exit 0" 0 $?
check_eq "digest with patterns: the selected tables" "wp_posts wp_users " "$(cut -f1 <<<"$out" | tr '\n' ' ')"
out=$("$RP" digest --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" --mysql "wp=$(uri "$src")" --table wp_users --table 'nope_*' 2>&1)
check_eq "digest, pattern matching nothing: exit 2" 2 $?
check_grep "digest, pattern matching nothing: message" "--table nope_\* matches no table of source wp" "$out"

# socket form, with the user from the option file
pkg=$WORK/sock
"$RP" export --quiet --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" \
	--mysql "wp=mysql://revpack@/$src?socket=$REVPACK_MARIADB_SOCKET" --table wp_options -o "$pkg" >/dev/null
check_eq "socket form" 0 $?
check_grep "inventory records the socket" "socket=\"$REVPACK_MARIADB_SOCKET\"" "$(cat "$pkg/data/inventory.xml")"

# MYSQL_PWD, with an option file that carries no password
grep -v '^password' "$REVPACK_MARIADB_EXPORT_CNF" >"$WORK/nopw.cnf"
pw=$(sed -n 's/^password=//p' "$REVPACK_MARIADB_EXPORT_CNF")
out=$(HOME=$WORK "$RP" export --quiet --mysql-defaults-file "$WORK/nopw.cnf" --mysql "wp=$(uri "$src")" --table wp_users -o "$WORK/nopw" 2>&1)
check_eq "without any password: exit 3" 3 $?
check_grep "without any password: says how to give one" "MYSQL_PWD" "$out"
MYSQL_PWD=$pw HOME=$WORK "$RP" export --quiet --mysql-defaults-file "$WORK/nopw.cnf" --mysql "wp=$(uri "$src")" --table wp_users -o "$WORK/pwd" >/dev/null
check_eq "MYSQL_PWD accepted" 0 $?
# ~/.my.cnf
cp "$REVPACK_MARIADB_EXPORT_CNF" "$WORK/.my.cnf"
HOME=$WORK "$RP" export --quiet --mysql "wp=$(uri "$src")" --table wp_users -o "$WORK/mycnf" >/dev/null
check_eq "~/.my.cnf accepted" 0 $?

# excel-fr: ';' and a BOM in every CSV, and verify still recomputes digests
pkg=$WORK/fr
rp_export --mysql "wp=$(uri "$src")" --csv-dialect excel-fr -o "$pkg" >/dev/null
check_eq "excel-fr export" 0 $?
check_eq "BOM at the start" "efbbbf" "$(head -c3 "$pkg/data/database/wp/csv/wp_posts.csv" | od -An -tx1 | tr -d ' \n')"
check_grep "semicolon separators" "^.?ID;post_author;" "$(head -1 "$pkg/data/database/wp/csv/wp_posts.csv")"
check_grep "dialect in the inventory" 'dialect="excel-fr"' "$(cat "$pkg/data/inventory.xml")"
check "excel-fr package verifies" "$RP" verify -q "$pkg"
inventory_digests "$WORK/sel/data/inventory.xml" wp | grep wp_posts >"$WORK/a"
inventory_digests "$pkg/data/inventory.xml" wp | grep wp_posts >"$WORK/b"
check "digest does not depend on the CSV dialect" diff "$WORK/a" "$WORK/b"

# --formats: only what is asked for, and the package still verifies
rp_export --mysql "wp=$(uri "$src")" --formats sql -o "$WORK/only-sql" >/dev/null
check_eq "--formats sql" 0 $?
check_eq "--formats sql writes dump.sql alone (and the guide, the inventory)" "data/database/wp/dump.sql data/index.html data/inventory.xml" \
	"$(cd "$WORK/only-sql" && find data -type f | sort | tr '\n' ' ' | sed 's/ $//')"
check "--formats sql verifies" "$RP" verify -q "$WORK/only-sql"
rp_export --mysql "wp=$(uri "$src")" --formats csv,siard -o "$WORK/no-sql" >/dev/null
check_eq "--formats csv,siard" 0 $?
check "--formats csv,siard: no dump.sql" test ! -e "$WORK/no-sql/data/database/wp/dump.sql"
check "--formats csv,siard: CSV and SIARD there" test -f "$WORK/no-sql/data/database/wp/csv/wp_posts.csv" -a -f "$WORK/no-sql/data/database/wp/wp.siard"
check "--formats csv,siard: no restore command in the inventory" test -z "$(grep '<restore' "$WORK/no-sql/data/inventory.xml")"
check "--formats csv,siard verifies" "$RP" verify -q "$WORK/no-sql"

finish
