#!/usr/bin/env bash
# verify NAME.zip: a real export zipped the way the package ZIP is laid out
# (formats/bag.md, "The ZIP form") verifies and opens in the common unzip
# tools; every hostile variant crafted by hostile_zip.py is refused with a
# line naming the entry; the sidecar is checked; an archive of more than
# 65,535 entries (ZIP64) verifies; and verify neither writes anything nor
# opens anything but the archive and its sidecar.
source "$(dirname "$0")/lib.sh"

src=$(fixture_db zipverify)
name=site-2026-11
folder=$WORK/export/$name
mkdir -p "$WORK/export" "$WORK/zip"
rp_export --mysql "wp=$(uri "$src")" -o "$folder" >/dev/null || { bad "export"; finish; }
# (20 payload files: dump.sql, 16 CSV, the SIARD file, the WXR, inventory.xml)

# Two more payload files: a non-ASCII name (bit 11 in the ZIP) and a 3 MiB
# stored file (several 1 MiB reads); manifests and Payload-Oxum follow.
python3 - "$folder" <<'PY' || { bad "adding media"; finish; }
import hashlib, os, re, sys
root = sys.argv[1]
media = os.path.join(root, "data", "media", "site")
os.makedirs(media)
open(os.path.join(media, "équipe été.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
open(os.path.join(media, "brochure.pdf"), "wb").write(os.urandom(3 << 20))
def h(p):
    return hashlib.sha256(open(os.path.join(root, p), "rb").read()).hexdigest()
files, total = [], 0
for d, _, fs in os.walk(os.path.join(root, "data")):
    for f in fs:
        rel = os.path.relpath(os.path.join(d, f), root)
        files.append(rel)
        total += os.path.getsize(os.path.join(root, rel))
files.sort(key=lambda p: p.encode())
open(os.path.join(root, "manifest-sha256.txt"), "w").write("".join(f"{h(p)}  {p}\n" for p in files))
info = open(os.path.join(root, "bag-info.txt")).read()
info = re.sub(r"Payload-Oxum: .*", f"Payload-Oxum: {total}.{len(files)}", info)
open(os.path.join(root, "bag-info.txt"), "w").write(info)
tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
open(os.path.join(root, "tagmanifest-sha256.txt"), "w").write("".join(f"{h(t)}  {t}\n" for t in tags))
PY
out=$("$RP" verify "$folder" 2>&1)
check_eq "the folder verifies" 0 $?
identity=$(sed -n 's/^Identity (SHA-256 of tagmanifest-sha256.txt): //p' <<<"$out")

# The conforming archive, written by Python's zipfile: one top folder,
# .siard and media stored, text deflated, UTF-8 names flagged (bit 11).
zip=$WORK/zip/$name.zip
python3 - "$folder" "$zip" <<'PY' || { bad "zipping"; finish; }
import os, sys, zipfile
folder, out = sys.argv[1], sys.argv[2]
top = os.path.basename(out)[:-len(".zip")]
stored = (".siard", ".png", ".jpg", ".pdf", ".zip", ".gz")
files = []
for d, _, fs in os.walk(folder):
    files += [os.path.relpath(os.path.join(d, f), folder) for f in fs]
with zipfile.ZipFile(out, "w") as z:
    for rel in sorted(files, key=lambda p: p.encode()):
        how = zipfile.ZIP_STORED if rel.lower().endswith(stored) else zipfile.ZIP_DEFLATED
        z.write(os.path.join(folder, rel), top + "/" + rel, compress_type=how)
PY
(cd "$WORK/zip" && sha256sum "$name.zip" >"$name.zip.sha256")
archive_sha=$(cut -c1-64 "$zip.sha256")

check "the archive flags its UTF-8 names and stores the .siard" python3 - "$zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
utf8 = [i for i in z.infolist() if not i.filename.isascii()]
siard = [i for i in z.infolist() if i.filename.endswith(".siard")]
sys.exit(not (utf8 and all(i.flag_bits & 0x800 for i in utf8) and siard
              and all(i.compress_type == zipfile.ZIP_STORED for i in siard)))
PY
check "unzip -t accepts it" unzip -tqq "$zip"
check "7z t accepts it" 7z t -bso0 -bsp0 "$zip"
check "bsdtar reads every entry" bash -c 'bsdtar -xOf "$1" >/dev/null' _ "$zip"

out=$("$RP" verify "$zip" 2>&1)
check_eq "conforming archive: exit code" 0 $?
check_grep "conforming archive: valid" "^Result: VALID$" "$out"
check_grep "conforming archive: sidecar compared" "^Archive SHA-256: $archive_sha " "$out"
check_grep "conforming archive: same identity as the folder" "^Identity \(SHA-256 of tagmanifest-sha256.txt\): $identity$" "$out"
nman=$(unzip -p "$zip" '*/manifest-sha256.txt' | wc -l)
check "conforming archive: its manifest lists files" test "$nman" -gt 20
check_grep "conforming archive: every file and table checked" "^Checked: $nman payload files .* 16 tables" "$out"
check_grep "conforming archive: the friendly CSV read in place" "^Checked: .* 46 rows of friendly CSV$" "$out"
check_eq "conforming archive: no problem line" 0 "$(grep -c '^PROBLEM' <<<"$out")"

# The sidecar: absent is a note, another digest a problem.
mv "$zip.sha256" "$WORK/sidecar"
out=$("$RP" verify "$zip" 2>&1)
check_eq "no sidecar: exit code" 0 $?
check_grep "no sidecar: said" "^NOTE $name.zip.sha256: absent" "$out"
printf '%s  %s\n' "$(sha256sum /dev/null | cut -c1-64)" "$name.zip" >"$zip.sha256"
out=$("$RP" verify "$zip" 2>&1)
check_eq "sidecar mismatch: exit code" 1 $?
check_grep "sidecar mismatch: reported" "^PROBLEM $name.zip.sha256: says SHA-256 .*the archive's is $archive_sha" "$out"
mv "$WORK/sidecar" "$zip.sha256"

# One hostile archive per refusal (hostile_zip.py prints what to expect).
cases=$(python3 "$SRC/tests/integration/hostile_zip.py" "$zip" "$WORK/hostile") || { bad "hostile_zip.py"; finish; }
check "hostile_zip.py made its cases" test "$(wc -l <<<"$cases")" -ge 35
while IFS=$'\t' read -r case code kind entry regex; do
	out=$("$RP" verify "$WORK/hostile/$case/$name.zip" 2>&1)
	check_eq "$case: exit code" "$code" $?
	if [ "$kind" = - ]; then
		check_grep "$case: valid" "^Result: VALID$" "$out"
		check_eq "$case: no problem line" 0 "$(grep -c '^PROBLEM' <<<"$out")"
		continue
	fi
	if [ "$entry" = - ]; then who="$name.zip"; else who="$name.zip:$entry"; fi
	lines=$(grep -F -- "$kind $who: " <<<"$out")
	check_grep "$case: a $kind line names $who" "$regex" "$lines"
	[ -n "$lines" ] || echo "$out" | sed 's/^/    /' | head -20
	[ "$code" = 1 ] && check_grep "$case: summary" "^Result: INVALID" "$out"
done <<<"$cases"

# More than 65,535 entries: zipfile writes ZIP64 end records.
many=$WORK/zip64/$name.zip
mkdir -p "$WORK/zip64"
python3 - "$zip" "$many" <<'PY' || { bad "the ZIP64 archive"; finish; }
import hashlib, re, sys, zipfile
src, out = zipfile.ZipFile(sys.argv[1]), sys.argv[2]
top = src.namelist()[0].split("/")[0]
extra = {f"{top}/data/media/many/f{i:05}.txt": f"file {i}\n".encode() for i in range(70000)}
def sha(b):
    return hashlib.sha256(b).hexdigest()
manifest = src.read(f"{top}/manifest-sha256.txt").decode()
manifest += "".join(f"{sha(d)}  {n[len(top) + 1:]}\n" for n, d in extra.items())
info = src.read(f"{top}/bag-info.txt").decode()
m = re.search(r"Payload-Oxum: (\d+)\.(\d+)", info)
info = info.replace(m.group(0), "Payload-Oxum: %d.%d" % (int(m.group(1)) + sum(map(len, extra.values())),
                                                          int(m.group(2)) + len(extra)))
tags = {"bagit.txt": src.read(f"{top}/bagit.txt"), "bag-info.txt": info.encode(),
        "manifest-sha256.txt": manifest.encode()}
tagmanifest = "".join(f"{sha(d)}  {n}\n" for n, d in tags.items()).encode()
with zipfile.ZipFile(out, "w") as z:
    for i in src.infolist():
        rel = i.filename[len(top) + 1:]
        data = tags.get(rel, tagmanifest if rel == "tagmanifest-sha256.txt" else None)
        z.writestr(i, src.read(i) if data is None else data)
    for n, d in extra.items():
        z.writestr(n, d, compress_type=zipfile.ZIP_DEFLATED)
PY
check "the large archive has ZIP64 end records" python3 -c '
import sys; b = open(sys.argv[1], "rb").read(); sys.exit(b"PK\x06\x06" not in b[-200:])' "$many"
out=$("$RP" verify -q "$many" 2>&1)
check_eq "70,000 entries (ZIP64): exit code" 0 $?
check_grep "70,000 entries (ZIP64): valid" "^Result: VALID$" "$out"

# Nothing is written anywhere, and nothing but the archive and its sidecar
# (and the system's own libraries and configuration) is opened: every
# system call that opens or creates a file is traced.
scratch=$WORK/cwd
mkdir -p "$scratch"
marker=$WORK/marker
touch "$marker"
sleep 1
if command -v strace >/dev/null; then
	# LeakSanitizer cannot run under ptrace: in the sanitizer build it is
	# off for this run only.
	(cd "$scratch" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o "$WORK/trace" \
		-e trace=open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate,ftruncate,mknod,mknodat \
		"$RP" verify "$zip" >/dev/null)
	check_eq "traced verify: exit code" 0 $?
	check "trace: nothing written, nothing outside the archive opened" python3 - "$WORK/trace" "$zip" <<'PY'
import re, sys
trace, zip_path = sys.argv[1], sys.argv[2]
allowed = {zip_path, zip_path + ".sha256"}
system = ("/usr/", "/lib/", "/lib64/", "/etc/", "/proc/", "/sys/", "/dev/")
bad, seen = [], False
for line in open(trace):
    m = re.match(r"\d+\s+(\w+)\((.*?)(?:\)\s+=\s+(-?\d+)| <unfinished \.\.\.>)", line)
    if not m:
        continue
    call, args = m.group(1), m.group(2)
    rc = int(m.group(3)) if m.group(3) is not None else 0  # unfinished: as if it succeeded
    if not call.startswith("open"):
        bad.append("a call that writes: " + line.strip())
        continue
    path = re.search(r'"((?:[^"\\]|\\.)*)"', args).group(1)
    seen = seen or (path == zip_path and rc >= 0)
    if rc >= 0 and re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", args):
        bad.append("opened for writing: " + line.strip())
    elif path not in allowed and not path.startswith(system):
        bad.append("opened (or tried) outside the archive: " + line.strip())
if not seen:
    bad.append("the archive itself was never opened: the trace proves nothing")
for b in bad:
    print("   ", b)
sys.exit(1 if bad else 0)
PY
else
	echo "NOTE: strace is not installed: the system-call check was skipped"
fi
(cd "$scratch" && "$RP" verify "$zip" >/dev/null)
check_eq "nothing created in the working folder or beside the archive" "" \
	"$(find "$scratch" "$WORK/zip" -newer "$marker")"

finish
