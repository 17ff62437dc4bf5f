#!/usr/bin/env bash
# Media into a folder package: awkward names (spaces, accents, '%', a
# newline, bytes that are not UTF-8, an apostrophe, a backslash), symbolic
# links inside and escaping the root, a hard link, an empty folder. The bag
# verifies, its manifest checks out with sha256sum once its percent-encoding
# is decoded, and the inventory records what the policy says.
source "$(dirname "$0")/lib.sh"

tree=$WORK/tree
pkg=$WORK/media-package
mkdir -p "$tree/2024/03" "$tree/vide" "$tree/liens" "$tree/only-links"
printf 'conditions\n' >"$tree/2024/03/Conditions générales 2024.pdf"
printf 'apostrophe' >"$tree/l'équipe du siège.png"
printf 'pct' >"$tree/100%.txt"
printf 'newline' >"$tree/$(printf 'new\nline.txt')"
printf 'latin1' >"$tree/$(printf 'caf\xe9.jpg')"
printf 'literal' >"$tree/caf%E9.jpg"          # collides with the mapped name above
printf 'backslash' >"$tree/back\\slash.txt"
printf 'tab' >"$tree/$(printf 'a\tb.txt')"
head -c 200000 /dev/urandom >"$tree/2024/03/photo été (1).JPG"
ln -s ../../../../etc/passwd "$tree/liens/escape"
ln -s /etc "$tree/liens/abs-escape"
ln -s ../2024/03 "$tree/liens/inside"
ln -s ../100%.txt "$tree/only-links/pct"
ln "$tree/100%.txt" "$tree/2024/hard-link.txt"

out=$("$RP" export --quiet --media "uploads=$tree" --organization "Mutuelle Exemple" -o "$pkg" 2>&1)
check_eq "media-only export exit code" 0 $?
check_grep "export prints the identity" "Identity \(SHA-256 of tagmanifest-sha256.txt\): [0-9a-f]{64}" "$out"
check_grep "export counts the media files" "1 media folder\(s\): 10 files" "$out"
check "package is owner-only" test "$(stat -c %a "$pkg")" = 700
check "no temporary file anywhere" test -z "$(find "$pkg" "$WORK" -name '*.rp-tmp*')"
check "no folder without a file in the bag" test -z "$(find "$pkg/data" -type d -empty)"
check "no symbolic link in the bag" test -z "$(find "$pkg" -type l)"
check "nothing read through the escaping link" test ! -e "$pkg/data/media/uploads/liens/escape"

m=$pkg/data/media/uploads
check "UTF-8 names kept" test -f "$m/2024/03/Conditions générales 2024.pdf" -a -f "$m/l'équipe du siège.png" \
	-a -f "$m/100%.txt" -a -f "$m/$(printf 'new\nline.txt')" -a -f "$m/$(printf 'a\tb.txt')"
check "the literal name kept" cmp "$m/caf%E9.jpg" "$tree/caf%E9.jpg"
check "the Latin-1 name mapped, after the collision" cmp "$m/caf%E9~2.jpg" "$tree/$(printf 'caf\xe9.jpg')"
check "the backslash mapped" cmp "$m/back%5Cslash.txt" "$tree/back\\slash.txt"
check "binary file byte-identical" cmp "$m/2024/03/photo été (1).JPG" "$tree/2024/03/photo été (1).JPG"
check "hard link exported at both paths" cmp "$m/2024/hard-link.txt" "$m/100%.txt"

vout=$("$RP" verify "$pkg")
check_eq "verify exit code" 0 $?
check_grep "verify says valid" "^Result: VALID$" "$vout"
ident=$(sha256sum "$pkg/tagmanifest-sha256.txt" | cut -c1-64)
check_grep "export and verify agree on the identity" "$ident" "$out"
check "inventory.xml valid (xmllint)" xmllint --noout --quiet --schema "$SRC/formats/inventory.xsd" "$pkg/data/inventory.xml"
check "sha256sum -c tagmanifest" bash -c "cd '$pkg' && sha256sum --quiet -c tagmanifest-sha256.txt"

# sha256sum -c of the manifest once RFC 8493's percent-encoding is decoded
# (a sha256sum line holds no newline: such a path is checked in Python)
python3 - "$pkg" >"$WORK/manifest-check.txt" <<'PY'
import hashlib, os, sys
pkg = sys.argv[1]
plain = []
odd = 0
for line in open(os.path.join(pkg, "manifest-sha256.txt"), "rb"):
    digest, path = line.rstrip(b"\n").split(b"  ", 1)
    path = path.replace(b"%0A", b"\n").replace(b"%0D", b"\r").replace(b"%25", b"%")
    if b"\n" in path or b"\\" in path:
        odd += 1
        ok = hashlib.sha256(open(os.path.join(pkg.encode(), path), "rb").read()).hexdigest().encode() == digest
        print("python", "ok" if ok else "BAD", path)
    else:
        plain.append(digest + b"  " + path + b"\n")
open(os.path.join(pkg, "..", "decoded.sha256"), "wb").writelines(plain)
print("lines", len(plain) + odd)
PY
check_grep "manifest lines" "^lines 12$" "$(cat "$WORK/manifest-check.txt")"
check "the newline path checks out" grep -q "^python ok b'data/media/uploads/new" "$WORK/manifest-check.txt"
check "no bad digest" test -z "$(grep BAD "$WORK/manifest-check.txt")"
check "sha256sum -c of the decoded manifest" bash -c "cd '$pkg' && sha256sum --quiet -c ../decoded.sha256"
check_grep "the manifest percent-encodes '%'" "  data/media/uploads/100%25.txt$" "$(cat "$pkg/manifest-sha256.txt")"

