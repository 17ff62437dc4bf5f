#!/usr/bin/env bash
# PostgreSQL objects whose state CREATE alone does not carry: a trigger
# disabled, or enabled for replicas only or always, comes back so; a
# materialized view created WITH NO DATA comes back unpopulated (its query
# is not run by the restore).
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

check_eq "no warning for a database with none of these" "" "$(grep warning "$WORK/export.log")"

finish
