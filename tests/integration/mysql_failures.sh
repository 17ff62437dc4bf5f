#!/usr/bin/env bash
# Bad input: a one-line error naming the cause, exit 3, no package and no
# temporary file left behind.
source "$(dirname "$0")/lib.sh"

src=$(fixture_db fail)

# wrong password
sed 's/^password=.*/password=wrong-password/' "$REVPACK_MARIADB_EXPORT_CNF" >"$WORK/wrong.cnf"
expect_failure "wrong password" "Access denied.*wrong or missing password" "$WORK/p1" \
	"$RP" export -q --mysql-defaults-file "$WORK/wrong.cnf" --mysql "$(uri "$src")" -o "$WORK/p1"
pw=$(sed -n 's/^password=//p' "$REVPACK_MARIADB_EXPORT_CNF")
check "the real password never printed" test -z "$("$RP" export -q --mysql-defaults-file "$WORK/wrong.cnf" --mysql "$(uri "$src")" -o "$WORK/p1" 2>&1 | grep -F -- "$pw")"

# unreachable server
expect_failure "unreachable server" "cannot connect to 127.0.0.1:1" "$WORK/p2" \
	"$RP" export -q --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" --mysql "mysql://revpack@127.0.0.1:1/$src" -o "$WORK/p2"

# unknown database
expect_failure "unknown database" "no such database|Unknown database" "$WORK/p3" \
	rp_export --mysql "x=$(uri rp_no_such_db)" -o "$WORK/p3"

# missing privileges: an account that sees only one table's columns
admin_sql -e "DROP USER IF EXISTS 'rp_weak'@'127.0.0.1'; CREATE USER 'rp_weak'@'127.0.0.1' IDENTIFIED BY 'weak-pw-1'; GRANT SELECT (ID) ON \`$src\`.wp_posts TO 'rp_weak'@'127.0.0.1'; GRANT SELECT ON \`$src\`.wp_users TO 'rp_weak'@'127.0.0.1'"
printf '[client]\nuser=rp_weak\npassword=weak-pw-1\n' >"$WORK/weak.cnf"
expect_failure "missing privilege" "command denied|denied to user|missing privilege|lacks the privilege" "$WORK/p4" \
	"$RP" export -q --mysql-defaults-file "$WORK/weak.cnf" --mysql "mysql://127.0.0.1:$REVPACK_MARIADB_PORT/$src" -o "$WORK/p4"
admin_sql -e "DROP USER 'rp_weak'@'127.0.0.1'"

# connection killed from another session in the middle of a table
admin_sql "$src" -e "CREATE TABLE rp_big (id INT PRIMARY KEY, pad VARCHAR(200)) ENGINE=InnoDB;
	INSERT INTO rp_big SELECT seq, REPEAT('x', 150) FROM seq_1_to_200000;"
REVPACK_TEST_ROW_DELAY_US=50 "$RP" export -q --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" \
	--mysql "$(uri "$src")" --table rp_big -o "$WORK/p5" >"$WORK/kill.out" 2>&1 &
pid=$!
# The table is read in key ranges whose rows the server sends ahead (a
# range's SELECT shows in the process list only for a moment): once the
# export's connections are there, reading rp_big (at 50 us a row, for
# seconds), every one of them is killed.
id=""
for _ in $(seq 1 100); do
	id=$(admin_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE DB='$src' AND USER='revpack' LIMIT 1")
	[ -n "$id" ] && break
	sleep 0.05
done
check "the export was seen connected" test -n "$id"
sleep 1
for id in $(admin_sql -N -B -e "SELECT ID FROM information_schema.PROCESSLIST WHERE DB='$src' AND USER='revpack'"); do
	admin_sql -e "KILL $id" 2>/dev/null
done
wait $pid
rc=$?
check_eq "connection killed mid-table: exit code" 3 "$rc"
check_grep "connection killed mid-table: message names the table" "rp_big" "$(cat "$WORK/kill.out")"
check_grep "connection killed mid-table: says the connection was lost" "lost|killed|interrupted" "$(cat "$WORK/kill.out")"
check "connection killed mid-table: no package" test ! -e "$WORK/p5"
check "connection killed mid-table: no temporary" test -z "$(find "$WORK" -maxdepth 1 -name '.*rp-tmp*')"

# interrupted by a signal
REVPACK_TEST_ROW_DELAY_US=50 "$RP" export -q --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" \
	--mysql "$(uri "$src")" --table rp_big -o "$WORK/p6" >"$WORK/int.out" 2>&1 &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
check_eq "SIGTERM: exit code" 3 $?
check_grep "SIGTERM: message" "interrupted" "$(cat "$WORK/int.out")"
check "SIGTERM: no package, no temporary" test -z "$(ls -A "$WORK" | grep -E '^(p6|\.p6)')"

# a non-transactional table is exported with a clear warning
admin_sql "$src" -e "CREATE TABLE rp_myisam (id INT PRIMARY KEY) ENGINE=MyISAM; INSERT INTO rp_myisam VALUES (1)"
out=$(rp_export --mysql "$(uri "$src")" --table rp_myisam -o "$WORK/p7" 2>&1)
check_eq "MyISAM table: exported" 0 $?
check_grep "MyISAM table: warning names it" "warning: .*rp_myisam.*MyISAM.*snapshot" "$out"
check_grep "MyISAM table: inventory marks it" 'name="rp_myisam"[^>]*inSnapshot="false"' "$(cat "$WORK/p7/data/inventory.xml")"

finish
