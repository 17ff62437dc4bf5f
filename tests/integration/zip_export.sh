#!/usr/bin/env bash
# The zip form: the fixture database and media into OUT.zip. Info-ZIP unzip,
# 7z, bsdtar and Python's zipfile accept it; sha256sum -c accepts the
# sidecar; extracted, it is a folder package that verify finds valid with
# the identity export printed. Layout, modes, methods per extension, the
# UTF-8 flag, refusal to overwrite.
source "$(dirname "$0")/lib.sh"

db=$(fixture_db zip_src)
media=$WORK/media
cp -a "$SRC/fixtures/media/uploads" "$media"
printf 'plain text\n%.0s' $(seq 1 200) >"$media/notes.txt"
printf 'a;b\r\n1;2\r\n' >"$media/2025/01/table.CSV"
head -c 50000 /dev/urandom >"$media/2025/01/clip.mp4"
head -c 20000 /dev/urandom >"$media/2025/01/scan.PDF"
head -c 20000 /dev/urandom >"$media/2025/01/archive.tar.gz"
mkdir "$media/2025/02" "$media/vide"
printf 'docx' >"$media/2025/02/Procès-verbal.docx"
printf 'latin1' >"$media/2025/02/$(printf 'r\xe9sum\xe9.txt')"
cd "$WORK" || exit 3

out=$(rp_export --mysql "wp=$(uri "$db")" --media "uploads=$media" --organization "Mutuelle Exemple" \
	-o "$WORK/site-2026.zip" 2>&1)
check_eq "zip export exit code" 0 $?
check_grep "export prints the identity" "Identity \(SHA-256 of tagmanifest-sha256.txt\): [0-9a-f]{64}" "$out"
check_grep "export prints the archive's SHA-256" "Archive SHA-256 \(in $WORK/site-2026.zip.sha256\): [0-9a-f]{64}" "$out"
ident=$(sed -n 's/.*Identity (SHA-256 of tagmanifest-sha256.txt): //p' <<<"$out")
zsha=$(sed -n 's/.*Archive SHA-256 (in .*): //p' <<<"$out")
check "archive and sidecar, nothing else" test "$(ls -A "$WORK" | grep -v -e '^media$' -e '^\.mariadb-dbs$' | tr '\n' ' ')" = "site-2026.zip site-2026.zip.sha256 "
check_eq "modes" "600 600" "$(stat -c %a site-2026.zip site-2026.zip.sha256 | tr '\n' ' ' | sed 's/ $//')"
check_eq "sidecar line" "$zsha  site-2026.zip" "$(cat site-2026.zip.sha256)"
check "sha256sum -c accepts the sidecar" sha256sum --quiet -c site-2026.zip.sha256

# four readers accept it
check "unzip -t" bash -c "unzip -tq site-2026.zip >/dev/null"
check "7z t" bash -c "7z t site-2026.zip >/dev/null"
check "bsdtar -tf" bash -c "bsdtar -tf site-2026.zip >/dev/null"
check_eq "zipfile testzip()" "None" "$(python3 -c "import zipfile; print(zipfile.ZipFile('site-2026.zip').testzip())")"

# layout, methods, flags, modes of the entries
python3 - site-2026.zip >"$WORK/entries.txt" <<'PY'
import sys, zipfile
stored = set("jpg jpeg png gif webp avif heic heif mp3 m4a aac ogg oga opus flac mp4 m4v mov avi mkv webm ogv wmv "
             "pdf zip gz tgz bz2 xz zst 7z rar jar docx xlsx pptx odt ods odp epub woff woff2 siard".split())
z = zipfile.ZipFile(sys.argv[1])
names = [i.filename for i in z.infolist()]
print("first", names[0])
print("last4", " ".join(n.split("/", 1)[1] for n in names[-4:]))
print("one top folder", all(n.startswith("site-2026/") for n in names))
print("no directory entries", not any(n.endswith("/") for n in names))
bad = []
for i in z.infolist():
    base = i.filename.rsplit("/", 1)[1]
    ext = base.rsplit(".", 1)[1].lower() if "." in base[1:] else ""
    want = zipfile.ZIP_STORED if ext in stored else zipfile.ZIP_DEFLATED
    if i.file_size == 0:
        want = i.compress_type   # an empty file may be stored either way
    if i.compress_type != want:
        bad.append("method " + i.filename)
    if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        bad.append("exotic " + i.filename)
    utf8 = bool(i.flag_bits & 0x800)
    if utf8 != (not i.filename.isascii()):
        bad.append("utf8 flag " + i.filename)
    if i.flag_bits & 0x1:
        bad.append("encrypted " + i.filename)
    if (i.external_attr >> 16) != 0o100644:
        bad.append("mode " + i.filename)
print("problems", len(bad), *bad)
print("stored", " ".join(sorted(i.filename.rsplit("/", 1)[1] for i in z.infolist() if i.compress_type == 0)))
print("non-ascii", sum(not n.isascii() for n in names))
# the SIARD inside is stored, so it opens in place (no extraction)
siard = [n for n in names if n.endswith(".siard")][0]
inner = zipfile.ZipFile(z.open(siard))
print("siard in place", "header/metadata.xml" in inner.namelist())
PY
e=$(cat "$WORK/entries.txt")
check_grep "bagit.txt first" "^first site-2026/bagit.txt$" "$e"
check_grep "inventory and tag files last" "^last4 data/inventory.xml manifest-sha256.txt bag-info.txt tagmanifest-sha256.txt$" "$e"
check_grep "one top folder" "^one top folder True$" "$e"
check_grep "no directory entries" "^no directory entries True$" "$e"
check_grep "stored/deflated per extension, UTF-8 flag, modes" "^problems 0$" "$e"
check_grep "what is stored" "^stored Conditions générales 2024.pdf Procès-verbal.docx archive.tar.gz clip.mp4 l.équipe du siège.png photo été \(1\).png scan.PDF wp.siard$" "$e"
check_grep "non-ASCII names present" "^non-ascii [1-9]" "$e"
check_grep "the SIARD opens in place" "^siard in place True$" "$e"

