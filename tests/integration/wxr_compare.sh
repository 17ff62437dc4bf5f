#!/usr/bin/env bash
# The WordPress site's content as WXR, compared item by item with what
# WordPress's own export_wp() writes (Debian's wordpress, run from php-cli
# with tests/integration/wxr/wp_export.php) on the same database: the
# fixture site, then the fixture with control characters, a noncharacter,
# Latin-1 bytes and "]]>" in its content. Also: the content pass reads in
# the export's snapshot, attachments are checked against the media folder,
# the zip form holds the same WXR, and inventory.xml validates.
source "$(dirname "$0")/lib.sh"

if ! command -v php >/dev/null || [ ! -f /usr/share/wordpress/wp-admin/includes/export.php ]; then
	echo "SKIP: Debian's wordpress and php-cli are not installed (scripts/install-deps.sh)"
	exit 77
fi

HERE=$SRC/tests/integration/wxr
pw=$(sed -n 's/^password=//p' "$REVPACK_MARIADB_EXPORT_CNF")
mkdir -p "$WORK/empty-wp-content"

# WordPress's own export of database $1 into file $2 (its errors, such as
# the writes the read-only account is refused, into $2.err).
wp_export() {
	WP_DB_NAME=$1 WP_DB_HOST=127.0.0.1:$REVPACK_MARIADB_PORT WP_DB_USER=revpack WP_DB_PASSWORD=$pw \
		WP_CONTENT_DIR_EMPTY=$WORK/empty-wp-content WP_HOME=https://www.mutuelle-exemple.fr \
		php "$HERE/wp_export.php" >"$2" 2>"$2.err"
}

wxr_of() { echo "$1/data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml"; }

# --- the fixture site -------------------------------------------------------
db=$(fixture_db wxr)
pkg=$WORK/site
out=$(rp_export --jobs 2 --mysql "wp=$(uri "$db")" --media "uploads=$SRC/fixtures/media/uploads" -o "$pkg" 2>&1)
check_eq "export exit code" 0 $?
wxr=$(wxr_of "$pkg")
check "the WXR is at data/content/wordpress/<site>/<site>.wxr.xml" test -f "$wxr"
check "the WXR is well-formed (xmllint)" xmllint --noout "$wxr"
check "the WXR is in the manifest" grep -qF " data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml" "$pkg/manifest-sha256.txt"
check "inventory.xml valid against formats/inventory.xsd (xmllint)" \
	xmllint --noout --schema "$SRC/formats/inventory.xsd" "$pkg/data/inventory.xml"
vout=$("$RP" verify "$pkg")
check_eq "verify exit code" 0 $?
check_grep "verify says valid" "^Result: VALID$" "$vout"

wp_export "$db" "$WORK/wp.xml"
check_eq "WordPress's export_wp() ran" 0 $?
check "WordPress's export is well-formed on the fixture" xmllint --noout "$WORK/wp.xml"
cmp=$(python3 "$HERE/compare.py" "$wxr" "$WORK/wp.xml")
check_eq "compare.py exit code (fixture)" 0 $?
echo "$cmp" | sed 's/^/    fixture: /'
check_grep "no difference from WordPress on the fixture" "^0 differences$" "$cmp"
check_grep "every exported item compared" "^compared: .* 37 items, .* 121 postmeta, 6 comments, .* 3 commentmeta$" "$cmp"
check_grep "the custom taxonomy's terms alone as wp:term" "^compared: .* 12 terms, " "$cmp"

# inventory: counts per type and status, what was left out and why
inv=$(python3 - "$pkg/data/inventory.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"i": "urn:revpack:inventory:1"}
r = ET.parse(sys.argv[1]).getroot()
w = r.find("i:content/i:wordpress", ns)
print("site", w.get("site"), w.get("tablePrefix"), w.get("items"), w.get("changedValues"), w.get("path"))
for p in w.findall("i:posts", ns):
    print("posts", p.get("type"), p.get("status"), p.get("database"), p.get("wxr"))
for l in w.findall("i:leftOut", ns):
    print("left", l.get("count"), l.get("what"))
a = w.find("i:attachments", ns)
print("attachments", a.get("exported"), a.get("fileFound"), a.get("fileMissing"))
for m in a.findall("i:missingFile", ns):
    print("missing", m.get("post"), m.get("file"))
for u in r.findall("i:content/i:unreferencedMedia", ns):
    print("unreferenced", u.get("media"), u.get("path"))
for f in r.findall("i:source/i:file", ns):
    print("file", f.get("role"), f.get("path"))
PY
)
check_grep "site named after its host, prefix wp_, 37 items, nothing changed" \
	"^site www.mutuelle-exemple.fr wp_ 37 0 data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml$" "$inv"
