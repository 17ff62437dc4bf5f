#!/usr/bin/env bash
# PostgreSQL objects whose state CREATE alone does not carry: a trigger
# disabled, or enabled for replicas only or always, comes back so; a
# materialized view created WITH NO DATA comes back unpopulated (its query
# is not run by the restore); a domain's check added NOT VALID is added so
# after the data (CREATE DOMAIN has no NOT VALID: the restore failed);
# column storage, statistics targets and compression, replica identities,
# the index a table is clustered on and a view column's default come back;
# row-level security comes back enabled, with its policies (those naming
# roles only with --with-owners); partitions' keys and indexes keep their
# names, and an index made ON ONLY a partitioned table stays not valid.
# Objects that dump.sql does not recreate are each named in a warning: a
# dump restoring without error is never taken for the whole database.
source "$(dirname "$0")/lib.sh"
require_pg

src=$(pg_fresh_db pgfid)
pg_admin -d "$src" <<'SQL' >/dev/null || exit 3
SET ROLE revpack;
CREATE TABLE t (id int PRIMARY KEY, x text);
INSERT INTO t VALUES (1, 'a');
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER "off ""1""" BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();
ALTER TABLE t DISABLE TRIGGER "off ""1""";
CREATE TRIGGER on_replica AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();
ALTER TABLE t ENABLE REPLICA TRIGGER on_replica;
CREATE TRIGGER always AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();
ALTER TABLE t ENABLE ALWAYS TRIGGER always;
CREATE TRIGGER plain AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION tf();
CREATE MATERIALIZED VIEW not_yet AS SELECT 1 / 0 AS x WITH NO DATA;
CREATE MATERIALIZED VIEW filled AS SELECT id FROM t;
CREATE DOMAIN pos AS int;
CREATE TABLE d (x pos);
INSERT INTO d VALUES (-1), (1);
ALTER DOMAIN pos ADD CONSTRAINT "pos ""check""" CHECK (VALUE > 0) NOT VALID;
-- column settings, replica identity, clustering, a view column's default
CREATE TABLE cs (id int PRIMARY KEY, a text, b text, c int NOT NULL, "odd ""col""" text);
ALTER TABLE cs ALTER COLUMN a SET STORAGE EXTERNAL;
ALTER TABLE cs ALTER COLUMN b SET COMPRESSION pglz;
ALTER TABLE cs ALTER COLUMN c SET STATISTICS 500;
ALTER TABLE cs ALTER COLUMN "odd ""col""" SET STORAGE MAIN;
CREATE UNIQUE INDEX "cs c" ON cs (c);
ALTER TABLE cs REPLICA IDENTITY USING INDEX "cs c";
CLUSTER cs USING "cs c";
INSERT INTO cs VALUES (1, 'a', 'b', 1, 'd');
CREATE TABLE full_ri (x int);
ALTER TABLE full_ri REPLICA IDENTITY FULL;
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
ALTER TABLE ONLY parted ALTER COLUMN v SET STORAGE EXTERNAL;
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE VIEW vd AS SELECT id, a FROM cs;
ALTER VIEW vd ALTER COLUMN a SET DEFAULT 'default of a view';
-- partitions' keys and indexes under names of their own, two levels; an
-- index made ON ONLY the parent and attached to one partition (not valid)
CREATE TABLE pp (k int, b int, c int, PRIMARY KEY (k, b)) PARTITION BY RANGE (k);
CREATE TABLE pp1 PARTITION OF pp FOR VALUES FROM (0) TO (10);
CREATE TABLE pp2 PARTITION OF pp FOR VALUES FROM (10) TO (20) PARTITION BY LIST (b);
CREATE TABLE pp2a PARTITION OF pp2 FOR VALUES IN (1);
CREATE TABLE pp2b PARTITION OF pp2 FOR VALUES IN (2);
CREATE INDEX pp_c ON pp (c);
ALTER INDEX pp1_c_idx RENAME TO "pp1 own name";
ALTER INDEX pp2a_c_idx RENAME TO pp2a_c_mine;
ALTER INDEX pp1_pkey RENAME TO pp1_key_renamed;
CREATE INDEX pp_only ON ONLY pp (b);
CREATE INDEX pp1_b_only ON pp1 (b);
ALTER INDEX pp_only ATTACH PARTITION pp1_b_only;
INSERT INTO pp VALUES (1, 1, 1), (11, 1, 2), (12, 2, 3);
SQL

