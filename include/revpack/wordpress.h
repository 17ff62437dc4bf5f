/*
 * WordPress sites inside a MySQL source, read in the export's snapshot.
 *
 * rp_wp_detect() finds the sites: every table <prefix>options holding a
 * `siteurl` row whose <prefix>posts exists is a site; on a multisite the
 * sites are <base>N_ and <base> (blog 1), users and usermeta being shared.
 *
 * rp_wp_read() reads one site and hands what WordPress's own exporter
 * (export_wp(), wp-admin/includes/export.php) would export to one or more
 * consumers, in one pass: first the channel (authors, categories, tags,
 * custom terms, navigation menus, each with its term meta), then every
 * post of an exported type and status in ID order, each with its post
 * meta (less _edit_lock), its terms, its comments (less spam) and their
 * comment meta. Posts are read in batches, each a range of IDs sized to
 * hold about RP_WP_BATCH exported posts: one query per batch reads its
 * meta, one its comments, one their meta, one its terms (each one range of
 * an index, ordered by post), then its posts stream and are merged with
 * them. A batch is cut short at the post where RP_WP_BUDGET bytes of meta,
 * comments and terms are passed, so memory stays flat whatever the number
 * of posts. Given a second connection in the snapshot, the next batch is
 * read on it in a thread while the current one's posts stream.
 *
 * Values are the bytes the database holds (character_set_results =
 * binary): making them fit for XML is the writer's job (xmltext.h).
 * Everything a consumer is given is borrowed for the duration of the call.
 */
#ifndef REVPACK_WORDPRESS_H
#define REVPACK_WORDPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/path.h"
#include "revpack/source.h"

#define RP_WP_BATCH 1000          /* exported posts a batch aims at */
#define RP_WP_BUDGET (16u << 20)   /* bytes of meta, comments and terms per batch */

typedef struct rp_wp_site {
	char *prefix;          /* "wp_", "wp_2_" */
	char *users_prefix;    /* where users and usermeta are ("wp_" on a multisite) */
	unsigned long blog_id; /* 0: a single site; else the multisite blog id */
	char *name;            /* <site> in the package: host name (-blog id), unique */
	/* options, NULL when absent */
	char *siteurl, *home, *blogname, *blogdescription, *language, *charset;
	char *permalink_structure, *show_on_front, *page_on_front, *sticky_posts;
	char *upload_path, *upload_url_path, *default_category;
	char *network_url;     /* multisite: scheme://domain/path of the network */
	bool has_termmeta;     /* <prefix>termmeta exists (WordPress 4.4 and later) */
} rp_wp_site;

/* Finds the sites of a source whose schema is loaded; *sites is an array
 * of *n sites (0 when none), freed with rp_wp_sites_free. Names are made
 * unique against names (shared by every source of the package). */
int rp_wp_detect(rp_source *src, const rp_schema *sc, rp_name_set *names, rp_wp_site ***sites, size_t *n);
void rp_wp_sites_free(rp_wp_site **sites, size_t n);
void rp_wp_site_free(rp_wp_site *site);

/* Columns of a post, in this order. */
enum {
	RP_WP_P_ID, RP_WP_P_AUTHOR, RP_WP_P_DATE, RP_WP_P_DATE_GMT, RP_WP_P_CONTENT, RP_WP_P_TITLE,
	RP_WP_P_EXCERPT, RP_WP_P_STATUS, RP_WP_P_COMMENT_STATUS, RP_WP_P_PING_STATUS, RP_WP_P_PASSWORD,
	RP_WP_P_NAME, RP_WP_P_MODIFIED, RP_WP_P_MODIFIED_GMT, RP_WP_P_PARENT, RP_WP_P_GUID, RP_WP_P_MENU_ORDER,
	RP_WP_P_TYPE, RP_WP_P_MIME_TYPE, RP_WP_P_N
};

