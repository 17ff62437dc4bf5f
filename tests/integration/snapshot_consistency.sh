#!/usr/bin/env bash
# --jobs: every connection reads the same snapshot. Money moves between two
# tables while the export runs (a test-only delay after each table makes
# sure the tables are read at different moments); the exported balances of
# both tables must still add up to the constant total, for MariaDB and
# PostgreSQL, with one connection and with four.
source "$(dirname "$0")/lib.sh"
require_pg

TOTAL=1000000  # 100 accounts of 10,000 in each of the two tables, in cents
# Tables in name order: accounts_a first, fillers, accounts_b sixth: with
# four connections, accounts_b is read by a connection that already read a
# filler and waited, well after accounts_a.
schema_sql() {
	echo "CREATE TABLE t1_accounts_a (id INT PRIMARY KEY, balance BIGINT NOT NULL);"
	for f in 2 3 4 5; do echo "CREATE TABLE t${f}_filler (id INT PRIMARY KEY, v TEXT);"; done
	echo "CREATE TABLE t6_accounts_b (id INT PRIMARY KEY, balance BIGINT NOT NULL);"
	echo "CREATE TABLE t7_filler (id INT PRIMARY KEY, v TEXT);"
	for i in $(seq 1 100); do
		echo "INSERT INTO t1_accounts_a VALUES ($i, 5000); INSERT INTO t6_accounts_b VALUES ($i, 5000);"
	done
	for f in 2 3 4 5 7; do echo "INSERT INTO t${f}_filler VALUES (1, 'x');"; done
}
# A stream of transfers, each in its own transaction, paced by the server.
transfers_sql() {
	local sleep=$1
	python3 - "$sleep" <<'PY'
import random, sys
random.seed(5)
for _ in range(3000):
    a, b, x = random.randint(1, 100), random.randint(1, 100), random.randint(1, 500)
    if random.random() < 0.5:
        print(f"BEGIN; UPDATE t1_accounts_a SET balance = balance - {x} WHERE id = {a}; "
              f"UPDATE t6_accounts_b SET balance = balance + {x} WHERE id = {b}; COMMIT;")
    else:
        print(f"BEGIN; UPDATE t6_accounts_b SET balance = balance - {x} WHERE id = {b}; "
              f"UPDATE t1_accounts_a SET balance = balance + {x} WHERE id = {a}; COMMIT;")
    print(sys.argv[1])
PY
}
# Sum of the balances in the two exported CSV files.
exported_total() {
	python3 - "$1" <<'PY'
import csv, glob, sys
total = 0
for name in ("t1_accounts_a", "t6_accounts_b"):
    path = glob.glob(f"{sys.argv[1]}/data/database/*/csv/*{name}.csv")[0]
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    total += sum(int(r[1]) for r in rows)
print(total)
PY
}

# --- MariaDB
my=$(fresh_db snap)
schema_sql | admin_sql "$my"
check_eq "MariaDB: the total before" "$TOTAL" "$(admin_sql -N -B "$my" -e 'SELECT (SELECT SUM(balance) FROM t1_accounts_a) + (SELECT SUM(balance) FROM t6_accounts_b)')"
transfers_sql "SELECT SLEEP(0.005);" | admin_sql "$my" >/dev/null 2>&1 &
writer=$!
sleep 0.5
for j in 1 4; do
	out=$(REVPACK_TEST_TABLE_DELAY_MS=700 rp_export --jobs $j --mysql "$(uri "$my")" --formats csv -o "$WORK/my$j" 2>&1)
	check_eq "MariaDB --jobs $j: export" 0 $?
	check "MariaDB --jobs $j: no fallback to one connection" test -z "$(grep -F 'one connection exports' <<<"$out")"
	check_eq "MariaDB --jobs $j: balances add up in the package" "$TOTAL" "$(exported_total "$WORK/my$j")"
