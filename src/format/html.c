/*
 * HTML pages through a package sink (html.h).
 */
#include "format/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/xmltext.h"

#define FLUSH_AT (64u << 10)

/* Print-friendly, no external resource; a few classes used by the pages. */
static const char style[] =
	"body{font:15px/1.5 \"DejaVu Sans\",Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:62em;"
	"margin:1.5em auto;padding:0 1em}"
	"h1{font-size:1.6em;border-bottom:3px solid #23527c;padding-bottom:.2em}"
	"h2{font-size:1.3em;color:#23527c;border-bottom:1px solid #c8d3de;margin-top:1.8em}"
	"h3{font-size:1.1em;margin-top:1.4em}"
	"table{border-collapse:collapse;margin:.6em 0 1em}"
	"th,td{border:1px solid #c8d3de;padding:.25em .6em;text-align:left;vertical-align:top}"
	"th{background:#eef3f8}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"code,pre{font-family:\"DejaVu Sans Mono\",Consolas,monospace;font-size:.9em}"
	"pre{background:#f4f6f8;border:1px solid #d6dde4;padding:.6em .8em;white-space:pre-wrap;"
	"word-break:break-all}"
	"dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.4em 0}"
	"dl.meta dt{font-weight:bold}dl.meta dd{margin:0}ul.friendly{margin:0;padding-left:1.2em}"
	".text{white-space:pre-wrap;border-left:3px solid #c8d3de;padding-left:.8em}"
	".note{background:#fff8e1;border:1px solid #f0d98c;padding:.5em .8em}"
	".muted{color:#5a6570}nav a{margin-right:1em}"
	"article{border-top:1px solid #c8d3de;margin-top:1.5em}"
	"@media print{body{max-width:none;margin:0;font-size:10.5pt}nav{display:none}"
	"a{color:inherit;text-decoration:none}h2{break-after:avoid}tr,article,pre{break-inside:avoid}"
	"@page{size:A4;margin:16mm 14mm}}";

static void put(rp_html *h, const char *s, size_t n)
{
	if (h->rc < 0)
		return;
	if (rp_buf_put(&h->b, s, n) < 0) {
		h->rc = -1;
		return;
	}
	if (h->b.len >= FLUSH_AT) {
		if (rp_sink_write(h->sink, h->b.data, h->b.len) < 0)
			h->rc = -1;
		h->b.len = 0;
	}
}

int rp_html_open(rp_html *h, rp_package *pkg, const char *relpath, rp_lang lang, bool bulk)
{
	memset(h, 0, sizeof *h);
	h->lang = lang;
	if ((bulk ? rp_package_open_bulk(pkg, relpath, &h->sink) : rp_package_open(pkg, relpath, &h->sink)) < 0) {
		h->rc = -1;
		return -1;
	}
	return 0;
}

void rp_html_raw(rp_html *h, const char *s)
{
	put(h, s, strlen(s));
}

void rp_html_tr(rp_html *h, const char *fr, const char *en)
{
	rp_html_raw(h, rp_tr(h->lang, fr, en));
}

static void esc_clean(rp_html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	for (; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		put(h, s + run, i - run);
		put(h, rep, strlen(rep));
		run = i + 1;
	}
	put(h, s + run, n - run);
}

void rp_html_esc(rp_html *h, const char *s, size_t n)
{
	rp_buf m = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };

	if (h->rc < 0 || !n)
		return;
	if (rp_xml_clean(s, n)) {
		esc_clean(h, s, n);
		return;
	}
	if (rp_xml_map(&m, s, n, &fix) < 0) {
		h->rc = -1;
		return;
	}
	esc_clean(h, m.data, m.len);
	rp_buf_free(&m);
}

void rp_html_escs(rp_html *h, const char *s)
{
	if (s)
		rp_html_esc(h, s, strlen(s));
}

void rp_html_href(rp_html *h, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0, i = 0;

	for (; path[i]; i++) {
		unsigned char c = (unsigned char)path[i];
		char enc[3];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || c == '/')
			continue;
		put(h, path + run, i - run);
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		put(h, enc, 3);
		run = i + 1;
	}
	put(h, path + run, i - run);
}

void rp_html_u64(rp_html *h, uint64_t v)
{
	char n[24];
	snprintf(n, sizeof n, "%llu", (unsigned long long)v);
	rp_html_raw(h, n);
}

void rp_html_count(rp_html *h, uint64_t v)
{
	char n[24], out[64];
	size_t len, o = 0;
	const char *sep = h->lang == RP_LANG_EN ? "," : "\xe2\x80\xaf"; /* U+202F */

	snprintf(n, sizeof n, "%llu", (unsigned long long)v);
	len = strlen(n);
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0) {
			memcpy(out + o, sep, strlen(sep));
			o += strlen(sep);
		}
		out[o++] = n[i];
	}
	out[o] = '\0';
	rp_html_raw(h, out);
}

void rp_html_wp_status(rp_html *h, const char *status, size_t n)
{
	const char *w = rp_wp_status_word(h->lang, status, n);

	if (w)
		rp_html_raw(h, w);
	else if (status)
		rp_html_esc(h, status, n);
}

void rp_html_printf(rp_html *h, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		if (h->rc >= 0)
			h->rc = rp_error_set(RP_E_INTERNAL, "guide: markup too long");
		return;
	}
	put(h, tmp, (size_t)n);
}

void rp_html_begin(rp_html *h, const char *title)
{
	rp_html_raw(h, "<!DOCTYPE html>\n<html lang=\"");
	rp_html_raw(h, rp_lang_code(h->lang));
	rp_html_raw(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	               "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
	               "<meta name=\"referrer\" content=\"no-referrer\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	               "<meta name=\"generator\" content=\"revpack\">\n<title>");
	rp_html_escs(h, title);
	rp_html_raw(h, "</title>\n<style>");
	rp_html_raw(h, style);
	rp_html_raw(h, "</style>\n</head>\n<body>\n");
}

int rp_html_commit(rp_html *h, rp_package *pkg)
{
	int rc;

	rp_html_raw(h, "</body>\n</html>\n");
	if (h->rc >= 0 && h->b.len && rp_sink_write(h->sink, h->b.data, h->b.len) < 0)
		h->rc = -1;
	rp_buf_free(&h->b);
	if (h->rc < 0) {
		rp_html_abort(h);
		return -1;
	}
	rc = rp_package_commit(pkg, h->sink);
	h->sink = NULL;
	return rc;
}

void rp_html_abort(rp_html *h)
{
	rp_sink_abort(h->sink);
	h->sink = NULL;
	rp_buf_free(&h->b);
}
