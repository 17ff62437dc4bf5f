-- Content that tries to run script in the guide (tests/integration/guide.sh).
-- Every payload sets window.__rp_pwned when it runs.
SET NAMES utf8mb4;
INSERT INTO `wp_posts` (`ID`, `post_author`, `post_date`, `post_date_gmt`, `post_content`, `post_title`,
  `post_excerpt`, `post_status`, `comment_status`, `ping_status`, `post_password`, `post_name`, `to_ping`,
  `pinged`, `post_modified`, `post_modified_gmt`, `post_content_filtered`, `post_parent`, `guid`,
  `menu_order`, `post_type`, `post_mime_type`, `comment_count`) VALUES
(9001, 1, '2025-02-01 10:00:00', '2025-02-01 09:00:00',
 '<p>Avant</p><script>window.__rp_pwned=''content-script''</script><img src=x onerror="window.__rp_pwned=''content-onerror''"><svg onload="window.__rp_pwned=''svg''"></svg><a href="javascript:window.__rp_pwned=''href''">clic</a><iframe srcdoc="<script>parent.__rp_pwned=''iframe''</script>"></iframe><p>&lt;script&gt;window.__rp_pwned=''entity''&lt;/script&gt; &lt;img src=x onerror=&quot;window.__rp_pwned=''entity-onerror''&quot;&gt;</p><p>Après</p>',
 '<script>window.__rp_pwned=''title-script''</script>Offre <img src=x onerror="window.__rp_pwned=''title-onerror''"> &lt;b onmouseover=x&gt;',
 '', 'publish', 'open', 'open', '', 'offre-piegee', '', '', '2025-02-01 10:00:00', '2025-02-01 09:00:00', '',
 0, 'https://www.mutuelle-exemple.fr/?p=9001', 0, 'post', '', 0),
(9002, 1, '2025-02-02 10:00:00', '2025-02-02 09:00:00', '<img src=x onerror="window.__rp_pwned=''page''">',
 '<script>window.__rp_pwned=''page-title''</script>', '', 'publish', 'closed', 'closed', '', 'page-piegee', '',
 '', '2025-02-02 10:00:00', '2025-02-02 09:00:00', '', 0, 'https://www.mutuelle-exemple.fr/?page_id=9002', 0,
 'page', '', 0);
INSERT INTO `wp_terms` (`term_id`, `name`, `slug`, `term_group`) VALUES
(9001, '<img src=x onerror="window.__rp_pwned=''term''">', 'piege', 0);
INSERT INTO `wp_term_taxonomy` (`term_taxonomy_id`, `term_id`, `taxonomy`, `description`, `parent`, `count`) VALUES
(9001, 9001, 'category', '', 0, 1);
INSERT INTO `wp_term_relationships` (`object_id`, `term_taxonomy_id`, `term_order`) VALUES (9001, 9001, 0);
UPDATE `wp_users` SET `display_name` = '<script>window.__rp_pwned=''author''</script>Admin' WHERE `ID` = 1;
CREATE TABLE `<img src=x onerror="window.__rp_pwned='table'">` (id INT PRIMARY KEY, v VARCHAR(40));
INSERT INTO `<img src=x onerror="window.__rp_pwned='table'">` VALUES (1, '<script>x</script>');
