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
CREATED_DBS=()
cleanup() {
	for db in "${CREATED_DBS[@]+"${CREATED_DBS[@]}"}"; do
		admin_sql -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

admin_sql() { mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$@"; }

# A fresh, empty database with a name unique to this test run.
fresh_db() {
	local db="rpit_$1_$$"
	admin_sql -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci" || exit 3
	CREATED_DBS+=("$db")
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
    for t in sorted(s.findall("i:table", ns), key=lambda t: t.get("name").encode()):
        print(f'{t.get("name")}\t{t.get("rows")}\t{t.get("digest")}')
PY
}

# The digest computed by MariaDB itself with SQL (formats/digest.md):
# independent of revpack's reading code. Prints "name<TAB>rows<TAB>digest".
server_digests() {
	local db=$1 t
	admin_sql -N -B "$db" -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=DATABASE() AND TABLE_TYPE='BASE TABLE' ORDER BY BINARY TABLE_NAME" |
	while IFS= read -r t; do
		local cells tq=${t//\`/\`\`} ts=${t//\'/\'\'}
		cells=$(admin_sql -N -B "$db" -e "SELECT GROUP_CONCAT(CONCAT('IF(\`', REPLACE(COLUMN_NAME,'\`','\`\`'), '\` IS NULL, X''00'', CONCAT(X''01'', UNHEX(SHA2(\`', REPLACE(COLUMN_NAME,'\`','\`\`'), '\`, 256))))') ORDER BY ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='$ts'")
		admin_sql -N -B "$db" -e "SET time_zone='+00:00'; SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTR(h,1,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,17,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,33,16),16,10) AS DECIMAL(30))),0), COALESCE(SUM(CAST(CONV(SUBSTR(h,49,16),16,10) AS DECIMAL(30))),0) FROM (SELECT SHA2(CONCAT($cells), 256) AS h FROM \`$tq\`) x" |
		python3 -c '
import sys
n, *lanes = sys.stdin.read().split()
total = sum(int(v) << (64 * (3 - i)) for i, v in enumerate(lanes)) % (1 << 256)
print(f"{sys.argv[1]}\t{n}\t{total:064x}")' "$t"
	done
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}
