#!/usr/bin/env bash
# The friendly CSV files of the fixture site (formats/friendly-csv.md), in
# both dialects and languages, folder and zip form: the files and their
# columns, as many rows as the database says, values as stored (accents,
# emoji, quotes, CR LF), no password hash, formula payloads neutralised
# while the database CSV keeps them exact, a text longer than a cell cut,
# media.csv's SHA-256 equal to sha256sum of the files in the package, and
# every file opened by LibreOffice Calc (headless) cell for cell as
# Python's csv module reads it, no formula run. tests/integration/friendly/
# check.py does the reading.
source "$(dirname "$0")/lib.sh"

HERE=$SRC/tests/integration/friendly
site=data/content/wordpress/www.mutuelle-exemple.fr
db=$(fixture_db friendly)
# formula payloads beside the fixture's form entries, and a post longer
# than a spreadsheet cell holds (about 48,000 characters, in lines of about
# 1,000: LibreOffice 7.4 breaks a line of more than 16,367 characters in a
# cell of several lines, formats/friendly-csv.md)
admin_sql "$db" -e "UPDATE wp_posts SET post_title = '+1 000 € offerts' WHERE ID = 15;
	UPDATE wp_usermeta SET meta_value = '@SUM(A1)' WHERE user_id = 3 AND meta_key = 'first_name';
	UPDATE wp_comments SET comment_author = '-2 Marc O''Neil' WHERE comment_ID = 5;
	UPDATE wp_posts SET post_content = CONCAT(post_content,
		REPEAT(CONCAT('<p>', REPEAT(' Suite 🛡️ « très longue » ;', 40), '</p>\n'), 40)) WHERE ID = 12;" ||
	exit 3

# LibreOffice Calc, headless (scripts/install-deps.sh installs it)
soffice=$(command -v soffice || command -v libreoffice || true)
[ -n "$soffice" ] || echo "NOTE: LibreOffice is not installed (libreoffice-calc-nogui): the spreadsheet check is skipped"

# calc DIR DIALECT: every CSV of the site in DIR opened by Calc with the
# import options of the dialect (separator, UTF-8), saved as DIR/xlsx/*.xlsx
calc() {
	local sep=44
	[ "$2" = excel-fr ] && sep=59
	mkdir -p "$1/xlsx"
	HOME=$WORK timeout 300 "$soffice" -env:UserInstallation="file://$WORK/lo-profile" --headless \
		--infilter="CSV:$sep,34,76,1,,1036,false,false" --convert-to xlsx --outdir "$1/xlsx" "$1"/*.csv \
		>"$WORK/soffice.log" 2>&1
}

# run_checks NAME PKG DIALECT LANG: check.py's lines as checks; media files
# against sha256sum
run_checks() {
	local name=$1 pkg=$2 out line path sha bytes xlsx=
	if [ -n "$soffice" ]; then
		mkdir -p "$WORK/$name-csv" && cp "$pkg/$site"/*.csv "$WORK/$name-csv/"
		calc "$WORK/$name-csv" "$3"
		check_eq "$name: LibreOffice converted every file" "$(ls "$WORK/$name-csv"/*.csv | wc -l)" \
			"$(ls "$WORK/$name-csv/xlsx"/*.xlsx 2>/dev/null | wc -l)"
		xlsx=$WORK/$name-csv/xlsx
	fi
	out=$(python3 "$HERE/check.py" "$pkg" "$3" "$4" "$REVPACK_MARIADB_ADMIN_CNF" "$db" $xlsx 2>&1)
	check_eq "$name: check.py ran" 0 $?
	while IFS= read -r line; do
		case $line in
		PASS\ *) ok ;;
		FAIL\ *) bad "$name: ${line#FAIL }" ;;
		MEDIA*)
			IFS=$'\t' read -r _ path sha bytes <<<"$line"
			check_eq "$name: media.csv's SHA-256 of $path is sha256sum's" "$sha" "$(sha256sum <"$pkg/$path" | cut -c1-64)"
			check_eq "$name: media.csv's size of $path" "$bytes" "$(stat -c %s "$pkg/$path")"
			;;
		*) bad "$name: check.py said: $line" ;;
		esac
	done <<<"$out"
	check "$name: check.py checked the media files" grep -q '^MEDIA' <<<"$out"
}

# --- folder, RFC 4180, French -------------------------------------------------
pkg=$WORK/fr
rp_export --mysql "wp=$(uri "$db")" --media "uploads=$SRC/fixtures/media/uploads" -o "$pkg" >/dev/null 2>"$WORK/fr.err"
check_eq "export (folder, rfc4180, fr): exit code" 0 $?
check_grep "verify (folder)" "^Result: VALID$" "$("$RP" verify "$pkg")"
check "inventory.xml valid against formats/inventory.xsd" \
	xmllint --noout --schema "$SRC/formats/inventory.xsd" "$pkg/data/inventory.xml"
run_checks folder "$pkg" rfc4180 fr

# --- zip, excel-fr, English -------------------------------------------------------
rp_export --mysql "wp=$(uri "$db")" --media "uploads=$SRC/fixtures/media/uploads" --csv-dialect excel-fr --lang en \
	-o "$WORK/en.zip" >/dev/null 2>"$WORK/en.err"
check_eq "export (zip, excel-fr, en): exit code" 0 $?
check_grep "verify (zip)" "^Result: VALID$" "$("$RP" verify "$WORK/en.zip")"
mkdir -p "$WORK/enx" && (cd "$WORK/enx" && unzip -q "$WORK/en.zip")
run_checks zip "$WORK/enx/en" excel-fr en
# the archive's own entries, not only the extracted copy
IFS=$'\t' read -r zpath zsha < <(unzip -p "$WORK/en.zip" "en/$site/media.csv" | tr -d '\r' |
	awk -F';' 'NR > 1 && $4 == "yes" { print $3 "\t" $6; exit }')
check_eq "zip: media.csv's first SHA-256 is sha256sum of the entry in the archive" "$zsha" \
	"$(unzip -p "$WORK/en.zip" "en/$zpath" | sha256sum | cut -c1-64)"

# --- the same data twice: the dialect and language change only the form ----------
python3 - "$pkg/$site/users.csv" "$WORK/enx/en/$site/users.csv" >"$WORK/same.txt" <<'PY'
import csv, sys
a = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline=""), strict=True))
b = list(csv.reader(open(sys.argv[2], encoding="utf-8-sig", newline=""), delimiter=";", strict=True))
tr = {"Administrator": "Administrateur", "Editor": "Éditeur"}
print("same" if a[1:] == [[tr.get(c, c) for c in r] for r in b[1:]] else "different")
PY
check_grep "users.csv holds the same rows in both forms (roles in words of each language)" "^same$" "$(cat "$WORK/same.txt")"

finish
