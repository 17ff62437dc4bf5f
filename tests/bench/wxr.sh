#!/usr/bin/env bash
# wxr.sh - the WXR benchmark: revpack against WordPress's own export_wp().
#
# Usage (as root, servers from scripts/servers.sh running, revpack built):
#   tests/bench/wxr.sh [--posts N] [--revpack PATH] [--skip-wordpress] [--compare]
#
# Builds (once; reused while its comment says so) the MariaDB database
# bench_wxr_<N>: the fixture site (fixtures/mariadb/wordpress.sql: options,
# users, terms) plus N generated posts (default 200,000) made by MariaDB
# itself from its SEQUENCE engine: one in ten a page, one in ten a draft,
# French text of 0.5 to 6 KB with accents and emoji, 6 post meta each, a
# comment on one post in three (with one comment meta), a category and two
# tags each out of 20 categories and 200 tags; 10,000 of them are revisions
# (not exported) so that the WXR holds N - 10,000 items.
#
# Then runs, one after the other, with /usr/bin/time -v:
#   revpack export --formats wxr (reads every table in the snapshot, writes
#     the WXR and inventory.xml) into a fresh folder;
#   php tests/integration/wxr/wp_export.php (WordPress 6.1's export_wp(),
#     Debian's wordpress package) into a file;
# and prints wall time, CPU time (user + system), peak RSS and output size
# for each, and the ratios. --compare also runs tests/integration/wxr/
# compare.py on the two files (several GB of memory, several minutes).
# The figures go into docs/performance.md by hand.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
posts=200000
rp=$repo/build/revpack
skip_wp=false
compare=false
while (($#)); do
  case $1 in
    --posts) posts=$2; shift 2 ;;
    --revpack) rp=$2; shift 2 ;;
    --skip-wordpress) skip_wp=true; shift ;;
    --compare) compare=true; shift ;;
    *) echo "usage: wxr.sh [--posts N] [--revpack PATH] [--skip-wordpress] [--compare]" >&2; exit 2 ;;
  esac
done
[[ $posts =~ ^[1-9][0-9]*$ ]] && ((posts > 10000)) || { echo "wxr.sh: --posts must be above 10000" >&2; exit 2; }
[[ -x $rp ]] || { echo "wxr.sh: no revpack at $rp (build it, or give --revpack)" >&2; exit 2; }

eval "$(bash "$repo/scripts/servers.sh" env)"
admin() { mariadb --defaults-file="$REVPACK_MARIADB_ADMIN_CNF" "$@"; }
db=bench_wxr_$posts
marker="revpack-bench wxr v1 posts=$posts"

if [[ $(admin -N -B -e "SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='$db'") != "$marker" ]]; then
  echo "== generating $db ($posts posts)" >&2
  t0=$SECONDS
  admin -e "DROP DATABASE IF EXISTS \`$db\`;
    CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci COMMENT 'incomplete'"
  admin "$db" <"$repo/fixtures/mariadb/wordpress.sql"
  admin "$db" <<SQL
SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO', unique_checks = 0, foreign_key_checks = 0;
-- 20 categories and 200 tags (term ids 1001-1220)
INSERT INTO wp_terms (term_id, name, slug, term_group)
  SELECT 1000 + seq, CONCAT(IF(seq <= 20, 'Rubrique ', 'Étiquette '), seq), CONCAT(IF(seq <= 20, 'rubrique-', 'etiquette-'), seq), 0
  FROM seq_1_to_220;
INSERT INTO wp_term_taxonomy (term_taxonomy_id, term_id, taxonomy, description, parent, count)
  SELECT 1000 + seq, 1000 + seq, IF(seq <= 20, 'category', 'post_tag'), IF(seq <= 20, CONCAT('Rubrique n° ', seq), ''),
         IF(seq BETWEEN 11 AND 20, 1000 + seq - 10, 0), 0
  FROM seq_1_to_220;
-- the posts: IDs 1001 to 1000 + N
INSERT INTO wp_posts (ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status,
  comment_status, ping_status, post_password, post_name, to_ping, pinged, post_modified, post_modified_gmt,
  post_content_filtered, post_parent, guid, menu_order, post_type, post_mime_type, comment_count)
