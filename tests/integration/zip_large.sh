#!/usr/bin/env bash
# A media file over 4 GiB (sparse, 4500 MiB) goes into the archive STORED
# with ZIP64 sizes, streamed (never copied to disk first); the entry reads
# back with the file's SHA-256. Slow: about 9 GB of reading and writing.
source "$(dirname "$0")/lib.sh"

tree=$WORK/tree
mkdir "$tree"
truncate -s 4500M "$tree/video.mp4"
printf 'the end\n' | dd of="$tree/video.mp4" bs=1 seek=$((4500 * 1024 * 1024 - 8)) conv=notrunc status=none
printf 'small\n' >"$tree/zz-after.txt"
want=$(sha256sum "$tree/video.mp4" | cut -c1-64)

out=$("$RP" export --quiet --media "big=$tree" -o "$WORK/big.zip" 2>&1)
check_eq "export exit code" 0 $?
check "no staging copy left" test -z "$(find "$WORK" -maxdepth 1 -name '.*rp-tmp*')"
check "sha256sum -c" bash -c "cd '$WORK' && sha256sum --quiet -c big.zip.sha256"
python3 - "$WORK/big.zip" >"$WORK/read.txt" <<'PY'
import hashlib, struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
i = z.getinfo("big/data/media/big/video.mp4")
print("size", i.file_size, i.compress_size, i.compress_type)
# the central directory entry carries the ZIP64 extra field (id 0x0001)
extra, ids = i.extra, []
while len(extra) >= 4:
    hid, ln = struct.unpack("<HH", extra[:4])
    ids.append(hid)
    extra = extra[4 + ln:]
print("zip64 extra", 1 in ids)
h = hashlib.sha256()
with z.open(i) as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        h.update(b)
print("sha256", h.hexdigest())
print("after", z.read("big/data/media/big/zz-after.txt") == b"small\n", z.getinfo("big/data/media/big/zz-after.txt").header_offset > 2**32)
PY
r=$(cat "$WORK/read.txt")
check_grep "stored, 4500 MiB both ways" "^size 4718592000 4718592000 0$" "$r"
check_grep "ZIP64 extra field" "^zip64 extra True$" "$r"
check_grep "the entry's SHA-256 is the file's" "^sha256 $want$" "$r"
check_grep "the entry after it, past 4 GiB, reads" "^after True True$" "$r"
check_grep "the inventory has the same digest" "video.mp4\" bytes=\"4718592000\" .*sha256=\"$want\"" \
	"$(unzip -p "$WORK/big.zip" big/data/inventory.xml)"
check "unzip -t" bash -c "unzip -tq '$WORK/big.zip' >/dev/null"

finish
