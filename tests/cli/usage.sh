#!/usr/bin/env bash
# CLI behaviour without a server: help, usage errors (exit 2), refusals.
set -u
rp=$1
fails=0
pass=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect CODE DESCRIPTION PATTERN -- command...
expect() {
	local code=$1 what=$2 pattern=$3
	shift 4
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "FAIL: $what: exit $rc, expected $code"; echo "$out" | sed 's/^/    /'
		fails=$((fails + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: $what: output lacks /$pattern/"; echo "$out" | sed 's/^/    /'
		fails=$((fails + 1)); return
	fi
	pass=$((pass + 1))
}

expect 0 "top help" "verify +prove a package" -- "$rp" --help
expect 0 "version" "^revpack [0-9]" -- "$rp" --version
expect 2 "no command" "Usage" -- "$rp"
expect 2 "unknown command" "unknown command" -- "$rp" frobnicate
# a bad option: getopt's message names it, under the command's name
expect 2 "unknown option" "^revpack export: unrecognized option '--bogus'" -- "$rp" export --bogus
expect 2 "missing value" "^revpack export: option '--jobs' requires an argument" -- "$rp" export --media "up=$tmp" --jobs
expect 2 "missing value (short)" "^revpack export: option requires an argument -- 'o'" -- "$rp" export --media "up=$tmp" -o
expect 2 "unknown verify option" "^revpack verify: invalid option -- 'z'" -- "$rp" verify -z x
expect 2 "unknown digest option" "^Try 'revpack digest --help'" -- "$rp" digest --bogus
expect 2 "digest: an extra argument" "unexpected argument 'extra'" -- "$rp" digest --mysql mysql://u@h/db extra
for j in -1 99999999999 abc ' 5' +5; do
	expect 2 "bad --jobs $j" "number of connections from 1 to 64, not '${j//+/[+]}'" -- "$rp" export --mysql mysql://u@h/db --jobs "$j" -o "$tmp/x"
done
expect 2 "-o twice" "-o is given twice" -- "$rp" export --mysql mysql://u@h/db -o "$tmp/a" -o "$tmp/b"
expect 2 "--with-owners without --pgsql" "--with-owners applies to PostgreSQL sources" -- \
	"$rp" export --mysql mysql://u@h/db --with-owners -o "$tmp/x"
expect 0 "export help" "--mysql \[NAME=\]URI" -- "$rp" export --help
expect 0 "verify help" "Exit codes" -- "$rp" verify --help
expect 0 "digest help" "tab-separated" -- "$rp" digest --help
expect 2 "export without source" "at least one source" -- "$rp" export -o "$tmp/x"
expect 2 "export without -o" "-o OUT" -- "$rp" export --mysql mysql://u@h/db
expect 2 "password in URI refused" "MYSQL_PWD" -- "$rp" export --mysql mysql://u:secret@h/db -o "$tmp/x"
expect 2 "password parameter refused" "never put one on the command line" -- "$rp" export --mysql 'mysql://u@h/db?password=secret' -o "$tmp/x"
expect 2 "bad scheme" "expected mysql://" -- "$rp" export --mysql postgres://h/db -o "$tmp/x"
expect 2 "bad source name" "not usable as a folder name" -- "$rp" export --mysql '../evil=mysql://u@h/db' -o "$tmp/x"
expect 2 "duplicate source names" "two sources are named" -- "$rp" export --mysql a=mysql://u@127.0.0.1:1/db --mysql a=mysql://u@127.0.0.1:1/db2 -o "$tmp/x"
expect 2 "bad formats" "list of sql, csv, siard and wxr" -- "$rp" export --mysql mysql://u@h/db --formats sql,xml -o "$tmp/x"
expect 2 "empty formats" "list of sql, csv, siard and wxr" -- "$rp" export --mysql mysql://u@h/db --formats '' -o "$tmp/x"
expect 2 "bad --jobs" "number of connections from 1 to 64" -- "$rp" export --mysql mysql://u@h/db --jobs 0 -o "$tmp/x"
expect 2 "bad --jobs text" "number of connections from 1 to 64" -- "$rp" export --mysql mysql://u@h/db -j 2x -o "$tmp/x"
expect 2 "bad dialect" "rfc4180 or excel-fr" -- "$rp" export --mysql mysql://u@h/db --csv-dialect tsv -o "$tmp/x"
expect 2 "unreadable defaults file" "cannot be read" -- "$rp" export --mysql-defaults-file "$tmp/none.cnf" --mysql mysql://u@h/db -o "$tmp/x"
mkdir "$tmp/existing"; touch "$tmp/existing/keep"
expect 2 "existing output refused" "never overwrites" -- "$rp" export --mysql mysql://u@127.0.0.1:1/db -o "$tmp/existing"
[ -e "$tmp/existing/keep" ] && [ "$(ls -A "$tmp/existing")" = keep ] || { echo "FAIL: existing output touched"; fails=$((fails + 1)); }
expect 3 "unreachable server" "cannot connect" -- "$rp" export --mysql mysql://u@127.0.0.1:1/db -o "$tmp/y"
[ ! -e "$tmp/y" ] && [ -z "$(ls -A "$tmp" | grep -v existing)" ] || { echo "FAIL: something left after a failed export"; ls -la "$tmp"; fails=$((fails + 1)); }
expect 2 "pgsql password in conninfo refused" "PGPASSWORD" -- "$rp" export --pgsql 'host=h dbname=d password=s3cr3tpw' -o "$tmp/x"
expect 2 "pgsql password in URI refused" "never put one on the command line" -- "$rp" export --pgsql 'postgresql://u:s3cr3tpw@h/db' -o "$tmp/x"
expect 2 "pgsql not a conninfo" "not a libpq connection string" -- "$rp" export --pgsql 'host' -o "$tmp/x"
# (the "." keeps the trailing newlines that $(...) would remove)
out=$("$rp" export --pgsql 'host=h dbname=d PASSWORD=x' -o "$tmp/x" 2>&1; echo .)
if [ "$(wc -l <<<"$out")" -eq 2 ] && ! grep -q '^$' <<<"$out"; then pass=$((pass + 1)); else
	echo "FAIL: a bad conninfo is said on one line: $out"; fails=$((fails + 1)); fi
expect 2 "pgsql without a database" "names no database" -- env -u PGDATABASE "$rp" export --pgsql 'host=127.0.0.1 port=1' -o "$tmp/x"
expect 2 "pgsql bad source name" "not usable as a folder name" -- "$rp" export --pgsql 'my db=host=h dbname=d' -o "$tmp/x"
out=$("$rp" export --pgsql 'host=h dbname=d password=s3cr3tpw' -o "$tmp/x" 2>&1)
if grep -q s3cr3tpw <<<"$out"; then echo "FAIL: pgsql password echoed"; fails=$((fails + 1)); else pass=$((pass + 1)); fi
expect 3 "pgsql unreachable" "cannot connect to PostgreSQL" -- "$rp" export --pgsql 'host=127.0.0.1 port=1 dbname=d connect_timeout=2' -o "$tmp/y2"
# media and the zip form
expect 0 "export help names --media" "--media NAME=DIR" -- "$rp" export --help
expect 0 "export help names --skip-unreadable" "--skip-unreadable" -- "$rp" export --help
expect 2 "--media without NAME=" "takes NAME=DIR" -- "$rp" export --media /srv/uploads -o "$tmp/m"
expect 2 "--media with an empty DIR" "takes NAME=DIR" -- "$rp" export --media up= -o "$tmp/m"
expect 2 "bad media name" "media name \"\.\./x\" is not usable" -- "$rp" export --media ../x=/srv -o "$tmp/m"
expect 2 "media name starting with _" "media name \"_x\" is not usable .*starting with a letter or digit" -- "$rp" export --media _x=/srv -o "$tmp/m"
expect 2 "source name starting with _" "source name \"_db\" is not usable .*starting with a letter or digit" -- "$rp" export --mysql mysql://u@h/_db -o "$tmp/x"
expect 2 "media folder missing" "--media up=$tmp/none: no such folder" -- "$rp" export --media "up=$tmp/none" -o "$tmp/m"
expect 2 "two media with one name" "two media folders are named up" -- "$rp" export --media "up=$tmp" --media "up=$tmp" -o "$tmp/m"
expect 2 "media and source with one name" "both named db" -- "$rp" export --mysql mysql://u@127.0.0.1:1/db --media "db=$tmp" -o "$tmp/m"
mkdir "$tmp/media"; printf 'x' >"$tmp/media/f.txt"
printf 'keep' >"$tmp/old.zip"
expect 2 "existing zip refused" "old.zip already exists; revpack never overwrites" -- "$rp" export --media "up=$tmp/media" -o "$tmp/old.zip"
[ "$(cat "$tmp/old.zip")" = keep ] && [ ! -e "$tmp/old.zip.sha256" ] || { echo "FAIL: existing zip touched"; fails=$((fails + 1)); }
printf 'keep' >"$tmp/side.zip.sha256"
expect 2 "existing sidecar refused" "side.zip.sha256 already exists" -- "$rp" export --media "up=$tmp/media" -o "$tmp/side.zip"
[ ! -e "$tmp/side.zip" ] && [ "$(cat "$tmp/side.zip.sha256")" = keep ] || { echo "FAIL: existing sidecar touched"; fails=$((fails + 1)); }
expect 2 "a zip without a name" "give a plain UTF-8 name" -- "$rp" export --media "up=$tmp/media" -o "$tmp/.zip"
[ -z "$(ls -A "$tmp" | grep -v -x -e existing -e media -e old.zip -e side.zip.sha256)" ] || { echo "FAIL: something left after refused media exports"; ls -la "$tmp"; fails=$((fails + 1)); }
expect 2 "--table without a database" "--table wp_\* matches no table: no database" -- "$rp" export --media "up=$tmp/media" --table 'wp_*' -o "$tmp/t"
[ ! -e "$tmp/t" ] || { echo "FAIL: --table without a database wrote a package"; fails=$((fails + 1)); }
expect 0 "media-only export" "1 media folder\(s\): 1 files" -- "$rp" export -q --media "up=$tmp/media" -o "$tmp/m.zip"
rm -rf "$tmp/media" "$tmp/old.zip" "$tmp/side.zip.sha256" "$tmp/m.zip" "$tmp/m.zip.sha256"
expect 2 "verify without package" "exactly one package" -- "$rp" verify
expect 3 "verify missing package" "" -- "$rp" verify "$tmp/none"
printf 'plain text' >"$tmp/plain"
expect 3 "verify a file that is no package" "not a folder nor a ZIP archive" -- "$rp" verify "$tmp/plain"
printf 'not a zip at all' >"$tmp/junk.zip"
expect 1 "verify a .zip that is no archive" "^PROBLEM junk.zip: .*not a ZIP archive" -- "$rp" verify "$tmp/junk.zip"
: >"$tmp/empty.zip"
expect 1 "verify an empty .zip" "^Result: INVALID" -- "$rp" verify "$tmp/empty.zip"
# Text from a package (a sidecar's file name, a bag-info value) reaches the
# terminal with its control characters escaped.
mkdir "$tmp/esc"; printf 'x' >"$tmp/esc/f"
"$rp" export -q --media "up=$tmp/esc" -o "$tmp/e.zip" >/dev/null 2>&1
printf '%s  \033]0;owned\007e.zip\n' "$(cut -c1-64 "$tmp/e.zip.sha256")" >"$tmp/e.zip.sha256"
expect 0 "verify: a sidecar's name is escaped" 'names "\\x1b\]0;owned\\x07e.zip"' -- "$rp" verify "$tmp/e.zip"
"$rp" export -q --media "up=$tmp/esc" -o "$tmp/e" >/dev/null 2>&1
sed -i 's/^External-Identifier: /&\x1b[2J/' "$tmp/e/bag-info.txt"
sed -i "s/^[0-9a-f]\{64\}  bag-info.txt\$/$(sha256sum <"$tmp/e/bag-info.txt" | cut -c1-64)  bag-info.txt/" "$tmp/e/tagmanifest-sha256.txt"
expect 0 "verify: a bag-info value is escaped" '^External-Identifier: \\x1b\[2J' -- "$rp" verify "$tmp/e"
for z in "$tmp/e.zip" "$tmp/e"; do
	if "$rp" verify "$z" 2>&1 | grep -q $'\033'; then echo "FAIL: an ESC byte reached the output of verify $z"; fails=$((fails + 1)); else pass=$((pass + 1)); fi
done
# the secret never appears in any output
out=$("$rp" export --mysql mysql://u:s3cr3tpw@h/db -o "$tmp/z" 2>&1)
if grep -q s3cr3tpw <<<"$out"; then echo "FAIL: password echoed"; fails=$((fails + 1)); else pass=$((pass + 1)); fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
