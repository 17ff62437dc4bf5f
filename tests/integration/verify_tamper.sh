#!/usr/bin/env bash
# verify catches every kind of damage to a real package, names the file at
# fault, exits 1, and never looks outside the package.
source "$(dirname "$0")/lib.sh"

src=$(fixture_db tamper)
pkg=$WORK/orig
rp_export --mysql "wp=$(uri "$src")" -o "$pkg" >/dev/null || { bad "export"; finish; }
check "pristine package verifies" "$RP" verify -q "$pkg"

n=0
# tamper NAME EXPECTED_PATTERN SHELL-SNIPPET (run inside a copy of the package)
tamper() {
	local name=$1 pattern=$2 snippet=$3 copy out rc
	n=$((n + 1))
	copy=$WORK/t$n
	cp -a "$pkg" "$copy"
	(cd "$copy" && eval "$snippet")
	out=$("$RP" verify "$copy" 2>&1)
	rc=$?
	check_eq "$name: exit code" 1 "$rc"
	check_grep "$name: reported" "$pattern" "$out"
	check_grep "$name: summary" "^Result: INVALID" "$out"
}

csv=data/database/wp/csv/wp_posts.csv
tamper "a byte changed in a CSV" "PROBLEM $csv: .*(SHA-256|digest|checksum)" \
	"printf 'X' | dd of=$csv bs=1 seek=200 conv=notrunc status=none"
tamper "a byte changed in dump.sql" "PROBLEM data/database/wp/dump.sql" \
	"printf 'Z' | dd of=data/database/wp/dump.sql bs=1 seek=300 conv=notrunc status=none"
tamper "a payload file removed" "PROBLEM data/database/wp/csv/wp_users.csv" \
	"rm data/database/wp/csv/wp_users.csv"
tamper "an unlisted file added" "PROBLEM data/extra.txt" \
	"echo hello > data/extra.txt"
tamper "a manifest path escaping the bag" "\.\./" \
	"echo '0000000000000000000000000000000000000000000000000000000000000000  data/../../etc/passwd' >> manifest-sha256.txt"
tamper "an absolute manifest path" "/etc/passwd" \
	"echo '0000000000000000000000000000000000000000000000000000000000000000  /etc/passwd' >> manifest-sha256.txt"
tamper "a symlink in the payload" "PROBLEM data/link.csv: .*symbolic link" \
	"ln -s /etc/passwd data/link.csv"
tamper "a fifo in the payload" "PROBLEM data/pipe" \
	"mkfifo data/pipe"
tamper "bag-info.txt edited" "PROBLEM (bag-info.txt|tagmanifest-sha256.txt)" \
	"sed -i 's/^Source-Organization.*/Source-Organization: Someone Else/; s/^External-Identifier/External-Identifier/' bag-info.txt; echo 'Contact-Name: X' >> bag-info.txt"
tamper "tag manifest missing" "tagmanifest-sha256.txt" \
	"rm tagmanifest-sha256.txt"
tamper "bagit.txt wrong" "bagit.txt" \
	"printf 'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n' > bagit.txt"
# A CSV row changed and every manifest recomputed: only the inventory's
# content digest can tell.
tamper "CSV changed with manifests forged" "PROBLEM $csv: .*digest" "
	sed -i 's/,Accueil,/,Acceuil,/' $csv
	grep -q Acceuil $csv || exit 1
	python3 - <<'PY'
import hashlib, re
def h(p): return hashlib.sha256(open(p,'rb').read()).hexdigest()
lines = open('manifest-sha256.txt').read().splitlines()
out = []
for l in lines:
    d, p = l.split('  ', 1)
    out.append(h(p) + '  ' + p)
open('manifest-sha256.txt','w').write('\n'.join(out) + '\n')
inv = open('data/inventory.xml').read()
p = '$csv'
inv = re.sub(r'(path=\"' + re.escape(p) + r'\" bytes=\"\d+\" sha256=\")[0-9a-f]{64}', lambda m: m.group(1) + h(p), inv)
open('data/inventory.xml','w').write(inv)
out = []
for l in open('manifest-sha256.txt').read().splitlines():
    d, q = l.split('  ', 1)
    out.append(h(q) + '  ' + q)
open('manifest-sha256.txt','w').write('\n'.join(out) + '\n')
t = []
for l in open('tagmanifest-sha256.txt').read().splitlines():
    d, q = l.split('  ', 1)
    t.append(h(q) + '  ' + q)
open('tagmanifest-sha256.txt','w').write('\n'.join(t) + '\n')
PY"
tamper "inventory not matching its schema" "PROBLEM data/inventory.xml" "
	sed -i 's/rows=\"/rowz=\"/' data/inventory.xml
	python3 - <<'PY'
