#!/usr/bin/env bash
# Media that cannot be exported fail the export closed (exit 3, every path
# named, nothing left), or with --skip-unreadable are left out and
# recorded: unreadable files and folders (as an unprivileged user: root
# reads everything), a FIFO, a file that grows while it is read (test hook
# REVPACK_TEST_MEDIA_GROW), and a signal in the middle. Both forms.
source "$(dirname "$0")/lib.sh"

if ! setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	echo "SKIP: cannot run as nobody (setpriv)"
	exit 77
fi
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

chmod 711 "$WORK"                     # nobody may pass through, not list
tree=$WORK/tree
out=$WORK/out                         # where nobody writes its packages
mkdir -p "$tree/public/sub" "$tree/secret-dir" "$out"
printf 'public\n' >"$tree/public/a.txt"
printf 'also public\n' >"$tree/public/sub/b.jpg"
printf 'secret\n' >"$tree/public/private.key"
printf 'hidden\n' >"$tree/secret-dir/c.txt"
chmod -R a+rX "$tree"
chmod 000 "$tree/public/private.key" "$tree/secret-dir"
chown nobody:nogroup "$out"

# nothing that looks like a package in $1 (no name $2, no hidden temporary)
nothing_left() {
	[ ! -e "$1/$2" ] && [ ! -e "$1/$2.sha256" ] && [ -z "$(find "$1" -mindepth 1 -maxdepth 1 -name '.*')" ]
}

for form in folder zip; do
	name=pkg-$form
	[ $form = zip ] && name=pkg.zip
	msg=$(as_nobody "$RP" export --quiet --media "up=$tree" -o "$out/$name" 2>&1)
	check_eq "$form, unreadable: exit code" 3 $?
	check_grep "$form, unreadable: names the file" "$tree/public/private.key: cannot be read: permission denied" "$msg"
	check_grep "$form, unreadable: names the folder" "$tree/secret-dir: folder cannot be opened: permission denied" "$msg"
	check_grep "$form, unreadable: says how many" "media up: 2 paths cannot be exported" "$msg"
	check_eq "$form, unreadable: one error" 1 "$(grep -c '^revpack: error:' <<<"$msg")"
	check "$form, unreadable: nothing left" nothing_left "$out" "$name"

	msg=$(as_nobody "$RP" export --quiet --skip-unreadable --media "up=$tree" -o "$out/$name" 2>&1)
	check_eq "$form, --skip-unreadable: exit code" 0 $?
	check_grep "$form, --skip-unreadable: warns" "warning: source up: left out $tree/public/private.key \(cannot be read: permission denied\)" "$msg"
	check_grep "$form, --skip-unreadable: summary" "2 files, .*2 left out" "$msg"
	if [ $form = zip ]; then
		check "zip owner-only" test "$(stat -c '%a %U' "$out/$name") $(stat -c '%a %U' "$out/$name.sha256")" = "600 nobody 600 nobody"
		rm -rf "$WORK/x" && mkdir "$WORK/x" && (cd "$WORK/x" && unzip -q "$out/$name")
		bag=$WORK/x/pkg
	else
		bag=$out/$name
	fi
	check_grep "$form, --skip-unreadable: verify" "^Result: VALID$" "$("$RP" verify "$bag")"
	check "$form: the unreadable file is not in the bag" test ! -e "$bag/data/media/up/public/private.key"
	inv=$(cat "$bag/data/inventory.xml")
	check_grep "$form: skip of the file recorded" '<skipped path="data/media/up/public/private.key" kind="file" reason="cannot be read: permission denied"/>' "$inv"
	check_grep "$form: skip of the folder recorded" '<skipped path="data/media/up/secret-dir" kind="folder" reason="folder cannot be opened: permission denied"/>' "$inv"
	check_grep "$form: counts" 'files="2" bytes="19" skipped="2"' "$inv"
	rm -rf "$out/$name" "$out/$name.sha256"
done
chmod 644 "$tree/public/private.key"
chmod 755 "$tree/secret-dir"