check_grep "the source lists its WXR file" "^file wxr data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml$" "$inv"
check_grep "published posts: 10 in the database, 10 in the WXR" "^posts post publish 10 10$" "$inv"
check_grep "the auto-draft counted, not exported" "^posts post auto-draft 1 0$" "$inv"
check_grep "revisions counted, not exported" "^posts revision inherit 2 0$" "$inv"
check_grep "trash exported as WordPress does" "^posts post trash 1 1$" "$inv"
check_grep "form entries exported (a plugin's post type)" "^posts flamingo_inbound publish 2 2$" "$inv"
check_grep "form entries marked spam by the plugin exported too" "^posts flamingo_inbound flamingo-spam 1 1$" "$inv"
check_grep "a custom post type's draft exported" "^posts rp_agence draft 1 1$" "$inv"
check_grep "left out: revisions, and why" "^left 2 posts of type revision, status inherit$" "$inv"
check_grep "left out: the spam comment" "^left 1 spam comments$" "$inv"
check_grep "left out: _edit_lock meta" "^left 9 post meta _edit_lock$" "$inv"
check_grep "left out: options" "^left 87 options" "$inv"
check_grep "4 attachments, 4 files found in the media folder" "^attachments 4 4 0$" "$inv"
check "no unreferenced media file in the fixture" test -z "$(grep '^unreferenced' <<<"$inv")"

# --- attachments against a media folder missing a file, with an extra one ---
media=$WORK/uploads
cp -a "$SRC/fixtures/media/uploads" "$media"
rm "$media/2025/01/photo été (1).png"
printf 'orphan\n' >"$media/2025/01/orphelin.txt"
rp_export --mysql "wp=$(uri "$db")" --media "uploads=$media" --formats sql,wxr -o "$WORK/m" >/dev/null 2>"$WORK/m.err"
check_eq "export with a file missing: exit code" 0 $?
check_grep "the missing attachment file is warned about" "1 attachment\(s\) whose file is in no media folder" "$(cat "$WORK/m.err")"
inv2=$(sed -n 's/.*<missingFile post="\([0-9]*\)" file="\([^"]*\)".*/missing \1 \2/p; s/.*<unreferencedMedia media="\([^"]*\)" path="\([^"]*\)".*/unreferenced \1 \2/p; s/.*<attachments exported="\([0-9]*\)" fileFound="\([0-9]*\)" fileMissing="\([0-9]*\)".*/attachments \1 \2 \3/p' "$WORK/m/data/inventory.xml")
check_grep "attachment 24's file listed missing" "^missing 24 2025/01/photo été \(1\).png$" "$inv2"
check_grep "3 of 4 attachment files found" "^attachments 4 3 1$" "$inv2"
check_grep "the file no attachment names listed" "^unreferenced uploads data/media/uploads/2025/01/orphelin.txt$" "$inv2"
check_eq "only that one unreferenced" 1 "$(grep -c '^unreferenced' <<<"$inv2")"
check "--formats sql,wxr: no CSV" test ! -e "$WORK/m/data/database/wp/csv"
check "--formats sql,wxr: the WXR" test -f "$(wxr_of "$WORK/m")"
rp_export --mysql "wp=$(uri "$db")" --formats sql -o "$WORK/nowxr" >/dev/null 2>&1
check "--formats sql: no WXR" test ! -e "$WORK/nowxr/data/content"

