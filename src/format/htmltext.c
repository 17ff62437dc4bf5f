/*
 * Plain text from HTML (htmltext.h): libxml2's HTML push parser, driven
 * through SAX so that no tree is built; this file only decides where lines
 * break and which blanks stay.
 */
#include "revpack/htmltext.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/xmltext.h"

typedef struct text_state {
	rp_buf *out;
	size_t start;      /* where this call's text begins in out */
	int skip;          /* inside script, style, head, template: depth */
	int pre;           /* inside pre: depth */
	int breaks;        /* line breaks asked for before the next text (0-2) */
	bool space;        /* a blank seen since the last text */
	bool line_empty;   /* nothing written on the current line yet */
	int rc;
} text_state;

enum { INLINE, LINE, PARAGRAPH, CELL, ITEM, SKIP, PRE, BREAK };

static int kind_of(const char *name)
{
	static const struct {
		const char *name;
		int kind;
	} tags[] = {
		{ "p", PARAGRAPH },    { "h1", PARAGRAPH },      { "h2", PARAGRAPH },   { "h3", PARAGRAPH },
		{ "h4", PARAGRAPH },   { "h5", PARAGRAPH },      { "h6", PARAGRAPH },   { "blockquote", PARAGRAPH },
		{ "ul", PARAGRAPH },   { "ol", PARAGRAPH },      { "dl", PARAGRAPH },   { "table", PARAGRAPH },
		{ "figure", PARAGRAPH }, { "section", PARAGRAPH }, { "article", PARAGRAPH }, { "hr", PARAGRAPH },
		{ "div", LINE },       { "address", LINE },      { "aside", LINE },     { "dd", LINE },
		{ "dt", LINE },        { "details", LINE },      { "dialog", LINE },    { "fieldset", LINE },
		{ "figcaption", LINE }, { "footer", LINE },      { "form", LINE },      { "header", LINE },
		{ "hgroup", LINE },    { "main", LINE },         { "nav", LINE },       { "summary", LINE },
		{ "caption", LINE },   { "tr", LINE },           { "legend", LINE },    { "option", LINE },
		{ "body", LINE },      { "td", CELL },           { "th", CELL },        { "li", ITEM },
		{ "script", SKIP },    { "style", SKIP },        { "head", SKIP },      { "template", SKIP },
		{ "noscript", SKIP },  { "iframe", SKIP },       { "object", SKIP },    { "svg", SKIP },
		{ "textarea", INLINE }, { "pre", PRE },          { "br", BREAK },
	};

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (name[0] == tags[i].name[0] && strcmp(name, tags[i].name) == 0) /* libxml2: lower case */
			return tags[i].kind;
	return INLINE;
}

static void ask_break(text_state *t, int n)
{
	if (t->out->len == t->start)
		return; /* nothing written yet: no leading empty lines */
	if (t->breaks < n)
		t->breaks = n;
	t->space = false;
}

static void put(text_state *t, const char *s, size_t n)
{
	if (t->rc < 0)
		return;
	if (rp_buf_put(t->out, s, n) < 0)
		t->rc = -1;
}

/* Before text: the line breaks and the blank asked for. */
static void flush_pending(text_state *t)
{
	if (t->breaks) {
		put(t, "\n\n", (size_t)t->breaks);
		t->breaks = 0;
		t->line_empty = true;
		t->space = false;
	}
	if (t->space && !t->line_empty)
		put(t, " ", 1);
	t->space = false;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	text_state *t = ctx;
	int k = kind_of((const char *)name);

	(void)attrs;
	if (k == SKIP || t->skip) {
		if (k == SKIP)
			t->skip++;
		return;
	}
	switch (k) {
	case PARAGRAPH:
		ask_break(t, 2);
		break;
	case LINE:
		ask_break(t, 1);
		break;
	case PRE:
		ask_break(t, 2);
		t->pre++;
		break;
	case ITEM:
		ask_break(t, 1);
		flush_pending(t);
		put(t, "- ", 2);
		t->line_empty = false;
		t->space = false;
		break;
	case CELL:
		if (!t->line_empty && !t->breaks) {
			put(t, "\t", 1);
			t->space = false;
		}
		break;
	case BREAK:
		if (t->out->len != t->start) {
			if (t->breaks < 2)
				t->breaks++;
			t->space = false;
		}
		break;
	default:
		break;
	}
}

static void on_end(void *ctx, const xmlChar *name)
{
	text_state *t = ctx;
	int k = kind_of((const char *)name);

	if (t->skip) {
		if (k == SKIP)
			t->skip--;
		return;
	}
	if (k == PARAGRAPH || k == PRE)
		ask_break(t, 2);
	else if (k == LINE || k == ITEM)
		ask_break(t, 1);
	if (k == PRE && t->pre)
		t->pre--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	text_state *t = ctx;
	const char *s = (const char *)ch;
	size_t i = 0, n = (size_t)len;

	if (t->skip)
		return;
	while (i < n) {
		if (t->pre && (s[i] == '\n' || s[i] == '\r')) {
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			if (t->out->len != t->start && t->breaks < 2)
				t->breaks++;
			i++;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
			if (t->pre) {
				flush_pending(t);
				put(t, s + i, 1);
				t->line_empty = false;
			} else {
				t->space = true;
			}
			i++;
			continue;
		}
		{
			size_t j = i;
			while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '\f')
				j++;
			flush_pending(t);
			put(t, s + i, j - i);
			t->line_empty = false;
			i = j;
		}
	}
}

static void on_ignore(void *ctx, const xmlChar *value, int len)
{
	(void)ctx;
	(void)value;
	(void)len;
}

static void on_comment(void *ctx, const xmlChar *value)
{
	(void)ctx;
	(void)value;
}

static void on_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int rp_html_text(rp_buf *out, const char *html, size_t n)
{
	htmlSAXHandler sax;
	htmlParserCtxtPtr p;
	text_state t;
	rp_buf mapped = RP_BUF_INIT;
	const char *in = html;
	size_t left = n;

	if (!n)
		return 0;
	if (!rp_xml_clean(html, n)) {
		rp_xml_fix fix = { 0, 0, 0 };
		if (rp_xml_map(&mapped, html, n, &fix) < 0)
			return -1;
		in = mapped.data;
		left = mapped.len;
	}
	memset(&t, 0, sizeof t);
	t.out = out;
	t.start = out->len;
	t.line_empty = true;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_ignore; /* script and style bodies */
	sax.ignorableWhitespace = on_text;
	sax.comment = on_comment;
	sax.warning = on_silent;
	sax.error = on_silent;
	p = htmlCreatePushParserCtxt(&sax, &t, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (!p) {
		rp_buf_free(&mapped);
		return rp_error_nomem();
	}
	htmlCtxtUseOptions(p, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	                          HTML_PARSE_COMPACT);
	/* libxml2 takes int lengths: feed large posts in pieces */
	while (left && t.rc >= 0) {
		int chunk = left > (1u << 20) ? 1 << 20 : (int)left;
		htmlParseChunk(p, in, chunk, 0);
		in += chunk;
		left -= (size_t)chunk;
	}
	htmlParseChunk(p, NULL, 0, 1);
	htmlFreeParserCtxt(p);
	rp_buf_free(&mapped);
	if (t.rc < 0)
		return -1;
	if (!out->data && rp_buf_puts(out, "") < 0)
		return -1;
	return 0;
}