# special files: every one named (as root)
mkfifo "$tree/public/pipe"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$tree/sock"
expect_failure "FIFO and socket" "pipe: is a FIFO \(named pipe\), not a regular file" "$WORK/p1" \
	"$RP" export --quiet --media "up=$tree" -o "$WORK/p1"
msg=$("$RP" export --quiet --media "up=$tree" -o "$WORK/p1" 2>&1)
check_grep "the socket named too" "$tree/sock: is a socket, not a regular file" "$msg"
out1=$("$RP" export --quiet --skip-unreadable --media "up=$tree" -o "$WORK/p2" 2>&1)
check_eq "special files skipped: exit code" 0 $?
check_grep "FIFO recorded" '<skipped path="data/media/up/public/pipe" kind="special" reason="is a FIFO' "$(cat "$WORK/p2/data/inventory.xml")"
rm -f "$tree/public/pipe" "$tree/sock"

# a file that grows while it is read (the hook appends one byte after the
# first read, through another descriptor)
for form in folder zip; do
	o=$WORK/grow-$form
	[ $form = zip ] && o=$WORK/grow.zip
	expect_failure "$form, grows while read" "$tree/public/sub/b.jpg: changed while it was read" "$o" \
		env REVPACK_TEST_MEDIA_GROW=b.jpg "$RP" export --quiet --media "up=$tree" -o "$o"
	check "$form: no sidecar left" test ! -e "$o.sha256"
	printf 'also public\n' >"$tree/public/sub/b.jpg"
	msg=$(REVPACK_TEST_MEDIA_GROW=b.jpg "$RP" export --quiet --skip-unreadable --media "up=$tree" -o "$o" 2>&1)
	check_eq "$form, grows while read, --skip-unreadable: exit code" 0 $?
	check_grep "$form, grows while read: warned" "left out $tree/public/sub/b.jpg \(changed while it was read" "$msg"
	if [ $form = zip ]; then
		check "zip: sha256sum -c" bash -c "cd '$WORK' && sha256sum --quiet -c grow.zip.sha256"
		check_eq "zip: the file that grew is not in the archive" "" \
			"$(python3 -c "import zipfile,sys; print('\n'.join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if 'b.jpg' in n))" "$o")"
		check_eq "zip: the other file is" "grow/data/media/up/public/a.txt" \
			"$(python3 -c "import zipfile,sys; print('\n'.join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if 'a.txt' in n))" "$o")"
		rm -rf "$WORK/x" && mkdir "$WORK/x" && (cd "$WORK/x" && unzip -q "$o")
		bag=$WORK/x/grow
	else
		bag=$o
	fi
	check_grep "$form, grows while read: verify" "^Result: VALID$" "$("$RP" verify "$bag")"
	check_grep "$form: the change recorded" '<skipped path="data/media/up/public/sub/b.jpg" kind="file" reason="changed while it was read' "$(cat "$bag/data/inventory.xml")"
	printf 'also public\n' >"$tree/public/sub/b.jpg"
done

# SIGTERM in the middle of the media (the hook waits 300 ms per file)
for i in $(seq 1 20); do printf '%s' "$i" >"$tree/public/f$i.txt"; done
mkdir "$WORK/sig"
for form in folder zip; do
	o=$WORK/sig/pkg-$form
	[ $form = zip ] && o=$WORK/sig/pkg.zip
	REVPACK_TEST_MEDIA_DELAY_MS=300 "$RP" export --quiet --jobs 1 --media "up=$tree" -o "$o" >"$WORK/sig.out" 2>&1 &
	pid=$!
	sleep 1.5
	kill -TERM $pid
	wait $pid
	check_eq "$form, SIGTERM: exit code" 3 $?
	check_grep "$form, SIGTERM: says interrupted" "^revpack: error: interrupted" "$(cat "$WORK/sig.out")"
	check "$form, SIGTERM: nothing left" test -z "$(ls -A "$WORK/sig")"
done

finish