# --- the zip form holds the same WXR ---------------------------------------------
rp_export --mysql "wp=$(uri "$db")" --media "uploads=$SRC/fixtures/media/uploads" -o "$WORK/z.zip" >/dev/null 2>&1
check_eq "zip export exit code" 0 $?
check_grep "zip verifies" "^Result: VALID$" "$("$RP" verify "$WORK/z.zip")"
unzip -p "$WORK/z.zip" "z/data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml" >"$WORK/z.wxr"
# the channel's pubDate is the snapshot's time: the only line that differs
check "the zip's WXR equals the folder's but for the pubDate" \
	diff <(grep -v '^	<pubDate>' "$WORK/z.wxr") <(grep -v '^	<pubDate>' "$wxr")

# --- the content pass reads in the export's snapshot ----------------------------
# A post is published and a title changed while the export runs (slowed
# down after each table): neither may appear, in dump.sql's data (the CSV
# of wp_posts) nor in the WXR.
title9=$(admin_sql -N -B "$db" -e "SELECT post_title FROM wp_posts WHERE ID = 9")
(REVPACK_TEST_TABLE_DELAY_MS=400 rp_export --mysql "wp=$(uri "$db")" --formats csv,wxr -o "$WORK/snap" \
	>/dev/null 2>&1; echo $? >"$WORK/snap.rc") &
sleep 2
admin_sql "$db" -e "INSERT INTO wp_posts (ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt,
	post_status, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, guid, post_type)
	VALUES (500, 1, NOW(), UTC_TIMESTAMP(), 'nouveau', 'Publié pendant l''export', '', 'publish', 'pendant', '', '',
	NOW(), UTC_TIMESTAMP(), '', 'https://www.mutuelle-exemple.fr/?p=500', 'post');
	UPDATE wp_posts SET post_title = 'Titre changé pendant l''export' WHERE ID = 9;"
wait
check_eq "export during changes: exit code" 0 "$(cat "$WORK/snap.rc")"
snap=$(python3 - "$(wxr_of "$WORK/snap")" "$WORK/snap/data/database/wp/csv/wp_posts.csv" <<'PY'
import csv, sys, xml.etree.ElementTree as ET
ns = {"wp": "http://wordpress.org/export/1.2/"}
items = {i.find("wp:post_id", ns).text: i.find("title").text for i in ET.parse(sys.argv[1]).getroot().iter("item")}
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
print("wxr-has-500", "500" in items)
print("csv-has-500", any(r["ID"] == "500" for r in rows))
print("wxr-9", items["9"])
print("csv-9", [r["post_title"] for r in rows if r["ID"] == "9"][0])
PY
)
check_grep "the post published during the export is not in the WXR" "^wxr-has-500 False$" "$snap"
check_grep "nor in the table data" "^csv-has-500 False$" "$snap"
check_grep "the WXR has the title of the snapshot" "^wxr-9 $title9$" "$snap"
check_grep "as the table data has" "^csv-9 $title9$" "$snap"

