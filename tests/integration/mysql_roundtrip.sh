#!/usr/bin/env bash
# The fixture site exports into a bag that verifies, whose inventory is
# valid, whose CSV keep NULL apart from '', and whose dump.sql restores
# with the stock mysql client into identical data and schema.
source "$(dirname "$0")/lib.sh"

src=$(fixture_db rt_src)
dst=$(fresh_db rt_dst)
pkg=$WORK/site-package

out=$(rp_export --mysql "wp=$(uri "$src")" --organization "Mutuelle Exemple Assurances" -o "$pkg" 2>&1)
check_eq "export exit code" 0 $?
check_grep "export prints the identity" "Identity \(SHA-256 of tagmanifest-sha256.txt\): [0-9a-f]{64}" "$out"
check "bag layout" test -f "$pkg/bagit.txt" -a -f "$pkg/bag-info.txt" -a -f "$pkg/manifest-sha256.txt" \
	-a -f "$pkg/tagmanifest-sha256.txt" -a -f "$pkg/data/inventory.xml" -a -f "$pkg/data/database/wp/dump.sql"
check "one CSV per table" test -f "$pkg/data/database/wp/csv/wp_posts.csv" -a -f "$pkg/data/database/wp/csv/wp_rp_legacy_contacts.csv"
check "no view CSV" test ! -e "$pkg/data/database/wp/csv/wp_rp_published_pages.csv"
check "no temporary file anywhere" test -z "$(find "$pkg" "$WORK" -name '*.rp-tmp*')"
check "nothing hidden left in the package (scratch or staging folders)" test -z "$(find "$pkg" -name '.*')"
check "package is owner-only" test "$(stat -c %a "$pkg")" = 700