SELECT 1000 + seq, 1 + seq % 3,
  TIMESTAMPADD(MINUTE, seq * 7, '2015-01-01 08:00:00'),
  IF(seq % 10 = 3, '0000-00-00 00:00:00', TIMESTAMPADD(MINUTE, seq * 7, '2015-01-01 07:00:00')),
  CONCAT('<!-- wp:paragraph -->\n<p>', REPEAT(CONCAT('Le contrat n° ', seq,
    ' prévoit une prise en charge à 100 % des frais d''hospitalisation, des soins dentaires et optiques ; ',
    'les bénéficiaires désignés reçoivent le capital décès sous 30 jours. 🛡️ '), 1 + seq % 12),
    '</p>\n<!-- /wp:paragraph -->'),
  CONCAT('Article ', seq, ' : garanties « santé » et prévoyance'),
  IF(seq % 2 = 0, CONCAT('Résumé de l''article ', seq), ''),
  CASE WHEN seq > $posts - 10000 THEN 'inherit' WHEN seq % 10 = 3 THEN 'draft' ELSE 'publish' END,
  'open', 'open', '', IF(seq % 10 = 3, '', CONCAT('article-', seq)), '', '',
  TIMESTAMPADD(MINUTE, seq * 7 + 1440, '2015-01-01 08:00:00'), TIMESTAMPADD(MINUTE, seq * 7 + 1380, '2015-01-01 08:00:00'), '',
  IF(seq > $posts - 10000, 1000 + seq - 10000, 0),
  CONCAT('https://www.mutuelle-exemple.fr/?p=', 1000 + seq), 0,
  CASE WHEN seq > $posts - 10000 THEN 'revision' WHEN seq % 10 = 7 THEN 'page' ELSE 'post' END, '',
  IF(seq % 3 = 0, 1, 0)
FROM seq_1_to_$posts;
-- 6 post meta per post
INSERT INTO wp_postmeta (post_id, meta_key, meta_value)
SELECT 1000 + s.seq, k.k, CASE k.k
    WHEN '_edit_last' THEN '1'
    WHEN '_edit_lock' THEN CONCAT(1700000000 + s.seq, ':1')
    WHEN '_wp_page_template' THEN 'default'
    WHEN '_thumbnail_id' THEN '22'
    WHEN 'rp_source' THEN CONCAT('{"source":"import","ligne":', s.seq, ',"note":"prévoyance"}')
    ELSE CONCAT('a:2:{s:5:"titre";s:', 9 + LENGTH(s.seq), ':"Article ', s.seq, '";s:4:"vues";i:', s.seq % 977, ';}') END
FROM seq_1_to_$posts s
JOIN (SELECT '_edit_last' k UNION ALL SELECT '_edit_lock' UNION ALL SELECT '_wp_page_template'
      UNION ALL SELECT '_thumbnail_id' UNION ALL SELECT 'rp_source' UNION ALL SELECT 'rp_stats') k;
-- a comment on one post in three, with one comment meta
INSERT INTO wp_comments (comment_ID, comment_post_ID, comment_author, comment_author_email, comment_author_url,
  comment_author_IP, comment_date, comment_date_gmt, comment_content, comment_karma, comment_approved,
  comment_agent, comment_type, comment_parent, user_id)
SELECT 1000 + seq, 1000 + seq, CONCAT('Adhérent ', seq), CONCAT('adherent', seq, '@example.org'),
  IF(seq % 2 = 0, CONCAT('https://example.org/a', seq), ''), '192.0.2.1',
  TIMESTAMPADD(MINUTE, seq * 7 + 60, '2015-01-01 08:00:00'), TIMESTAMPADD(MINUTE, seq * 7, '2015-01-01 08:00:00'),
  CONCAT('Merci pour cet article très clair, n° ', seq, ' !'), 0, IF(seq % 99 = 0, 'spam', '1'),
  'Mozilla/5.0', 'comment', 0, 0
