/*
 * The content pass (content.h): WordPress sites to WXR, attachments checked
 * against the media folders, and inventory.xml's <content> section.
 */
#include "revpack/content.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/guide.h"
#include "revpack/htmltext.h"
#include "revpack/text.h"
#include "revpack/xmltext.h"

#include "format/xmlw.h"

struct rp_content_media {
	size_t *files;      /* entry indexes of the files, by path under DIR */
	size_t nfiles;
	unsigned char *ref; /* per entry: referenced by an attachment */
	char **prefixes;    /* where attachments were found: "", "wp-content/uploads/" ... */
	size_t nprefixes;
};

static int cmp_src(const void *a, const void *b, void *entries)
{
	const rp_media_entry *e = *(const rp_media_entry **)entries;
	return strcmp(e[*(const size_t *)a].src, e[*(const size_t *)b].src);
}

int rp_content_init(rp_content *c, rp_media *const *media, size_t nmedia)
{
	memset(c, 0, sizeof *c);
	c->media = media;
	c->nmedia = nmedia;
	if (!(c->mx = rp_calloc(nmedia + 1, sizeof *c->mx)))
		return -1;
	for (size_t i = 0; i < nmedia; i++) {
		size_t n;
		const rp_media_entry *e = rp_media_entries(media[i], &n);
		rp_content_media *m = &c->mx[i];
		if (!(m->files = rp_calloc(n + 1, sizeof *m->files)) || !(m->ref = rp_calloc(n + 1, 1)))
			return -1;
		for (size_t k = 0; k < n; k++)
			if (e[k].kind == RP_MEDIA_FILE && !e[k].skipped)
				m->files[m->nfiles++] = k;
		qsort_r(m->files, m->nfiles, sizeof *m->files, cmp_src, &e);
	}
	return 0;
}

