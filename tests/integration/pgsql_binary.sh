#!/usr/bin/env bash
# Tables whose every column has a type revpack reads in the COPY binary
# format (formats/sql-pgsql.md, "How rows are read") give the same payload
# as the text format: the same dump.sql, CSV and SIARD tables, and
# digests equal to PostgreSQL's own SQL computation over the output text
# of every value. The values are the types' edges (BC dates, infinities,
# 24:00:00, extreme integers, every byte, control characters) and 20,000
# random ones across the whole range of each type.
source "$(dirname "$0")/lib.sh"
require_pg

db=$(pg_fresh_db pgbin)
pg_admin -d "$db" <<'SQL' >/dev/null || exit 3
SET ROLE revpack;
CREATE DOMAIN stamp AS timestamptz;
-- domains over domains: read as their base type at the end of the chain
CREATE DOMAIN stamp2 AS stamp;
CREATE DOMAIN blob AS bytea;
CREATE DOMAIN blob2 AS blob;
CREATE TABLE edges (
    id bigint PRIMARY KEY,
    b boolean, s smallint, i integer, o oid,
    t text, v varchar(40), c char(5), n name, j json, jb jsonb, raw bytea,
    d date, tm time, ts timestamp, tz timestamptz, st stamp, u uuid,
    st2 stamp2, rb blob2
);
INSERT INTO edges VALUES
 (1, true, -32768, -2147483648, 4294967295, E'tab\there\nnew\\back\bbs\fff\x0bvt\rcr\x01ctl', 'accents éèà 😀', 'ab', 'nom',
  '{"a" :  [1, 2 ]}', '{"b": {"c": [true, null, "é"]}}', '\x00010203fffe'::bytea,
  '4714-11-24 BC', '24:00:00', '294276-12-31 23:59:59.999999', '4714-11-24 00:00:00+00 BC', 'infinity', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 (2, false, 32767, 2147483647, 0, '', '', '', '', 'null', '"s"', ''::bytea,
  '5874897-12-31', '00:00:00', '-infinity', 'infinity', '-infinity', '00000000-0000-0000-0000-000000000000'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, true, 0, 0, 1, 'x', 'y', 'z', 'w', '[]', '[]', (SELECT string_agg(set_byte('\x00'::bytea, 0, g), ''::bytea ORDER BY g) FROM generate_series(0, 255) g),
  'infinity', '23:59:59.999999', '0001-12-31 23:59:59.5 BC', '0001-01-01 00:00:00+00', '2000-01-01 00:00:00', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
 (5, false, -1, -1, 2, 'y', 'z', 'abcde', 'v', '{}', '{}', '\xff'::bytea,
  '-infinity', '12:00:00.000001', '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00.1+00', '2024-02-29 12:34:56.78', NULL);
SELECT setseed(0.20241);
INSERT INTO edges
SELECT 100 + g,
       random() < 0.5,
       (floor(random() * 65536) - 32768)::smallint,
       (floor(random() * 4294967296) - 2147483648)::integer,
       floor(random() * 4294967296)::bigint::oid,
       md5(random()::text), md5(random()::text), left(md5(random()::text), (g % 5) + 1), md5(random()::text),
       json_build_object('k', g), jsonb_build_object('k', g, 'l', array[g, -g]),
       decode(md5(random()::text), 'hex'),
       '4714-11-24 BC'::date + floor(random() * 2147483493)::int,
       make_interval(secs => floor(random() * 86400000001) / 1000000.0)::time,
       '4714-11-24 00:00:00 BC'::timestamp + make_interval(days => floor(random() * 109000000)::int,
                                                          secs => floor(random() * 86400000000) / 1000000.0),
       '4714-11-24 00:00:00+00 BC'::timestamptz + make_interval(days => floor(random() * 109000000)::int,
                                                                secs => floor(random() * 86400000000) / 1000000.0),
       timestamptz '1900-01-01 00:00:00+00' + make_interval(secs => floor(random() * 8e15) / 1000000.0),
       md5(random()::text)::uuid
FROM generate_series(1, 20000) g;
UPDATE edges SET st2 = tz, rb = raw;
-- a table with a type read in text, beside it
CREATE TABLE mixed (id int PRIMARY KEY, amount numeric(12, 2), at timestamptz);
INSERT INTO mixed SELECT g, g * 1.25, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour' FROM generate_series(1, 500) g;
SQL

export_as() { # mode dir [args...]
	local mode=$1 dir=$2
	shift 2
	REVPACK_TEST_PG_COPY=$mode "$RP" export --quiet --pgsql "ca=$(pg_conninfo "$db")" --formats sql,csv,siard -o "$dir" "$@" >/dev/null
}

# binary is refused for a table with a numeric column: the hook has teeth
out=$(export_as binary "$WORK/refused" 2>&1)
check_eq "REVPACK_TEST_PG_COPY=binary: a table read in text fails the export" 3 $?
check_grep "the column read in text is named" 'column amount \(numeric\) is read in text' "$out"
check "nothing left of the failed export" test ! -e "$WORK/refused"

export_as auto "$WORK/auto"
check_eq "export, binary for edges and text for mixed" 0 $?
export_as text "$WORK/text"
check_eq "export, all in text" 0 $?
REVPACK_TEST_CHUNK_MIN_SPAN=1000 export_as auto "$WORK/ranges" --jobs 4
check_eq "export in key ranges, 4 jobs" 0 $?
check "verify (binary)" "$RP" verify -q "$WORK/auto"

d=data/database/ca
for pkg in auto ranges; do
	for f in csv/public.edges.csv csv/public.mixed.csv; do
		check "$pkg: $f equals the text reading's" cmp "$WORK/text/$d/$f" "$WORK/$pkg/$d/$f"
	done
	check "$pkg: dump.sql equals the text reading's (but the snapshot line)" \
		diff <(grep -v '^-- Snapshot: ' "$WORK/text/$d/dump.sql") <(grep -v '^-- Snapshot: ' "$WORK/$pkg/$d/dump.sql")
	for x in "$WORK/text" "$WORK/$pkg"; do
		z=$(ls "$x/$d/"*.siard)
		for e in $(unzip -Z1 "$z" | grep -E '^content/.*\.xml$' | sort); do
			printf '%s ' "$e"
			unzip -p "$z" "$e" | sha256sum
		done >"$x.siard-tables"
	done
	check "$pkg: the SIARD table files equal the text reading's" diff "$WORK/text.siard-tables" "$WORK/$pkg.siard-tables"
done
check "the SIARD holds both table files" test "$(wc -l <"$WORK/text.siard-tables")" -eq 2

# the edges table alone: binary required
pg_admin -d "$db" -c "DROP TABLE mixed" >/dev/null
export_as binary "$WORK/binonly"
check_eq "REVPACK_TEST_PG_COPY=binary: every table in binary" 0 $?
check "binary only: edges CSV equals the text reading's" cmp "$WORK/text/$d/csv/public.edges.csv" "$WORK/binonly/$d/csv/public.edges.csv"
# a domain over a domain over bytea is binary (hex in the CSV, like raw)
check "domains over domains: rb is written as raw, st2 as tz" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig"), delimiter=","))
assert len(rows) == 20005, len(rows)
assert any(r["raw"] for r in rows)
sys.exit(0 if all(r["rb"] == r["raw"] and r["st2"] == r["tz"] for r in rows) else 1)' "$WORK/binonly/$d/csv/public.edges.csv"

# digests: PostgreSQL's SQL over the output text of every value
pg_server_digests "$db" >"$WORK/server"
inventory_digests "$WORK/binonly/data/inventory.xml" ca >"$WORK/inv"
check "edges: the binary reading's digest equals PostgreSQL's SQL" diff "$WORK/server" "$WORK/inv"
check_grep "edges: 20,005 rows" "^public\.edges	20005	" "$(cat "$WORK/inv")"

# the dump restores to the same digests
dst=$(pg_fresh_db pgbin_dst)
pg_user -d "$dst" -f "$WORK/binonly/$d/dump.sql" >"$WORK/restore.log" 2>&1
check_eq "psql restores the binary reading's dump.sql" 0 $?
pg_server_digests "$dst" >"$WORK/restored"
check "restored digests equal the source's" diff "$WORK/server" "$WORK/restored"

finish