import hashlib
def h(p): return hashlib.sha256(open(p,'rb').read()).hexdigest()
out = []
for l in open('manifest-sha256.txt').read().splitlines():
    d, q = l.split('  ', 1)
    out.append(h(q) + '  ' + q)
open('manifest-sha256.txt','w').write('\n'.join(out) + '\n')
t = []
for l in open('tagmanifest-sha256.txt').read().splitlines():
    d, q = l.split('  ', 1)
    t.append(h(q) + '  ' + q)
open('tagmanifest-sha256.txt','w').write('\n'.join(t) + '\n')
PY"

# The WordPress WXR changed and every manifest forged (inventory.xml's
# files list too): verify still reads the WXR itself.
wxr=data/content/wordpress/www.mutuelle-exemple.fr/www.mutuelle-exemple.fr.wxr.xml
cat >"$WORK/forge.py" <<'PY'
import hashlib, re, sys
def h(p): return hashlib.sha256(open(p, "rb").read()).hexdigest()
def redo(name):
    out = []
    for l in open(name).read().splitlines():
        d, q = l.split("  ", 1)
        out.append(h(q) + "  " + q)
    open(name, "w").write("\n".join(out) + "\n")
p = sys.argv[1]
inv = open("data/inventory.xml").read()
inv = re.sub(r'(path="' + re.escape(p) + r'" bytes=")\d+(" sha256=")[0-9a-f]{64}',
             lambda m: m.group(1) + str(len(open(p, "rb").read())) + m.group(2) + h(p), inv)
open("data/inventory.xml", "w").write(inv)
redo("manifest-sha256.txt")
redo("tagmanifest-sha256.txt")
PY
cat >"$WORK/drop_item.py" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
s = re.sub(r"\t<item>.*?</item>\n", "", s, count=1, flags=re.S)
open(sys.argv[1], "w", encoding="utf-8").write(s)
PY
cat >"$WORK/nul.py" <<'PY'
import sys
s = open(sys.argv[1], "rb").read().replace(b"Non class", b"Non\x00class", 1)
open(sys.argv[1], "wb").write(s)
PY
tamper "WXR: an item removed, manifests forged" "PROBLEM $wxr: holds 36 items, data/inventory.xml says 37" \
	"python3 '$WORK/drop_item.py' $wxr && python3 '$WORK/forge.py' $wxr"
tamper "WXR: a NUL byte written in, manifests forged" "PROBLEM $wxr: line [0-9]+: not well-formed XML" \
	"python3 '$WORK/nul.py' $wxr && python3 '$WORK/forge.py' $wxr"

# friendly CSV (formats/friendly-csv.md), manifests and inventory digests forged
fdir=data/content/wordpress/www.mutuelle-exemple.fr
cat >"$WORK/csvedit.py" <<'PY'
import sys
p, what = sys.argv[1], sys.argv[2]
rows = open(p, "rb").read().split(b"\r\n")
if what == "drop":                 # the last row (not the header)
    del rows[-2]
elif what == "formula":            # a neutralised cell loses its apostrophe
    i = next(k for k, r in enumerate(rows) if b"'=HYPERLINK" in r)
    rows[i] = rows[i].replace(b"'=HYPERLINK", b"=HYPERLINK", 1)
elif what == "field":              # a field more on the first row
    rows[1] = rows[1] + b",extra"
open(p, "wb").write(b"\r\n".join(rows))
PY
tamper "friendly CSV: a row removed, manifests forged" "PROBLEM $fdir/users.csv: holds 2 rows, data/inventory.xml says 3" \
	"python3 '$WORK/csvedit.py' $fdir/users.csv drop && python3 '$WORK/forge.py' $fdir/users.csv"
tamper "friendly CSV: a formula put back, manifests forged" \
	"PROBLEM $fdir/type-flamingo_inbound.csv: record [0-9]+, field 2 starts with '=': a spreadsheet would read it as a formula" \
	"python3 '$WORK/csvedit.py' $fdir/type-flamingo_inbound.csv formula && python3 '$WORK/forge.py' $fdir/type-flamingo_inbound.csv"
tamper "friendly CSV: a field added, manifests forged" \
	"PROBLEM $fdir/posts.csv: record 2 has 17 fields, data/inventory.xml says the file has 16 columns" \
	"python3 '$WORK/csvedit.py' $fdir/posts.csv field && python3 '$WORK/forge.py' $fdir/posts.csv"

# verify never follows a symlinked package component outside the bag
copy=$WORK/symdata
cp -a "$pkg" "$copy"
mv "$copy/data" "$WORK/elsewhere"
ln -s "$WORK/elsewhere" "$copy/data"
out=$("$RP" verify "$copy" 2>&1)
check_eq "data/ as a symlink: exit code" 1 $?
check_grep "data/ as a symlink: reported" "symbolic link" "$out"

finish