pkg=$WORK/pkg
"$RP" export --quiet --pgsql "ca=$(pg_conninfo "$src")" -o "$pkg" >"$WORK/export.log" 2>&1
rc=$?
check_eq "export: $(head -c 300 "$WORK/export.log")" 0 $rc
dst=$(pg_fresh_db pgfid_dst)
pg_user -d "$dst" -f "$pkg/data/database/ca/dump.sql" >"$WORK/restore.log" 2>&1
rc=$?
check_eq "psql restores dump.sql: $(head -c 300 "$WORK/restore.log")" 0 $rc
triggers="SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'public.t'::regclass"
check_eq "trigger states (D disabled, R replica, A always, O origin)" \
	"$(pg_admin -d "$src" -Atc "$triggers")" "$(pg_admin -d "$dst" -Atc "$triggers")"
check_eq "trigger states as expected" 'always=A,off "1"=D,on_replica=R,plain=O' "$(pg_admin -d "$dst" -Atc "$triggers")"
check_eq "materialized views: populated or not" "filled=t,not_yet=f" \
	"$(pg_admin -d "$dst" -Atc "SELECT string_agg(matviewname || '=' || CASE WHEN ispopulated THEN 't' ELSE 'f' END, ',' ORDER BY matviewname) FROM pg_matviews")"

check_eq "domain check added NOT VALID: kept so, rows it refuses restored" '"pos ""check"""=f 2' \
	"$(pg_admin -d "$dst" -Atc "SELECT quote_ident(conname) || '=' || CASE WHEN convalidated THEN 't' ELSE 'f' END || ' ' || (SELECT count(*) FROM d) FROM pg_constraint WHERE contypid = 'pos'::regtype")"

settings="SELECT string_agg(c.relname || '.' || a.attname || ':' || a.attstorage::text || a.attstattarget::text || a.attcompression::text, ',' ORDER BY c.relname, a.attnum)
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	WHERE c.relname IN ('cs', 'parted', 'parted_1') AND a.attnum > 0"
want=$(pg_admin -d "$src" -Atc "$settings")
check "column settings read from the source" test -n "$want"
check_eq "column storage, statistics and compression" "$want" "$(pg_admin -d "$dst" -Atc "$settings")"
check_grep "(and the settings were not the defaults)" "cs\.c:p500,.*cs\.odd \"col\":m-1" "$(pg_admin -d "$dst" -Atc "$settings")"
ident="SELECT string_agg(c.relname || ':' || c.relreplident::text || ':' || COALESCE((SELECT string_agg(ic.relname || '/' || i.indisreplident::text || i.indisclustered::text, ';') FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND (i.indisreplident OR i.indisclustered)), ''), ',' ORDER BY c.relname)
	FROM pg_class c WHERE c.relname IN ('cs', 'full_ri')"
check_eq "replica identities and the index a table is clustered on" 'cs:i:cs c/truetrue,full_ri:f:' \
	"$(pg_admin -d "$dst" -Atc "$ident")"
pindex="SELECT string_agg(i.indexrelid::regclass || '>' || COALESCE((SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.indexrelid), '') || ':' || i.indisvalid::text || ':' || COALESCE((SELECT conname FROM pg_constraint WHERE conindid = i.indexrelid), ''), ',' ORDER BY i.indexrelid::regclass::text)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname LIKE 'pp%'"
want=$(pg_admin -d "$src" -Atc "$pindex")
check_grep "(the partitions' own index names are in the source)" '"pp1 own name">pp_c:true:.*pp_only>:false:' "$want"
check_eq "partitions' keys and indexes: names, parents, validity" "$want" "$(pg_admin -d "$dst" -Atc "$pindex")"
check_eq "a view column's default" "'default of a view'::text" \
	"$(pg_admin -d "$dst" -Atc "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = 'vd'::regclass")"