# bag-info: the labels the issue names, never a credential
info=$(cat "$pkg/bag-info.txt")
check_grep "Source-Organization" "^Source-Organization: Mutuelle Exemple Assurances$" "$info"
check_grep "Bagging-Date" "^Bagging-Date: [0-9]{4}-[0-9]{2}-[0-9]{2}$" "$info"
check_grep "External-Identifier" "^External-Identifier: urn:uuid:" "$info"
check_grep "Revpack-Source" "^Revpack-Source: wp: MariaDB .* on 127.0.0.1:$REVPACK_MARIADB_PORT, database $src$" "$info"
check_grep "Revpack-Snapshot-Time" "^Revpack-Snapshot-Time: wp: [0-9T:-]+Z$" "$info"
check_grep "Revpack-Version" "^Revpack-Version: " "$info"
files=$(find "$pkg/data" -type f | wc -l)
bytes=$(find "$pkg/data" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
check_grep "Payload-Oxum" "^Payload-Oxum: $bytes.$files$" "$info"
pw=$(sed -n 's/^password=//p' "$REVPACK_MARIADB_EXPORT_CNF")
check "no password anywhere in the package" test -z "$(grep -rlF -- "$pw" "$pkg")"

# the manifests check out with stock sha256sum too
check "sha256sum -c manifest" bash -c "cd '$pkg' && sha256sum --quiet -c manifest-sha256.txt"
check "sha256sum -c tagmanifest" bash -c "cd '$pkg' && sha256sum --quiet -c tagmanifest-sha256.txt"

# verify
vout=$("$RP" verify "$pkg")
check_eq "verify exit code" 0 $?
check_grep "verify says valid" "^Result: VALID$" "$vout"
ident=$(sha256sum "$pkg/tagmanifest-sha256.txt" | cut -c1-64)
check_grep "verify prints the identity" "$ident" "$vout"
check_grep "export and verify agree on the identity" "$ident" "$out"

# inventory validates with xmllint against the schema in formats/
check "inventory.xml valid (xmllint)" xmllint --noout --schema "$SRC/formats/inventory.xsd" "$pkg/data/inventory.xml"

# digests: inventory = computed by MariaDB itself on the source
inventory_digests "$pkg/data/inventory.xml" wp >"$WORK/inv.txt"
server_digests "$src" >"$WORK/src.txt"
check "inventory digests equal the source's (computed in SQL by MariaDB)" diff "$WORK/src.txt" "$WORK/inv.txt"
check "16 tables in the inventory" test "$(wc -l <"$WORK/inv.txt")" -eq 16

# restore with the stock client, as the package says
check_grep "dump.sql says how to restore" "^--   mysql NEWDB < dump.sql$" "$(head -20 "$pkg/data/database/wp/dump.sql")"
check "dump.sql has no CREATE DATABASE / USE" test -z "$(grep -E '^(CREATE DATABASE|USE )' "$pkg/data/database/wp/dump.sql")"
check "dump.sql has no DEFINER clause" test -z "$(grep -v '^--' "$pkg/data/database/wp/dump.sql" | grep -F 'DEFINER=')"
check_grep "definers recorded in the inventory" 'definer="[^"]+@' "$(cat "$pkg/data/inventory.xml")"
mysql --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$dst" <"$pkg/data/database/wp/dump.sql"
check_eq "restore with mysql" 0 $?
server_digests "$dst" >"$WORK/dst.txt"
check "restored digests (computed in SQL by MariaDB) equal the inventory's" diff "$WORK/inv.txt" "$WORK/dst.txt"
"$RP" digest --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" --mysql "$(uri "$dst")" >"$WORK/dst-rp.txt"
check "revpack digest of the restored database equals the inventory's" diff "$WORK/inv.txt" "$WORK/dst-rp.txt"

# schema: every table, view, trigger and routine comes back the same
schema_of() {
	local db=$1 t
	for t in $(admin_sql -N -B "$db" -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=DATABASE() ORDER BY BINARY TABLE_NAME"); do
		admin_sql -N -B "$db" -e "SHOW CREATE TABLE \`$t\`" | cut -f2 | sed -E 's/ DEFINER=`[^`]*`@`[^`]*`//'
	done
	admin_sql -N -B "$db" -e "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=DATABASE() ORDER BY 1"
	admin_sql -N -B "$db" -e "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=DATABASE() ORDER BY 1"
	admin_sql -N -B "$db" -e "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA=DATABASE() ORDER BY 1" | sed "s/\`$db\`\\.//g"
}
schema_of "$src" >"$WORK/schema-src.txt"
schema_of "$dst" >"$WORK/schema-dst.txt"
sed -i "s/\`$dst\`\\.//g" "$WORK/schema-dst.txt"
sed -i "s/\`$src\`\\.//g" "$WORK/schema-src.txt"
check "schema listing of source and restored database equal" diff "$WORK/schema-src.txt" "$WORK/schema-dst.txt"
check "the schema listing is not empty (view, trigger, procedure present)" \
	grep -q wp_rp_count_posts "$WORK/schema-src.txt"

# byte-level spot checks on the restored data
hex_of() { admin_sql -N -B "$1" -e "$2"; }
check_eq "latin1 table holding UTF-8 bytes kept byte for byte" \
	"$(hex_of "$src" 'SELECT GROUP_CONCAT(HEX(company) ORDER BY contact_id) FROM wp_rp_legacy_contacts')" \
	"$(hex_of "$dst" 'SELECT GROUP_CONCAT(HEX(company) ORDER BY contact_id) FROM wp_rp_legacy_contacts')"
check_eq "CR LF inside post content kept" \
	"$(hex_of "$src" "SELECT COUNT(*) FROM wp_posts WHERE post_content LIKE CONCAT('%', CHAR(13), CHAR(10), '%')")" \
	"$(hex_of "$dst" "SELECT COUNT(*) FROM wp_posts WHERE post_content LIKE CONCAT('%', CHAR(13), CHAR(10), '%')")"
check "the fixture does hold CR LF text" test "$(hex_of "$src" "SELECT COUNT(*) FROM wp_posts WHERE post_content LIKE CONCAT('%', CHAR(13), CHAR(10), '%')")" -gt 0
check_eq "zero dates kept" \
	"$(hex_of "$src" "SELECT COUNT(*) FROM wp_posts WHERE post_date_gmt = '0000-00-00 00:00:00'")" \
	"$(hex_of "$dst" "SELECT COUNT(*) FROM wp_posts WHERE post_date_gmt = '0000-00-00 00:00:00'")"
check_eq "NULL and '' meta values kept apart" \
	"$(hex_of "$src" "SELECT CONCAT(SUM(meta_value IS NULL), '/', SUM(meta_value = ''))  FROM wp_postmeta")" \
	"$(hex_of "$dst" "SELECT CONCAT(SUM(meta_value IS NULL), '/', SUM(meta_value = ''))  FROM wp_postmeta")"

# CSV: parses with Python's csv module, right columns, NULL vs ''
python3 - "$pkg" "$src" <<'PY' >"$WORK/csv.txt"
import csv, sys, xml.etree.ElementTree as ET
pkg = sys.argv[1]
ns = {"i": "urn:revpack:inventory:1"}
root = ET.parse(pkg + "/data/inventory.xml").getroot()
bad = 0
for t in root.iter("{urn:revpack:inventory:1}table"):
    cols = [c.get("name") for c in t.findall("i:column", ns)]
    path = [f.get("path") for f in t.findall("i:file", ns) if f.get("role") == "csv"][0]
    with open(pkg + "/" + path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != cols:
        print("header mismatch", path); bad += 1
    if len(rows) - 1 != int(t.get("rows")):
        print("row count mismatch", path); bad += 1
    if any(len(r) != len(cols) for r in rows):
        print("field count mismatch", path); bad += 1
# NULL is an empty unquoted field, '' is "": look at the raw postmeta file
raw = open(pkg + "/data/database/wp/csv/wp_postmeta.csv", "rb").read()
print("null-cell" if b",\r\n" in raw or b",,"in raw else "no-null-cell")
print("empty-cell" if b',""\r\n' in raw or b',"",' in raw else "no-empty-cell")
print("bad", bad)
PY
check_grep "CSV parse with the inventory's columns and rows" "^bad 0$" "$(cat "$WORK/csv.txt")"
check_grep "NULL written as an empty unquoted field" "^null-cell$" "$(cat "$WORK/csv.txt")"
check_grep "empty string written as \"\"" "^empty-cell$" "$(cat "$WORK/csv.txt")"
check "CSV are valid UTF-8" bash -c "cat '$pkg'/data/database/wp/csv/*.csv | iconv -f UTF-8 -t UTF-8 >/dev/null"
check_grep "BLOB column as \\x hex in CSV" '\\x[0-9a-f]+' "$(cat "$pkg/data/database/wp/csv/wp_rp_documents.csv")"

finish
