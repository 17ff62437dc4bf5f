/*
 * The guide's pages for one WordPress site (guide.h): a consumer of the
 * WordPress reader that writes, under data/content/wordpress/<site>/guide/,
 * the list of the site's pages (pages.html), the list of its posts
 * (posts.html), and their text, RP_GUIDE_PER_FILE items per file
 * (text-00001.html, ...), all streamed as the posts arrive.
 */
#include "revpack/guide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/htmltext.h"

#include "format/html.h"

struct rp_guide_site {
	rp_package *pkg;
	char *dir;             /* content/wordpress/<site>/guide */
	rp_lang lang;
	const rp_wp_site *site;
	rp_html lists[2];      /* pages, posts */
	bool lists_open;
	rp_html text;          /* the text file being written */
	bool text_open;
	unsigned long file_no; /* of the text file being written */
	size_t in_file;        /* items in it */
	rp_buf scratch;
	rp_guide_site_result res;
	int (*text_of)(void *ctx, const rp_wp_post *p, const char **s, size_t *n);
	void *text_ctx;
};

static bool is(rp_value v, const char *s)
{
	size_t n = strlen(s);
	return v.data && v.len == n && memcmp(v.data, s, n) == 0;
}

/* The title as the site shows it (markup removed, entities decoded); the
 * stored bytes, escaped, when that leaves nothing; a placeholder when empty. */
static int title(rp_guide_site *g, rp_html *h, rp_value t)
{
	rp_buf_clear(&g->scratch);
	if (t.data && t.len && rp_html_text(&g->scratch, t.data, t.len) < 0)
		return -1;
	if (g->scratch.len)
		rp_html_esc(h, g->scratch.data, g->scratch.len);
	else if (t.data && t.len)
		rp_html_esc(h, t.data, t.len);
	else
		rp_html_tr(h, "<span class=\"muted\">(sans titre)</span>", "<span class=\"muted\">(no title)</span>");
	return 0;
}

static void text_file_name(char *out, size_t n, unsigned long no)
{
	snprintf(out, n, "text-%05lu.html", no);
}

static int open_lists(rp_guide_site *g)
{
	static const char *const names[2] = { "pages.html", "posts.html" };

	g->lists_open = true; /* from here on, rp_guide_site_free drops what was opened */
	for (int i = 0; i < 2; i++) {
		rp_html *h = &g->lists[i];
		char *rel = rp_sprintf("%s/%s", g->dir, names[i]);
		char *head;
		if (!rel)
			return -1;
		if (rp_html_open(h, g->pkg, rel, g->lang, true) < 0) {
			free(rel);
			return -1;
		}
		free(rel);
		head = rp_sprintf("%s \xe2\x80\x94 %s", i == 0 ? rp_tr(g->lang, "Pages", "Pages")
		                                                : rp_tr(g->lang, "Articles", "Posts"),
		                  g->site->name);
		if (!head)
			return -1;
		rp_html_begin(h, head);
		free(head);
		rp_html_raw(h, "<nav><a href=\"../../../../index.html\">");
		rp_html_tr(h, "\xe2\x86\x90 Guide du paquet", "\xe2\x86\x90 Package guide");
		rp_html_raw(h, i == 0 ? "</a><a href=\"posts.html\">" : "</a><a href=\"pages.html\">");
		rp_html_raw(h, i == 0 ? rp_tr(g->lang, "Articles", "Posts") : "Pages");
		rp_html_raw(h, "</a></nav>\n<h1>");
		rp_html_raw(h, i == 0 ? "Pages" : rp_tr(g->lang, "Articles", "Posts"));
		rp_html_raw(h, " \xe2\x80\x94 ");
		rp_html_escs(h, g->site->name);
		rp_html_raw(h, "</h1>\n<p class=\"muted\">");
		rp_html_tr(h, "Extrait de la base de données du site au moment de l’export. Le texte est affiché "
		              "sans mise en forme ; le HTML d’origine est dans le fichier WXR et dans posts.csv.",
		           "Taken from the site's database at the time of the export. Text is shown without "
		           "formatting; the original HTML is in the WXR file and in posts.csv.");
		rp_html_raw(h, "</p>\n<table>\n<thead><tr><th class=\"n\">ID</th><th>");
		rp_html_tr(h, "Titre", "Title");
		rp_html_raw(h, "</th><th>");
		rp_html_tr(h, "État", "Status");
		rp_html_raw(h, "</th><th>Date</th><th>");
		rp_html_tr(h, "Auteur", "Author");
		rp_html_raw(h, "</th></tr></thead>\n<tbody>\n");
	}
	return 0;
}