# Row-level security: enabled as it was; a policy for PUBLIC is a
# statement; one naming roles is a comment with a warning (the restored table
# refuses more, never less), and a statement with --with-owners.
rls=$(pg_fresh_db pgfid_rls)
reader="rpit reader $$"
pg_admin -d postgres -c "DROP ROLE IF EXISTS \"$reader\"" -c "CREATE ROLE \"$reader\"" >/dev/null || exit 3
pg_admin -d "$rls" <<SQL >/dev/null || exit 3
SET ROLE revpack;
CREATE TABLE acct (id int PRIMARY KEY, owner text, amount int);
INSERT INTO acct VALUES (1, 'a', 10), (2, 'b', 20);
ALTER TABLE acct ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own rows" ON acct FOR SELECT USING (owner = current_user);
CREATE POLICY "no big" ON acct AS RESTRICTIVE FOR INSERT WITH CHECK (amount < 100
  AND amount > 0);
CREATE POLICY reader ON acct TO "$reader", revpack USING (true);
CREATE TABLE plain (x int);
CREATE TYPE pair AS (x int, y int);
REVOKE USAGE ON TYPE pair FROM PUBLIC;
GRANT USAGE ON TYPE pair TO "$reader";
SQL
policies="SELECT string_agg(policyname || '|' || permissive || '|' || roles::text || '|' || cmd || '|' || COALESCE(qual, '') || '|' || COALESCE(with_check, ''), E'\n' ORDER BY policyname) FROM pg_policies"
rowsec="SELECT string_agg(relname || '=' || relrowsecurity::text, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('acct', 'plain')"
"$RP" export --quiet --pgsql "ca=$(pg_conninfo "$rls")" -o "$WORK/rls" >"$WORK/rls.log" 2>&1
rc=$?
check_eq "row-level security: export: $(head -c 300 "$WORK/rls.log")" 0 $rc
check_grep "row-level security: the policy naming roles is warned about" \
	"^revpack: warning: source ca: policy reader on public\.acct names roles: written as a comment" "$(cat "$WORK/rls.log")"
rls_dst=$(pg_fresh_db pgfid_rls_dst)
pg_user -d "$rls_dst" -f "$WORK/rls/data/database/ca/dump.sql" >"$WORK/rls-restore.log" 2>&1
rc=$?
check_eq "row-level security: the stock psql restores it as the export role: $(head -c 300 "$WORK/rls-restore.log")" 0 $rc
check_eq "row-level security: enabled where it was" "acct=true,plain=false" "$(pg_admin -d "$rls_dst" -Atc "$rowsec")"
check_eq "row-level security: the PUBLIC policies come back, the other does not" \
	"$(pg_admin -d "$rls" -Atc "$policies" | grep -v '^reader|')" "$(pg_admin -d "$rls_dst" -Atc "$policies")"
"$RP" export --quiet --with-owners --pgsql "ca=$(pg_conninfo "$rls")" -o "$WORK/rls_owners" >"$WORK/rls_owners.log" 2>&1
check_eq "row-level security, --with-owners: export" 0 $?
rls_own=$(pg_fresh_db pgfid_rls_own)
pg_admin -d "$rls_own" <"$WORK/rls_owners/data/database/ca/dump.sql" >"$WORK/rls-own.log" 2>&1
rc=$?
check_eq "row-level security, --with-owners: restored by a superuser: $(head -c 300 "$WORK/rls-own.log")" 0 $rc
check_eq "row-level security, --with-owners: every policy comes back" \
	"$(pg_admin -d "$rls" -Atc "$policies")" "$(pg_admin -d "$rls_own" -Atc "$policies")"
check "(there were three)" test "$(pg_admin -d "$rls_own" -Atc "$policies" | wc -l)" -eq 3
typacl="SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM pg_type, unnest(typacl) a WHERE typname = 'pair'"
check_eq "--with-owners: the type's privileges come back" "\"rpit reader $$\"=U/revpack revpack=U/revpack" \
	"$(pg_admin -d "$rls_own" -Atc "$typacl")"