/* Columns of a comment, in this order. */
enum {
	RP_WP_C_ID, RP_WP_C_AUTHOR, RP_WP_C_AUTHOR_EMAIL, RP_WP_C_AUTHOR_URL, RP_WP_C_AUTHOR_IP, RP_WP_C_DATE,
	RP_WP_C_DATE_GMT, RP_WP_C_CONTENT, RP_WP_C_APPROVED, RP_WP_C_TYPE, RP_WP_C_PARENT, RP_WP_C_USER_ID,
	RP_WP_C_N
};

typedef struct rp_wp_meta {
	unsigned long long id;   /* meta_id */
	rp_value key, value;     /* data NULL: SQL NULL */
} rp_wp_meta;

typedef struct rp_wp_user {
	unsigned long long id;
	rp_value login, email, display_name, first_name, last_name, nicename;
} rp_wp_user;

typedef struct rp_wp_term {
	unsigned long long term_id, tt_id, parent;
	rp_value taxonomy, slug, name, description;
	const struct rp_wp_term *parent_term;  /* NULL: none, or not found */
	rp_wp_meta *meta;
	size_t nmeta;
	size_t rank;             /* position in name order (as the server sorts names) */
} rp_wp_term;

typedef struct rp_wp_channel {
	const rp_wp_user *authors;     /* users with exported posts, by ID */
	size_t nauthors;
	const rp_wp_term *const *categories;  /* no child before its parent */
	size_t ncategories;
	const rp_wp_term *const *tags;
	size_t ntags;
	const rp_wp_term *const *terms;       /* other taxonomies, no child before its parent */
	size_t nterms;
	const rp_wp_term *const *menus;       /* nav_menu */
	size_t nmenus;
} rp_wp_channel;

typedef struct rp_wp_comment {
	rp_value f[RP_WP_C_N];
	const rp_wp_meta *meta;
	size_t nmeta;
} rp_wp_comment;

typedef struct rp_wp_post {
	unsigned long long id;
	rp_value f[RP_WP_P_N];
	const rp_wp_user *author;      /* NULL: no such user */
	const rp_wp_meta *meta;        /* by meta_id, _edit_lock left out */
	size_t nmeta;
	const rp_wp_term *const *terms; /* by name */
	size_t nterms;
	const rp_wp_comment *comments; /* by comment ID, spam left out */
	size_t ncomments;
	const char *link;              /* the permalink, as WordPress computes it */
	const char *pub_date;          /* RFC 822 from post_date_gmt, "" when zero */
	bool sticky;
	const char *attachment_url;    /* attachments only, else NULL */
	const char *attached_file;     /* _wp_attached_file, or NULL */
} rp_wp_post;

typedef struct rp_wp_consumer {
	int (*begin)(void *ctx, const rp_wp_site *site, const rp_wp_channel *ch);
	int (*post)(void *ctx, const rp_wp_post *p);
	int (*end)(void *ctx);
	void *ctx;
} rp_wp_consumer;

/* Posts of one type and status: in the database and handed to consumers. */
typedef struct rp_wp_count {
	char *type, *status;
	uint64_t db, exported;
} rp_wp_count;

/* Something WordPress's exporter leaves out, with how many and why. */
typedef struct rp_wp_left {
	char *what;
	uint64_t count;
	char *why;
} rp_wp_left;

typedef struct rp_wp_stats {
	rp_wp_count *counts;    /* sorted by type, status */
	size_t ncounts;
	rp_wp_left *left;
	size_t nleft;
	uint64_t authors, categories, tags, terms, menus, postmeta, comments, commentmeta, termmeta;
	uint64_t batches;
} rp_wp_stats;

void rp_wp_stats_free(rp_wp_stats *s);

/* aux (may be NULL): a second connection in the same snapshot, on which
 * the next batch's meta, comments and terms are read while a batch's posts
 * stream on src. */
