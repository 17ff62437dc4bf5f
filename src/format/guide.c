/*
 * The offline guide, data/index.html (guide.h, docs/guide.md).
 */
#include "revpack/guide.h"

#include <stdio.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/lang.h"
#include "revpack/xmltext.h"

typedef struct page {
	rp_sink *sink;
	rp_buf b;
	rp_lang lang;
	int rc;
} page;

static void raw(page *p, const char *s)
{
	if (p->rc >= 0 && rp_buf_puts(&p->b, s) < 0)
		p->rc = -1;
}

/* Text from a source or a file name: mapped to UTF-8 XML can hold, escaped. */
static void text(page *p, const char *s)
{
	rp_xml_fix fix = { 0, 0, 0 };
	size_t from = p->b.len;

	if (p->rc < 0)
		return;
	if (rp_xml_escape(&p->b, s, strlen(s), &fix) < 0) {
		p->rc = -1;
		return;
	}
	/* quotes too, so that the same helper serves attributes */
	for (size_t i = from; i < p->b.len; i++)
		if (p->b.data[i] == '"' || p->b.data[i] == '\'') {
			char q = p->b.data[i];
			rp_buf rest = RP_BUF_INIT;
			if (rp_buf_put(&rest, p->b.data + i + 1, p->b.len - i - 1) < 0) {
				p->rc = -1;
				return;
			}
			p->b.len = i;
			raw(p, q == '"' ? "&quot;" : "&#39;");
			if (p->rc >= 0 && rp_buf_put(&p->b, rest.data, rest.len) < 0)
				p->rc = -1;
			rp_buf_free(&rest);
			i = p->b.len - rest.len; /* continue after the entity */
		}
}

static void tr(page *p, const char *fr, const char *en)
{
	raw(p, rp_tr(p->lang, fr, en));
}

int rp_guide_write(rp_package *pkg, const rp_inventory *inv)
{
	page p;
	int rc = -1;

	memset(&p, 0, sizeof p);
	p.lang = inv->lang;
	if (rp_package_open(pkg, RP_GUIDE_PATH, &p.sink) < 0)
		return -1;
	raw(&p, "<!DOCTYPE html>\n<html lang=\"");
	raw(&p, rp_lang_code(p.lang));
	raw(&p, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	        "<title>");
	tr(&p, "Paquet de réversibilité", "Reversibility package");
	raw(&p, "</title>\n</head>\n<body>\n<h1>");
	tr(&p, "Paquet de réversibilité", "Reversibility package");
	raw(&p, "</h1>\n");
	for (size_t i = 0; i < inv->nsources; i++) {
		const rp_inv_source *s = &inv->sources[i];
		raw(&p, "<h2>");
		text(&p, s->src->name);
		raw(&p, "</h2>\n<table>\n");
		for (size_t t = 0; t < s->schema->ntables; t++) {
			char n[32];
			raw(&p, "<tr><td>");
			text(&p, s->schema->tables[t].display);
			snprintf(n, sizeof n, "%llu", (unsigned long long)s->schema->tables[t].digest.rows);
			raw(&p, "</td><td>");
			raw(&p, n);
			raw(&p, "</td></tr>\n");
		}
		raw(&p, "</table>\n");
	}
	raw(&p, "</body>\n</html>\n");
	if (p.rc < 0 || rp_sink_write(p.sink, p.b.data, p.b.len) < 0)
		goto out;
	rc = rp_package_commit(pkg, p.sink);
	p.sink = NULL;
out:
	rp_sink_abort(p.sink);
	rp_buf_free(&p.b);
	return rc;
}