static int close_text(rp_guide_site *g, bool more)
{
	char next[32];

	if (!g->text_open)
		return 0;
	rp_html_raw(&g->text, "<nav>");
	if (g->file_no > 1) {
		char prev[32];
		text_file_name(prev, sizeof prev, g->file_no - 1);
		rp_html_printf(&g->text, "<a href=\"%s\">", prev);
		rp_html_tr(&g->text, "\xe2\x86\x90 Précédent", "\xe2\x86\x90 Previous");
		rp_html_raw(&g->text, "</a>");
	}
	if (more) {
		text_file_name(next, sizeof next, g->file_no + 1);
		rp_html_printf(&g->text, "<a href=\"%s\">", next);
		rp_html_tr(&g->text, "Suivant \xe2\x86\x92", "Next \xe2\x86\x92");
		rp_html_raw(&g->text, "</a>");
	}
	rp_html_raw(&g->text, "</nav>\n");
	g->text_open = false;
	if (rp_html_commit(&g->text, g->pkg) < 0)
		return -1;
	g->res.files++;
	return 0;
}

static int open_text(rp_guide_site *g)
{
	char name[32];
	char *rel, *head;

	g->file_no++;
	g->in_file = 0;
	text_file_name(name, sizeof name, g->file_no);
	if (!(rel = rp_sprintf("%s/%s", g->dir, name)))
		return -1;
	if (rp_html_open(&g->text, g->pkg, rel, g->lang, true) < 0) {
		free(rel);
		return -1;
	}
	free(rel);
	g->text_open = true;
	if (!(head = rp_sprintf("%s %lu \xe2\x80\x94 %s", rp_tr(g->lang, "Textes", "Texts"), g->file_no,
	                        g->site->name)))
		return -1;
	rp_html_begin(&g->text, head);
	free(head);
	rp_html_raw(&g->text, "<nav><a href=\"../../../../index.html\">");
	rp_html_tr(&g->text, "\xe2\x86\x90 Guide du paquet", "\xe2\x86\x90 Package guide");
	rp_html_raw(&g->text, "</a><a href=\"pages.html\">Pages</a><a href=\"posts.html\">");
	rp_html_tr(&g->text, "Articles", "Posts");
	rp_html_raw(&g->text, "</a></nav>\n<h1>");
	rp_html_tr(&g->text, "Pages et articles", "Pages and posts");
	rp_html_raw(&g->text, " \xe2\x80\x94 ");
	rp_html_escs(&g->text, g->site->name);
	rp_html_printf(&g->text, " <span class=\"muted\">(%lu)</span></h1>\n", g->file_no);
	return g->text.rc;
}

static void meta_row(rp_html *h, const char *fr, const char *en)
{
	rp_html_raw(h, "<dt>");
	rp_html_tr(h, fr, en);
	rp_html_raw(h, "</dt><dd>");
}

static void terms_of(rp_html *h, const rp_wp_post *p, const char *taxonomy)
{
	bool first = true;

	for (size_t i = 0; i < p->nterms; i++) {
		const rp_wp_term *t = p->terms[i];
		if (!is(t->taxonomy, taxonomy))
			continue;
		if (!first)
			rp_html_raw(h, ", ");
		first = false;
		rp_html_esc(h, t->name.data, t->name.len);
	}
}

static bool has_terms(const rp_wp_post *p, const char *taxonomy)
{
	for (size_t i = 0; i < p->nterms; i++)
		if (is(p->terms[i]->taxonomy, taxonomy))
			return true;
	return false;
}

static int site_begin(void *ctx, const rp_wp_site *site, const rp_wp_channel *ch)
{
	rp_guide_site *g = ctx;

	(void)ch;
	g->site = site;
	if (rp_package_mkdirs(g->pkg, g->dir) < 0)
		return -1;
	return open_lists(g);
}