# --- a multisite: blog 1 and a copy of it as blog 2 -------------------------------
msdb=$(fixture_db wxrms)
{
	cat <<'SQL'
CREATE TABLE wp_site (id bigint(20) NOT NULL AUTO_INCREMENT, domain varchar(200) NOT NULL DEFAULT '',
  path varchar(100) NOT NULL DEFAULT '', PRIMARY KEY (id));
CREATE TABLE wp_blogs (blog_id bigint(20) NOT NULL AUTO_INCREMENT, site_id bigint(20) NOT NULL DEFAULT 0,
  domain varchar(200) NOT NULL DEFAULT '', path varchar(100) NOT NULL DEFAULT '', PRIMARY KEY (blog_id));
INSERT INTO wp_site VALUES (1, 'www.mutuelle-exemple.fr', '/');
INSERT INTO wp_blogs VALUES (1, 1, 'www.mutuelle-exemple.fr', '/'), (2, 1, 'www.mutuelle-exemple.fr', '/agence-lyon/');
SQL
	for t in options posts postmeta comments commentmeta terms term_taxonomy term_relationships termmeta; do
		echo "CREATE TABLE wp_2_$t LIKE wp_$t; INSERT INTO wp_2_$t SELECT * FROM wp_$t;"
	done
	cat <<'SQL'
UPDATE wp_2_options SET option_value = 'https://www.mutuelle-exemple.fr/agence-lyon' WHERE option_name IN ('siteurl', 'home');
UPDATE wp_2_posts SET post_title = CONCAT(post_title, ' (Lyon)') WHERE ID = 9;
SQL
} | admin_sql "$msdb" || { echo "cannot make the multisite"; exit 3; }
rp_export --mysql "wp=$(uri "$msdb")" --formats sql,wxr -o "$WORK/ms" >/dev/null 2>&1
check_eq "multisite export: exit code" 0 $?
ms1=$WORK/ms/data/content/wordpress/www.mutuelle-exemple.fr-1/www.mutuelle-exemple.fr-1.wxr.xml
ms2=$WORK/ms/data/content/wordpress/www.mutuelle-exemple.fr-2/www.mutuelle-exemple.fr-2.wxr.xml
check "multisite: one WXR per blog, named host-blog id" test -f "$ms1" -a -f "$ms2"
check "multisite: both well-formed" xmllint --noout "$ms1" "$ms2"
check "multisite: inventory valid" xmllint --noout --schema "$SRC/formats/inventory.xsd" "$WORK/ms/data/inventory.xml"
msv=$(python3 - "$ms1" "$ms2" "$WORK/ms/data/inventory.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"wp": "http://wordpress.org/export/1.2/"}
for n, p in (("1", sys.argv[1]), ("2", sys.argv[2])):
    ch = ET.parse(p).getroot().find("channel")
    items = {i.find("wp:post_id", ns).text: i for i in ch.iter("item")}
    print(n, "base_site", ch.find("wp:base_site_url", ns).text)
    print(n, "base_blog", ch.find("wp:base_blog_url", ns).text)
    print(n, "items", len(items), "authors", len(ch.findall("wp:author", ns)))
    print(n, "title9", items["9"].find("title").text)
    print(n, "attachment", items["23"].find("wp:attachment_url", ns).text)
for w in ET.parse(sys.argv[3]).getroot().iter("{urn:revpack:inventory:1}wordpress"):
    print("inv", w.get("site"), w.get("tablePrefix"), w.get("blogId"), w.get("items"))
PY
)
check_grep "blog 1: the network's address" "^1 base_site https://www.mutuelle-exemple.fr/$" "$msv"
check_grep "blog 2: the network's address" "^2 base_site https://www.mutuelle-exemple.fr/$" "$msv"
check_grep "blog 2: its own address" "^2 base_blog https://www.mutuelle-exemple.fr/agence-lyon$" "$msv"
check_grep "blog 2: 37 items, the network's 3 authors" "^2 items 37 authors 3$" "$msv"
check_grep "blog 2: its own content" "^2 title9 .*\(Lyon\)$" "$msv"
check_grep "blog 1: its own content" "^1 title9 [^(]*$" "$msv"
check_grep "blog 1: uploads as a single site's" "^1 attachment https://www.mutuelle-exemple.fr/wp-content/uploads/2024/03/" "$msv"
check_grep "blog 2: uploads under sites/2" "^2 attachment https://www.mutuelle-exemple.fr/agence-lyon/wp-content/uploads/sites/2/2024/03/" "$msv"
check_grep "inventory: blog 1" "^inv www.mutuelle-exemple.fr-1 wp_ 1 37$" "$msv"
check_grep "inventory: blog 2" "^inv www.mutuelle-exemple.fr-2 wp_2_ 2 37$" "$msv"

# --- values XML cannot carry ------------------------------------------------------
hdb=$(fixture_db wxrh)
admin_sql "$hdb" <"$HERE/hostile.sql" || { echo "cannot apply hostile.sql"; exit 3; }
# and no custom taxonomy, as on most sites: WordPress then lists every term
# again as <wp:term> (formats/wxr.md, "Terms listed twice")
admin_sql "$hdb" -e "DELETE tr, tt, t FROM wp_term_taxonomy tt JOIN wp_terms t ON t.term_id = tt.term_id
	LEFT JOIN wp_term_relationships tr ON tr.term_taxonomy_id = tt.term_taxonomy_id
	WHERE tt.taxonomy = 'flamingo_inbound_channel'" || exit 3
