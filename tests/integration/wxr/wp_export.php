<?php
/*
 * Runs WordPress's own export_wp() (Debian's wordpress package) on a
 * database and prints the WXR on standard output: the reference revpack's
 * WXR is compared with (tests/integration/wxr_compare.sh).
 *
 * Our own small configuration, instead of Debian's wp-config.php (which
 * looks for /etc/wordpress/config-<host>.php): database constants from the
 * environment, no cron, no outside HTTP, no plugins or themes loaded
 * (WP_CONTENT_DIR is an empty folder).
 *
 *   WP_DB_NAME WP_DB_HOST (host:port) WP_DB_USER WP_DB_PASSWORD
 *   WP_TABLE_PREFIX (default wp_)   WP_CONTENT_DIR_EMPTY (an empty folder)
 *
 * The site's plugins are not installed here, so every post type and
 * taxonomy found in the database that WordPress does not register itself
 * is registered (can_export true, no rewrite rules, no query variable):
 * WordPress then exports what the live site, with its plugins active, would.
 */
error_reporting(E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING);
ini_set('display_errors', 'stderr');
ini_set('memory_limit', '-1');

define('DB_NAME', getenv('WP_DB_NAME'));
define('DB_USER', getenv('WP_DB_USER'));
define('DB_PASSWORD', getenv('WP_DB_PASSWORD'));
define('DB_HOST', getenv('WP_DB_HOST'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = getenv('WP_TABLE_PREFIX') ?: 'wp_';
define('ABSPATH', '/usr/share/wordpress/');
define('WP_CONTENT_DIR', getenv('WP_CONTENT_DIR_EMPTY'));
define('WP_USE_THEMES', false);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);

/* The request an administrator exporting from the site would make: its
 * host, and HTTPS when the site's address says so (home_url() takes the
 * scheme of the request). */
$home = getenv('WP_HOME') ?: 'http://localhost';
$u = parse_url($home);
$_SERVER['HTTP_HOST'] = $u['host'] . (isset($u['port']) ? ':' . $u['port'] : '');
$_SERVER['SERVER_NAME'] = $u['host'];
$_SERVER['REQUEST_URI'] = '/wp-admin/export.php';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
if (($u['scheme'] ?? 'http') === 'https') {
	$_SERVER['HTTPS'] = 'on';
}

require ABSPATH . 'wp-settings.php';

global $wpdb;
foreach ($wpdb->get_col("SELECT DISTINCT post_type FROM {$wpdb->posts}") as $type) {
	if (!post_type_exists($type)) {
		register_post_type($type, array('public' => false, 'rewrite' => false, 'query_var' => false,
		                                'can_export' => true, 'label' => $type));
	}
}
foreach ($wpdb->get_results("SELECT DISTINCT tt.taxonomy, p.post_type FROM {$wpdb->term_taxonomy} tt
                             LEFT JOIN {$wpdb->term_relationships} r ON r.term_taxonomy_id = tt.term_taxonomy_id
                             LEFT JOIN {$wpdb->posts} p ON p.ID = r.object_id") as $row) {
	if (!taxonomy_exists($row->taxonomy)) {
		register_taxonomy($row->taxonomy, array(), array('public' => false, 'rewrite' => false,
		                                                  'query_var' => false, 'hierarchical' => true));
	}
	if ($row->post_type !== null && $row->taxonomy !== 'link_category') {
		register_taxonomy_for_object_type($row->taxonomy, $row->post_type);
	}
}

require_once ABSPATH . 'wp-admin/includes/export.php';
export_wp(array('content' => 'all'));