int rp_wp_read(rp_source *src, rp_source *aux, const rp_wp_site *site, const rp_wp_consumer *consumers,
               size_t nconsumers, rp_wp_stats *stats);

/*
 * Every user of a site, by ID, streamed: on a single site every row of
 * <prefix>users; on a multisite the users holding <prefix>capabilities for
 * the site's own prefix. fn is given RP_WP_U_N values (borrowed until it
 * returns). user_pass and user_activation_key are never selected.
 */
enum {
	RP_WP_U_ID, RP_WP_U_LOGIN, RP_WP_U_NICENAME, RP_WP_U_EMAIL, RP_WP_U_URL, RP_WP_U_REGISTERED,
	RP_WP_U_DISPLAY_NAME, RP_WP_U_FIRST_NAME, RP_WP_U_LAST_NAME, RP_WP_U_NICKNAME, RP_WP_U_DESCRIPTION,
	RP_WP_U_CAPABILITIES, /* <prefix>capabilities: serialized roles (and capabilities) */
	RP_WP_U_N
};
int rp_wp_read_users(rp_source *src, const rp_wp_site *site, int (*fn)(void *ctx, const rp_value *v, size_t n),
                     void *ctx);

/*
 * The meta keys of the exported posts of every type other than post, page
 * and attachment (custom post types, form entries, menu items...): fn is
 * called once per type and key, types in byte order, a type's keys in the
 * order they first appear (meta_id). _edit_lock and NULL keys are left out.
 */
int rp_wp_type_meta_keys(rp_source *src, const rp_wp_site *site,
                         int (*fn)(void *ctx, rp_value type, rp_value key), void *ctx);

/* ---- helpers, exposed for writers and tests ---- */

/* Appends s cleaned as WordPress's esc_url() cleans links and GUIDs (and
 * sanitize_url() comment author URLs): leading blanks dropped, spaces as
 * %20, characters a URL may not hold removed, "%0a"/"%0d" removed, http://
 * before a URL without a scheme, nothing for a scheme WordPress does not
 * allow. The entities esc_url() adds for display (&#038;, &#039;) are the
 * XML writer's escaping here. */
void rp_wp_esc_url(rp_buf *out, const char *s, size_t n);

/* PHP serialize(): calls fn for every string value that follows a string
 * key named key (at any depth), or, when key is NULL, for every integer or
 * string value of the top-level array. Returns -1 on bytes that are not a
 * serialized value (fn may have been called for what came before), or
 * when fn fails. */
int rp_php_unserialize_scan(const char *s, size_t n, const char *key,
                            int (*fn)(void *ctx, const char *v, size_t len), void *ctx);

/* One item of a PHP serialize() value, as rp_php_walk() meets it. */
typedef enum rp_php_kind {
	RP_PHP_NULL,
	RP_PHP_BOOL,
	RP_PHP_INT,
	RP_PHP_FLOAT,
	RP_PHP_STRING,
	RP_PHP_ARRAY,   /* an array (or an object's properties): count elements follow, each a key then a value */
	RP_PHP_END      /* the end of the array begun at the same depth */
} rp_php_kind;

typedef struct rp_php_item {
	rp_php_kind kind;
	int depth;                /* 0: the value itself; 1: a key or value of its array; ... */
	bool key;                 /* an array key (keys are INT or STRING) */
	const char *text;         /* STRING: its bytes; INT, FLOAT, BOOL: as serialized; ARRAY of an object: the class */
	size_t len;
	long long num;            /* INT: the value; BOOL: 0 or 1 */
	unsigned long long count; /* ARRAY: elements */
} rp_php_item;

/* Calls fn for every item of a serialized value, in order. Returns 0; -1
 * when the bytes are not a serialized value (fn may have been called for
 * what came before); -2 when fn returned a negative value. */
int rp_php_walk(const char *s, size_t n, int (*fn)(void *ctx, const rp_php_item *it), void *ctx);

#endif
