/*
 * WXR 1.2, element by element as WordPress's export_wp() writes it
 * (wp-admin/includes/export.php), with libxml2's xmlTextWriter over a
 * package sink. Values are mapped (xmltext.h) into one scratch buffer and
 * written raw: CDATA sections are split around "]]>", escaped text is
 * escaped there. formats/wxr.md gives the differences from WordPress.
 */
#include "revpack/wxr.h"

#include <ctype.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/text.h"

#include "format/xmlw.h"

#define X(s) RP_XC(s)

struct rp_wxr {
	rp_package *pkg;
	rp_sink *sink;
	int sink_failed;
	rp_xmlw xw;             /* the writer, and its first failure */
	rp_buf buf;             /* one value, mapped */
	rp_buf url;             /* a URL cleaned as esc_url() cleans it */
	const char *where_kind; /* what is being written, for notes: "post" 12; NULL: the channel */
	unsigned long long where_id;
	time_t created;
	const rp_wp_site *site;
	rp_wxr_result res;
	bool committed;
};

static int io_write(void *ctx, const char *data, int len)
{
	rp_wxr *w = ctx;
	if (rp_sink_write(w->sink, data, (size_t)len) < 0) {
		w->sink_failed = 1;
		return -1;
	}
	return len;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

static void raw(rp_wxr *w, const char *s, size_t n)
{
	rp_xmlw_raw(&w->xw, s, n);
}

static void raws(rp_wxr *w, const char *s)
{
	raw(w, s, strlen(s));
}

static void start(rp_wxr *w, const char *name)
{
	rp_xmlw_start(&w->xw, name);
}

static void end(rp_wxr *w)
{
	rp_xmlw_end(&w->xw);
}

/* Records a changed value. */
static void note(rp_wxr *w, const char *field, const rp_xml_fix *fix)
{
	rp_wxr_change *c;

	w->res.changed++;
	if (w->res.nchanges >= RP_WXR_MAX_CHANGES)
		return;
	if (!(c = rp_realloc(w->res.changes, (w->res.nchanges + 1) * sizeof *c))) {
		w->xw.rc = -1;
		return;
	}
	w->res.changes = c;
	c = &c[w->res.nchanges];
	c->where = w->where_kind ? rp_sprintf("%s %llu", w->where_kind, w->where_id) : rp_strdup("channel");
	c->field = rp_strdup(field);
	c->fix = *fix;
	if (!c->where || !c->field) {
		free(c->where);
		free(c->field);
		w->xw.rc = -1;
		return;
	}
	w->res.nchanges++;
}

typedef enum { AS_TEXT, AS_ESCAPED, AS_CDATA } how;

/* Maps s into w->buf (xmltext.h) as text, escaped text or CDATA, and
 * records the value when it had to be changed. false on failure. */
static bool put_value(rp_wxr *w, how h, const char *s, size_t n, const char *field)
{
	rp_xml_fix fix = { 0, 0, 0 };
	int r;

	rp_buf_clear(&w->buf);
	s = s ? s : "";
	r = h == AS_CDATA ? rp_xml_cdata(&w->buf, s, n, &fix)
	  : h == AS_ESCAPED ? rp_xml_escape(&w->buf, s, n, &fix) : rp_xml_map(&w->buf, s, n, &fix);
	if (r < 0) {
		w->xw.rc = -1;
		return false;
	}
	if (rp_xml_fix_any(&fix))
		note(w, field, &fix);
	return true;
}

/* <name>value</name>, the value mapped as h says: built in w->buf and
 * written raw in one call (the tags are ours, the value mapped). */
static void value_el(rp_wxr *w, const char *name, how h, const char *s, size_t n, const char *field)
{
	size_t nl = strlen(name);

	if (!put_value(w, h, s, n, field))
		return;
	if (rp_buf_grow(&w->buf, 2 * nl + 5) < 0) {
		w->xw.rc = -1;
		return;
	}
	memmove(w->buf.data + nl + 2, w->buf.data, w->buf.len);
	w->buf.data[0] = '<';
	memcpy(w->buf.data + 1, name, nl);
	w->buf.data[nl + 1] = '>';
	w->buf.len += nl + 2;
	rp_buf_put(&w->buf, "</", 2);
	rp_buf_put(&w->buf, name, nl);
	rp_buf_putc(&w->buf, '>');
	raw(w, w->buf.data, w->buf.len);
}

/* <name><![CDATA[value]]></name>; NULL is written as "" (WXR has no NULL). */
static void cdata_el(rp_wxr *w, const char *name, rp_value v, const char *field)
{
	value_el(w, name, AS_CDATA, v.data, v.data ? v.len : 0, field ? field : name + 3);
}

static void cdata_str(rp_wxr *w, const char *name, const char *s, const char *field)
{
	rp_value v = { s, s ? strlen(s) : 0 };
	cdata_el(w, name, v, field);
}

/* <name>escaped text</name> */
static void text_el(rp_wxr *w, const char *name, const char *s, size_t n, const char *field)
{
	value_el(w, name, AS_ESCAPED, s, s ? n : 0, field ? field : name);
}

static void text_str(rp_wxr *w, const char *name, const char *s)
{
	text_el(w, name, s, s ? strlen(s) : 0, NULL);
}

static void int_el(rp_wxr *w, const char *name, unsigned long long v)
{
	char b[24], *p = b + sizeof b;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	value_el(w, name, AS_TEXT, p, (size_t)(b + sizeof b - p), name);
}

/* (int) of a column, as PHP casts a numeric string: leading digits. */
static void intval_el(rp_wxr *w, const char *name, rp_value v)
{
	char b[24];
	size_t i = 0, o = 0;

	if (v.data && i < v.len && v.data[i] == '-')
		b[o++] = v.data[i++];
	for (; v.data && i < v.len && o < sizeof b - 1 && v.data[i] >= '0' && v.data[i] <= '9'; i++)
		b[o++] = v.data[i];
	if (o == 0 || (o == 1 && b[0] == '-'))
		o = 0, b[o++] = '0';
	value_el(w, name, AS_TEXT, b, o, name);
}

static void attr_val(rp_wxr *w, const char *name, rp_value v, const char *field)
{
	if (put_value(w, AS_TEXT, v.data, v.data ? v.len : 0, field))
		rp_xmlw_attr(&w->xw, name, w->buf.data ? w->buf.data : "");
}

/* A numeric character reference ("&#233;", "&#xE9;") at s: its length,
 * and its value in *cp (0x110000 for any value above U+10FFFF); 0 when s
 * starts with none. */
static size_t char_ref(const char *s, uint32_t *cp)
{
	bool hex = s[0] == '&' && s[1] == '#' && (s[2] == 'x' || s[2] == 'X');
	size_t d = hex ? 3 : 2, e = d;
	uint32_t v = 0;

	if (s[0] != '&' || s[1] != '#')
		return 0;
	for (; hex ? isxdigit((unsigned char)s[e]) : isdigit((unsigned char)s[e]); e++) {
		unsigned digit = isdigit((unsigned char)s[e]) ? (unsigned)(s[e] - '0')
		                                              : (unsigned)(tolower((unsigned char)s[e]) - 'a' + 10);
		v = v > 0x10FFFF ? 0x110000 : v * (hex ? 16 : 10) + digit;
	}
	if (e == d || s[e] != ';')
		return 0;
	*cp = v > 0x10FFFF ? 0x110000 : v;
	return e + 1;
}

/* A character XML 1.0 allows (its production Char). */
static bool xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
	       (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Channel text as bloginfo_rss() gives it: tags stripped; "&" kept when
 * it starts an entity XML knows, else escaped. */
static void rss_el(rp_wxr *w, const char *name, const char *s)
{
	rp_buf t = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };
	bool in_tag = false;

	s = s ? s : "";
	for (const char *p = s; *p; p++) {
		if (*p == '<')
			in_tag = true;
		else if (*p == '>' && in_tag)
			in_tag = false;
		else if (!in_tag)
			rp_buf_putc(&t, *p);
	}
	rp_buf_clear(&w->buf);
	if (rp_xml_map(&w->buf, t.data ? t.data : "", t.len, &fix) < 0) {
		rp_buf_free(&t);
		w->xw.rc = -1;
		return;
	}
	rp_buf_clear(&t);
	for (size_t i = 0; i < w->buf.len; i++) {
		char c = w->buf.data[i];
		if (c == '&') {
			static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
			bool ent = false;
			uint32_t cp;
			size_t k = char_ref(w->buf.data + i, &cp);
			for (size_t e = 0; e < 5 && !ent; e++)
				ent = strncmp(w->buf.data + i, ents[e], strlen(ents[e])) == 0;
			if (k && !xml_char(cp)) {
				/* a reference to a character XML cannot hold: that
				 * character mapped as the bytes of a value are */
				char b[4];
				if (cp < 0x20)
					fix.controls++, cp += 0x2400u;
				else if (cp == 0xFFFE || cp == 0xFFFF)
					fix.nonchars++, cp = 0xFFFD;
				else
					fix.invalid++, cp = 0xFFFD;
				rp_buf_put(&t, b, rp_utf8_encode(cp, b));
				i += k - 1;
				continue;
			}
			rp_buf_puts(&t, ent || k ? "&" : "&amp;");
		} else if (c == '<') {
			rp_buf_puts(&t, "&lt;");
		} else if (c == '>') {
			rp_buf_puts(&t, "&gt;");
		} else {
			rp_buf_putc(&t, c);
		}
	}
	if (rp_xml_fix_any(&fix))
		note(w, name, &fix);
	start(w, name);
	raw(w, t.data ? t.data : "", t.len);
	end(w);
	rp_buf_free(&t);
}

static void set_where(rp_wxr *w, const char *what, unsigned long long id)
{
	w->where_kind = what;
	w->where_id = id;
}

static void field_meta(rp_buf *b, const char *kind, const rp_wp_meta *m, const char *part)
{
	rp_xml_fix ignore = { 0, 0, 0 };
	rp_buf_clear(b);
	rp_buf_printf(b, "%s %s of meta_id %llu (key ", kind, part, m->id);
	rp_xml_map(b, m->key.data ? m->key.data : "", m->key.data ? m->key.len : 0, &ignore);
	rp_buf_putc(b, ')');
}

static void meta_els(rp_wxr *w, const char *el, const char *kind, const rp_wp_meta *m, const char *indent)
{
	rp_buf f = RP_BUF_INIT;

	raws(w, indent);
	start(w, el);
	raws(w, indent);
	raws(w, "\t");
	field_meta(&f, kind, m, "meta_key");
	cdata_el(w, "wp:meta_key", m->key, f.data);
	raws(w, indent);
	raws(w, "\t");
	field_meta(&f, kind, m, "meta_value");
	cdata_el(w, "wp:meta_value", m->value, f.data);
	raws(w, indent);
	end(w);
	rp_buf_free(&f);
}

static void term_meta(rp_wxr *w, const rp_wp_term *t)
{
	for (size_t i = 0; i < t->nmeta; i++)
		meta_els(w, "wp:termmeta", "termmeta", &t->meta[i], "\n\t\t");
}

/* WordPress writes a name or description only when PHP's empty() is
 * false: not for "" nor "0". */
static bool php_empty(rp_value v)
{
	return !v.data || v.len == 0 || (v.len == 1 && v.data[0] == '0');
}

/* The elements of a category, a tag and another term in the channel. */
typedef struct term_names {
	const char *el, *taxonomy, *slug, *parent, *name, *description;
} term_names;

static const term_names category_els = { "wp:category", NULL, "wp:category_nicename", "wp:category_parent",
	                                 "wp:cat_name", "wp:category_description" };
static const term_names tag_els = { "wp:tag", NULL, "wp:tag_slug", NULL, "wp:tag_name", "wp:tag_description" };
static const term_names term_els = { "wp:term", "wp:term_taxonomy", "wp:term_slug", "wp:term_parent",
	                             "wp:term_name", "wp:term_description" };

static void term_el(rp_wxr *w, const term_names *n, const rp_wp_term *t)
{
	rp_value none = { "", 0 };

	set_where(w, "term", t->term_id);
	raws(w, "\t");
	start(w, n->el);
	raws(w, "\n\t\t");
	int_el(w, "wp:term_id", t->term_id);
	if (n->taxonomy) {
		raws(w, "\n\t\t");
		cdata_el(w, n->taxonomy, t->taxonomy, "taxonomy");
	}
	raws(w, "\n\t\t");
	cdata_el(w, n->slug, t->slug, "slug");
	if (n->parent) {
		raws(w, "\n\t\t");
		cdata_el(w, n->parent, t->parent_term ? t->parent_term->slug : none, "parent slug");
	}
	if (!php_empty(t->name)) {
		raws(w, "\n\t\t");
		cdata_el(w, n->name, t->name, "name");
	}
	if (!php_empty(t->description)) {
		raws(w, "\n\t\t");
		cdata_el(w, n->description, t->description, "description");
	}
	term_meta(w, t);
	raws(w, "\n\t");
	end(w);
	raws(w, "\n");
}

static int wxr_begin(void *ctx, const rp_wp_site *site, const rp_wp_channel *ch)
{
	rp_wxr *w = ctx;
	char when[64];
	struct tm tm;
	const char *home = site->home ? site->home : site->siteurl;
	char *lang = NULL;

	w->site = site;
	if (w->xw.rc >= 0)
		w->xw.rc = xmlTextWriterStartDocument(w->xw.x, "1.0", "UTF-8", NULL);
	raws(w, "\n<!-- This is a WordPress eXtended RSS file (WXR 1.2) written by revpack " REVPACK_VERSION
	        " from the site's database, as WordPress's own export would write it. -->\n"
	        "<!-- It contains the site's posts, pages, comments, categories, and other content; "
	        "data/inventory.xml says what it leaves out. -->\n"
	        "<!-- To import it: in a WordPress site, Tools > Import > WordPress, then upload this file. -->\n\n");
	start(w, "rss");
	rp_xmlw_attr(&w->xw, "version", "2.0");
	rp_xmlw_attr(&w->xw, "xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/");
	rp_xmlw_attr(&w->xw, "xmlns:content", "http://purl.org/rss/1.0/modules/content/");
	rp_xmlw_attr(&w->xw, "xmlns:wfw", "http://wellformedweb.org/CommentAPI/");
	rp_xmlw_attr(&w->xw, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
	rp_xmlw_attr(&w->xw, "xmlns:wp", "http://wordpress.org/export/1.2/");
	raws(w, "\n\n");
	start(w, "channel");
	raws(w, "\n\t");
	rss_el(w, "title", site->blogname);
	raws(w, "\n\t");
	text_str(w, "link", home);
	raws(w, "\n\t");
	rss_el(w, "description", site->blogdescription);
	raws(w, "\n\t");
	gmtime_r(&w->created, &tm);
	strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	text_str(w, "pubDate", when);
	raws(w, "\n\t");
	lang = rp_strdup(site->language && *site->language ? site->language : "en_US");
	if (!lang)
		return -1;
	for (char *c = lang; *c; c++)
		if (*c == '_')
			*c = '-';
	text_str(w, "language", lang);
	free(lang);
	raws(w, "\n\t");
	text_str(w, "wp:wxr_version", "1.2");
	raws(w, "\n\t");
	text_str(w, "wp:base_site_url", site->network_url ? site->network_url : home);
	raws(w, "\n\t");
	text_str(w, "wp:base_blog_url", home);
	raws(w, "\n\n");
	for (size_t i = 0; i < ch->nauthors; i++) {
		const rp_wp_user *u = &ch->authors[i];
		set_where(w, "author", u->id);
		raws(w, "\t");
		start(w, "wp:author");
		int_el(w, "wp:author_id", u->id);
		cdata_el(w, "wp:author_login", u->login, NULL);
		cdata_el(w, "wp:author_email", u->email, NULL);
		cdata_el(w, "wp:author_display_name", u->display_name, NULL);
		cdata_el(w, "wp:author_first_name", u->first_name, NULL);
		cdata_el(w, "wp:author_last_name", u->last_name, NULL);
		end(w);
		raws(w, "\n");
	}
	raws(w, "\n");
	for (size_t i = 0; i < ch->ncategories; i++)
		term_el(w, &category_els, ch->categories[i]);
	for (size_t i = 0; i < ch->ntags; i++)
		term_el(w, &tag_els, ch->tags[i]);
	for (size_t i = 0; i < ch->nterms; i++)
		term_el(w, &term_els, ch->terms[i]);
	for (size_t i = 0; i < ch->nmenus; i++) {
		const rp_wp_term *t = ch->menus[i];
		set_where(w, "term", t->term_id);
		raws(w, "\t");
		start(w, "wp:term");
		int_el(w, "wp:term_id", t->term_id);
		text_str(w, "wp:term_taxonomy", "nav_menu");
		cdata_el(w, "wp:term_slug", t->slug, "slug");
		if (!php_empty(t->name))
			cdata_el(w, "wp:term_name", t->name, "name");
		end(w);
		raws(w, "\n");
	}
	w->where_kind = NULL;
	raws(w, "\n");
	return w->xw.rc < 0 && !w->sink_failed ? rp_error_set(RP_E_INTERNAL, "cannot write %s", w->res.path)
	                                     : w->xw.rc < 0 ? -1 : 0;
}

static void url_el(rp_wxr *w, const char *name, const char *url)
{
	text_el(w, name, url, strlen(url), NULL);
}

static int wxr_post(void *ctx, const rp_wp_post *p)
{
	rp_wxr *w = ctx;
	const rp_value *f = p->f;
	rp_value login = { "", 0 };

	set_where(w, "post", p->id);
	raws(w, "\t");
	start(w, "item");
	raws(w, "\n\t\t");
	cdata_el(w, "title", f[RP_WP_P_TITLE], "post_title");
	raws(w, "\n\t\t");
	url_el(w, "link", p->link);
	raws(w, "\n\t\t");
	text_str(w, "pubDate", p->pub_date);
	raws(w, "\n\t\t");
	if (p->author)
		login = p->author->login;
	cdata_el(w, "dc:creator", login, "author's login");
	raws(w, "\n\t\t");
	start(w, "guid");
	rp_xmlw_attr(&w->xw, "isPermaLink", "false");
	/* the_guid(): esc_url() of the stored guid */
	rp_buf_clear(&w->url);
	rp_wp_esc_url(&w->url, f[RP_WP_P_GUID].data ? f[RP_WP_P_GUID].data : "", f[RP_WP_P_GUID].len);
	if (put_value(w, AS_ESCAPED, w->url.data, w->url.len, "guid"))
		raw(w, w->buf.data, w->buf.len);
	end(w);
	raws(w, "\n\t\t");
	start(w, "description");
	if (w->xw.rc >= 0)
		w->xw.rc = xmlTextWriterWriteString(w->xw.x, X(""));
	end(w);
	raws(w, "\n\t\t");
	cdata_el(w, "content:encoded", f[RP_WP_P_CONTENT], "post_content");
	raws(w, "\n\t\t");
	cdata_el(w, "excerpt:encoded", f[RP_WP_P_EXCERPT], "post_excerpt");
	raws(w, "\n\t\t");
	int_el(w, "wp:post_id", p->id);
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_date", f[RP_WP_P_DATE], "post_date");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_date_gmt", f[RP_WP_P_DATE_GMT], "post_date_gmt");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_modified", f[RP_WP_P_MODIFIED], "post_modified");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_modified_gmt", f[RP_WP_P_MODIFIED_GMT], "post_modified_gmt");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:comment_status", f[RP_WP_P_COMMENT_STATUS], "comment_status");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:ping_status", f[RP_WP_P_PING_STATUS], "ping_status");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_name", f[RP_WP_P_NAME], "post_name");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:status", f[RP_WP_P_STATUS], "post_status");
	raws(w, "\n\t\t");
	intval_el(w, "wp:post_parent", f[RP_WP_P_PARENT]);
	raws(w, "\n\t\t");
	intval_el(w, "wp:menu_order", f[RP_WP_P_MENU_ORDER]);
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_type", f[RP_WP_P_TYPE], "post_type");
	raws(w, "\n\t\t");
	cdata_el(w, "wp:post_password", f[RP_WP_P_PASSWORD], "post_password");
	raws(w, "\n\t\t");
	int_el(w, "wp:is_sticky", p->sticky ? 1 : 0);
	if (p->attachment_url) {
		raws(w, "\n\t\t");
		cdata_str(w, "wp:attachment_url", p->attachment_url, "attachment_url");
	}
	for (size_t i = 0; i < p->nterms; i++) {
		const rp_wp_term *t = p->terms[i];
		raws(w, "\n\t\t");
		start(w, "category");
		attr_val(w, "domain", t->taxonomy, "term taxonomy");
		attr_val(w, "nicename", t->slug, "term slug");
		if (put_value(w, AS_CDATA, t->name.data, t->name.data ? t->name.len : 0, "term name"))
			raw(w, w->buf.data, w->buf.len);
		end(w);
	}
	for (size_t i = 0; i < p->nmeta; i++)
		meta_els(w, "wp:postmeta", "postmeta", &p->meta[i], "\n\t\t");
	for (size_t i = 0; i < p->ncomments; i++) {
		const rp_wp_comment *c = &p->comments[i];
		const rp_value *cf = c->f;
		unsigned long long cid = 0;
		for (size_t k = 0; cf[RP_WP_C_ID].data && k < cf[RP_WP_C_ID].len; k++)
			cid = cid * 10 + (unsigned long long)(cf[RP_WP_C_ID].data[k] - '0');
		set_where(w, "comment", cid);
		raws(w, "\n\t\t");
		start(w, "wp:comment");
		raws(w, "\n\t\t\t");
		int_el(w, "wp:comment_id", cid);
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_author", cf[RP_WP_C_AUTHOR], "comment_author");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_author_email", cf[RP_WP_C_AUTHOR_EMAIL], "comment_author_email");
		raws(w, "\n\t\t\t");
		rp_buf_clear(&w->url);
		rp_wp_esc_url(&w->url, cf[RP_WP_C_AUTHOR_URL].data ? cf[RP_WP_C_AUTHOR_URL].data : "",
		              cf[RP_WP_C_AUTHOR_URL].len);
		text_el(w, "wp:comment_author_url", w->url.data, w->url.len, "comment_author_url");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_author_IP", cf[RP_WP_C_AUTHOR_IP], "comment_author_IP");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_date", cf[RP_WP_C_DATE], "comment_date");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_date_gmt", cf[RP_WP_C_DATE_GMT], "comment_date_gmt");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_content", cf[RP_WP_C_CONTENT], "comment_content");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_approved", cf[RP_WP_C_APPROVED], "comment_approved");
		raws(w, "\n\t\t\t");
		cdata_el(w, "wp:comment_type", cf[RP_WP_C_TYPE], "comment_type");
		raws(w, "\n\t\t\t");
		intval_el(w, "wp:comment_parent", cf[RP_WP_C_PARENT]);
		raws(w, "\n\t\t\t");
		intval_el(w, "wp:comment_user_id", cf[RP_WP_C_USER_ID]);
		for (size_t k = 0; k < c->nmeta; k++)
			meta_els(w, "wp:commentmeta", "commentmeta", &c->meta[k], "\n\t\t\t");
		raws(w, "\n\t\t");
		end(w);
		set_where(w, "post", p->id);
	}
	raws(w, "\n\t");
	end(w);
	raws(w, "\n");
	w->res.items++;
	if (w->sink_failed)
		return -1;
	if (w->xw.rc < 0)
		return rp_error_set(RP_E_INTERNAL, "cannot write %s (libxml2 failed at post %llu)", w->res.path, p->id);
	return 0;
}

