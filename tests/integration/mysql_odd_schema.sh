#!/usr/bin/env bash
# MariaDB schema objects that dump.sql must restore as they are: a table
# whose default value and comments hold "DEFINER=" (only views, routines,
# triggers and events lose their DEFINER clause), views whose names hold a
# backtick, and a view that reads another one whose name is also a column
# alias of the first (each view still comes after the views it reads). An
# account that cannot see routines, events or triggers is told so, in the
# output and in inventory.xml, instead of a package silently without them.
source "$(dirname "$0")/lib.sh"

src=$(fresh_db odd_src)
dst=$(fresh_db odd_dst)
admin_sql "$src" <<'SQL' || { bad "create the test objects"; finish; }
CREATE TABLE `t``bt` (`c``1` INT PRIMARY KEY,
  `c2` VARCHAR(30) DEFAULT 'DEFINER=`x`@`y` z' COMMENT 'by DEFINER=root@localhost here')
  COMMENT='owner DEFINER=`a`@`b` done';
INSERT INTO `t``bt` VALUES (1, 'a'), (2, DEFAULT);
CREATE VIEW `v``1` AS SELECT `c``1` AS k, c2 FROM `t``bt`;
CREATE VIEW `v0 uses v1` AS SELECT k FROM `v``1`;
CREATE VIEW b AS SELECT `c``1` AS a, `c``1` AS k FROM `t``bt`;
CREATE VIEW a AS SELECT k FROM b;
CREATE FUNCTION `f``1`(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
CREATE TRIGGER `trg``1` BEFORE INSERT ON `t``bt` FOR EACH ROW SET NEW.c2 = 'DEFINER=`t`@`r`';
SQL

pkg=$WORK/pkg
rp_export --mysql "o=$(uri "$src")" -o "$pkg" >/dev/null
check_eq "export" 0 $?
check "verify" "$RP" verify -q "$pkg"
out=$(admin_sql "$dst" <"$pkg/data/database/o/dump.sql" 2>&1)
check_eq "restore" "" "$out"
ddl() { admin_sql -N -B "$1" -e 'SHOW CREATE TABLE `t``bt`' | cut -f2; }
check_eq "the table's DDL, DEFINER= text included, comes back" "$(ddl "$src")" "$(ddl "$dst")"
views() {
	admin_sql -N -B "$1" -e "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA=DATABASE() ORDER BY 1" |
		sed "s/\`$1\`\\.//g"
}
check_eq "every view comes back" "$(views "$src")" "$(views "$dst")"
check_eq "the trigger comes back" "DEFINER=\`t\`@\`r\`" \
	"$(admin_sql -N -B "$dst" -e 'INSERT INTO `t``bt` (`c``1`) VALUES (3); SELECT c2 FROM `t``bt` WHERE `c``1` = 3')"
check_eq "the function comes back" 2 "$(admin_sql -N -B "$dst" -e 'SELECT `f``1`(1)')"

# An account with SELECT and SHOW VIEW only: information_schema hides the
# function, the trigger and the event from it.
admin_sql "$src" -e "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DISABLE DO SELECT 1" || bad "create the event"
user=rp_blind
admin_sql -e "DROP USER IF EXISTS '$user'@'127.0.0.1'; CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY 'blind-pw-1'; GRANT SELECT, SHOW VIEW ON \`$src\`.* TO '$user'@'127.0.0.1'"
printf '[client]\nuser=%s\npassword=blind-pw-1\n' "$user" >"$WORK/blind.cnf"
blind() {
	"$RP" export -q --formats sql --mysql-defaults-file "$WORK/blind.cnf" \
		--mysql "o=mysql://127.0.0.1:$REVPACK_MARIADB_PORT/$src" -o "$1" 2>&1
}
out=$(blind "$WORK/blind1")
check_eq "SELECT only: the export succeeds" 0 $?
check_grep "SELECT only: routines said invisible" "warning: source o: stored procedures and functions .*mysql.proc" "$out"
check_grep "SELECT only: events said invisible" "warning: source o: events are invisible .*EVENT" "$out"
check_grep "SELECT only: triggers said invisible" "warning: source o: triggers are invisible .*TRIGGER" "$out"
check_eq "SELECT only: the three warnings are in inventory.xml" 3 \
	"$(grep -c '<warning>.*\(mysql.proc\|grant EVENT\|grant TRIGGER\)' "$WORK/blind1/data/inventory.xml")"
check_eq "SELECT only: indeed none of them in dump.sql" 0 \
	"$(grep -c 'CREATE .*\(FUNCTION\|TRIGGER\|EVENT\)' "$WORK/blind1/data/database/o/dump.sql")"
# the privileges given through a role, and mysql.proc: nothing to say
admin_sql -e "DROP ROLE IF EXISTS rp_blind_role; CREATE ROLE rp_blind_role; GRANT TRIGGER, EVENT ON \`$src\`.* TO rp_blind_role; GRANT SELECT ON mysql.proc TO rp_blind_role; GRANT rp_blind_role TO '$user'@'127.0.0.1'; SET DEFAULT ROLE rp_blind_role FOR '$user'@'127.0.0.1'"
out=$(blind "$WORK/blind2")
check_eq "with a role: the export succeeds" 0 $?
check_eq "with a role: no warning about what it cannot see" "" "$(grep -E 'invisible' <<<"$out")"
check_eq "with a role: function, trigger and event are in dump.sql" 3 \
	"$(grep -c 'CREATE .*\(FUNCTION\|TRIGGER\|EVENT\)' "$WORK/blind2/data/database/o/dump.sql")"
admin_sql -e "DROP USER '$user'@'127.0.0.1'; DROP ROLE rp_blind_role"

finish
