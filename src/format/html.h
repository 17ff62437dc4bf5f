/*
 * Writing HTML pages through a package sink (the offline guide): text is
 * escaped here and only here. Internal to src/format.
 */
#ifndef REVPACK_FORMAT_HTML_H
#define REVPACK_FORMAT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/buf.h"
#include "revpack/lang.h"
#include "revpack/package.h"
#include "revpack/sink.h"

typedef struct rp_html {
	rp_sink *sink;
	rp_buf b;      /* written to the sink in 64 KiB pieces */
	rp_lang lang;
	int rc;        /* -1 once anything failed (rp_error set) */
} rp_html;

/* Opens data/<relpath>. bulk: one of many files (rp_package_open_bulk:
 * not synced one by one; the folder must exist). */
int rp_html_open(rp_html *h, rp_package *pkg, const char *relpath, rp_lang lang, bool bulk);
/* Markup, as it is. */
void rp_html_raw(rp_html *h, const char *s);
/* One of two markups or texts, by the page's language (no escaping). */
void rp_html_tr(rp_html *h, const char *fr, const char *en);
/* Text from anywhere (a database, a file name): made valid UTF-8 that HTML
 * can hold (xmltext.h) and escaped (& < > " '), so that it is fit for
 * element content and quoted attribute values alike. */
void rp_html_esc(rp_html *h, const char *s, size_t n);
void rp_html_escs(rp_html *h, const char *s);
/* A relative path as the value of href: every byte but letters, digits,
 * "-._~/" percent-encoded, so that a name holding "%", "#" or "?" still
 * leads to its file. */
void rp_html_href(rp_html *h, const char *path);
void rp_html_u64(rp_html *h, uint64_t v);
/* "1 234 567" (fr: narrow no-break space) or "1,234,567" (en). */
void rp_html_count(rp_html *h, uint64_t v);
/* A WordPress post status as people read it ("Publié", "Draft"), the
 * status itself (escaped) when it is not one of WordPress's own. */
void rp_html_wp_status(rp_html *h, const char *status, size_t n);
/* printf, for markup only (never for text from a source). */
void rp_html_printf(rp_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The head of a page: doctype, language, the policy that forbids every
 * load and script, the style, the title (escaped), then <body>. */
void rp_html_begin(rp_html *h, const char *title);
/* </body></html>, then commits the file. */
int rp_html_commit(rp_html *h, rp_package *pkg);
/* Drops the file when it was not committed. */
void rp_html_abort(rp_html *h);

#endif