done
check_grep "MariaDB --jobs 4: four connections shared the snapshot" 'connections="4"' "$(cat "$WORK/my4/data/inventory.xml")"
check "MariaDB: money was moving during the export" kill -0 $writer
kill $writer 2>/dev/null; wait $writer 2>/dev/null
check_eq "MariaDB: the total after" "$TOTAL" "$(admin_sql -N -B "$my" -e 'SELECT (SELECT SUM(balance) FROM t1_accounts_a) + (SELECT SUM(balance) FROM t6_accounts_b)')"
moved=$(admin_sql -N -B "$my" -e 'SELECT COUNT(*) FROM t1_accounts_a WHERE balance <> 5000')
check "MariaDB: the transfers did change the balances" test "$moved" -gt 0

# an account without RELOAD cannot share a snapshot: one connection, said so
admin_sql -e "DROP USER IF EXISTS 'rp_noreload'@'127.0.0.1'; CREATE USER 'rp_noreload'@'127.0.0.1' IDENTIFIED BY 'nr-pw-1'; GRANT SELECT, SHOW VIEW, TRIGGER ON \`$my\`.* TO 'rp_noreload'@'127.0.0.1'"
printf '[client]\nuser=rp_noreload\npassword=nr-pw-1\n' >"$WORK/nr.cnf"
out=$("$RP" export -q --jobs 4 --mysql-defaults-file "$WORK/nr.cnf" --mysql "mysql://127.0.0.1:$REVPACK_MARIADB_PORT/$my" -o "$WORK/nr" 2>&1)
check_eq "without RELOAD: export still succeeds" 0 $?
check_grep "without RELOAD: says it falls back to one connection" "one connection exports every table.*RELOAD" "$out"
check_grep "without RELOAD: the inventory says one connection" 'connections="1"' "$(cat "$WORK/nr/data/inventory.xml")"
admin_sql -e "DROP USER 'rp_noreload'@'127.0.0.1'"

# --- PostgreSQL
pg=$(pg_fresh_db snap)
schema_sql | pg_user -d "$pg" >/dev/null
transfers_sql "SELECT pg_sleep(0.005);" | pg_user -d "$pg" >/dev/null 2>&1 &
writer=$!
sleep 0.5
for j in 1 4; do
	REVPACK_TEST_TABLE_DELAY_MS=700 rp_export --jobs $j --pgsql "$(pg_conninfo "$pg")" --formats csv -o "$WORK/pg$j" >/dev/null 2>&1
	check_eq "PostgreSQL --jobs $j: export" 0 $?
	check_eq "PostgreSQL --jobs $j: balances add up in the package" "$TOTAL" "$(exported_total "$WORK/pg$j")"
done
check_grep "PostgreSQL --jobs 4: four connections shared the snapshot" 'connections="4"' "$(cat "$WORK/pg4/data/inventory.xml")"
check "PostgreSQL: money was moving during the export" kill -0 $writer
kill $writer 2>/dev/null; wait $writer 2>/dev/null
moved=$(pg_user -d "$pg" -Atc 'SELECT COUNT(*) FROM t1_accounts_a WHERE balance <> 5000')
check "PostgreSQL: the transfers did change the balances" test "$moved" -gt 0

# the payload does not depend on --jobs (but for the lines that record the
# export's own time)
src=$(fixture_db jobsame)
for j in 1 3; do rp_export --jobs $j --mysql "wp=$(uri "$src")" -o "$WORK/same$j" >/dev/null; done
check "dump.sql identical with --jobs 1 and 3 (but the snapshot time)" diff \
	<(grep -v '^-- Snapshot: ' "$WORK/same1/data/database/wp/dump.sql") <(grep -v '^-- Snapshot: ' "$WORK/same3/data/database/wp/dump.sql")
check "every CSV identical" diff -r "$WORK/same1/data/database/wp/csv" "$WORK/same3/data/database/wp/csv"
for j in 1 3; do mkdir "$WORK/sx$j" && (cd "$WORK/sx$j" && unzip -q "$WORK/same$j/data/database/wp/wp.siard"); done
check "SIARD tables identical" diff -r "$WORK/sx1/content" "$WORK/sx3/content"

finish