# the inventory says what the policy says
python3 - "$pkg" "$tree" >"$WORK/inv.txt" <<'PY'
import hashlib, os, sys, xml.etree.ElementTree as ET
pkg, tree = sys.argv[1], sys.argv[2]
ns = "{urn:revpack:inventory:1}"
root = ET.parse(os.path.join(pkg, "data/inventory.xml")).getroot()
media = root.findall(ns + "media")
print("media", len(media))
m = media[0]
print("root", m.get("name"), m.get("root") == tree, m.get("path"), m.get("files"), m.get("skipped"))
for e in m:
    tag = e.tag[len(ns):]
    path = e.get("path")
    orig = e.get("originalHex")
    if tag == "file":
        src = bytes.fromhex(orig) if orig else path[len("data/media/uploads/"):].encode()
        data = open(os.path.join(tree.encode(), src), "rb").read()
        ok = (hashlib.sha256(data).hexdigest() == e.get("sha256") and int(e.get("bytes")) == len(data)
              and e.get("modified", "").endswith("Z"))
        print("file", "ok" if ok else "BAD", repr(path), orig or "-", e.get("sameFileAs") or "-")
    elif tag == "symlink":
        print("symlink", path, e.get("target"), e.get("inside"))
    else:
        print(tag, path)
# every media file is in <files> too
files = {f.get("path"): f.get("sha256") for f in root.find(ns + "files")}
print("in files", all(files.get(e.get("path")) == e.get("sha256") for e in m if e.tag == ns + "file"))
PY
inv=$(cat "$WORK/inv.txt")
check_grep "one media element" "^media 1$" "$inv"
check_grep "media root, counts" "^root uploads True data/media/uploads 10 0$" "$inv"
check_eq "every file's digest, size, time right" 10 "$(grep -c '^file ok' <<<"$inv")"
check_grep "original bytes of the Latin-1 name" "^file ok 'data/media/uploads/caf%E9~2.jpg' 636166e92e6a7067 -$" "$inv"
check_grep "original bytes of the backslash name" "^file ok 'data/media/uploads/back%5Cslash.txt' 6261636b5c736c6173682e747874" "$inv"
check_grep "the literal name has no original bytes" "^file ok 'data/media/uploads/caf%E9.jpg' - -$" "$inv"
check_grep "the newline name kept" "^file ok 'data/media/uploads/new\\\\nline.txt' - -$" "$inv"
check_grep "hard link noted" "^file ok 'data/media/uploads/2024/hard-link.txt' - data/media/uploads/100%.txt$" "$inv"
check_grep "escaping link recorded, outside" "^symlink data/media/uploads/liens/escape ../../../../etc/passwd false$" "$inv"
check_grep "absolute link recorded, outside" "^symlink data/media/uploads/liens/abs-escape /etc false$" "$inv"
check_grep "inner link recorded, inside" "^symlink data/media/uploads/liens/inside ../2024/03 true$" "$inv"
check_grep "empty folder recorded" "^directory data/media/uploads/vide$" "$inv"
check_grep "folder of links only recorded" "^directory data/media/uploads/only-links$" "$inv"
check_grep "media files in <files>" "^in files True$" "$inv"

# the same tree again: the same payload (deterministic order and names)
out2=$("$RP" export --quiet --media "uploads=$tree" -o "$WORK/again" 2>&1)
check_eq "second export exit code" 0 $?
check "same manifest (but the inventory and the guide, which have the export's time)" \
	cmp <(grep -vE ' data/(inventory.xml|index.html)$' "$pkg/manifest-sha256.txt") <(grep -vE ' data/(inventory.xml|index.html)$' "$WORK/again/manifest-sha256.txt")
check "same media section" cmp <(sed -n '/<media /,/<\/media>/p' "$pkg/data/inventory.xml") \
	<(sed -n '/<media /,/<\/media>/p' "$WORK/again/data/inventory.xml")

# OUT inside DIR: the package being written is not part of the media
mkdir "$WORK/self" && printf 'a' >"$WORK/self/a.txt"
for o in pkg pkg.zip; do
	"$RP" export --quiet --media "up=$WORK/self" -o "$WORK/self/$o" >/dev/null 2>&1
	check_eq "OUT inside DIR ($o): exit code" 0 $?
done
check_eq "OUT inside DIR: its hidden folder not recorded" "" "$(grep rp-tmp "$WORK/self/pkg/data/inventory.xml")"
check_eq "OUT inside DIR, zip: its hidden folder not recorded" "" "$(unzip -p "$WORK/self/pkg.zip" pkg/data/inventory.xml | grep rp-tmp)"

# with a database: both in one bag
db=$(fixture_db media_db)
out=$(rp_export --mysql "wp=$(uri "$db")" --media "uploads=$SRC/fixtures/media/uploads" -o "$WORK/both" 2>&1)
check_eq "database + media export exit code" 0 $?
check "database and media side by side" test -f "$WORK/both/data/database/wp/dump.sql" \
	-a -f "$WORK/both/data/media/uploads/2024/03/Conditions générales 2024.pdf"
check_grep "database + media verify" "^Result: VALID$" "$("$RP" verify "$WORK/both")"
check_grep "bag-info describes the media" "media files as they were" "$(cat "$WORK/both/bag-info.txt")"
# names are one name space: a source and a media folder may not share one
msg=$(rp_export --mysql "wp=$(uri "$db")" --media "wp=$tree" -o "$WORK/clash" 2>&1)
check_eq "source and media with one name: exit code" 2 $?
check_grep "source and media with one name: message" "both named wp" "$msg"
check "no package after a name clash" test ! -e "$WORK/clash"

finish
