#!/usr/bin/env bash
# SIARD 2.2 (formats/siard.md): every exported database carries a .siard that
# stock ZIP tools accept, whose metadata.xml validates with xmllint against
# the official schema and whose every table validates against its own XSD;
# row counts agree with the inventory; NULL and the empty string stay
# distinct; values SIARD's types cannot hold (zero dates, NaN, control
# characters, bytes that are not UTF-8) keep their digest (revpack verify
# recomputes it from the SIARD rows); a tampered .siard fails verify.
source "$(dirname "$0")/lib.sh"

SHARED=${REVPACK_SHARED_DIR:-$SRC/../shared}
XSD=$SHARED/reference/siard/metadata.xsd
[ -f "$XSD" ] || XSD=$SRC/formats/siard/metadata.xsd

wp=$(fixture_db siard_wp)
ty=$(fresh_db siard_types)
admin_sql "$ty" <<'SQL' || { bad "create the test tables"; finish; }
SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
CREATE TABLE ty (id INT PRIMARY KEY, p POINT, g GEOMETRY, b BIT(3), ts TIMESTAMP(3) NULL,
  i6 INET6, u UUID, f FLOAT, d DOUBLE, dc DECIMAL(20,6), y YEAR, t TIME(2), e ENUM('a','é'),
  s SET('x','y'), j JSON, c CHAR(5) CHARACTER SET latin1, bin BINARY(4), big LONGTEXT,
  gen INT AS (id * 10) STORED, hid INT INVISIBLE DEFAULT 7, flag BIT(1)) ENGINE=InnoDB;
INSERT INTO ty (id, p, g, b, ts, i6, u, f, d, dc, y, t, e, s, j, c, bin, big, flag) VALUES
 (1, POINT(1.5, 2), ST_GeomFromText('LINESTRING(0 0,1 1)'), b'101', '2024-02-29 23:59:59.123',
  '::1', '123e4567-e89b-12d3-a456-426614174000', 3.14159, -1.5e-300, -12345678901234.000001, 2024,
  '-838:59:59', 'é', 'x,y', '{"a": [1, "é"]}', 'ab', 'ab', REPEAT('é\r\n\'"\\', 150000), b'1'),
 (2, NULL, NULL, b'000', '1970-01-01 00:00:01', NULL, NULL, 0, 0, 0, 0, '00:00:00', '', '', NULL, '', X'00000000', '', b'0');