static int site_post(void *ctx, const rp_wp_post *p)
{
	rp_guide_site *g = ctx;
	const rp_value *f = p->f;
	bool page = is(f[RP_WP_P_TYPE], "page");
	rp_html *list, *t;
	char name[32];

	if (!page && !is(f[RP_WP_P_TYPE], "post"))
		return 0;
	if (g->text_open && g->in_file == RP_GUIDE_PER_FILE && close_text(g, true) < 0)
		return -1;
	if (!g->text_open && open_text(g) < 0)
		return -1;
	t = &g->text;
	list = &g->lists[page ? 0 : 1];
	text_file_name(name, sizeof name, g->file_no);
	g->in_file++;
	if (page)
		g->res.pages++;
	else
		g->res.posts++;

	/* the row of the list */
	rp_html_printf(list, "<tr><td class=\"n\">%llu</td><td><a href=\"%s#p%llu\">", p->id, name, p->id);
	if (title(g, list, f[RP_WP_P_TITLE]) < 0)
		return -1;
	rp_html_raw(list, "</a></td><td>");
	rp_html_wp_status(list, f[RP_WP_P_STATUS].data, f[RP_WP_P_STATUS].len);
	rp_html_raw(list, "</td><td>");
	rp_html_esc(list, f[RP_WP_P_DATE].data, f[RP_WP_P_DATE].len);
	rp_html_raw(list, "</td><td>");
	if (p->author)
		rp_html_esc(list, p->author->display_name.data, p->author->display_name.len);
	rp_html_raw(list, "</td></tr>\n");

	/* the item and its text */
	rp_html_printf(t, "<article id=\"p%llu\">\n<h2>", p->id);
	if (title(g, t, f[RP_WP_P_TITLE]) < 0)
		return -1;
	rp_html_raw(t, "</h2>\n<dl class=\"meta\">");
	meta_row(t, "Type", "Type");
	rp_html_raw(t, page ? "Page" : rp_tr(g->lang, "Article", "Post"));
	rp_html_raw(t, "</dd>");
	meta_row(t, "État", "Status");
	rp_html_wp_status(t, f[RP_WP_P_STATUS].data, f[RP_WP_P_STATUS].len);
	rp_html_raw(t, "</dd>");
	meta_row(t, "Date", "Date");
	rp_html_esc(t, f[RP_WP_P_DATE].data, f[RP_WP_P_DATE].len);
	rp_html_raw(t, "</dd>");
	if (f[RP_WP_P_MODIFIED].data) {
		meta_row(t, "Modifié le", "Modified");
		rp_html_esc(t, f[RP_WP_P_MODIFIED].data, f[RP_WP_P_MODIFIED].len);
		rp_html_raw(t, "</dd>");
	}
	if (p->author) {
		meta_row(t, "Auteur", "Author");
		rp_html_esc(t, p->author->display_name.data, p->author->display_name.len);
		rp_html_raw(t, "</dd>");
	}
	if (p->link && *p->link) {
		/* as text, not a link: the guide never sends the reader online */
		meta_row(t, "Adresse publique", "Public address");
		rp_html_raw(t, "<code>");
		rp_html_escs(t, p->link);
		rp_html_raw(t, "</code></dd>");
	}
	if (has_terms(p, "category")) {
		meta_row(t, "Catégories", "Categories");
		terms_of(t, p, "category");
		rp_html_raw(t, "</dd>");
	}
	if (has_terms(p, "post_tag")) {
		meta_row(t, "Étiquettes", "Tags");
		terms_of(t, p, "post_tag");
		rp_html_raw(t, "</dd>");
	}
	rp_html_printf(t, "<dt>ID</dt><dd>%llu</dd></dl>\n<div class=\"text\">", p->id);
	if (g->text_of) {
		const char *txt;
		size_t n;
		if (g->text_of(g->text_ctx, p, &txt, &n) < 0)
			return -1;
		rp_html_esc(t, txt, n);
	} else {
		rp_buf_clear(&g->scratch);
		if (f[RP_WP_P_CONTENT].data &&
		    rp_html_text(&g->scratch, f[RP_WP_P_CONTENT].data, f[RP_WP_P_CONTENT].len) < 0)
			return -1;
		rp_html_esc(t, g->scratch.data, g->scratch.len);
	}
	rp_html_raw(t, "</div>\n</article>\n");
	if (list->rc < 0 || t->rc < 0)
		return -1;
	return 0;
}

static int site_end(void *ctx)
{
	rp_guide_site *g = ctx;

	if (close_text(g, false) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		rp_html *h = &g->lists[i];
		rp_html_raw(h, "</tbody>\n</table>\n");
		if ((i == 0 ? g->res.pages : g->res.posts) == 0) {
			rp_html_raw(h, "<p>");
			rp_html_raw(h, i == 0 ? rp_tr(g->lang, "Aucune page.", "No pages.")
			                      : rp_tr(g->lang, "Aucun article.", "No posts."));
			rp_html_raw(h, "</p>\n");
		}
		if (rp_html_commit(h, g->pkg) < 0) {
			if (i == 0)
				rp_html_abort(&g->lists[1]);
			g->lists_open = false;
			return -1;
		}
		g->res.files++;
	}
	g->lists_open = false;
	return 0;
}

int rp_guide_site_open(rp_guide_site **out, rp_package *pkg, const char *reldir, rp_lang lang)
{
	rp_guide_site *g = rp_calloc(1, sizeof *g);

	*out = NULL;
	if (!g)
		return -1;
	g->pkg = pkg;
	g->lang = lang;
	if (!(g->dir = rp_sprintf("%s/guide", reldir)) || !(g->res.dir = rp_strdup(g->dir))) {
		rp_guide_site_free(g);
		return -1;
	}
	*out = g;
	return 0;
}

rp_wp_consumer rp_guide_site_consumer(rp_guide_site *g)
{
	return (rp_wp_consumer){ site_begin, site_post, site_end, g };
}

void rp_guide_site_text_from(rp_guide_site *g,
                             int (*text)(void *ctx, const rp_wp_post *p, const char **s, size_t *n), void *ctx)
{
	g->text_of = text;
	g->text_ctx = ctx;
}

void rp_guide_site_result_take(rp_guide_site *g, rp_guide_site_result *out)
{
	*out = g->res;
	memset(&g->res, 0, sizeof g->res);
}

void rp_guide_site_result_free(rp_guide_site_result *r)
{
	free(r->dir);
	memset(r, 0, sizeof *r);
}

void rp_guide_site_free(rp_guide_site *g)
{
	if (!g)
		return;
	if (g->lists_open) {
		rp_html_abort(&g->lists[0]);
		rp_html_abort(&g->lists[1]);
	}
	if (g->text_open)
		rp_html_abort(&g->text);
	rp_buf_free(&g->scratch);
	rp_guide_site_result_free(&g->res);
	free(g->dir);
	free(g);
}
