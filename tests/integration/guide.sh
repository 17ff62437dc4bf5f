#!/usr/bin/env bash
# The offline guide (data/index.html and each WordPress site's pages),
# rendered in headless Chromium (tests/integration/guide/render.py drives it
# through the DevTools protocol): it loads nothing from outside the package,
# runs no script, shows the counts inventory.xml holds, its restore
# commands restore the databases as they were (run exactly as printed, with
# the connection settings in ~/.my.cnf and PG* variables as the guide says),
# content from the site cannot inject script, every link leads inside the
# package, and it prints on A4. French by default, English with --lang en,
# the same in the zip form.
source "$(dirname "$0")/lib.sh"
require_pg

CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: Debian's chromium is not installed (scripts/install-deps.sh)"
	exit 77
fi
HERE=$SRC/tests/integration/guide
render() { python3 "$HERE/render.py" --chromium "$CHROMIUM" "$@"; }
site_pages() { ls "$1"/data/content/wordpress/*/guide/*.html; }

# --- the harness can fail: a page that runs script, one that loads from outside
cat >"$WORK/control.html" <<'HTML'
<!DOCTYPE html><html><body><p>x</p><img src="nothing-here.png" onerror="window.__rp_pwned='control'">
<img src="http://203.0.113.7/pixel.png"></body></html>
HTML
ctl=$(render --root "$WORK/none" "$WORK/control.html")
check_eq "harness: Chromium rendered the control page" 0 $?
check_grep "harness: an injected handler is seen running" '"probe": "control"' "$ctl"
check_grep "harness: a load from outside is seen" '"outside": \[[^]]*"http://203.0.113.7/pixel.png"' "$ctl"

# --- the fixture site and customer area, with content that tries to run script
db=$(fixture_db guide)
admin_sql "$db" <"$HERE/hostile.sql" || exit 3
pdb=$(pg_fixture_db guide)
pkg=$WORK/site-2026
out=$(rp_export --mysql "wp=$(uri "$db")" --pgsql "espace=$(pg_conninfo "$pdb")" \
	--media "uploads=$SRC/fixtures/media/uploads" --organization "Mutuelle Exemple Assurances" -o "$pkg" 2>&1)
check_eq "export exit code" 0 $?
check "data/index.html is in the package" test -f "$pkg/data/index.html"
check "the guide is in the manifest" grep -qE "^[0-9a-f]{64}  data/index.html$" "$pkg/manifest-sha256.txt"
check "the site's pages are in the manifest" grep -qE "^[0-9a-f]{64}  data/content/wordpress/www.mutuelle-exemple.fr/guide/posts.html$" "$pkg/manifest-sha256.txt"
check "verify: valid" "$RP" verify -q "$pkg"
check "no script element in any guide page" test -z "$(grep -l '<script' "$pkg/data/index.html" $(site_pages "$pkg"))"

render --dom --text --root "$pkg" --pdf "$WORK/guide.pdf" --screenshot "$WORK/guide.png" \
	"$pkg/data/index.html" $(site_pages "$pkg") >"$WORK/fr.jsonl"
check_eq "rendered in Chromium" 0 $?
res=$(python3 "$HERE/check.py" "$pkg" "$WORK/fr.jsonl")
check_eq "check.py: every finding ok" 0 $?
echo "$res" | grep -E "^BAD" | sed 's/^/    /'
check_eq "check.py: no BAD line" "" "$(grep -E '^BAD' <<<"$res")"
check_grep "check.py: the table counts were compared" "^ok source wp: 17 tables with their row counts" "$res"
check_grep "check.py: the PostgreSQL tables too" "^ok source espace: 24 tables" "$res"
check_grep "check.py: the content counts were compared" "^ok site www.mutuelle-exemple.fr: counts per type and status" "$res"
check_grep "check.py: the links were followed" "^links checked$" "$res"
check_grep "French by default" "^ok index.html: lang attribute fr$" "$res"
check "a screenshot was taken" test -s "$WORK/guide.png"
check_eq "prints to PDF" "%PDF" "$(head -c 4 "$WORK/guide.pdf")"
check "printed on A4 (595 x 842 points)" grep -aqE "MediaBox \[0 0 59[45](\.[0-9]+)? 84[12](\.[0-9]+)?\]" "$WORK/guide.pdf"
check "printed on more than one page" test "$(grep -ac '/Type /Page$\|/Type /Page[^s]' "$WORK/guide.pdf")" -gt 1

# the payloads are shown as text, not run
text=$(python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(l)
    if "/text-" in p["url"]:
        print(p["text"])' "$WORK/fr.jsonl")
check_grep "an escaped script tag from the content shows as text" "<script>window.__rp_pwned='entity'</script>" "$text"
check_grep "an escaped handler from the content shows as text" "<img src=x onerror=\"window.__rp_pwned='entity-onerror'\">" "$text"
check_grep "the hostile title shows as text" "Offre <b onmouseover=x>" "$text"
check_grep "a title that is all script shows as its text" "<script>window.__rp_pwned='page-title'</script>" "$text"
itext=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["text"])' "$WORK/fr.jsonl")
check_grep "a hostile table name shows as text in the index" "<img src=x onerror=\"window.__rp_pwned='table'\">" "$itext"
check_grep "the organization shows" "Mutuelle Exemple Assurances" "$itext"
# the hostile table's file name holds "%" (formats/names.md), which BagIt
# manifests write as "%25": the guide says sha256sum will miss it
check_grep "the guide warns about names sha256sum cannot check" "^1 file name\(s\) of this package hold|^1.nom\(s\) de fichier" "$itext"
miss=$(cd "$pkg" && sha256sum -c --quiet manifest-sha256.txt 2>&1 | grep -c "FAILED open or read")
check_eq "sha256sum misses exactly that one" 1 "$miss"

# --- the restore commands, run exactly as printed
mkdir -p "$WORK/home"
cp "$REVPACK_MARIADB_ADMIN_CNF" "$WORK/home/.my.cnf"
run_restore() { # NAME NEWNAME: runs the guide's commands for source NAME, with the example name replaced
	grep -P "^restore $1\t" <<<"$res" | cut -f2- | sed "s/$1_restore/$2/g" >"$WORK/restore-$1.sh"
	(cd "$pkg" && HOME=$WORK/home PGHOST=127.0.0.1 PGPORT=$REVPACK_PG_PORT PGUSER=revpack bash -e "$WORK/restore-$1.sh") >"$WORK/restore-$1.log" 2>&1
}
mdb="rpit_guide_restored_$$"
echo "$mdb" >>"$WORK/.mariadb-dbs"
run_restore wp "$mdb"
check_eq "MariaDB: the guide's commands restore" 0 $?
check_eq "MariaDB: two commands" 2 "$(wc -l <"$WORK/restore-wp.sh")"
server_digests "$mdb" >"$WORK/restored.txt"
inventory_digests "$pkg/data/inventory.xml" wp >"$WORK/inv-wp.txt"
check "MariaDB: every table restored with the inventory's rows and digest" diff "$WORK/inv-wp.txt" "$WORK/restored.txt"
pgr="rpit_guide_restored_$$"
echo "$pgr" >>"$WORK/.pgsql-dbs"
run_restore espace "$pgr"
check_eq "PostgreSQL: the guide's commands restore" 0 $?
pg_server_digests "$pgr" >"$WORK/pg-restored.txt"
inventory_digests "$pkg/data/inventory.xml" espace | awk -F'\t' '$2 > 0' >"$WORK/pg-inv.txt"
check "PostgreSQL: every table restored with the inventory's rows and digest" diff "$WORK/pg-inv.txt" "$WORK/pg-restored.txt"
check "PostgreSQL: tables compared" test -s "$WORK/pg-inv.txt"

# --- a package name the shell must be given quoted: the checking commands run as printed
qpkg="$WORK/quoted/Export l'essai 2026"
mkdir -p "$WORK/quoted"
rp_export --mysql "wp=$(uri "$db")" --formats sql -o "$qpkg" >/dev/null 2>&1
check_eq "export to a name with a space and a quote: exit code" 0 $?
python3 - "$qpkg/data/index.html" >"$WORK/quoted/check.sh" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for id in ("verify-folder", "identity"):
    m = re.search(r'<pre class="cmd" id="%s"><code>(.*?)</code></pre>' % id, page, re.S)
    print("(" + html.unescape(m.group(1)) + ")")
PY
check_grep "the name is quoted for the shell" "^\(cd 'Export l'\\\\''essai 2026'$" "$(cat "$WORK/quoted/check.sh")"
(cd "$WORK/quoted" && bash -e check.sh) >"$WORK/quoted/check.log" 2>&1
check_eq "the guide's checking commands run as printed" 0 $?

# --- English, zip form, excel-fr: the guide is the same kind of page inside the archive
zpkg=$WORK/zip/site-en.zip
mkdir -p "$WORK/zip"
cdb=$(fixture_db guide_clean)
rp_export --lang en --csv-dialect excel-fr --mysql "wp=$(uri "$cdb")" --media "uploads=$SRC/fixtures/media/uploads" -o "$zpkg" >/dev/null 2>&1
check_eq "zip export (--lang en) exit code" 0 $?
check "verify the zip in place" "$RP" verify -q "$zpkg"
(cd "$WORK/zip" && unzip -q site-en.zip)
render --dom --text --root "$WORK/zip/site-en" "$WORK/zip/site-en/data/index.html" $(site_pages "$WORK/zip/site-en") >"$WORK/en.jsonl"
res=$(python3 "$HERE/check.py" "$WORK/zip/site-en" "$WORK/en.jsonl")
check_eq "zip, English: every finding ok" 0 $?
echo "$res" | grep -E "^BAD" | sed 's/^/    /'
check_grep "English with --lang en" "^ok index.html: lang attribute en$" "$res"
etext=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["text"])' "$WORK/en.jsonl")
check_grep "English headings" "^Restoring the databases$" "$etext"
check_grep "the excel-fr dialect is explained" "semicolons, as French Excel expects" "$etext"
check_grep "the zip's sidecar check is given with the archive's name" "^sha256sum -c site-en.zip.sha256$" "$etext"
(cd "$WORK/zip" && sha256sum -c --quiet site-en.zip.sha256)
check_eq "the sidecar command works as printed" 0 $?
(cd "$WORK/zip/site-en" && sha256sum -c --quiet manifest-sha256.txt && sha256sum -c --quiet tagmanifest-sha256.txt)
check_eq "the folder commands work as printed" 0 $?
check "no warning about encoded names when there is none" test -z "$(grep -F 'encoded-paths' "$WORK/zip/site-en/data/index.html")"

finish