static int wxr_end(void *ctx)
{
	rp_wxr *w = ctx;
	rp_sink *s;

	end(w); /* channel */
	raws(w, "\n");
	end(w); /* rss */
	if (w->xw.rc >= 0)
		w->xw.rc = xmlTextWriterEndDocument(w->xw.x);
	xmlFreeTextWriter(w->xw.x); /* flushes and closes the output */
	w->xw.x = NULL;
	if (w->sink_failed)
		return -1;
	if (w->xw.rc < 0)
		return rp_error_set(RP_E_INTERNAL, "cannot write %s", w->res.path);
	s = w->sink;
	w->sink = NULL;
	if (rp_package_commit_info(w->pkg, s, &w->res.info) < 0)
		return -1;
	w->committed = true;
	return 0;
}

int rp_wxr_open(rp_wxr **out, rp_package *pkg, const char *relpath, time_t created)
{
	rp_wxr *w = rp_calloc(1, sizeof *w);
	xmlOutputBufferPtr ob;

	*out = NULL;
	if (!w)
		return -1;
	w->pkg = pkg;
	w->created = created;
	if (!(w->res.path = rp_sprintf("data/%s", relpath)))
		goto fail;
	if (rp_package_open(pkg, relpath, &w->sink) < 0)
		goto fail;
	if (!(ob = xmlOutputBufferCreateIO(io_write, io_close, w, NULL))) {
		rp_error_nomem();
		goto fail;
	}
	if (!(w->xw.x = xmlNewTextWriter(ob))) {
		xmlOutputBufferClose(ob);
		rp_error_nomem();
		goto fail;
	}
	*out = w;
	return 0;
fail:
	rp_wxr_free(w);
	return -1;
}

rp_wp_consumer rp_wxr_consumer(rp_wxr *w)
{
	rp_wp_consumer c = { wxr_begin, wxr_post, wxr_end, w };
	return c;
}

const rp_wxr_result *rp_wxr_result_get(const rp_wxr *w)
{
	return &w->res;
}

void rp_wxr_result_take(rp_wxr *w, rp_wxr_result *out)
{
	*out = w->res;
	memset(&w->res, 0, sizeof w->res);
}

void rp_wxr_result_free(rp_wxr_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++) {
		free(r->changes[i].where);
		free(r->changes[i].field);
	}
	free(r->changes);
	free(r->path);
	memset(r, 0, sizeof *r);
}

void rp_wxr_free(rp_wxr *w)
{
	if (!w)
		return;
	if (w->xw.x)
		xmlFreeTextWriter(w->xw.x);
	rp_sink_abort(w->sink);
	rp_buf_free(&w->buf);
	rp_buf_free(&w->url);
	rp_wxr_result_free(&w->res);
	free(w);
}