hout=$(rp_export --mysql "wp=$(uri "$hdb")" --formats sql,wxr -o "$WORK/h" 2>&1)
check_eq "export of hostile values: exit code" 0 $?
hwxr=$(wxr_of "$WORK/h")
check "revpack's WXR is well-formed (xmllint)" xmllint --noout "$hwxr"
check "revpack's WXR is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$hwxr"
check_grep "the changed values are warned about" "value\(s\) held bytes XML cannot carry" "$hout"
wp_export "$hdb" "$WORK/wph.xml"
check_eq "WordPress's export_wp() ran on hostile values" 0 $?
check "WordPress's own export of the same data is NOT well-formed" bash -c "! xmllint --noout '$WORK/wph.xml' 2>/dev/null"
hcmp=$(python3 "$HERE/compare.py" "$hwxr" "$WORK/wph.xml" --premap --expect-diff "comment 6:wp:comment_content")
check_eq "compare.py exit code (hostile)" 0 $?
echo "$hcmp" | sed 's/^/    hostile: /'
check_grep "no difference but the documented one" "^0 differences$" "$hcmp"
check_grep "without a custom taxonomy every term is listed again, as WordPress does" "^compared: .* 20 terms, " "$hcmp"
check_grep "UTF-8 with a stray byte: the documented difference seen" "^documented difference seen: comment 6:wp:comment_content$" "$hcmp"
check "inventory.xml (with changed values) valid against formats/inventory.xsd" \
	xmllint --noout --schema "$SRC/formats/inventory.xsd" "$WORK/h/data/inventory.xml"
hv=$(python3 - "$hwxr" "$WORK/h/data/inventory.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"wp": "http://wordpress.org/export/1.2/", "content": "http://purl.org/rss/1.0/modules/content/"}
items = {i.find("wp:post_id", ns).text: i for i in ET.parse(sys.argv[1]).getroot().iter("item")}
meta = {m.find("wp:meta_key", ns).text: m.find("wp:meta_value", ns).text for m in items["13"].findall("wp:postmeta", ns)}
print("meta25", repr(meta["rp_legacy_export_line"][-9:]))
print("content9", repr(items["9"].find("content:encoded", ns).text[-23:]))
print("title10", repr(items["10"].find("title").text[-1:]))
c3 = [c for c in items["9"].findall("wp:comment", ns) if c.find("wp:comment_id", ns).text == "3"][0]
print("comment3", c3.find("wp:comment_content", ns).text)
i = {"i": "urn:revpack:inventory:1"}
for c in ET.parse(sys.argv[2]).getroot().iter("{urn:revpack:inventory:1}changedValue"):
    print("changed", c.get("where"), "|", c.get("field"), "|", c.get("invalidBytes"), c.get("controlCharacters"), c.get("nonCharacters"))
PY
)
check_grep "NUL, ESC and VT as control pictures" "^meta25 '␀␛\[1m␋fin'$" "$hv"
check_grep "a form feed as a picture, ]]> kept through split CDATA" "^content9 '␌ fin\]\]>suite \]\]\]\]> x\]\]'$" "$hv"
check_grep "U+FFFF as U+FFFD" "^title10 '�'$" "$hv"
check_grep "Latin-1 bytes read as Windows-1252" "^comment3 Un café crème, « merci » 5 €$" "$hv"
check_grep "changed value recorded: the meta, with its key and meta_id" \
	"^changed post 13 \| postmeta meta_value of meta_id 25 \(key rp_legacy_export_line\) \| None 3 None$" "$hv"
check_grep "changed value recorded: the content" "^changed post 9 \| post_content \| None 1 None$" "$hv"
check_grep "changed value recorded: the title" "^changed post 10 \| post_title \| None None 1$" "$hv"
check_grep "changed value recorded: the comment" "^changed comment 3 \| comment_content \| 5 None None$" "$hv"
check_grep "changed value recorded: the tagline" "^changed channel \| description \| None 1 None$" "$hv"
check_grep "changed value recorded: the term description" "^changed term 2 \| description \| None 1 None$" "$hv"
check_grep "changedValues counts them" 'changedValues="12"' "$(cat "$WORK/h/data/inventory.xml")"

finish
