# Shared helpers for integration tests (sourced). They run against the
# throwaway servers of scripts/servers.sh and exit 77 (skipped) without them.
set -u
RP=$1
SRC=${REVPACK_SOURCE_DIR:?REVPACK_SOURCE_DIR is set by CTest}
PASS=0
FAIL=0
eval "$(bash "$SRC/scripts/servers.sh" env)"
if ! mariadb-admin --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" ping >/dev/null 2>&1; then
	echo "SKIP: the throwaway MariaDB is not running (scripts/servers.sh start)"
	exit 77
fi
WORK=$(mktemp -d /tmp/rp-it-XXXXXX)
# Databases are recorded in files, not arrays: fresh_db runs in a command
# substitution (a subshell), whose variables the EXIT trap never sees.
cleanup() {
	local db
	if [ -f "$WORK/.mariadb-dbs" ]; then
		while IFS= read -r db; do
			admin_sql -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1
		done <"$WORK/.mariadb-dbs"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

admin_sql() { mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$@"; }

# A fresh, empty database with a name unique to this test run.
fresh_db() {
	local db="rpit_$1_$$"
	admin_sql -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci" || exit 3
	echo "$db" >>"$WORK/.mariadb-dbs"
	echo "$db"
}

# The fixture site loaded into a fresh database.
fixture_db() {
	local db
	db=$(fresh_db "$1")
	admin_sql "$db" <"$SRC/fixtures/mariadb/wordpress.sql" || { echo "cannot load the fixture" >&2; exit 3; }
	echo "$db"
}

uri() { echo "mysql://revpack@127.0.0.1:$REVPACK_MARIADB_PORT/$1"; }

rp_export() { "$RP" export --quiet --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" "$@"; }

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }
# check_grep DESCRIPTION PATTERN TEXT
check_grep() { if grep -qE -- "$2" <<<"$3"; then ok; else bad "$1: /$2/ not in:"; echo "$3" | sed 's/^/    /' | head -20; fi; }

# Digests of every table of the inventory: "name<TAB>rows<TAB>digest", sorted.
inventory_digests() {
	python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"i": "urn:revpack:inventory:1"}
root = ET.parse(sys.argv[1]).getroot()
for s in root.findall("i:source", ns):
    if s.get("name") != sys.argv[2]:
        continue
    def name(t):
        return (t.get("schema") + "." if t.get("schema") else "") + t.get("name")
    for t in sorted(s.findall("i:table", ns), key=lambda t: name(t).encode()):
        print(f'{name(t)}\t{t.get("rows")}\t{t.get("digest")}')
PY
}

# The digest computed by MariaDB itself with SQL (formats/digest.md):
# independent of revpack's reading code. Prints "name<TAB>rows<TAB>digest".
server_digests() {
	local db=$1 t digest_cells
	# One cell item per column; a FLOAT without (M,D) is read as a DOUBLE,
	# as revpack reads it (formats/digest.md).
	digest_cells=$(cat <<'EOSQL'
SELECT GROUP_CONCAT(CONCAT('IF(', q, ' IS NULL, X''00'', CONCAT(X''01'', UNHEX(LPAD(HEX(OCTET_LENGTH(CAST(CONCAT('''', ', e, ') AS BINARY))), 16, ''0'')), CAST(CONCAT('''', ', e, ') AS BINARY)))') ORDER BY pos SEPARATOR ', ')
FROM (SELECT pos, q, IF(dt = 'float' AND ct NOT LIKE '%(%', CONCAT('CAST(', q, ' AS DOUBLE)'), q) AS e
      FROM (SELECT ORDINAL_POSITION AS pos, DATA_TYPE AS dt, COLUMN_TYPE AS ct,
                   CONCAT('`', REPLACE(COLUMN_NAME, '`', '``'), '`') AS q
            FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t) a) b
EOSQL
	)
	admin_sql -N -B "$db" -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=DATABASE() AND TABLE_TYPE='BASE TABLE' ORDER BY BINARY TABLE_NAME" |
	while IFS= read -r t; do
		local cells tq=${t//\`/\`\`} ts=${t//\'/\'\'}
		cells=$(admin_sql -N -B "$db" -e "SET @t = '$ts'; $digest_cells")
		admin_sql -N -B "$db" -e "SET time_zone='+00:00'; SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTR(h,1,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,17,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,33,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,49,16),16,10) AS DECIMAL(30))),0) FROM (SELECT SHA2(CONCAT($cells), 256) AS h FROM \`$tq\`) x" |
		python3 -c '
import sys
n, *lanes = sys.stdin.read().split()
total = sum(int(v) << (64 * (3 - i)) for i, v in enumerate(lanes)) % (1 << 256)
print(f"{sys.argv[1]}\t{n}\t{total:064x}")' "$t"
	done
}

# expect_failure NAME PATTERN OUT-PATH command...: the command fails with
# exit 3 and one error line matching PATTERN, leaving neither the package
# nor a temporary beside it.
expect_failure() {
	local name=$1 pattern=$2 out=$3 msg rc
	shift 3
	msg=$("$@" 2>&1)
	rc=$?
	check_eq "$name: exit code" 3 "$rc"
	check_grep "$name: message" "$pattern" "$msg"
	check_eq "$name: one error line" 1 "$(grep -c '^revpack: error:' <<<"$msg")"
	check "$name: no package" test ! -e "$out"
	check "$name: no temporary left" test -z "$(find "$(dirname "$out")" -maxdepth 1 -name '.*rp-tmp*')"
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

# ---- PostgreSQL ----
export PGPASSFILE=$REVPACK_PG_PASSFILE
pg_ready() { runuser -u postgres -- psql -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; }
require_pg() {
	if ! pg_ready; then
		echo "SKIP: the throwaway PostgreSQL is not running (scripts/servers.sh start)"
		exit 77
	fi
}
# As the superuser, over the socket.
pg_admin() { runuser -u postgres -- psql -h "$REVPACK_PG_SOCKET_DIR" -p "$REVPACK_PG_PORT" -X -v ON_ERROR_STOP=1 -q "$@"; }
# As the export role, over TCP with the pgpass file.
pg_user() { psql -h 127.0.0.1 -p "$REVPACK_PG_PORT" -U revpack -X -v ON_ERROR_STOP=1 -q "$@"; }
pg_conninfo() { echo "host=127.0.0.1 port=$REVPACK_PG_PORT user=revpack dbname=$1"; }
pg_cleanup() {
	local db
	[ -f "$WORK/.pgsql-dbs" ] || return 0
	while IFS= read -r db; do
		pg_admin -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
	done <"$WORK/.pgsql-dbs"
}
trap 'pg_cleanup; cleanup' EXIT
# A fresh empty database owned by the export role (as a customer would
# restore into).
pg_fresh_db() {
	local db="rpit_$1_$$"
	pg_admin -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\" OWNER revpack TEMPLATE template0 ENCODING 'UTF8'" >/dev/null || exit 3
	echo "$db" >>"$WORK/.pgsql-dbs"
	echo "$db"
}
pg_fixture_db() {
	local db
	db=$(pg_fresh_db "$1")
	pg_admin -d "$db" -f "$SRC/fixtures/pgsql/customer_area.sql" >/dev/null || { echo "cannot load the PostgreSQL fixture" >&2; exit 3; }
	echo "$db"
}

# The digest computed by PostgreSQL itself with SQL (formats/digest.md):
# bytea hashed as bytes, every other type as its output text. Prints
# "schema.table<TAB>rows<TAB>digest" for every table holding rows.
pg_server_digests() {
	local db=$1 t expr
	pg_admin -d "$db" -At -F $'\t' -c "SELECT c.oid, n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY (n.nspname || '.' || c.relname) COLLATE \"C\"" |
	while IFS=$'\t' read -r oid t; do
		expr=$(pg_admin -d "$db" -At -c "SELECT string_agg(format('CASE WHEN num_nulls(%1\$I) = 1 THEN ''\\x00''::bytea ELSE ''\\x01''::bytea || int8send(octet_length(%2\$s)::int8) || %2\$s END', attname, CASE WHEN (WITH RECURSIVE b(t) AS (SELECT a.atttypid UNION ALL SELECT u.typbasetype FROM b JOIN pg_type u ON u.oid = b.t WHERE u.typtype = 'd') SELECT bool_or(t = 'bytea'::regtype) FROM b) THEN quote_ident(attname) || '::bytea' ELSE format('textsend(format(''%%s'', %I))', attname) END), ' || ' ORDER BY attnum) FROM pg_attribute a WHERE attrelid = $oid AND attnum > 0 AND NOT attisdropped")
		pg_admin -d "$db" -At -F ' ' -c "SET extra_float_digits = 3; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; SET bytea_output = 'hex';
			SELECT count(*), $(for k in 1 17 33 49; do printf "COALESCE(sum(('x' || substr(h, $k, 16))::bit(64)::bigint::numeric + CASE WHEN ('x' || substr(h, $k, 16))::bit(64)::bigint < 0 THEN 18446744073709551616 ELSE 0 END), 0)%s" "$([ $k = 49 ] || echo ,)"; done)
			FROM (SELECT encode(sha256($expr), 'hex') AS h FROM ONLY $(pg_admin -d "$db" -Atc "SELECT $oid::regclass")) x" | tail -1 |
		python3 -c '
import sys
n, *lanes = sys.stdin.read().split()
total = sum(int(v) << (64 * (3 - i)) for i, v in enumerate(lanes)) % (1 << 256)
print(f"{sys.argv[1]}\t{n}\t{total:064x}")' "$t"
	done
}