FROM seq_1_to_$posts WHERE seq % 3 = 0;
INSERT INTO wp_commentmeta (comment_id, meta_key, meta_value)
SELECT comment_ID, 'akismet_result', 'false' FROM wp_comments WHERE comment_ID > 1000;
-- a category and two tags per post
INSERT INTO wp_term_relationships (object_id, term_taxonomy_id, term_order)
SELECT 1000 + seq, 1001 + seq % 20, 0 FROM seq_1_to_$posts WHERE seq <= $posts - 10000 AND seq % 10 <> 7
UNION ALL
SELECT 1000 + seq, 1021 + seq % 200, 0 FROM seq_1_to_$posts WHERE seq <= $posts - 10000 AND seq % 10 <> 7
UNION ALL
SELECT 1000 + seq, 1021 + (seq * 7 + 3) % 200, 0 FROM seq_1_to_$posts WHERE seq <= $posts - 10000 AND seq % 10 <> 7
  AND (seq * 7 + 3) % 200 <> seq % 200;
ALTER DATABASE \`$db\` COMMENT '$marker';
SQL
  echo "== generated in $((SECONDS - t0)) s" >&2
fi
admin -N -B "$db" -e "SELECT 'posts rows', COUNT(*) FROM wp_posts UNION ALL
  SELECT 'postmeta rows', COUNT(*) FROM wp_postmeta UNION ALL SELECT 'comments rows', COUNT(*) FROM wp_comments UNION ALL
  SELECT 'data MB', ROUND(SUM(data_length) / 1e6) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()" >&2

out=$(mktemp -d "${TMPDIR:-/tmp}/revpack-wxrbench.XXXXXX")
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/empty-wp-content"

measure() { # name command... : prints "name wall_s cpu_s rss_kib" (the command's output: $out/name.out)
  local name=$1 wall user sys rss status; shift
  /usr/bin/time -f '%e %U %S %M %x' -o "$out/$name.time" "$@" >"$out/$name.out" || true
  read -r wall user sys rss status < <(tail -1 "$out/$name.time")
  [[ $status == 0 ]] || { echo "wxr.sh: $name exited with $status (files kept in $out)" >&2; trap - EXIT; exit 1; }
  echo "$name $wall $(echo "$user + $sys" | bc) $rss"
}

echo "== revpack export --formats wxr" >&2
r=$(measure revpack "$rp" export --quiet --formats wxr --mysql-defaults-file "$REVPACK_MARIADB_EXPORT_CNF" \
  --mysql "wp=mysql://revpack@127.0.0.1:$REVPACK_MARIADB_PORT/$db" -o "$out/pkg")
rwxr=$(ls "$out"/pkg/data/content/wordpress/*/*.wxr.xml)
rsize=$(stat -c %s "$rwxr")
ritems=$(grep -c '^[[:space:]]*<item>$' "$rwxr" || true)
xmllint --noout --stream "$rwxr" && echo "revpack's WXR is well-formed" >&2

printf '%-9s %10s %10s %12s %14s %8s\n' tool wall_s cpu_s peak_rss_MiB wxr_bytes items
read -r _ rw rc rr <<<"$r"
printf '%-9s %10s %10s %12s %14s %8s\n' revpack "$rw" "$rc" "$((rr / 1024))" "$rsize" "$ritems"
if ! $skip_wp; then
  echo "== WordPress export_wp() through php-cli" >&2
  pw=$(sed -n 's/^password=//p' "$REVPACK_MARIADB_EXPORT_CNF")
  w=$(WP_DB_NAME=$db WP_DB_HOST=127.0.0.1:$REVPACK_MARIADB_PORT WP_DB_USER=revpack WP_DB_PASSWORD=$pw \
    WP_CONTENT_DIR_EMPTY=$out/empty-wp-content WP_HOME=https://www.mutuelle-exemple.fr \
    measure wordpress bash -c "php '$repo/tests/integration/wxr/wp_export.php' >'$out/wp.xml' 2>'$out/wp.err'")
  wsize=$(stat -c %s "$out/wp.xml")
  witems=$(grep -c '^[[:space:]]*<item>$' "$out/wp.xml" || true)
  read -r _ ww wc wr <<<"$w"
  printf '%-9s %10s %10s %12s %14s %8s\n' wordpress "$ww" "$wc" "$((wr / 1024))" "$wsize" "$witems"
  echo "ratios (WordPress / revpack): wall $(echo "scale=1; $ww / $rw" | bc)x, cpu $(echo "scale=1; $wc / $rc" | bc)x, peak RSS $(echo "scale=1; $wr / $rr" | bc)x"
  if $compare; then
    python3 "$repo/tests/integration/wxr/compare.py" "$rwxr" "$out/wp.xml" | tail -3
  fi
fi