INSERT INTO ty (id) VALUES (3);
-- zero dates (SIARD's DATE/TIMESTAMP cannot hold them), text SIARD must escape
SET sql_mode = '';
CREATE TABLE odd (id INT PRIMARY KEY, d DATE, dt DATETIME, ne VARCHAR(20), txt TEXT,
  l1 VARCHAR(20) CHARACTER SET latin1, bl LONGBLOB, lt LONGTEXT CHARACTER SET latin1) ENGINE=InnoDB;
INSERT INTO odd VALUES
 (1, '0000-00-00', '0000-00-00 00:00:00', '', CONCAT('nul', CHAR(0), 'ctl', CHAR(1), CHAR(27), ']]>', CHAR(13), 'x\\u0041  y'),
  X'636166E9', REPEAT(X'00FF', 100000), REPEAT(X'E9', 70000)),
 (2, '2024-02-29', '2024-00-10 12:00:00', NULL, NULL, NULL, NULL, NULL),
 (3, '2024-03-01', '2024-03-01 10:00:00', 'x', '2024-03-01T10:00:00Z', 'plain', X'', REPEAT('ok ', 30000));
CREATE TABLE `table é ``odd`` name` (`col é` VARCHAR(10), `select` INT) ENGINE=InnoDB;
INSERT INTO `table é ``odd`` name` VALUES ('ok', 1), ('ok', 1), (NULL, NULL);
CREATE TABLE nothing (id INT PRIMARY KEY) ENGINE=InnoDB;
-- numbers of more than 24 digits (libxml2 checks no longer xs:decimal)
CREATE TABLE wide (id INT PRIMARY KEY, a DECIMAL(65,30), b DECIMAL(65,0)) ENGINE=InnoDB;
INSERT INTO wide VALUES (1, 1, 12345678901234567890123456789012345678901234567890123456789012345),
 (2, -12345678901234567890123456789012345.123456789012345678901234567891, -1),
 (3, 0.000000000000000000000000000001, NULL);
SQL

pkg=$WORK/pkg
rp_export --mysql "wp=$(uri "$wp")" --mysql "ty=$(uri "$ty")" -o "$pkg" >/dev/null
check_eq "export" 0 $?
out=$("$RP" verify "$pkg" 2>&1)
check_eq "verify (digests recomputed from the SIARD rows)" 0 $?
check_grep "verify says VALID" "^Result: VALID" "$out"

# Extracts a .siard with Python (the test may; verify itself never does) and
# prints "schema/table<TAB>folder<TAB>rows-in-metadata<TAB>rows-in-file" lines.
siard_facts() {
	python3 - "$1" "$2" <<'PY'
import sys, zipfile, xml.etree.ElementTree as ET
path, dest = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(path)
z.extractall(dest)
ns = {"m": "http://www.bar.admin.ch/xmlns/siard/2/metadata.xsd"}
t_ns = "{http://www.bar.admin.ch/xmlns/siard/2/table.xsd}"
root = ET.parse(f"{dest}/header/metadata.xml").getroot()
for s in root.findall("m:schemas/m:schema", ns):
    sf = s.find("m:folder", ns).text
    for t in s.findall("m:tables/m:table", ns):
        tf = t.find("m:folder", ns).text
        rows = sum(1 for ev, el in ET.iterparse(f"{dest}/content/{sf}/{tf}/{tf}.xml") if el.tag == t_ns + "row")
        print(f'{s.find("m:name", ns).text}/{t.find("m:name", ns).text}\t{sf}/{tf}\t{t.find("m:rows", ns).text}\t{rows}')
PY
}

for name in wp ty; do
	siard=$pkg/data/database/$name/$name.siard
	check "$name: the .siard is there" test -f "$siard"
	check "$name: no staging folder left" test ! -e "$pkg/data/database/$name/.siard-staging"
	check_grep "$name: inventory records the .siard" "role=\"siard\" path=\"data/database/$name/$name.siard\"" \
		"$(cat "$pkg/data/inventory.xml")"
	check "$name: unzip -t accepts it" unzip -tq "$siard"
	check "$name: Python's zipfile accepts it" python3 -c "import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)" "$siard"
	if command -v 7z >/dev/null; then
		check "$name: 7z accepts it" 7z t "$siard" >/dev/null
	else
		echo "note: 7z not installed, that check is skipped"
	fi
	x=$WORK/x_$name
	mkdir -p "$x"
	siard_facts "$siard" "$x" >"$WORK/facts_$name" || bad "$name: read the .siard with Python"
	check "$name: header/siardversion/2.2/ exists" test -d "$x/header/siardversion/2.2"
	check "$name: header/metadata.xsd is the official schema" cmp -s "$x/header/metadata.xsd" "$XSD"
	check "$name: only header/ and content/ at the top" test "$(ls "$x" | tr '\n' ' ')" = "content header "
	out=$(xmllint --noout --schema "$XSD" "$x/header/metadata.xml" 2>&1)
	check_eq "$name: metadata.xml validates against the official metadata.xsd: $out" 0 $?
	while IFS=$'\t' read -r tname folder mrows frows; do
		tf=${folder#*/}
		check_eq "$name: $tname: rows in metadata.xml = rows in $tf.xml" "$mrows" "$frows"
		# xmllint, like revpack, uses libxml2, which takes no xs:decimal or
		# xs:integer of more than 24 digits; revpack verify checks that table
		[ "${tname#*/}" = wide ] && continue
		out=$(xmllint --noout --huge --schema "$x/content/$folder/$tf.xsd" "$x/content/$folder/$tf.xml" 2>&1)
		check_eq "$name: $tname: $tf.xml validates against $tf.xsd: $out" 0 $?
	done <"$WORK/facts_$name"
	# rows in the metadata = the inventory's
	inventory_digests "$pkg/data/inventory.xml" "$name" | cut -f1,2 | sort >"$WORK/inv_$name"
	sed 's|^[^/]*/||' "$WORK/facts_$name" | cut -f1,3 | sort >"$WORK/meta_$name"
	check "$name: every table, with the inventory's row count" diff "$WORK/inv_$name" "$WORK/meta_$name"
done
check "wp: 16 tables in the SIARD" test "$(wc -l <"$WORK/facts_wp")" -eq 16

# The values: NULL vs '', zero dates, escapes, LOB files.
python3 - "$WORK/x_ty" >"$WORK/cells" <<'PY'
import sys, xml.etree.ElementTree as ET
d = sys.argv[1]
ns = {"m": "http://www.bar.admin.ch/xmlns/siard/2/metadata.xsd"}
t = "{http://www.bar.admin.ch/xmlns/siard/2/table.xsd}"
root = ET.parse(f"{d}/header/metadata.xml").getroot()
for s in root.findall("m:schemas/m:schema", ns):
    sf = s.find("m:folder", ns).text
    for tab in s.findall("m:tables/m:table", ns):
        if tab.find("m:name", ns).text != "odd":
            continue
        tf = tab.find("m:folder", ns).text
        for c in tab.findall("m:columns/m:column", ns):
            print("type", c.find("m:name", ns).text, c.find("m:type", ns).text)
        for i, row in enumerate(ET.parse(f"{d}/content/{sf}/{tf}/{tf}.xml").getroot()):
            cells = {c.tag[len(t):]: c for c in row}
            for k in ("c2", "c3", "c4", "c5", "c6", "c7", "c8"):
                c = cells.get(k)
                if c is None:
                    print(f"row{i+1} {k} NULL")
                elif c.get("file"):
                    print(f"row{i+1} {k} file={c.get('file')} length={c.get('length')}")
                else:
                    print(f"row{i+1} {k} [{c.text or ''}]")
PY
cells=$(cat "$WORK/cells")
check_grep "empty string is an empty element" '^row1 c4 \[\]$' "$cells"
check_grep "NULL is an omitted element" '^row2 c4 NULL$' "$cells"
check_grep "zero date written as it is" '^row1 c2 \[0000-00-00\]$' "$cells"
check_grep "a DATE column with a zero date is a character string in SIARD" '^type d VARCHAR\(11\)$' "$cells"
check_grep "a real date is xs:date" '^row3 c2 \[2024-03-01Z\]$' "$cells"
check_grep "zero-in-date datetime written as it is" '^row2 c3 \[2024-00-10 12:00:00\]$' "$cells"
check_grep "timestamps become xs:dateTime" '^row3 c3 \[2024-03-01T10:00:00Z\]$' "$cells"
check_grep "controls, backslash, spaces escaped as SIARD says" '^row1 c5 \[nul\\u0000ctl\\u0001\\u001b\]\]>.x\\u005cu0041 \\u0020y\]$' "$cells"
check_grep "a text that looks like a timestamp stays text" '^row3 c5 \[2024-03-01T10:00:00Z\]$' "$cells"
check_grep "bytes that are not UTF-8 escaped" '^row1 c6 \[caf\\xe9\]$' "$cells"
check_grep "a long BLOB is a LOB file" '^row1 c7 file=content/schema0/table[0-9]+/lob7/lob_[0-9a-f]{64}[.]bin length=200000$' "$cells"
check_grep "an empty BLOB is an empty element" '^row3 c7 \[\]$' "$cells"
check_grep "a long CLOB that is not UTF-8 is a .bin LOB file" '^row1 c8 file=content/schema0/table[0-9]+/lob8/lob_[0-9a-f]{64}[.]bin length=70000$' "$cells"
check_grep "a long UTF-8 CLOB is a .txt LOB file, length in characters" '^row3 c8 file=content/schema0/table[0-9]+/lob8/lob_[0-9a-f]{64}[.]txt length=90000$' "$cells"
check "the LOB files hold the bytes" test "$(find "$WORK/x_ty" -name 'lob_*.bin' -path '*lob7*' -size 200000c | wc -l)" -eq 1
check_grep "the odd table name is in metadata.xml" 'table é `odd` name' "$(cat "$WORK/x_ty/header/metadata.xml")"
check_grep "keys are described" '<primaryKey>' "$(cat "$WORK/x_ty/header/metadata.xml")"
check_grep "wp: the view's query is kept" 'wp_rp_published_pages' "$(cat "$WORK/x_wp/header/metadata.xml")"
check_grep "wp: the view is a SIARD view with typed columns" \
	'<view>[[:space:]]*<name>wp_rp_published_pages</name>' "$(tr -d '\n' <"$WORK/x_wp/header/metadata.xml")"
check_grep "wp: view columns are typed" '<name>post_title</name>[[:space:]]*<type>' "$(tr -d '\n' <"$WORK/x_wp/header/metadata.xml" | grep -o '<view>.*</view>')"
check_grep "wp: triggers are described" '<actionTime>AFTER</actionTime>' "$(cat "$WORK/x_wp/header/metadata.xml")"

# ---- tampering ----
# forge FILE...: recompute the manifests and the inventory's digests of FILEs.
forge() {
	python3 - "$@" <<'PY'
import hashlib, re, sys, os
def h(p): return hashlib.sha256(open(p, 'rb').read()).hexdigest()
def dec(q): return re.sub(r'%(0A|0D|25)', lambda m: {'0A': '\n', '0D': '\r', '25': '%'}[m.group(1)], q)
inv = open('data/inventory.xml').read()
for p in sys.argv[1:]:
    inv = re.sub(r'(path="' + re.escape(p) + r'" bytes=")\d+(" sha256=")[0-9a-f]{64}',
                 lambda m: m.group(1) + str(os.path.getsize(p)) + m.group(2) + h(p), inv)
open('data/inventory.xml', 'w').write(inv)
for m in ('manifest-sha256.txt', 'tagmanifest-sha256.txt'):
    out = []
    for l in open(m).read().splitlines():
        d, q = l.split('  ', 1)
        out.append(h(dec(q)) + '  ' + q)
    open(m, 'w').write('\n'.join(out) + '\n')
total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk('data') for f in fs)
files = sum(len(fs) for _, _, fs in os.walk('data'))
bi = re.sub(r'Payload-Oxum: .*', f'Payload-Oxum: {total}.{files}', open('bag-info.txt').read())
open('bag-info.txt', 'w').write(bi)
out = []
for l in open('tagmanifest-sha256.txt').read().splitlines():
    d, q = l.split('  ', 1)
    out.append(h(q) + '  ' + q)
open('tagmanifest-sha256.txt', 'w').write('\n'.join(out) + '\n')
PY
}
# rezip SIARD ENTRY PYTHON-EXPR: rewrite one entry of a .siard (data as bytes in d)
rezip() {
	python3 - "$@" <<'PY'
import sys, zipfile, shutil
path, entry, expr = sys.argv[1:4]
src = zipfile.ZipFile(path)
tmp = path + '.new'
with zipfile.ZipFile(tmp, 'w') as dst:
    for info in src.infolist():
        d = src.read(info)
        if info.filename == entry:
            new = eval(expr)
            if new == d:
                sys.exit("nothing changed in " + entry)
            d = new
        dst.writestr(info, d)
shutil.move(tmp, path)
PY
}

n=0
tamper() {
	local what=$1 pattern=$2 snippet=$3 copy out rc
	n=$((n + 1))
	copy=$WORK/t$n
	cp -a "$pkg" "$copy"
	(cd "$copy" && eval "$snippet") || { bad "$what: could not tamper"; return; }
	out=$("$RP" verify "$copy" 2>&1)
	rc=$?
	check_eq "$what: exit code" 1 "$rc"
	check_grep "$what: reported" "$pattern" "$out"
}
S=data/database/wp/wp.siard
wp_posts=$(grep -P '/wp_posts\t' "$WORK/facts_wp" | cut -f2)
tamper "a cell changed in the .siard, manifests forged" \
	"PROBLEM $S: content/$wp_posts/${wp_posts#*/}.xml: table wp_posts: content digest" \
	"rezip $S content/$wp_posts/${wp_posts#*/}.xml \"d.replace(b'<c1>1</c1>', b'<c1>100000</c1>', 1)\" && forge $S"
tamper "a row removed from the .siard, manifests forged" \
	"PROBLEM $S: content/$wp_posts/${wp_posts#*/}.xml: holds [0-9]+ rows, header/metadata.xml says" \
	"rezip $S content/$wp_posts/${wp_posts#*/}.xml \"d[:d.index(b'<row>')] + d[d.index(b'</row>') + 7:]\" && forge $S"
tamper "metadata.xml made invalid, manifests forged" \
	"PROBLEM $S: header/metadata.xml: .*(not valid|dataOwner)" \
	"rezip $S header/metadata.xml \"d.replace(b'<dataOwner>', b'<dataOwnr>').replace(b'</dataOwner>', b'</dataOwnr>')\" && forge $S"
tamper "a table XML not matching its XSD, manifests forged" \
	"PROBLEM $S: content/$wp_posts/${wp_posts#*/}.xml: line [0-9]+: not valid" \
	"rezip $S content/$wp_posts/${wp_posts#*/}.xml \"d.replace(b'<c1>1</c1>', b'<c1>one</c1>', 1)\" && forge $S"
T=data/database/ty/ty.siard
ty_wide=$(grep -P '/wide\t' "$WORK/facts_ty" | cut -f2)
check_grep "a DECIMAL(65,30) is written with its 30 decimals" '<c2>1[.]0{30}</c2>' \
	"$(unzip -p "$pkg/$T" "content/$ty_wide/${ty_wide#*/}.xml")"
tamper "a wide DECIMAL made an exponent form, manifests forged" \
	"PROBLEM $T: content/$ty_wide/${ty_wide#*/}.xml: line [0-9]+: not valid .*1[.]0{30}e3" \
	"rezip $T content/$ty_wide/${ty_wide#*/}.xml \"d.replace(b'<c2>1.$(printf '0%.0s' {1..30})</c2>', b'<c2>1.$(printf '0%.0s' {1..30})e3</c2>', 1)\" && forge $T"
tamper "a 65-digit number given two points, manifests forged" \
	"PROBLEM $T: content/$ty_wide/${ty_wide#*/}.xml: line [0-9]+: not valid .*'1[.]2[.]3" \
	"rezip $T content/$ty_wide/${ty_wide#*/}.xml \"d.replace(b'<c3>123', b'<c3>1.2.3', 1)\" && forge $T"
tamper "the official metadata.xsd replaced, manifests forged" \
	"PROBLEM $S: header/metadata.xsd is not the official" \
	"rezip $S header/metadata.xsd \"d + b'<!-- -->'\" && forge $S"
tamper "a byte of the .siard changed" "PROBLEM $S: SHA-256" \
	"size=\$(stat -c %s $S); printf 'Z' | dd of=$S bs=1 seek=\$((size / 2)) conv=notrunc status=none"
tamper "a byte of the .siard changed, manifests forged" "PROBLEM $S: " \
	"size=\$(stat -c %s $S); printf 'Z' | dd of=$S bs=1 seek=\$((size / 2)) conv=notrunc status=none && forge $S"
tamper "the .siard replaced by garbage, manifests forged" "PROBLEM $S: not a readable ZIP archive" \
	"echo garbage > $S && forge $S"

# ---- the archive is written while the export runs ----
# Table a is done, table b not (a 3 s pause at the end of each table, no
# table followed as it grows, each table one key range): a's rows must
# already be in the .siard, not wait for the end of the export (a full disk is found then; an interruption
# does not wait for the whole archive).
gr=$(fresh_db siard_growing)
admin_sql "$gr" <<'SQL' || bad "create the growing tables"
CREATE TABLE a (id INT PRIMARY KEY, t TEXT) ENGINE=InnoDB;
INSERT INTO a SELECT seq, REPEAT('x', 1000) FROM seq_1_to_6000;
CREATE TABLE b (id INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO b VALUES (1);
SQL
REVPACK_TEST_TABLE_DELAY_MS=3000 REVPACK_TEST_SIARD_FOLLOW_MIN=1000000000000 REVPACK_TEST_CHUNK_MIN_SPAN=1000000 \
	rp_export --jobs 1 --mysql "gr=$(uri "$gr")" --formats siard -o "$WORK/growing" >/dev/null 2>&1 &
rp_pid=$!
seen=
for _ in $(seq 1 100); do
	tmp=$(ls -d "$WORK"/.growing.rp-tmp-* 2>/dev/null | head -n 1)
	st=$tmp/data/database/gr/.siard-staging
	if [ -n "$tmp" ] && [ -e "$st/t0.xsd" ] && [ ! -e "$st/t1.xsd" ]; then
		sleep 1 # well inside table b's pause
		[ ! -e "$st/t1.xsd" ] && seen=$(stat -c %s "$tmp/data/database/gr/gr.siard" 2>/dev/null)
		break
	fi
	sleep 0.1
done
wait "$rp_pid"
check_eq "growing: export" 0 $?
check "growing: seen between the ends of table a and table b" test -n "$seen"
check "growing: table a's 6 MB were in the .siard before table b ended (${seen:-?} bytes)" \
	test "${seen:-0}" -gt 6000000
check "growing: verify" "$RP" verify -q "$WORK/growing"

# ---- PostgreSQL (when its fixture and server are there) ----
if declare -F pg_fixture_db >/dev/null && declare -F pg_ready >/dev/null && pg_ready; then
	pgdb=$(pg_fixture_db siard_pg)
	pgpkg=$WORK/pgpkg
	rp_export --pgsql "ca=$(pg_conninfo "$pgdb")" -o "$pgpkg" >/dev/null
	check_eq "pgsql: export" 0 $?
	check "pgsql: verify (digests recomputed from the SIARD rows)" "$RP" verify -q "$pgpkg"
	x=$WORK/x_ca
	mkdir -p "$x"
	siard_facts "$pgpkg/data/database/ca/ca.siard" "$x" >"$WORK/facts_ca" || bad "pgsql: read the .siard"
	out=$(xmllint --noout --schema "$XSD" "$x/header/metadata.xml" 2>&1)
	check_eq "pgsql: metadata.xml validates against the official metadata.xsd: $out" 0 $?
	while IFS=$'\t' read -r tname folder mrows frows; do
		tf=${folder#*/}
		out=$(xmllint --noout --huge --schema "$x/content/$folder/$tf.xsd" "$x/content/$folder/$tf.xml" 2>&1)
		check_eq "pgsql: $tname validates against $tf.xsd: $out" 0 $?
		check_eq "pgsql: $tname: rows in metadata.xml = rows in $tf.xml" "$mrows" "$frows"
	done <"$WORK/facts_ca"
	inventory_digests "$pgpkg/data/inventory.xml" ca | cut -f1,2 | sort >"$WORK/inv_ca"
	sed 's|/|.|' "$WORK/facts_ca" | cut -f1,3 | sort >"$WORK/meta_ca"
	check "pgsql: every table in its real schema, with the inventory's row count" diff "$WORK/inv_ca" "$WORK/meta_ca"
else
	echo "note: PostgreSQL fixture or server not available, the PostgreSQL part is skipped"
fi

finish