# verified in place, as written: valid, the sidecar matched, same identity
zout=$("$RP" verify "$WORK/site-2026.zip" 2>&1)
check_eq "verify of the zip in place: exit code" 0 $?
check_grep "verify of the zip in place: valid" "^Result: VALID$" "$zout"
check_grep "verify of the zip in place: sidecar matched" "^Archive SHA-256: $(cut -c1-64 "$WORK/site-2026.zip.sha256") " "$zout"
check_grep "verify of the zip in place: identity" "Identity \(SHA-256 of tagmanifest-sha256.txt\): $ident$" "$zout"
check_eq "verify of the zip in place: no problem, no note" 0 "$(grep -c '^PROBLEM\|^NOTE' <<<"$zout")"

# extracted with unzip, it is a folder package, valid, with the same identity
mkdir "$WORK/x" && (cd "$WORK/x" && unzip -q ../site-2026.zip)
vout=$("$RP" verify "$WORK/x/site-2026")
check_eq "verify of the extracted bag: exit code" 0 $?
check_grep "verify of the extracted bag: valid" "^Result: VALID$" "$vout"
check_grep "identity as printed at export" "Identity \(SHA-256 of tagmanifest-sha256.txt\): $ident$" "$vout"
check_eq "identity = SHA-256 of the tag manifest" "$ident" "$(sha256sum "$WORK/x/site-2026/tagmanifest-sha256.txt" | cut -c1-64)"
check "media byte-identical" cmp "$WORK/x/site-2026/data/media/uploads/2024/03/Conditions générales 2024.pdf" \
	"$media/2024/03/Conditions générales 2024.pdf"
check "the Latin-1 name mapped" test -f "$WORK/x/site-2026/data/media/uploads/2025/02/r%E9sum%E9.txt"
dst=$(fresh_db zip_dst)
admin_sql "$dst" <"$WORK/x/site-2026/data/database/wp/dump.sql"
check_eq "the extracted dump.sql restores with mysql" 0 $?
inventory_digests "$WORK/x/site-2026/data/inventory.xml" wp >"$WORK/inv-digests.txt"
server_digests "$dst" >"$WORK/dst-digests.txt"
check "restored digests (computed by MariaDB) equal the inventory's" diff "$WORK/inv-digests.txt" "$WORK/dst-digests.txt"
check "16 tables" test "$(wc -l <"$WORK/inv-digests.txt")" -eq 16
check "inventory valid (xmllint)" xmllint --noout --quiet --schema "$SRC/formats/inventory.xsd" "$WORK/x/site-2026/data/inventory.xml"
inv=$(cat "$WORK/x/site-2026/data/inventory.xml")
check_grep "the empty folder recorded" '<directory path="data/media/uploads/vide"/>' "$inv"
check_grep "original bytes recorded" 'path="data/media/uploads/2025/02/r%E9sum%E9.txt" .*originalHex="323032352f30322f72e973756de92e747874"' "$inv"
# the digests in the inventory are those of the bytes in the archive
check "inventory digests equal the manifest's" python3 - "$WORK/x/site-2026" <<'PY'
import sys, xml.etree.ElementTree as ET
pkg = sys.argv[1]
ns = "{urn:revpack:inventory:1}"
man = {}
for line in open(pkg + "/manifest-sha256.txt", "rb"):
    d, p = line.rstrip(b"\n").split(b"  ", 1)
    man[p.replace(b"%0A", b"\n").replace(b"%0D", b"\r").replace(b"%25", b"%").decode()] = d.decode()
root = ET.parse(pkg + "/data/inventory.xml").getroot()
files = [f for m in root.findall(ns + "media") for f in m.findall(ns + "file")]
sys.exit(0 if files and all(man.get(f.get("path")) == f.get("sha256") for f in files) else 1)
PY

# never overwritten
before=$(sha256sum site-2026.zip)
msg=$(rp_export --media "uploads=$media" -o "$WORK/site-2026.zip" 2>&1)
check_eq "existing zip refused: exit code" 2 $?
check_grep "existing zip refused: message" "site-2026.zip already exists; revpack never overwrites" "$msg"
check_eq "existing zip untouched" "$before" "$(sha256sum site-2026.zip)"
touch "$WORK/other.zip.sha256"
msg=$(rp_export --media "uploads=$media" -o "$WORK/other.zip" 2>&1)
check_eq "existing sidecar refused: exit code" 2 $?
check "nothing written beside an existing sidecar" test ! -e "$WORK/other.zip" -a ! -s "$WORK/other.zip.sha256"
check "no temporary left" test -z "$(find "$WORK" -maxdepth 1 -name '.*rp-tmp*')"

# a media-only zip, a relative -o: the folder inside is named after the zip
(cd "$WORK" && "$RP" export --quiet --media "uploads=$media" -o media-only.ZIP >/dev/null)
check_eq "media-only zip, relative name: exit code" 0 $?
check "media-only zip holds media-only/" python3 -c "
import sys, zipfile
n = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(0 if all(x.startswith('media-only/') for x in n) and 'media-only/data/media/uploads/notes.txt' in n else 1)" "$WORK/media-only.ZIP"
check "sidecar of an upper-case name" bash -c "cd '$WORK' && sha256sum --quiet -c media-only.ZIP.sha256"

finish