check_eq "--with-owners: ... as the source has them" "$(pg_admin -d "$rls" -Atc "$typacl")" "$(pg_admin -d "$rls_own" -Atc "$typacl")"
for d in "$rls" "$rls_dst" "$rls_own"; do
	pg_admin -d postgres -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null
done
pg_admin -d postgres -c "DROP ROLE \"$reader\"" >/dev/null || bad "drop the test role"

# Objects dump.sql leaves out: one warning each, naming it.
lost=$(pg_fresh_db pgfid_lost)
pg_admin -d "$lost" <<'SQL' >/dev/null 2>"$WORK/lost-setup.log" || { cat "$WORK/lost-setup.log"; exit 3; }
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE ft (a text) SERVER files OPTIONS (filename '/dev/null');
CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER "evt trg" ON ddl_command_end EXECUTE FUNCTION evt();
CREATE PUBLICATION pub;
CREATE SCHEMA s AUTHORIZATION revpack;
CREATE OPERATOR FAMILY s.fam USING btree;
SET ROLE revpack;
CREATE TABLE s.t (id int PRIMARY KEY, a int, b int, doc oid);
INSERT INTO s.t VALUES (1, 1, 1, lo_from_bytea(0, 'large')), (2, 2, 2, lo_from_bytea(0, 'object'));
CREATE AGGREGATE s.total(int) (sfunc = int4pl, stype = int, initcond = '0');
CREATE OPERATOR s.=== (leftarg = int, rightarg = int, function = int4eq);
CREATE COLLATION s."my coll" (provider = icu, locale = 'de-u-co-phonebk');
CREATE TYPE s.pair AS (x int, y int);
CREATE CAST (s.pair AS text) WITH INOUT;
CREATE TYPE s.fr AS RANGE (subtype = float8);
CREATE TEXT SEARCH CONFIGURATION s.cfg (COPY = pg_catalog.english);
CREATE TEXT SEARCH DICTIONARY s.dict (TEMPLATE = simple);
CREATE STATISTICS s.st (ndistinct) ON a, b FROM s.t;
CREATE VIEW s.v AS SELECT id FROM s.t;
CREATE TABLE s.typed OF s.pair;
CREATE RULE r AS ON INSERT TO s.v DO INSTEAD NOTHING;
SQL
"$RP" export --quiet --pgsql "ca=$(pg_conninfo "$lost")" -o "$WORK/lost" >"$WORK/lost.log" 2>&1
rc=$?
check_eq "export of a database with objects dump.sql leaves out: $(head -c 300 "$WORK/lost.log")" 0 $rc
w=$(grep '^revpack: warning: ' "$WORK/lost.log")
for o in 'aggregate s\.total\(integer\)' 'operator s\.===\(integer, integer\)' 'operator family s\.fam' \
	'collation s\."my coll"' 'cast \(s\.pair AS text\)' 'text search configuration s\.cfg' \
	'text search dictionary s\.dict' 'statistics object s\.st' 'foreign table public\.ft' \
	'foreign server files' 'event trigger "evt trg"' 'publication pub' 'rule r on s\.v'; do
	check_grep "warned: $o" "^revpack: warning: source ca: $o is not exported" "$w"
done
check_grep "warned: a typed table" "^revpack: warning: source ca: s\.typed is a typed table \(OF s\.pair\): restored as a plain table" "$w"
check_grep "warned: large objects" "^revpack: warning: source ca: 2 large object\(s\).*not exported" "$w"
check "no warning for the range type's own cast to its multirange" test -z "$(grep -E 'cast .*multirange' <<<"$w")"
check_grep "warnings recorded in inventory.xml" "collation s.&quot;my coll&quot; is not exported|collation s.\"my coll\" is not exported" \
	"$(cat "$WORK/lost/data/inventory.xml")"
check_eq "no warning for a database with none of these" "" "$(grep warning "$WORK/export.log")"

finish
