#!/usr/bin/env bash
# Every MariaDB column type family round-trips through dump.sql, CSV and the
# digest: spatial, BIT, TIMESTAMP with fractions, INET6, UUID, FLOAT, YEAR,
# negative TIME, ENUM/SET with accents, JSON, CHAR in latin1, BINARY padding,
# a generated column, an invisible column, FLOAT values that need more than
# the 6 digits the server prints, ASCII text in UTF-16/UTF-32/
# swe7/sjis columns, a 1 MiB value, identifiers with
# spaces, accents and backticks.
source "$(dirname "$0")/lib.sh"

src=$(fresh_db types_src)
dst=$(fresh_db types_dst)
admin_sql "$src" <<'SQL' || { bad "create the test tables"; finish; }
SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';
CREATE TABLE ty (id INT PRIMARY KEY, p POINT, g GEOMETRY, b BIT(3), ts TIMESTAMP(3) NULL,
  i6 INET6, u UUID, f FLOAT, d DOUBLE, dc DECIMAL(20,6), y YEAR, t TIME(2), e ENUM('a','é'),
  s SET('x','y'), j JSON, c CHAR(5) CHARACTER SET latin1, bin BINARY(4), big LONGTEXT,
  gen INT AS (id * 10) STORED, hid INT INVISIBLE DEFAULT 7) ENGINE=InnoDB;
INSERT INTO ty (id, p, g, b, ts, i6, u, f, d, dc, y, t, e, s, j, c, bin, big) VALUES
 (1, POINT(1.5, 2), ST_GeomFromText('LINESTRING(0 0,1 1)'), b'101', '2024-02-29 23:59:59.123',
  '::1', '123e4567-e89b-12d3-a456-426614174000', 3.14159, -1.5e-300, -12345678901234.000001, 2024,
  '-838:59:59', 'é', 'x,y', '{"a": [1, "é"]}', 'ab', 'ab', REPEAT('é\r\n\'"\\', 150000)),
 (2, NULL, NULL, b'000', '1970-01-01 00:00:01', NULL, NULL, 0, 0, 0, 0, '00:00:00', '', '', NULL, '', X'00000000', '');
INSERT INTO ty (id) VALUES (3);
CREATE TABLE cs (id INT PRIMARY KEY, u16 VARCHAR(10) CHARACTER SET utf16,
  u16le VARCHAR(10) CHARACTER SET utf16le, u32 VARCHAR(10) CHARACTER SET utf32,
  ucs VARCHAR(10) CHARACTER SET ucs2, s7 VARCHAR(10) CHARACTER SET swe7,
  sj VARCHAR(10) CHARACTER SET sjis) ENGINE=InnoDB;
INSERT INTO cs VALUES (1, 'AB', 'AB', 'x', 'y', X'5B5C5D40', 'a\\b');
-- FLOAT: the server prints 6 significant digits (16777215 as 16777200)
CREATE TABLE fl (id INT PRIMARY KEY, a FLOAT, b FLOAT(7,3), u FLOAT UNSIGNED,
  g FLOAT AS (a / 2) STORED) ENGINE=InnoDB;
INSERT INTO fl (id, a, b, u) VALUES (1, 16777215, 1234.567, 0.1), (2, 1.0000001, -1.5, 3.4028234e38),
 (3, 3.4028234e38, NULL, NULL), (4, 1e-45, NULL, NULL), (5, -0.1, 0, 0), (6, NULL, NULL, NULL);
CREATE TABLE `table é ``odd`` name` (`col é` VARCHAR(10), `select` INT) ENGINE=InnoDB;
INSERT INTO `table é ``odd`` name` VALUES ('ok', 1), ('ok', 1), (NULL, NULL);
SQL

pkg=$WORK/pkg
rp_export --mysql "t=$(uri "$src")" -o "$pkg" >/dev/null
check_eq "export" 0 $?
check "verify" "$RP" verify -q "$pkg"
check "odd table name gets a safe file" test -f "$pkg/data/database/t/csv/table é %60odd%60 name.csv"
mysql --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$dst" <"$pkg/data/database/t/dump.sql"
check_eq "restore" 0 $?
inventory_digests "$pkg/data/inventory.xml" t >"$WORK/inv"
server_digests "$src" >"$WORK/src"
server_digests "$dst" >"$WORK/dst"
check "source digests (SQL) equal the inventory's" diff "$WORK/src" "$WORK/inv"
check "restored digests (SQL) equal the inventory's" diff "$WORK/inv" "$WORK/dst"
check_eq "every FLOAT restored to the same value" 6 "$(admin_sql -N -B "$dst" -e "SELECT COUNT(*) FROM fl y
	JOIN \`$src\`.fl x ON x.id = y.id AND x.a <=> y.a AND x.b <=> y.b AND x.u <=> y.u AND x.g <=> y.g")"
check_grep "a FLOAT's CSV cell is its exact value" '^1,16777215,1234[.]567,0[.]10000000149011612,8388607[.]5' \
	"$(cat "$pkg/data/database/t/csv/fl.csv")"
check_eq "invisible column restored with its value" 7 "$(admin_sql -N -B "$dst" -e 'SELECT hid FROM ty WHERE id=1')"
check_eq "1 MiB value kept" "$(admin_sql -N -B "$src" -e 'SELECT SHA2(big,256) FROM ty WHERE id=1')" \
	"$(admin_sql -N -B "$dst" -e 'SELECT SHA2(big,256) FROM ty WHERE id=1')"

finish
