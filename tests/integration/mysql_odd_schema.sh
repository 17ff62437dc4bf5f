#!/usr/bin/env bash
# MariaDB schema objects that dump.sql must restore as they are: a table
# whose default value and comments hold "DEFINER=" (only views, routines,
# triggers and events lose their DEFINER clause), views whose names hold a
# backtick, and a view that reads another one whose name is also a column
# alias of the first (each view still comes after the views it reads).
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

finish
