-- Applied on top of fixtures/mariadb/wordpress.sql by
-- tests/integration/wxr_compare.sh: values a WXR file cannot carry as they
-- are, and bytes that are not UTF-8. MariaDB refuses bytes that are not
-- UTF-8 in a utf8mb4 column; old WordPress sites hold them in latin1
-- columns (tables created before WordPress moved to utf8), so
-- comment_content is made latin1 here, as on such a site.
SET NAMES binary;
SET SESSION sql_mode = '';
ALTER TABLE wp_comments MODIFY comment_content text CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL;
-- NUL, ESC and VT (C0 controls XML 1.0 cannot hold) in post meta
UPDATE wp_postmeta SET meta_value = CONCAT(meta_value, X'00', X'1B', '[1m', X'0B', 'fin')
  WHERE post_id = 13 AND meta_key = 'rp_legacy_export_line';
-- a form feed, and "]]>" that must split the CDATA section, in content
UPDATE wp_posts SET post_content = CONCAT(post_content, X'0C', ' fin]]>suite ]]]]> x]]')
  WHERE ID = 9;
-- Latin-1 bytes (not UTF-8) in a comment: "caf", E9, " cr", E8, "me",
-- guillemets, and 80 (the euro sign in MariaDB's latin1, Windows-1252)
UPDATE wp_comments SET comment_content = CONCAT('Un caf', X'E9', ' cr', X'E8', 'me, ', X'AB', ' merci ', X'BB', ' 5 ', X'80')
  WHERE comment_ID = 3;
-- U+FFFF (a noncharacter XML excludes) in a title
UPDATE wp_posts SET post_title = CONCAT(post_title, X'EFBFBF') WHERE ID = 10;
-- a control character in a term description and in the site's tagline
UPDATE wp_term_taxonomy SET description = CONCAT('La vie', X'01', ' de la mutuelle.') WHERE term_id = 2;
UPDATE wp_options SET option_value = CONCAT(option_value, X'07') WHERE option_name = 'blogdescription';
-- UTF-8 bytes with a stray Latin-1 byte in the latin1 column: MariaDB
-- converts every byte for WordPress ("dÃ©jÃ"); revpack keeps the UTF-8
-- sequence and maps the stray byte ("déjà"): a documented difference
UPDATE wp_comments SET comment_content = CONCAT('d', X'C3A9', 'j', X'E0', ' vu') WHERE comment_ID = 6;
-- a comment author URL with a space, an ampersand and a quote
UPDATE wp_comments SET comment_author_url = 'https://exemple.fr/a b?x=1&y=2''z' WHERE comment_ID = 5;
