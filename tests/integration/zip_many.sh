#!/usr/bin/env bash
# 70,000 tiny media files: more than 65,535 entries, so the archive needs
# ZIP64's end records; Python's zipfile and unzip read every entry, and
# revpack verify checks it in place.
source "$(dirname "$0")/lib.sh"

tree=$WORK/tree
python3 - "$tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(70):
    os.makedirs(f"{root}/d{d:02d}")
    for f in range(1000):
        with open(f"{root}/d{d:02d}/f{f:03d}.txt", "w") as fh:
            fh.write(f"{d}-{f}\n")
PY
start=$(date +%s)
out=$("$RP" export --quiet --media "many=$tree" -o "$WORK/many.zip" 2>&1)
check_eq "export of 70,000 files: exit code" 0 $?
echo "export took $(($(date +%s) - start)) s"
check_grep "70,000 media files" "70,000 files" "$out"
check "sha256sum -c" bash -c "cd '$WORK' && sha256sum --quiet -c many.zip.sha256"
python3 - "$WORK/many.zip" >"$WORK/read.txt" <<'PY'
import hashlib, sys, zipfile
path = sys.argv[1]
data = open(path, "rb").read()
# the ZIP64 end of central directory record and its locator
print("zip64 end record", data.rfind(b"PK\x06\x06") > 0, data.rfind(b"PK\x06\x07") > 0)
z = zipfile.ZipFile(path)
infos = z.infolist()
print("entries", len(infos))
bad = 0
for i in infos:
    if i.filename.startswith("many/data/media/"):
        d, f = i.filename.rsplit("/", 2)[1:]
        want = f"{int(d[1:])}-{int(f[1:4])}\n".encode()
        bad += z.read(i) != want
print("bad", bad)
print("testzip", z.testzip())
PY
r=$(cat "$WORK/read.txt")
check_grep "ZIP64 end records" "^zip64 end record True True$" "$r"
check_grep "every entry: 70,000 files, guide, inventory, 4 tag files" "^entries 70006$" "$r"
check_grep "every file's content" "^bad 0$" "$r"
check_grep "zipfile testzip" "^testzip None$" "$r"
check "unzip -t" bash -c "unzip -tq '$WORK/many.zip' >/dev/null"
vout=$("$RP" verify "$WORK/many.zip" 2>&1)
check_eq "verify in place: exit code" 0 $?
check_grep "verify in place: valid" "^Result: VALID$" "$vout"
check_grep "verify in place: every file checked" "^Checked: 70002 payload files" "$vout"
mkdir "$WORK/x" && (cd "$WORK/x" && bsdtar -xf ../many.zip)
check_grep "extracted: verify" "^Result: VALID$" "$("$RP" verify "$WORK/x/many")"

finish
