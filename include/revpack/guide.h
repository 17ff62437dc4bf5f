/*
 * The offline guide (docs/guide.md): data/index.html, one self-contained
 * HTML page for the person who receives the package, in French or English
 * (--lang). It says what the package holds (sources, tables and rows,
 * WordPress content per type, media), how to open each format, how to
 * restore each database with the stock clients, and how to check the
 * package with or without revpack; it links to each WordPress site's
 * browsable list of pages and posts (rp_guide_site_*).
 *
 * No script, no style sheet, image or font from elsewhere: the page
 * carries a Content-Security-Policy that forbids every load and every
 * script, and all text from the sources is escaped.
 */
#ifndef REVPACK_GUIDE_H
#define REVPACK_GUIDE_H

#include <stdint.h>

#include "revpack/inventory.h"
#include "revpack/lang.h"
#include "revpack/package.h"
#include "revpack/wordpress.h"

#define RP_GUIDE_PATH "index.html"   /* relative to data/ */
#define RP_GUIDE_PER_FILE 200        /* pages and posts per text file */

/*
 * One WordPress site's pages in the guide, written while the site is read
 * (a consumer of the WordPress reader): under <reldir>/guide/, pages.html
 * and posts.html list the site's pages and posts (ID, title, status, date,
 * author), each linking to its text in text-NNNNN.html, which hold
 * RP_GUIDE_PER_FILE items each in ID order (type, status, dates, author,
 * public address as text, categories, tags, and the plain text of the
 * content, htmltext.h). Other post types are left to the friendly CSV.
 */
typedef struct rp_guide_site rp_guide_site;

typedef struct rp_guide_site_result {
	char *dir;         /* relative to data/: content/wordpress/<site>/guide */
	uint64_t pages, posts;
	uint64_t files;    /* HTML files written */
} rp_guide_site_result;

/* reldir: content/wordpress/<site>, relative to data/. */
int rp_guide_site_open(rp_guide_site **out, rp_package *pkg, const char *reldir, rp_lang lang);
rp_wp_consumer rp_guide_site_consumer(rp_guide_site *g);
/* Where a post's plain text comes from (default: rp_html_text on its
 * content): the content pass shares one per post among its consumers. */
void rp_guide_site_text_from(rp_guide_site *g,
                             int (*text)(void *ctx, const rp_wp_post *p, const char **s, size_t *n), void *ctx);
void rp_guide_site_result_take(rp_guide_site *g, rp_guide_site_result *out);
void rp_guide_site_result_free(rp_guide_site_result *r);
/* Drops the files not committed yet. */
void rp_guide_site_free(rp_guide_site *g);

/* Writes data/index.html from what the inventory describes. */
int rp_guide_write(rp_package *pkg, const rp_inventory *inv);

#endif