/* The entry index of path under media folder i, or SIZE_MAX. */
static size_t find_file(rp_content *c, size_t i, const char *path)
{
	size_t n, lo = 0, hi = c->mx[i].nfiles;
	const rp_media_entry *e = rp_media_entries(c->media[i], &n);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(e[c->mx[i].files[mid]].src, path);
		if (d == 0)
			return c->mx[i].files[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static int add_prefix(rp_content_media *m, const char *p)
{
	char **np;

	for (size_t i = 0; i < m->nprefixes; i++)
		if (strcmp(m->prefixes[i], p) == 0)
			return 0;
	if (!(np = rp_realloc(m->prefixes, (m->nprefixes + 1) * sizeof *np)))
		return -1;
	m->prefixes = np;
	if (!(np[m->nprefixes] = rp_strdup(p)))
		return -1;
	m->nprefixes++;
	return 0;
}

/* Looks for a file of the uploads folder (path relative to it) in every
 * media folder, under each place an uploads folder may be; marks it
 * referenced. 1 found (*media and *entry say where, when not NULL), 0
 * not, -1 error. */
static int locate(rp_content *c, unsigned long blog_id, const char *rel, size_t *media, size_t *entry)
{
	char sites[48];
	const char *bases[] = { "", "wp-content/uploads/", "uploads/" };
	rp_buf b = RP_BUF_INIT;
	int found = 0;

	const char *p = strstr(rel, "wp-content/uploads/");
	if (p)
		rel = p + 19;
	while (*rel == '/')
		rel++;
	if (!*rel)
		return 0;
	snprintf(sites, sizeof sites, "sites/%lu/", blog_id);
	for (size_t i = 0; i < c->nmedia && !found; i++) {
		for (int pass = blog_id > 1 ? 0 : 1; pass < 2 && !found; pass++) {
			for (size_t k = 0; k < 3 && !found; k++) {
				size_t at;
				rp_buf_clear(&b);
				rp_buf_puts(&b, bases[k]);
				if (pass == 0)
					rp_buf_puts(&b, sites);
				if (!b.data && rp_buf_puts(&b, "") < 0)
					return -1;
				{
					size_t plen = b.len;
					rp_buf_puts(&b, rel);
					if (!b.data)
						return -1;
					at = find_file(c, i, b.data);
					if (at == SIZE_MAX)
						continue;
					c->mx[i].ref[at] = 1;
					if (media)
						*media = i, *entry = at;
					b.data[plen] = '\0';
					if (add_prefix(&c->mx[i], b.data) < 0) {
						rp_buf_free(&b);
						return -1;
					}
					found = 1;
				}
			}
		}
	}
	rp_buf_free(&b);
	return found;
}

typedef struct check_ctx {
	rp_content *c;
	rp_content_site *cs;
	const char *dir;       /* folder of the attached file, "" for none */
	size_t dirlen;
	unsigned long blog_id;
	int err;
} check_ctx;

static int ref_file(void *ctx, const char *v, size_t len)
{
	check_ctx *k = ctx;
	char *path;

	if (!len)
		return 0;
	if (memchr(v, '/', len))
		path = rp_strndup(v, len);
	else
		path = rp_sprintf("%.*s%.*s", (int)k->dirlen, k->dir, (int)len, v);
	if (!path)
		return -1;
	if (!memchr(path, '\0', strlen(path)) && locate(k->c, k->blog_id, path, NULL, NULL) < 0) {
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int check_begin(void *ctx, const rp_wp_site *site, const rp_wp_channel *ch)
{
	(void)ctx;
	(void)site;
	(void)ch;
	return 0;
}

static int check_post(void *ctx, const rp_wp_post *p)
{
	check_ctx *k = ctx;
	rp_content_site *cs = k->cs;
	const rp_value *t = &p->f[RP_WP_P_TYPE];
	const char *file = p->attached_file;
	int found = 0;

	if (!t->data || t->len != 10 || memcmp(t->data, "attachment", 10) != 0)
		return 0;
	cs->attachments++;
	k->c->file_ok = true;
	k->c->file_found = false;
	k->c->file_post = p->id;
	k->c->file_site = k->c->nsites;
	if (!k->c->nmedia)
		return 0;
	if (file && *file) {
		const char *slash = strrchr(file, '/');
		if ((found = locate(k->c, k->blog_id, file, &k->c->file_media, &k->c->file_entry)) < 0)
			return -1;
		k->c->file_found = found > 0;
		k->dir = file;
		k->dirlen = slash ? (size_t)(slash - file) + 1 : 0;
		/* resized copies and the original of a scaled image */
		for (size_t i = 0; i < p->nmeta; i++) {
			const rp_wp_meta *m = &p->meta[i];
			bool md = m->key.data && m->key.len == 23 && memcmp(m->key.data, "_wp_attachment_metadata", 23) == 0;
			bool bk = m->key.data && m->key.len == 27 &&
			          memcmp(m->key.data, "_wp_attachment_backup_sizes", 27) == 0;
			if ((!md && !bk) || !m->value.data)
				continue;
			/* bytes that are not a serialized value reference nothing */
			rp_php_unserialize_scan(m->value.data, m->value.len, "file", ref_file, k);
			rp_php_unserialize_scan(m->value.data, m->value.len, "original_image", ref_file, k);
		}
	}
	if (found) {
		cs->files_found++;
	} else {
		rp_content_missing *nm = rp_realloc(cs->missing, (cs->nmissing + 1) * sizeof *nm);
		if (!nm)
			return -1;
		cs->missing = nm;
		nm[cs->nmissing].post = p->id;
		if (!(nm[cs->nmissing].file = rp_strdup(file ? file : "")))
			return -1;
		cs->nmissing++;
	}
	return 0;
}

static int check_end(void *ctx)
{
	(void)ctx;
	return 0;
}

int rp_content_post_text(rp_content *c, const rp_wp_post *p, const char **text, size_t *len)
{
	const rp_value *v = &p->f[RP_WP_P_CONTENT];

	if (!c->text_ok || c->text_post != p->id || c->text_site != c->nsites) {
		c->text_ok = false;
		rp_buf_clear(&c->text);
		if (rp_html_text(&c->text, v->data ? v->data : "", v->data ? v->len : 0) < 0)
			return -1;
		c->text_ok = true;
		c->text_post = p->id;
		c->text_site = c->nsites;
	}
	*text = c->text.data ? c->text.data : "";
	*len = c->text.len;
	return 0;
}

int rp_content_post_file(rp_content *c, const rp_wp_post *p, size_t *media, size_t *entry)
{
	if (!c->file_ok || c->file_post != p->id || c->file_site != c->nsites)
		return rp_error_set(RP_E_INTERNAL, "post %llu: no attachment check before this consumer", p->id);
	if (!c->file_found)
		return 0;
	*media = c->file_media;
	*entry = c->file_entry;
	return 1;
}

/* The text of post id, when a consumer had it computed for this post. */
static int hook_text(void *ctx, unsigned long long id, const char **text, size_t *len)
{
	rp_content *c = ctx;

	if (!c->text_ok || c->text_post != id || c->text_site != c->nsites)
		return 0;
	*text = c->text.data ? c->text.data : "";
	*len = c->text.len;
	return 1;
}

static int hook_file(void *ctx, const rp_wp_post *p, size_t *media, size_t *entry)
{
	return rp_content_post_file(ctx, p, media, entry);
}

/* The site's friendly CSV files (friendly.h), in its folder. */
static int friendly_open(rp_content *c, rp_content_site *cs, rp_package *pkg, rp_source *src)
{
	rp_friendly_opts o = { c->dialect, c->lang, { hook_text, hook_file, c } };
	char *dir = rp_sprintf("content/wordpress/%s", cs->site->name);
	int rc = dir ? rp_friendly_open(&cs->friendly, pkg, dir, src, cs->site, &o) : -1;

	free(dir);
	return rc;
}

static int post_text(void *ctx, const rp_wp_post *p, const char **s, size_t *n)
{
	return rp_content_post_text(ctx, p, s, n);
}

int rp_content_export(rp_content *c, rp_package *pkg, rp_source *src, rp_source *const *aux, size_t naux,
                      const rp_schema *sc, rp_fileref **files, size_t *nfiles, time_t created,
                      void (*warn)(void *ctx, const char *source, const char *msg), void *wctx)
{
	rp_wp_site **sites = NULL;
	size_t n = 0;
	int rc = -1;

	if (rp_wp_detect(src, sc, &c->names, &sites, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		rp_content_site *cs, *ns;
		rp_wxr *w = NULL;
		char *rel;
		rp_wp_consumer cons[4];
		rp_guide_site *gs = NULL;
		check_ctx ck;

		if (!(ns = rp_realloc(c->sites, (c->nsites + 1) * sizeof *ns)))
			goto out;
		c->sites = ns;
		cs = &c->sites[c->nsites++];
		memset(cs, 0, sizeof *cs);
		cs->source = src->name;
		cs->site = sites[i];
		sites[i] = NULL;
		if (!(rel = rp_sprintf("content/wordpress/%s/%s.wxr.xml", cs->site->name, cs->site->name)))
			goto out;
		if (rp_wxr_open(&w, pkg, rel, created) < 0) {
			free(rel);
			goto out;
		}
		free(rel);
		if (friendly_open(c, cs, pkg, src) < 0) {
			rp_wxr_free(w);
			goto out;
		}
		if (!(rel = rp_sprintf("content/wordpress/%s", cs->site->name)) ||
		    rp_guide_site_open(&gs, pkg, rel, c->lang) < 0 || !(cs->guide = rp_calloc(1, sizeof *cs->guide))) {
			free(rel);
			rp_guide_site_free(gs);
			rp_wxr_free(w);
			goto out;
		}
		free(rel);
		memset(&ck, 0, sizeof ck);
		ck.c = c;
		ck.cs = cs;
		ck.blog_id = cs->site->blog_id;
		cons[0] = rp_wxr_consumer(w);
		cons[1] = (rp_wp_consumer){ check_begin, check_post, check_end, &ck };
		cons[2] = rp_friendly_consumer(cs->friendly);
		rp_guide_site_text_from(gs, post_text, c);
		cons[3] = rp_guide_site_consumer(gs); /* after friendly: it reuses the post's text */
		if (rp_wp_read(src, naux ? aux[0] : NULL, cs->site, cons, 4, &cs->stats) < 0 ||
		    rp_friendly_users(cs->friendly, src) < 0) {
			rp_guide_site_free(gs);
			rp_wxr_free(w);
			goto out;
		}
		rp_guide_site_result_take(gs, cs->guide);
		rp_guide_site_free(gs);
		rp_wxr_result_take(w, &cs->wxr);
		rp_wxr_free(w);
		if (rp_fileref_append(files, nfiles, "wxr", cs->wxr.path) < 0)
			goto out;
		if (warn && cs->wxr.changed) {
			char *m = rp_sprintf("WordPress site %s: %llu value(s) held bytes XML cannot carry and were mapped "
			                     "in the WXR (listed in inventory.xml; dump.sql has them as they are)",
			                     cs->site->name, (unsigned long long)cs->wxr.changed);
			if (!m)
				goto out;
			warn(wctx, src->name, m);
			free(m);
		}
		if (warn && cs->nmissing) {
			char *m = rp_sprintf("WordPress site %s: %zu attachment(s) whose file is in no media folder (listed "
			                     "in inventory.xml)",
			                     cs->site->name, cs->nmissing);
			if (!m)
				goto out;
			warn(wctx, src->name, m);
			free(m);
		}
	}
	rc = 0;
out:
	rp_wp_sites_free(sites, n);
	return rc;
}

int rp_content_settle(rp_content *c)
{
	if (c->settled)
		return 0;
	c->settled = true;
	for (size_t i = 0; i < c->nmedia; i++) {
		rp_content_media *m = &c->mx[i];
		size_t n;
		const rp_media_entry *e = rp_media_entries(c->media[i], &n);
		for (size_t k = 0; k < m->nfiles; k++) {
			size_t at = m->files[k];
			bool under = false;
			rp_content_unref *nu;
			if (m->ref[at])
				continue;
			for (size_t p = 0; p < m->nprefixes && !under; p++)
				under = strncmp(e[at].src, m->prefixes[p], strlen(m->prefixes[p])) == 0;
			if (!under)
				continue;
			if (!(nu = rp_realloc(c->unref, (c->nunref + 1) * sizeof *nu)))
				return -1;
			c->unref = nu;
			nu[c->nunref].media = rp_media_name(c->media[i]);
			nu[c->nunref].path = e[at].pkg;
			c->nunref++;
		}
	}
	return 0;
}

int rp_content_late_paths(const rp_content *c, char ***paths, size_t *n)
{
	*paths = NULL;
	*n = 0;
	if (!c || !c->nsites)
		return 0;
	if (!(*paths = rp_calloc(c->nsites, sizeof **paths)))
		return -1;
	for (size_t i = 0; i < c->nsites; i++) {
		if (!c->sites[i].friendly)
			continue;
		if (!((*paths)[*n] = rp_strdup(rp_friendly_media_relpath(c->sites[i].friendly)))) {
			for (size_t k = 0; k < *n; k++)
				free((*paths)[k]);
			free(*paths);
			*paths = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

int rp_content_write_late(rp_content *c, rp_package *pkg)
{
	for (size_t i = 0; c && i < c->nsites; i++)
		if (c->sites[i].friendly && rp_friendly_write_media(c->sites[i].friendly, pkg, c->media, c->nmedia) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------ inventory */

/* Database text in an attribute: as it is when XML can carry it, else
 * mapped (xmltext.h) with its bytes in hex in hexname. */
static void at_text(rp_xmlw *w, const char *n, const char *hexname, const char *v)
{
	size_t len = strlen(v);
	rp_buf b = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };
	char *hex;

	if (rp_xml_clean(v, len)) {
		rp_xmlw_attr(w, n, v);
		return;
	}
	if (rp_xml_map(&b, v, len, &fix) < 0 || !(hex = rp_malloc(2 * len + 1))) {
		rp_buf_free(&b);
		w->rc = -1;
		return;
	}
	rp_xmlw_attr(w, n, b.data ? b.data : "");
	rp_hex_encode(hex, v, len);
	hex[2 * len] = '\0';
	rp_xmlw_attr(w, hexname, hex);
	free(hex);
	rp_buf_free(&b);
}

/* The site's friendly CSV files (formats/friendly-csv.md). */
static void friendly_inventory(rp_xmlw *w, const rp_content_site *cs)
{
	size_t n;
	const rp_friendly_file *f = rp_friendly_files(cs->friendly, &n);

	for (size_t i = 0; i < n; i++) {
		rp_xmlw_start(w, "friendlyCsv");
		rp_xmlw_attr(w, "path", f[i].path);
		rp_xmlw_attr(w, "kind", rp_friendly_kind_name(f[i].kind));
		if (f[i].post_type)
			at_text(w, "postType", "postTypeHex", f[i].post_type);
		rp_xmlw_attr_u(w, "rows", f[i].rows);
		rp_xmlw_attr_u(w, "columns", f[i].columns);
		rp_xmlw_attr_u(w, "neutralisedCells", f[i].counts.neutralised);
		rp_xmlw_attr_u(w, "cutCells", f[i].counts.cut);
		rp_xmlw_end(w);
	}
}

int rp_content_inventory(struct _xmlTextWriter *x, rp_content *c)
{
	rp_xmlw w = { x, 0 };

	if (!c || (!c->nsites && !c->nunref))
		return 0;
	if (rp_content_settle(c) < 0)
		return -1;
	rp_xmlw_start(&w, "content");
	for (size_t i = 0; i < c->nsites; i++) {
		const rp_content_site *cs = &c->sites[i];
		const rp_wp_site *s = cs->site;
		const rp_wp_stats *t = &cs->stats;
		rp_xmlw_start(&w, "wordpress");
		rp_xmlw_attr(&w, "source", cs->source);
		rp_xmlw_attr(&w, "site", s->name);
		at_text(&w, "tablePrefix", "tablePrefixHex", s->prefix);
		if (s->blog_id)
			rp_xmlw_attr_u(&w, "blogId", s->blog_id);
		at_text(&w, "siteUrl", "siteUrlHex", s->siteurl ? s->siteurl : "");
		at_text(&w, "homeUrl", "homeUrlHex", s->home ? s->home : (s->siteurl ? s->siteurl : ""));
		rp_xmlw_attr(&w, "path", cs->wxr.path);
		rp_xmlw_attr_u(&w, "items", cs->wxr.items);
		rp_xmlw_attr_u(&w, "changedValues", cs->wxr.changed);
		rp_xmlw_start(&w, "channel");
		rp_xmlw_attr_u(&w, "authors", t->authors);
		rp_xmlw_attr_u(&w, "categories", t->categories);
		rp_xmlw_attr_u(&w, "tags", t->tags);
		rp_xmlw_attr_u(&w, "terms", t->terms);
		rp_xmlw_attr_u(&w, "menus", t->menus);
		rp_xmlw_attr_u(&w, "termMeta", t->termmeta);
		rp_xmlw_attr_u(&w, "postMeta", t->postmeta);
		rp_xmlw_attr_u(&w, "comments", t->comments);
		rp_xmlw_attr_u(&w, "commentMeta", t->commentmeta);
		rp_xmlw_end(&w);
		for (size_t k = 0; k < t->ncounts; k++) {
			rp_xmlw_start(&w, "posts");
			at_text(&w, "type", "typeHex", t->counts[k].type);
			at_text(&w, "status", "statusHex", t->counts[k].status);
			rp_xmlw_attr_u(&w, "database", t->counts[k].db);
			rp_xmlw_attr_u(&w, "wxr", t->counts[k].exported);
			rp_xmlw_end(&w);
		}
		for (size_t k = 0; k < t->nleft; k++) {
			rp_xmlw_start(&w, "leftOut");
			at_text(&w, "what", "whatHex", t->left[k].what);
			rp_xmlw_attr_u(&w, "count", t->left[k].count);
			rp_xmlw_attr(&w, "reason", t->left[k].why);
			rp_xmlw_end(&w);
		}
		rp_xmlw_start(&w, "attachments");
		rp_xmlw_attr_u(&w, "exported", cs->attachments);
		if (c->nmedia) {
			rp_xmlw_attr_u(&w, "fileFound", cs->files_found);
			rp_xmlw_attr_u(&w, "fileMissing", cs->nmissing);
		}
		for (size_t k = 0; k < cs->nmissing; k++) {
			rp_xmlw_start(&w, "missingFile");
			rp_xmlw_attr_u(&w, "post", cs->missing[k].post);
			at_text(&w, "file", "fileHex", cs->missing[k].file);
			rp_xmlw_end(&w);
		}
		rp_xmlw_end(&w);
		for (size_t k = 0; k < cs->wxr.nchanges; k++) {
			const rp_wxr_change *ch = &cs->wxr.changes[k];
			rp_xmlw_start(&w, "changedValue");
			rp_xmlw_attr(&w, "where", ch->where);
			rp_xmlw_attr(&w, "field", ch->field);
			if (ch->fix.invalid)
				rp_xmlw_attr_u(&w, "invalidBytes", ch->fix.invalid);
			if (ch->fix.controls)
				rp_xmlw_attr_u(&w, "controlCharacters", ch->fix.controls);
			if (ch->fix.nonchars)
				rp_xmlw_attr_u(&w, "nonCharacters", ch->fix.nonchars);
			rp_xmlw_end(&w);
		}
		friendly_inventory(&w, cs);
		rp_xmlw_end(&w);
	}
	for (size_t k = 0; k < c->nunref; k++) {
		rp_xmlw_start(&w, "unreferencedMedia");
		rp_xmlw_attr(&w, "media", c->unref[k].media);
		rp_xmlw_attr(&w, "path", c->unref[k].path);
		rp_xmlw_end(&w);
	}
	rp_xmlw_end(&w);
	return w.rc < 0 ? -1 : 0;
}

void rp_content_free(rp_content *c)
{
	for (size_t i = 0; i < c->nsites; i++) {
		rp_content_site *cs = &c->sites[i];
		rp_wp_site_free(cs->site);
		rp_wp_stats_free(&cs->stats);
		rp_wxr_result_free(&cs->wxr);
		if (cs->guide)
			rp_guide_site_result_free(cs->guide);
		free(cs->guide);
		for (size_t k = 0; k < cs->nmissing; k++)
			free(cs->missing[k].file);
		free(cs->missing);
		rp_friendly_free(cs->friendly);
	}
	free(c->sites);
	rp_buf_free(&c->text);
	rp_name_set_free(&c->names);
	for (size_t i = 0; c->mx && i < c->nmedia; i++) {
		free(c->mx[i].files);
		free(c->mx[i].ref);
		for (size_t k = 0; k < c->mx[i].nprefixes; k++)
			free(c->mx[i].prefixes[k]);
		free(c->mx[i].prefixes);
	}
	free(c->mx);
	free(c->unref);
	memset(c, 0, sizeof *c);
}
