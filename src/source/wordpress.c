/*
 * WordPress sites in a MySQL source: detection and the streaming reader
 * (wordpress.h). What is read, and in which order, follows WordPress 6.x's
 * export_wp() (wp-admin/includes/export.php); formats/wxr.md lists where
 * revpack differs and why.
 */
#include "revpack/wordpress.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <time.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/path.h"

/* Post types WordPress registers with can_export = false. */
static const char *const excluded_types[] = { "revision", "customize_changeset", "oembed_cache", "user_request" };
#define EXCLUDED_SQL "'revision','customize_changeset','oembed_cache','user_request'"

/* Post types WordPress itself registers (get_permalink treats the others
 * as custom types). */
static const char *const builtin_types[] = {
	"post", "page", "attachment", "revision", "nav_menu_item", "custom_css", "customize_changeset",
	"oembed_cache", "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles",
	"wp_navigation",
};

/* Taxonomies WordPress registers as built in: their terms are not in the
 * channel's <wp:term> list (categories, tags and menus have their own). */
static const char *const builtin_taxonomies[] = {
	"category", "post_tag", "nav_menu", "link_category", "post_format", "wp_theme", "wp_template_part_area",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	return false;
}
#define IN_LIST(list, v) in_list(list, sizeof list / sizeof list[0], (v).data ? (v).data : "", (v).len)

static bool val_is(rp_value v, const char *s)
{
	return v.data && v.len == strlen(s) && memcmp(v.data, s, v.len) == 0;
}

/* A number as the server writes an unsigned integer column. */
static unsigned long long val_ull(rp_value v)
{
	unsigned long long n = 0;

	for (size_t i = 0; v.data && i < v.len && v.data[i] >= '0' && v.data[i] <= '9'; i++)
		n = n * 10 + (unsigned long long)(v.data[i] - '0');
	return n;
}

/* ------------------------------------------------------------------ rows */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *np;
	size_t nc;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	if (!(np = rp_realloc(*p, nc * size)))
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}


/* Rows copied out of a result: every cell NUL-terminated in one buffer. */
typedef struct rowset {
	rp_buf data;
	size_t *off;    /* per cell: offset + 1, 0 for NULL */
	size_t *len;
	unsigned long long *key;  /* per row: the first column as a number */
	size_t ncols, nrows, cap, capkey;
} rowset;

static void rs_clear(rowset *rs)
{
	rp_buf_clear(&rs->data);
	rs->nrows = 0;
}

static void rs_free(rowset *rs)
{
	rp_buf_free(&rs->data);
	free(rs->off);
	free(rs->len);
	free(rs->key);
	memset(rs, 0, sizeof *rs);
}

static int rs_add(rowset *rs, const rp_value *v, size_t n)
{
	size_t base;

	if (rs->nrows && n != rs->ncols)
		return rp_error_set(RP_E_INTERNAL, "content query: %zu columns, expected %zu", n, rs->ncols);
	rs->ncols = n;
	if ((rs->nrows + 1) * n > rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64 * n;
		size_t *o, *l;
		while (cap < (rs->nrows + 1) * n)
			cap *= 2;
		if (!(o = rp_realloc(rs->off, cap * sizeof *o)))
			return -1;
		rs->off = o;
		if (!(l = rp_realloc(rs->len, cap * sizeof *l)))
			return -1;
		rs->len = l;
		rs->cap = cap;
	}
	if (grow((void **)&rs->key, &rs->capkey, rs->nrows + 1, sizeof *rs->key) < 0)
		return -1;
	rs->key[rs->nrows] = n ? val_ull(v[0]) : 0;
	base = rs->nrows * n;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].data) {
			rs->off[base + i] = 0;
			rs->len[base + i] = 0;
			continue;
		}
		rs->off[base + i] = rs->data.len + 1;
		rs->len[base + i] = v[i].len;
		if (rp_buf_put(&rs->data, v[i].data, v[i].len) < 0 || rp_buf_putc(&rs->data, '\0') < 0)
			return -1;
	}
	rs->nrows++;
	return 0;
}

static rp_value rs_get(const rowset *rs, size_t r, size_t c)
{
	size_t k = r * rs->ncols + c;
	rp_value v = { NULL, 0 };

	if (rs->off[k]) {
		v.data = rs->data.data + rs->off[k] - 1;
		v.len = rs->len[k];
	}
	return v;
}

static unsigned long long rs_ull(const rowset *rs, size_t r, size_t c)
{
	rp_value v = rs_get(rs, r, c);
	return c == 0 ? rs->key[r] : v.data ? strtoull(v.data, NULL, 10) : 0;
}

static int collect_row(void *ctx, const rp_value *v, size_t n)
{
	return rs_add(ctx, v, n);
}

static int run_store(rp_source *src, const char *sql, rowset *rs)
{
	rs_clear(rs);
	return src->ops->query(src, sql, collect_row, rs);
}

/* ------------------------------------------------------------ SQL text */

static int put_table(rp_buf *q, const char *prefix, const char *table)
{
	rp_buf_putc(q, '`');
	for (const char *p = prefix; *p; p++) {
		if (*p == '`')
			rp_buf_putc(q, '`');
		rp_buf_putc(q, *p);
	}
	rp_buf_puts(q, table);
	return rp_buf_putc(q, '`');
}

typedef struct reader reader;
static char *sql(reader *r, const char *fmt);

/* -------------------------------------------------------------- detect */

static const rp_table *find_table(const rp_schema *sc, const char *name)
{
	for (size_t i = 0; i < sc->ntables; i++)
		if (strcmp(sc->tables[i].name, name) == 0)
			return &sc->tables[i];
	return NULL;
}

static bool has_table(const rp_schema *sc, const char *prefix, const char *suffix)
{
	char *name = rp_sprintf("%s%s", prefix, suffix);
	bool ok = name && find_table(sc, name);

	free(name);
	return ok;
}

void rp_wp_sites_free(rp_wp_site **sites, size_t n)
{
	for (size_t i = 0; sites && i < n; i++)
		rp_wp_site_free(sites[i]);
	free(sites);
}

void rp_wp_site_free(rp_wp_site *s)
{
	{
		if (!s)
			return;
		free(s->prefix);
		free(s->users_prefix);
		free(s->name);
		free(s->siteurl);
		free(s->home);
		free(s->blogname);
		free(s->blogdescription);
		free(s->language);
		free(s->charset);
		free(s->permalink_structure);
		free(s->show_on_front);
		free(s->page_on_front);
		free(s->sticky_posts);
		free(s->upload_path);
		free(s->upload_url_path);
		free(s->default_category);
		free(s->network_url);
		free(s);
	}
}

static int read_options(rp_source *src, rp_wp_site *site)
{
	static const char *const names[] = { "siteurl", "home", "blogname", "blogdescription", "WPLANG",
		                              "blog_charset", "permalink_structure", "show_on_front",
		                              "page_on_front", "sticky_posts", "upload_path", "upload_url_path",
		                              "default_category" };
	char **slots[] = { &site->siteurl, &site->home, &site->blogname, &site->blogdescription, &site->language,
		           &site->charset, &site->permalink_structure, &site->show_on_front, &site->page_on_front,
		           &site->sticky_posts, &site->upload_path, &site->upload_url_path, &site->default_category };
	rp_buf q = RP_BUF_INIT;
	rowset rs;
	int rc = -1;

	memset(&rs, 0, sizeof rs);
	rp_buf_puts(&q, "SELECT option_name, option_value FROM ");
	put_table(&q, site->prefix, "options");
	rp_buf_puts(&q, " WHERE option_name IN (");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		rp_buf_printf(&q, "%s'%s'", i ? "," : "", names[i]);
	rp_buf_puts(&q, ") ORDER BY option_id");
	if (!q.data || run_store(src, q.data, &rs) < 0)
		goto out;
	for (size_t r = 0; r < rs.nrows; r++) {
		rp_value k = rs_get(&rs, r, 0), v = rs_get(&rs, r, 1);
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (val_is(k, names[i]) && !*slots[i] && v.data && !(*slots[i] = rp_strndup(v.data, v.len)))
				goto out;
	}
	rc = 0;
out:
	rs_free(&rs);
	rp_buf_free(&q);
	return rc;
}

/* "https://www.example.org:8443/blog" -> "www.example.org" */
static char *url_host(const char *url)
{
	const char *p = strstr(url, "://"), *e;
	char *h;

	p = p ? p + 3 : url;
	e = p + strcspn(p, "/:?#");
	if (memchr(p, '@', (size_t)(e - p)))
		p = (const char *)memchr(p, '@', (size_t)(e - p)) + 1;
	if (!(h = rp_strndup(p, (size_t)(e - p))))
		return NULL;
	for (char *c = h; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return h;
}

static int network_url(rp_source *src, rp_wp_site *site, const char *base)
{
	rp_buf q = RP_BUF_INIT;
	rowset rs;
	int rc = -1;

	memset(&rs, 0, sizeof rs);
	rp_buf_puts(&q, "SELECT domain, path FROM ");
	put_table(&q, base, "site");
	rp_buf_puts(&q, " ORDER BY id LIMIT 1");
	if (!q.data || run_store(src, q.data, &rs) < 0)
		goto out;
	if (rs.nrows) {
		const char *home = site->home ? site->home : site->siteurl ? site->siteurl : "http://";
		const char *scheme = strncmp(home, "https:", 6) == 0 ? "https" : "http";
		rp_value d = rs_get(&rs, 0, 0), p = rs_get(&rs, 0, 1);
		site->network_url = rp_sprintf("%s://%.*s%.*s", scheme, (int)d.len, d.data ? d.data : "", (int)p.len,
		                               p.data ? p.data : "");
		if (!site->network_url)
			goto out;
	}
	rc = 0;
out:
	rs_free(&rs);
	rp_buf_free(&q);
	return rc;
}

int rp_wp_detect(rp_source *src, const rp_schema *sc, rp_name_set *names, rp_wp_site ***out, size_t *nout)
{
	static const char *const needed[] = { "posts", "postmeta", "comments", "commentmeta", "terms",
		                               "term_taxonomy", "term_relationships" };
	rp_wp_site **v = NULL;
	size_t n = 0;
	rp_buf stem = RP_BUF_INIT, unique = RP_BUF_INIT;

	*out = NULL;
	*nout = 0;
	if (!src->ops->query)
		return 0;
	for (size_t i = 0; i < sc->ntables; i++) {
		const char *tn = sc->tables[i].name;
		size_t len = strlen(tn);
		rp_wp_site *site, **nv;
		bool ok = true;
		char *base = NULL, *host;

		if (len < 7 || strcmp(tn + len - 7, "options") != 0)
			continue;
		if (!(site = rp_calloc(1, sizeof *site)) || !(site->prefix = rp_strndup(tn, len - 7)))
			goto fail_site;
		for (size_t k = 0; k < sizeof needed / sizeof needed[0] && ok; k++)
			ok = has_table(sc, site->prefix, needed[k]);
		if (!ok) {
			rp_wp_site_free(site);
			continue;
		}
		/* a multisite's blog N: <base>N_ with <base>blogs */
		{
			size_t pl = strlen(site->prefix), d = pl ? pl - 1 : 0;
			if (pl >= 3 && site->prefix[pl - 1] == '_') {
				while (d > 0 && isdigit((unsigned char)site->prefix[d - 1]))
					d--;
				if (d < pl - 1 && (d == 0 || !isdigit((unsigned char)site->prefix[d - 1])) &&
				    (base = rp_strndup(site->prefix, d)) && has_table(sc, base, "blogs")) {
					site->blog_id = strtoul(site->prefix + d, NULL, 10);
				} else {
					free(base);
					base = NULL;
				}
			}
			if (!base && has_table(sc, site->prefix, "blogs")) {
				site->blog_id = 1;
				base = rp_strdup(site->prefix);
			}
		}
		site->users_prefix = rp_strdup(base ? base : site->prefix);
		if (!site->users_prefix || !has_table(sc, site->users_prefix, "users") ||
		    !has_table(sc, site->users_prefix, "usermeta")) {
			free(base);
			rp_wp_site_free(site);
			continue;
		}
		if (read_options(src, site) < 0 || (base && network_url(src, site, base) < 0)) {
			free(base);
			goto fail_site;
		}
		free(base);
		if (!site->siteurl) {
			rp_wp_site_free(site);
			continue;
		}
		if (!(host = url_host(site->home ? site->home : site->siteurl)))
			goto fail_site;
		rp_buf_clear(&stem);
		rp_buf_clear(&unique);
		if (site->blog_id)
			rp_buf_printf(&stem, "%s-%lu", host[0] ? host : "site", site->blog_id);
		else
			rp_buf_puts(&stem, host[0] ? host : "site");
		free(host);
		{
			rp_buf safe = RP_BUF_INIT;
			int r = stem.data ? rp_safe_name(&safe, stem.data, stem.len) : -1;
			if (r == 0)
				r = rp_name_set_add(names, &unique, safe.data);
			rp_buf_free(&safe);
			if (r < 0 || !(site->name = rp_strdup(unique.data)))
				goto fail_site;
		}
		site->has_termmeta = has_table(sc, site->prefix, "termmeta");
		if (!(nv = rp_realloc(v, (n + 1) * sizeof *v)))
			goto fail_site;
		v = nv;
		v[n++] = site;
		continue;
fail_site:
		rp_wp_site_free(site);
		rp_wp_sites_free(v, n);
		rp_buf_free(&stem);
		rp_buf_free(&unique);
		return -1;
	}
	rp_buf_free(&stem);
	rp_buf_free(&unique);
	*out = v;
	*nout = n;
	return 0;
}

/* ------------------------------------------------------ PHP serialize */

typedef struct walk {
	const char *s;
	size_t n, i;
	int (*fn)(void *ctx, const rp_php_item *it);
	void *ctx;
} walk;

static int ser_num(walk *z, char end, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t start = z->i;

	if (z->i < z->n && (z->s[z->i] == '-' || z->s[z->i] == '+'))
		z->i++;
	while (z->i < z->n && isdigit((unsigned char)z->s[z->i])) {
		unsigned d = (unsigned)(z->s[z->i++] - '0');
		v = v > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : v * 10 + d; /* saturated */
	}
	if (z->i == start || z->i >= z->n || z->s[z->i] != end)
		return -1;
	z->i++;
	*out = v;
	return 0;
}

static int emit(walk *z, const rp_php_item *it)
{
	return z->fn(z->ctx, it) < 0 ? -2 : 0;
}

static int walk_value(walk *z, int depth, bool key);

/* The elements of an array (or an object's properties): key, value. */
static int walk_array(walk *z, int depth, unsigned long long count)
{
	rp_php_item end;
	int r;

	if (z->i >= z->n || z->s[z->i] != '{')
		return -1;
	z->i++;
	for (unsigned long long k = 0; k < count; k++)
		if ((r = walk_value(z, depth + 1, true)) < 0 || (r = walk_value(z, depth + 1, false)) < 0)
			return r;
	if (z->i >= z->n || z->s[z->i] != '}')
		return -1;
	z->i++;
	memset(&end, 0, sizeof end);
	end.kind = RP_PHP_END;
	end.depth = depth;
	return emit(z, &end);
}

static int walk_value(walk *z, int depth, bool key)
{
	rp_php_item it;
	unsigned long long len;
	const char *semi;
	char t;
	int r;

	if (depth > 64 || z->i + 1 >= z->n)
		return -1;
	memset(&it, 0, sizeof it);
	it.depth = depth;
	it.key = key;
	t = z->s[z->i];
	if (t == 'N') {
		if (z->s[z->i + 1] != ';')
			return -1;
		z->i += 2;
		it.kind = RP_PHP_NULL;
		return emit(z, &it);
	}
	if (z->s[z->i + 1] != ':')
		return -1;
	z->i += 2;
	switch (t) {
	case 's':
		if (ser_num(z, ':', &len) < 0 || z->i >= z->n || z->s[z->i] != '"' || len > z->n - z->i - 1)
			return -1;
		it.kind = RP_PHP_STRING;
		it.text = z->s + z->i + 1;
		it.len = (size_t)len;
		z->i += 1 + (size_t)len;
		if (z->i + 1 >= z->n || z->s[z->i] != '"' || z->s[z->i + 1] != ';')
			return -1;
		z->i += 2;
		return emit(z, &it);
	case 'i':
		it.kind = RP_PHP_INT;
		it.text = z->s + z->i;
		if (ser_num(z, ';', &len) < 0)
			return -1;
		it.len = (size_t)(z->s + z->i - 1 - it.text);
		/* saturated to PHP_INT_MIN..PHP_INT_MAX, as unserialize() reads it */
		if (it.text[0] == '-')
			it.num = len > (unsigned long long)LLONG_MAX ? LLONG_MIN : -(long long)len;
		else
			it.num = len > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)len;
		return emit(z, &it);
	case 'b':
	case 'd':
		if (!(semi = memchr(z->s + z->i, ';', z->n - z->i)))
			return -1;
		it.kind = t == 'b' ? RP_PHP_BOOL : RP_PHP_FLOAT;
		it.text = z->s + z->i;
		it.len = (size_t)(semi - it.text);
		it.num = t == 'b' && it.len == 1 && it.text[0] == '1';
		z->i = (size_t)(semi - z->s) + 1;
		return emit(z, &it);
	case 'a':
		if (ser_num(z, ':', &len) < 0)
			return -1;
		it.kind = RP_PHP_ARRAY;
		it.count = len;
		return (r = emit(z, &it)) < 0 ? r : walk_array(z, depth, len);
	case 'O': {
		unsigned long long cl;
		if (ser_num(z, ':', &cl) < 0 || cl > z->n - z->i)
			return -1;
		it.text = z->s + z->i + 1; /* the class name, between quotes */
		it.len = (size_t)cl;
		z->i += (size_t)cl + 2;
		if (z->i >= z->n || z->s[z->i] != ':')
			return -1;
		z->i++;
		if (ser_num(z, ':', &len) < 0)
			return -1;
		it.kind = RP_PHP_ARRAY;
		it.count = len;
		return (r = emit(z, &it)) < 0 ? r : walk_array(z, depth, len);
	}
	default:
		return -1;
	}
}

int rp_php_walk(const char *s, size_t n, int (*fn)(void *ctx, const rp_php_item *it), void *ctx)
{
	walk z = { s, n, 0, fn, ctx };
	int r = walk_value(&z, 0, false);

	if (r < 0)
		return r;
	return z.i == z.n ? 0 : -1;
}

/* rp_php_unserialize_scan over rp_php_walk. */
typedef struct scan {
	const char *key;
	int (*fn)(void *, const char *, size_t);
	void *ctx;
	bool match[66];          /* per depth: the last key was the one looked for */
} scan;

static int scan_item(void *ctx, const rp_php_item *it)
{
	scan *c = ctx;
	char buf[24];

	if (it->key) {
		c->match[it->depth] = c->key && it->kind == RP_PHP_STRING && it->len == strlen(c->key) &&
		                      memcmp(it->text, c->key, it->len) == 0;
		return 0;
	}
	if (it->kind == RP_PHP_END || it->depth == 0)
		return 0;
	if (c->key)
		return c->match[it->depth] && it->kind == RP_PHP_STRING ? c->fn(c->ctx, it->text, it->len) : 0;
	if (it->depth != 1)
		return 0;
	if (it->kind == RP_PHP_INT) {
		snprintf(buf, sizeof buf, "%lld", it->num);
		return c->fn(c->ctx, buf, strlen(buf));
	}
	return it->kind == RP_PHP_STRING ? c->fn(c->ctx, it->text, it->len) : 0;
}

int rp_php_unserialize_scan(const char *s, size_t n, const char *key,
                            int (*fn)(void *ctx, const char *v, size_t len), void *ctx)
{
	scan c;

	memset(&c, 0, sizeof c);
	c.key = key;
	c.fn = fn;
	c.ctx = ctx;
	return rp_php_walk(s, n, scan_item, &c) < 0 ? -1 : 0;
}

/* --------------------------------------------------------------- reader */

/* What permalinks need of a post that may lie outside the batch. */
typedef struct pinfo {
	unsigned long long id, parent, author;
	const char *type, *status, *name, *date;
} pinfo;

typedef struct tcount {
	char *type, *status;
	uint64_t db, exported;
} tcount;

/*
 * One batch: posts lo < ID <= hi (hi lowered when the budget runs out),
 * with their meta, comments, comment meta and term relationships. Loaded
 * by load_batch(), on the reader's connection or, in a thread, on a second
 * one in the same snapshot.
 */
typedef struct batch {
	rp_source *src;           /* the connection that loads it */
	const rp_wp_site *site;
	unsigned long long lo, hi;
	unsigned long long cut;   /* first ID left for the next batch, 0: none */
	size_t budget_used;
	rowset meta_rs, com_rs, cmeta_rs, rel_rs;
	rp_buf q;
	/* a load in a thread */
	pthread_t thread;
	bool running;
	int rc;
	rp_errkind err_kind;
	char *err_msg;
} batch;

struct reader {
	rp_source *src;
	const rp_wp_site *site;
	rp_buf q;
	/* the channel */
	rowset users_rs, terms_rs, termmeta_rs;
	rp_wp_user *users;
	size_t nusers;
	rp_wp_term *terms;        /* in name order (rank) */
	size_t nterms;
	rp_wp_term **by_tt;       /* by term_taxonomy_id */
	rp_wp_term **by_id;       /* by term_id (first of each) */
	rp_wp_meta *termmeta;
	unsigned long long *sticky;
	size_t nsticky;
	pinfo *pi;                /* pages and parents, by ID */
	size_t npi;
	rowset pi_rs;
	/* two batches: the one whose posts stream, and the next one, whose
	 * meta, comments and terms a second connection may read meanwhile */
	batch b[2];
	batch *cur;
	size_t batch_posts;       /* posts handed over in the current batch */
	/* merge positions while posts stream */
	size_t mpos, cpos, cmpos, rpos;
	rp_wp_meta *pmeta;
	size_t pmeta_cap;
	rp_wp_comment *pcom;
	size_t pcom_cap;
	rp_wp_meta *pcmeta;
	size_t pcmeta_cap;
	const rp_wp_term **pterms;
	size_t pterms_cap;
	rp_buf link, url, scratch;
	rp_buf ptype, pstatus, pname, pdate;   /* the post's, as C strings */
	char pubdate[40];
	/* consumers */
	const rp_wp_consumer *cons;
	size_t ncons;
	rp_wp_stats *stats;
	tcount *tc;
	size_t ntc;
	uint64_t edit_locks;
	bool home_slash, trailing;
	const char *home;
};

/* Builds a statement into q: %T is a table (the site's prefix + name), %U
 * a table with the users' prefix, %R the range of post IDs lo < ID <= hi
 * ("BETWEEN lo+1 AND hi"). */
static char *build_sql(rp_buf *q, const rp_wp_site *site, unsigned long long lo, unsigned long long hi,
                       const char *fmt)
{
	rp_buf_clear(q);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			rp_buf_putc(q, *p);
			continue;
		}
		p++;
		if (*p == 'T' || *p == 'U') {
			const char *name = p + 1;
			size_t n = strcspn(name, " ,)");
			char *t = rp_strndup(name, n);
			if (!t)
				return NULL;
			put_table(q, *p == 'T' ? site->prefix : site->users_prefix, t);
			free(t);
			p += n;
		} else if (*p == 'R') {
			rp_buf_printf(q, "BETWEEN %llu AND %llu", lo + 1, hi);
		} else {
			rp_buf_putc(q, *p);
		}
	}
	return q->data;
}

static char *sql(reader *r, const char *fmt)
{
	return build_sql(&r->q, r->site, r->cur ? r->cur->lo : 0, r->cur ? r->cur->hi : 0, fmt);
}

static int cmp_tt(const void *a, const void *b)
{
	const rp_wp_term *x = *(rp_wp_term *const *)a, *y = *(rp_wp_term *const *)b;
	return x->tt_id < y->tt_id ? -1 : x->tt_id > y->tt_id;
}

static int cmp_tid(const void *a, const void *b)
{
	const rp_wp_term *x = *(rp_wp_term *const *)a, *y = *(rp_wp_term *const *)b;
	if (x->term_id != y->term_id)
		return x->term_id < y->term_id ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int key_tt(const void *key, const void *elem)
{
	unsigned long long k = *(const unsigned long long *)key, e = (*(rp_wp_term *const *)elem)->tt_id;
	return k < e ? -1 : k > e;
}

static const rp_wp_term *term_by_tt(reader *r, unsigned long long tt)
{
	rp_wp_term *const *t = bsearch(&tt, r->by_tt, r->nterms, sizeof *r->by_tt, key_tt);
	return t ? *t : NULL;
}

static const rp_wp_term *term_by_id(reader *r, unsigned long long id, const char *taxonomy)
{
	size_t lo = 0, hi = r->nterms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->by_id[mid]->term_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->nterms && r->by_id[lo]->term_id == id; lo++)
		if (!taxonomy || val_is(r->by_id[lo]->taxonomy, taxonomy))
			return r->by_id[lo];
	return NULL;
}

static int key_user(const void *key, const void *elem)
{
	unsigned long long k = *(const unsigned long long *)key, e = ((const rp_wp_user *)elem)->id;
	return k < e ? -1 : k > e;
}

static int key_pinfo(const void *key, const void *elem)
{
	unsigned long long k = *(const unsigned long long *)key, e = ((const pinfo *)elem)->id;
	return k < e ? -1 : k > e;
}

static const rp_wp_user *user_by_id(const reader *r, unsigned long long id)
{
	return bsearch(&id, r->users, r->nusers, sizeof *r->users, key_user);
}

static const pinfo *pinfo_by_id(const reader *r, unsigned long long id)
{
	return bsearch(&id, r->pi, r->npi, sizeof *r->pi, key_pinfo);
}

/* The exported posts, as export_wp() selects them. */
#define EXPORTED_WHERE "post_type NOT IN (" EXCLUDED_SQL ") AND post_status <> 'auto-draft'"

static int load_authors(reader *r)
{
	const char *q = sql(r,
	                    "SELECT u.ID, u.user_login, u.user_email, u.display_name, u.user_nicename, "
	                    "(SELECT m.meta_value FROM %Uusermeta m WHERE m.user_id = u.ID AND m.meta_key = 'first_name' "
	                    "ORDER BY m.umeta_id LIMIT 1), "
	                    "(SELECT m.meta_value FROM %Uusermeta m WHERE m.user_id = u.ID AND m.meta_key = 'last_name' "
	                    "ORDER BY m.umeta_id LIMIT 1) "
	                    "FROM %Uusers u "
	                    /* per user, through the post_author index (an EXISTS
	                     * would be made a semi-join reading every post) */
	                    "HAVING (SELECT 1 FROM %Tposts p WHERE p.post_author = u.ID AND p." EXPORTED_WHERE
	                    " LIMIT 1) IS NOT NULL ORDER BY u.ID");
	if (!q || run_store(r->src, q, &r->users_rs) < 0)
		return -1;
	r->nusers = r->users_rs.nrows;
	if (!(r->users = rp_calloc(r->nusers + 1, sizeof *r->users)))
		return -1;
	for (size_t i = 0; i < r->nusers; i++) {
		rp_wp_user *u = &r->users[i];
		u->id = rs_ull(&r->users_rs, i, 0);
		u->login = rs_get(&r->users_rs, i, 1);
		u->email = rs_get(&r->users_rs, i, 2);
		u->display_name = rs_get(&r->users_rs, i, 3);
		u->nicename = rs_get(&r->users_rs, i, 4);
		u->first_name = rs_get(&r->users_rs, i, 5);
		u->last_name = rs_get(&r->users_rs, i, 6);
	}
	r->stats->authors = r->nusers;
	return 0;
}

static int load_terms(reader *r)
{
	const char *q = sql(r, "SELECT t.term_id, tt.term_taxonomy_id, tt.taxonomy, t.slug, t.name, tt.description, "
	                       "tt.parent FROM %Tterms t JOIN %Tterm_taxonomy tt ON tt.term_id = t.term_id "
	                       "ORDER BY t.name, tt.term_taxonomy_id");
	bool have_meta;

	if (!q || run_store(r->src, q, &r->terms_rs) < 0)
		return -1;
	r->nterms = r->terms_rs.nrows;
	if (!(r->terms = rp_calloc(r->nterms + 1, sizeof *r->terms)) ||
	    !(r->by_tt = rp_calloc(r->nterms + 1, sizeof *r->by_tt)) ||
	    !(r->by_id = rp_calloc(r->nterms + 1, sizeof *r->by_id)))
		return -1;
	for (size_t i = 0; i < r->nterms; i++) {
		rp_wp_term *t = &r->terms[i];
		t->term_id = rs_ull(&r->terms_rs, i, 0);
		t->tt_id = rs_ull(&r->terms_rs, i, 1);
		t->taxonomy = rs_get(&r->terms_rs, i, 2);
		t->slug = rs_get(&r->terms_rs, i, 3);
		t->name = rs_get(&r->terms_rs, i, 4);
		t->description = rs_get(&r->terms_rs, i, 5);
		t->parent = rs_ull(&r->terms_rs, i, 6);
		t->rank = i;
		r->by_tt[i] = t;
		r->by_id[i] = t;
	}
	qsort(r->by_tt, r->nterms, sizeof *r->by_tt, cmp_tt);
	qsort(r->by_id, r->nterms, sizeof *r->by_id, cmp_tid);
	for (size_t i = 0; i < r->nterms; i++)
		if (r->terms[i].parent) {
			char *tax = rp_strndup(r->terms[i].taxonomy.data ? r->terms[i].taxonomy.data : "",
			                       r->terms[i].taxonomy.len);
			if (!tax)
				return -1;
			r->terms[i].parent_term = term_by_id(r, r->terms[i].parent, tax);
			free(tax);
		}
	/* term meta (WordPress 4.4 and later) */
	have_meta = r->site->has_termmeta;
	if (have_meta) {
		q = sql(r, "SELECT term_id, meta_id, meta_key, meta_value FROM %Ttermmeta ORDER BY term_id, meta_id");
		if (!q || run_store(r->src, q, &r->termmeta_rs) < 0)
			return -1;
		if (!(r->termmeta = rp_calloc(r->termmeta_rs.nrows + 1, sizeof *r->termmeta)))
			return -1;
		for (size_t i = 0; i < r->termmeta_rs.nrows; i++) {
			r->termmeta[i].id = rs_ull(&r->termmeta_rs, i, 1);
			r->termmeta[i].key = rs_get(&r->termmeta_rs, i, 2);
			r->termmeta[i].value = rs_get(&r->termmeta_rs, i, 3);
		}
		/* attach each term's run of meta (by term_id: shared terms share it) */
		for (size_t i = 0, j = 0; i < r->nterms; i++) {
			rp_wp_term *t = r->by_id[i];
			size_t k;
			if (i && r->by_id[i - 1]->term_id == t->term_id) {
				t->meta = r->by_id[i - 1]->meta;
				t->nmeta = r->by_id[i - 1]->nmeta;
				continue;
			}
			while (j < r->termmeta_rs.nrows && rs_ull(&r->termmeta_rs, j, 0) < t->term_id)
				j++;
			for (k = j; k < r->termmeta_rs.nrows && rs_ull(&r->termmeta_rs, k, 0) == t->term_id; k++)
				;
			t->meta = &r->termmeta[j];
			t->nmeta = k - j;
			j = k;
		}
	}
	return 0;
}

/* export_wp(): "Put categories in order with no child going before its
 * parent": a term whose parent is not (yet) listed goes to the back of the
 * queue. WordPress loops for ever on a parent that does not exist; here
 * such terms come last, in name order, once nothing else can be placed. */
static int order_parents(reader *r, const rp_wp_term ***out, size_t *nout, bool (*want)(const rp_wp_term *))
{
	const rp_wp_term **q = NULL, **done = NULL;
	size_t nq = 0, nd = 0, head = 0, stall = 0;

	if (!(q = rp_calloc(r->nterms + 1, sizeof *q)) || !(done = rp_calloc(r->nterms + 1, sizeof *done))) {
		free(q);
		free(done);
		return -1;
	}
	for (size_t i = 0; i < r->nterms; i++)
		if (want(&r->terms[i]))
			q[nq++] = &r->terms[i];
	/* a ring over q[head..nq) */
	while (head < nq) {
		const rp_wp_term *t = q[head];
		bool placed = !t->parent;
		for (size_t i = 0; !placed && i < nd; i++)
			placed = done[i]->term_id == t->parent;
		if (placed || stall >= nq - head) {
			done[nd++] = t;
			head++;
			stall = 0;
			continue;
		}
		/* to the back */
		memmove(&q[head], &q[head + 1], (nq - head - 1) * sizeof *q);
		q[nq - 1] = t;
		stall++;
	}
	free(q);
	*out = done;
	*nout = nd;
	return 0;
}

static bool is_category(const rp_wp_term *t)
{
	return val_is(t->taxonomy, "category");
}
static bool is_tag(const rp_wp_term *t)
{
	return val_is(t->taxonomy, "post_tag");
}
static bool is_menu(const rp_wp_term *t)
{
	return val_is(t->taxonomy, "nav_menu");
}
static bool is_custom(const rp_wp_term *t)
{
	return !IN_LIST(builtin_taxonomies, t->taxonomy);
}
static bool is_any(const rp_wp_term *t)
{
	(void)t;
	return true;
}

static int add_sticky(void *ctx, const char *v, size_t len)
{
	reader *r = ctx;
	unsigned long long *nv;
	char buf[32];
	size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;

	memcpy(buf, v, n);
	buf[n] = '\0';
	if (!(nv = rp_realloc(r->sticky, (r->nsticky + 1) * sizeof *nv)))
		return -1;
	r->sticky = nv;
	/* PHP intval() */
	r->sticky[r->nsticky++] = strtoull(buf, NULL, 10);
	return 0;
}

/* Keeps the pages (their links need their ancestors) and notes the
 * parents of pages and attachments. */
typedef struct pinfo_ctx {
	reader *r;
	bool all;                   /* keep every row (parents read by ID) */
	unsigned long long *want;   /* parents to read */
	size_t nwant, capwant;
} pinfo_ctx;

static int pinfo_row(void *ctx, const rp_value *v, size_t n)
{
	pinfo_ctx *c = ctx;
	unsigned long long parent = val_ull(v[1]);

	if ((c->all || val_is(v[3], "page")) && rs_add(&c->r->pi_rs, v, n) < 0)
		return -1;
	if (parent) {
		if (grow((void **)&c->want, &c->capwant, c->nwant + 1, sizeof *c->want) < 0)
			return -1;
		c->want[c->nwant++] = parent;
	}
	return 0;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

static int cmp_pinfo(const void *a, const void *b)
{
	return cmp_ull(&((const pinfo *)a)->id, &((const pinfo *)b)->id);
}

/*
 * What links need beyond a post's own row: every page (its path is made
 * of its ancestors' slugs) and the parents of pages and attachments. One
 * pass over the pages and attachments (their index by type), then the
 * parents not read yet, by ID, up their ancestry.
 */
static int load_pinfo(reader *r)
{
	pinfo_ctx c = { r, false, NULL, 0, 0 };
	unsigned long long *known = NULL, *ask = NULL;
	size_t capask = 0;
	const char *q = sql(r, "SELECT ID, post_parent, post_author, post_type, post_status, post_name, post_date "
	                       "FROM %Tposts WHERE post_type IN ('page','attachment')");
	int rc = -1;

	rs_clear(&r->pi_rs);
	if (!q || r->src->ops->query(r->src, q, pinfo_row, &c) < 0)
		goto out;
	c.all = true;
	for (int depth = 0; depth < 16 && c.nwant; depth++) {
		size_t k = 0, nknown = r->pi_rs.nrows;
		unsigned long long *nk;
		if (!(nk = rp_realloc(known, (nknown + 1) * sizeof *known)))
			goto out;
		known = nk;
		for (size_t i = 0; i < nknown; i++)
			known[i] = rs_ull(&r->pi_rs, i, 0);
		qsort(known, nknown, sizeof *known, cmp_ull);
		qsort(c.want, c.nwant, sizeof *c.want, cmp_ull);
		for (size_t i = 0; i < c.nwant; i++)
			if ((!k || c.want[k - 1] != c.want[i]) && !bsearch(&c.want[i], known, nknown, sizeof *known, cmp_ull))
				c.want[k++] = c.want[i];
		if (!k)
			break;
		/* the rows read below add their own parents for the next round */
		if (grow((void **)&ask, &capask, k, sizeof *ask) < 0)
			goto out;
		memcpy(ask, c.want, k * sizeof *ask);
		c.nwant = 0;
		for (size_t i = 0; i < k; i += RP_WP_BATCH) {
			size_t end = i + RP_WP_BATCH < k ? i + RP_WP_BATCH : k;
			rp_buf_clear(&r->q);
			rp_buf_puts(&r->q, "SELECT ID, post_parent, post_author, post_type, post_status, post_name, "
			                   "post_date FROM ");
			put_table(&r->q, r->site->prefix, "posts");
			rp_buf_puts(&r->q, " WHERE ID IN (");
			for (size_t j = i; j < end; j++)
				rp_buf_printf(&r->q, "%s%llu", j > i ? "," : "", ask[j]);
			rp_buf_putc(&r->q, ')');
			if (!r->q.data || r->src->ops->query(r->src, r->q.data, pinfo_row, &c) < 0)
				goto out;
		}
	}
	r->npi = r->pi_rs.nrows;
	if (!(r->pi = rp_calloc(r->npi + 1, sizeof *r->pi)))
		goto out;
	for (size_t i = 0; i < r->npi; i++) {
		pinfo *p = &r->pi[i];
		rp_value t = rs_get(&r->pi_rs, i, 3), st = rs_get(&r->pi_rs, i, 4), nm = rs_get(&r->pi_rs, i, 5),
		         d = rs_get(&r->pi_rs, i, 6);
		p->id = rs_ull(&r->pi_rs, i, 0);
		p->parent = rs_ull(&r->pi_rs, i, 1);
		p->author = rs_ull(&r->pi_rs, i, 2);
		p->type = t.data ? t.data : "";
		p->status = st.data ? st.data : "";
		p->name = nm.data ? nm.data : "";
		p->date = d.data ? d.data : "";
	}
	qsort(r->pi, r->npi, sizeof *r->pi, cmp_pinfo);
	rc = 0;
out:
	free(known);
	free(ask);
	free(c.want);
	return rc;
}

static int count_types(reader *r)
{
	const char *q = sql(r, "SELECT CAST(post_type AS BINARY), CAST(post_status AS BINARY), COUNT(*) FROM %Tposts "
	                       "GROUP BY 1, 2 ORDER BY 1, 2");
	rowset rs;
	int rc = -1;

	memset(&rs, 0, sizeof rs);
	if (!q || run_store(r->src, q, &rs) < 0)
		goto out;
	if (!(r->tc = rp_calloc(rs.nrows + 1, sizeof *r->tc)))
		goto out;
	for (size_t i = 0; i < rs.nrows; i++) {
		rp_value t = rs_get(&rs, i, 0), s = rs_get(&rs, i, 1);
		if (!(r->tc[i].type = rp_strndup(t.data ? t.data : "", t.len)) ||
		    !(r->tc[i].status = rp_strndup(s.data ? s.data : "", s.len)))
			goto out;
		r->tc[i].db = rs_ull(&rs, i, 2);
		r->ntc++;
	}
	rc = 0;
out:
	rs_free(&rs);
	return rc;
}

/* ------------------------------------------------------------ permalinks */

static bool builtin_type(const char *t)
{
	return in_list(builtin_types, sizeof builtin_types / sizeof builtin_types[0], t, strlen(t));
}

/* wp_force_plain_post_permalink(): only a publicly viewable status (of
 * WordPress's own, publish) gets a pretty link; drafts, pending, future,
 * private (to a visitor without rights), trash and inherit get ?p=ID. */
static bool plain_status(const char *status)
{
	return strcmp(status, "publish") != 0;
}

/* home_url($path) */
static void home_url(reader *r, rp_buf *b, const char *path)
{
	rp_buf_clear(b);
	rp_buf_puts(b, r->home);
	if (path && *path) {
		rp_buf_putc(b, '/');
		while (*path == '/')
			path++;
		rp_buf_puts(b, path);
	}
}

static void trailing(reader *r, rp_buf *b)
{
	if (r->trailing) {
		if (!b->len || b->data[b->len - 1] != '/')
			rp_buf_putc(b, '/');
	} else {
		while (b->len && b->data[b->len - 1] == '/')
			b->data[--b->len] = '\0';
	}
}

/* get_page_uri(): the names of the ancestors, then the page's. */
static void page_uri(reader *r, rp_buf *b, unsigned long long id, const char *name, unsigned long long parent)
{
	unsigned long long chain[64];
	size_t n = 0;

	while (parent && n < 64) {
		const pinfo *p = pinfo_by_id(r, parent);
		bool seen = parent == id;
		for (size_t i = 0; i < n && !seen; i++)
			seen = chain[i] == parent;
		if (!p || seen)
			break;
		chain[n++] = parent;
		parent = p->parent;
	}
	rp_buf_clear(b);
	while (n--) {
		const pinfo *p = pinfo_by_id(r, chain[n]);
		if (p && p->name[0]) {
			rp_buf_puts(b, p->name);
			rp_buf_putc(b, '/');
		}
	}
	rp_buf_puts(b, name);
}

typedef struct pview {
	unsigned long long id, parent, author;
	const char *type, *status, *name, *date;
	const rp_wp_term *const *terms;
	size_t nterms;
} pview;

static void permalink(reader *r, rp_buf *out, const pview *p, int depth);

static void category_path(rp_buf *b, const rp_wp_term *t)
{
	const rp_wp_term *chain[32];
	size_t n = 0;

	for (; t && n < 32; t = t->parent_term)
		chain[n++] = t;
	while (n--) {
		rp_buf_put(b, chain[n]->slug.data ? chain[n]->slug.data : "", chain[n]->slug.len);
		if (n)
			rp_buf_putc(b, '/');
	}
}

static void post_link(reader *r, rp_buf *out, const pview *p)
{
	const char *st = r->site->permalink_structure;
	rp_buf path = RP_BUF_INIT;
	char id[24];

	if (!st || !*st || plain_status(p->status)) {
		snprintf(id, sizeof id, "?p=%llu", p->id);
		home_url(r, out, id);
		return;
	}
	for (const char *c = st; *c;) {
		static const char *const tags[] = { "%year%", "%monthnum%", "%day%", "%hour%", "%minute%", "%second%",
			                             "%postname%", "%post_id%", "%category%", "%author%", "%pagename%" };
		size_t t;
		for (t = 0; t < sizeof tags / sizeof tags[0]; t++)
			if (strncmp(c, tags[t], strlen(tags[t])) == 0)
				break;
		if (t == sizeof tags / sizeof tags[0]) {
			rp_buf_putc(&path, *c++);
			continue;
		}
		c += strlen(tags[t]);
		if (t <= 5) {
			/* the stored post_date split at '-', ' ' and ':' */
			static const size_t at[] = { 0, 5, 8, 11, 14, 17 }, len[] = { 4, 2, 2, 2, 2, 2 };
			if (strlen(p->date) >= at[t] + len[t])
				rp_buf_put(&path, p->date + at[t], len[t]);
		} else if (t == 6 || t == 10) {
			rp_buf_puts(&path, p->name);
		} else if (t == 7) {
			rp_buf_printf(&path, "%llu", p->id);
		} else if (t == 8) {
			const rp_wp_term *first = NULL;
			for (size_t i = 0; i < p->nterms; i++)
				if (is_category(p->terms[i]) && (!first || p->terms[i]->term_id < first->term_id))
					first = p->terms[i];
			if (!first && r->site->default_category)
				first = term_by_id(r, strtoull(r->site->default_category, NULL, 10), "category");
			category_path(&path, first);
		} else if (t == 9) {
			const rp_wp_user *u = user_by_id(r, p->author);
			if (u && u->nicename.data)
				rp_buf_put(&path, u->nicename.data, u->nicename.len);
		}
	}
	home_url(r, out, path.data ? path.data : "");
	trailing(r, out);
	rp_buf_free(&path);
}

/* _get_page_link() */
static void page_link(reader *r, rp_buf *out, const pview *p)
{
	const char *st = r->site->permalink_structure;
	char id[32];

	if (st && *st && !plain_status(p->status)) {
		rp_buf uri = RP_BUF_INIT;
		page_uri(r, &uri, p->id, p->name, p->parent);
		home_url(r, out, uri.data ? uri.data : "");
		trailing(r, out);
		rp_buf_free(&uri);
		return;
	}
	snprintf(id, sizeof id, "?page_id=%llu", p->id);
	home_url(r, out, id);
}

static bool numeric(const char *s)
{
	char *end;
	if (!*s)
		return false;
	strtod(s, &end);
	return *end == '\0';
}

static void attachment_link(reader *r, rp_buf *out, const pview *p, int depth)
{
	const char *st = r->site->permalink_structure;
	const pinfo *parent = p->parent && p->parent != p->id ? pinfo_by_id(r, p->parent) : NULL;
	char id[40];

	if (st && *st && parent && depth < 8) {
		rp_buf pl = RP_BUF_INIT;
		pview pv = { parent->id, parent->parent, parent->author, parent->type, parent->status,
			     parent->name, parent->date, NULL, 0 };
		if (strcmp(parent->type, "page") == 0)
			page_link(r, &pl, &pv);
		else
			permalink(r, &pl, &pv, depth + 1);
		if (pl.data && !strchr(pl.data, '?')) {
			rp_buf_clear(out);
			rp_buf_puts(out, pl.data);
			if (!out->len || out->data[out->len - 1] != '/')
				rp_buf_putc(out, '/');
			if (numeric(p->name) || strstr(st, "%category%"))
				rp_buf_puts(out, "attachment/");
			rp_buf_puts(out, p->name);
			trailing(r, out);
			rp_buf_free(&pl);
			return;
		}
		rp_buf_free(&pl);
	} else if (st && *st) {
		rp_buf tmp = RP_BUF_INIT;
		rp_buf_puts(&tmp, p->name);
		trailing(r, &tmp);
		home_url(r, out, tmp.data ? tmp.data : "");
		rp_buf_free(&tmp);
		return;
	}
	snprintf(id, sizeof id, "/?attachment_id=%llu", p->id);
	home_url(r, out, id);
}

/* get_permalink() */
static void permalink(reader *r, rp_buf *out, const pview *p, int depth)
{
	const char *so = r->site->show_on_front, *pof = r->site->page_on_front;

	if (strcmp(p->type, "page") == 0) {
		if (so && pof && strcmp(so, "page") == 0 && strtoull(pof, NULL, 10) == p->id) {
			home_url(r, out, "/");
			return;
		}
		page_link(r, out, p);
	} else if (strcmp(p->type, "attachment") == 0) {
		attachment_link(r, out, p, depth);
	} else if (!builtin_type(p->type)) {
		/* a type some plugin registers: as if registered without
		 * rewrite rules or query variable (formats/wxr.md) */
		rp_buf_clear(&r->scratch);
		rp_buf_puts(&r->scratch, "?post_type=");
		rp_buf_puts(&r->scratch, p->type);
		rp_buf_printf(&r->scratch, "&p=%llu", p->id);
		home_url(r, out, r->scratch.data);
	} else {
		post_link(r, out, p);
	}
}

/* esc_url() / sanitize_url() as WordPress applies them to links, GUIDs and
 * comment author URLs: spaces as %20, characters URLs may not hold
 * removed, "http://" before a URL without a scheme, "" for a scheme
 * WordPress does not allow. */
void rp_wp_esc_url(rp_buf *out, const char *s, size_t n)
{
	static const char *const protocols[] = { "http", "https", "ftp", "ftps", "mailto", "news", "irc", "irc6",
		                                  "ircs", "gopher", "nntp", "feed", "telnet", "mms", "rtsp", "sms",
		                                  "svn", "tel", "fax", "xmpp", "webcal", "urn" };
	size_t start = out->len;
	const char *colon;
	char *u;

	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\0' || *s == '\x0B')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ')
			rp_buf_puts(out, "%20");
		else if (isalnum(c) || c >= 0x80 || strchr("-~+_.?#=!&;,/:%@$|*'()[]\\", c))
			rp_buf_putc(out, (char)c);
	}
	if (out->len == start)
		return;
	u = out->data + start;
	/* _deep_replace( %0d %0a ) unless mailto: */
	if (strncasecmp(u, "mailto:", 7) != 0) {
		bool again = true;
		while (again) {
			again = false;
			for (char *h = u; (h = strchr(h, '%')) != NULL;) {
				if (h[1] == '0' && (h[2] == 'd' || h[2] == 'D' || h[2] == 'a' || h[2] == 'A')) {
					memmove(h, h + 3, strlen(h + 3) + 1);
					out->len -= 3;
					again = true;
				} else {
					h++;
				}
			}
		}
	}
	for (char *h; (h = strstr(u, ";//")) != NULL;) {
		*h = ':';
	}
	if (!*u)
		return;
	if (!strchr(u, ':') && *u != '/' && *u != '#' && *u != '?') {
		size_t k = 0;
		while (isalnum((unsigned char)u[k]) || u[k] == '-')
			k++;
		if (!(k && strncasecmp(u + k, ".php", 4) == 0)) {
			char *copy = rp_strdup(u);
			if (copy) {
				out->len = start;
				out->data[start] = '\0';
				rp_buf_puts(out, "http://");
				rp_buf_puts(out, copy);
				free(copy);
				u = out->data + start;
			}
		}
	}
	if (*u == '/')
		return;
	colon = strchr(u, ':');
	if (colon) {
		size_t sl = (size_t)(colon - u);
		bool ok = false;
		if (strcspn(u, "/?#") < sl)
			return; /* the ':' is not a scheme's */
		for (size_t i = 0; i < sizeof protocols / sizeof protocols[0] && !ok; i++)
			ok = strlen(protocols[i]) == sl && strncasecmp(u, protocols[i], sl) == 0;
		if (!ok) {
			out->len = start;
			out->data[start] = '\0';
		}
	}
}

/* RFC 822 date of post_date_gmt, as mysql2date('D, d M Y H:i:s +0000')
 * writes it; "" for the zero date. */
static void rfc822(char *out, size_t outlen, rp_value v)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	char buf[32];
	time_t t;

	out[0] = '\0';
	if (!v.data || v.len < 19 || v.len >= sizeof buf)
		return;
	memcpy(buf, v.data, v.len);
	buf[v.len] = '\0';
	if (strcmp(buf, "0000-00-00 00:00:00") == 0)
		return;
	memset(&tm, 0, sizeof tm);
	if (sscanf(buf, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	           &tm.tm_sec) != 6)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (!gmtime_r(&t, &tm))
		return;
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* wp_get_attachment_url() */
static void attachment_url(reader *r, rp_buf *out, const char *file, rp_value guid)
{
	const rp_wp_site *s = r->site;

	rp_buf_clear(out);
	if (file && *file && strcmp(file, "0") != 0) {
		const char *siteurl = s->siteurl ? s->siteurl : "";
		if (s->upload_url_path && *s->upload_url_path) {
			rp_buf_puts(out, s->upload_url_path);
		} else if (!s->upload_path || !*s->upload_path || strcmp(s->upload_path, "wp-content/uploads") == 0) {
			rp_buf_puts(out, siteurl);
			rp_buf_puts(out, "/wp-content/uploads");
		} else {
			rp_buf_puts(out, siteurl);
			if (!out->len || out->data[out->len - 1] != '/')
				rp_buf_putc(out, '/');
			rp_buf_puts(out, s->upload_path);
		}
		if (s->blog_id > 1)
			rp_buf_printf(out, "/sites/%lu", s->blog_id);
		if (strstr(file, "wp-content/uploads")) {
			const char *slash = strrchr(file, '/');
			const char *base = slash ? slash + 1 : file;
			const char *d = strstr(file, "wp-content/uploads") + 18;
			rp_buf_putc(out, '/');
			while (*d == '/')
				d++;
			if (slash && d < slash) {
				rp_buf_put(out, d, (size_t)(slash - d));
				rp_buf_putc(out, '/');
			}
			rp_buf_puts(out, base);
		} else {
			rp_buf_putc(out, '/');
			rp_buf_puts(out, file);
		}
		return;
	}
	if (guid.data)
		rp_buf_put(out, guid.data, guid.len);
	else
		rp_buf_puts(out, "");
}

/* ----------------------------------------------------------------- batch */

typedef struct cut_ctx {
	batch *b;
	rowset *rs;
} cut_ctx;

/* Keeps the rows of the batch's posts while within the budget; once it is
 * spent, the batch ends before the next post. Column 0 is the post ID. */
static int cut_row(void *ctx, const rp_value *v, size_t n)
{
	cut_ctx *c = ctx;
	batch *b = c->b;
	unsigned long long id = val_ull(v[0]);
	size_t before = c->rs->data.len;

	if (b->cut && id >= b->cut)
		return 0;
	if (b->budget_used > RP_WP_BUDGET && c->rs->nrows && id > rs_ull(c->rs, c->rs->nrows - 1, 0)) {
		b->cut = id;
		return 0;
	}
	if (rs_add(c->rs, v, n) < 0)
		return -1;
	b->budget_used += c->rs->data.len - before + n * 2 * sizeof(size_t);
	return 0;
}

static int load_cut(batch *b, const char *fmt, rowset *rs)
{
	cut_ctx c = { b, rs };
	const char *q = build_sql(&b->q, b->site, b->lo, b->hi, fmt);

	rs_clear(rs);
	if (!q)
		return -1;
	if (b->src->ops->query(b->src, q, cut_row, &c) < 0)
		return -1;
	if (b->cut)
		b->hi = b->cut - 1;
	return 0;
}

/* Reads the meta, comments, comment meta and terms of lo < ID <= hi,
 * lowering hi where the budget runs out. */
static int load_batch(batch *b, unsigned long long lo, unsigned long long hi)
{
	b->lo = lo;
	b->hi = hi;
	b->cut = 0;
	b->budget_used = 0;
	if (load_cut(b, "SELECT post_id, meta_id, meta_key, meta_value FROM %Tpostmeta WHERE post_id %R "
	                "ORDER BY post_id, meta_id",
	             &b->meta_rs) < 0)
		return -1;
	if (load_cut(b, "SELECT comment_post_ID, comment_ID, comment_author, comment_author_email, "
	                "comment_author_url, comment_author_IP, comment_date, comment_date_gmt, comment_content, "
	                "comment_approved, comment_type, comment_parent, user_id FROM %Tcomments WHERE "
	                "comment_post_ID %R AND comment_approved <> 'spam' ORDER BY comment_post_ID, comment_ID",
	             &b->com_rs) < 0)
		return -1;
	if (load_cut(b, "SELECT c.comment_post_ID, m.comment_id, m.meta_id, m.meta_key, m.meta_value "
	                "FROM %Tcommentmeta m JOIN %Tcomments c ON c.comment_ID = m.comment_id WHERE "
	                "c.comment_post_ID %R AND c.comment_approved <> 'spam' "
	                "ORDER BY c.comment_post_ID, m.comment_id, m.meta_id",
	             &b->cmeta_rs) < 0)
		return -1;
	return load_cut(b, "SELECT object_id, term_taxonomy_id FROM %Tterm_relationships WHERE object_id %R "
	                   "ORDER BY object_id, term_taxonomy_id",
	                &b->rel_rs);
}

static void *load_thread(void *arg)
{
	batch *b = arg;

	b->rc = load_batch(b, b->lo, b->hi);
	if (b->rc < 0) {
		b->err_kind = rp_error_kind();
		b->err_msg = rp_strdup(rp_error_message());
	}
	return NULL;
}

/* Starts loading b in a thread (on b->src); load_join waits for it. */
static int load_start(batch *b, unsigned long long lo, unsigned long long hi)
{
	int e;

	b->lo = lo;
	b->hi = hi;
	b->rc = 0;
	if ((e = pthread_create(&b->thread, NULL, load_thread, b)) != 0)
		return rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a thread for the WordPress content");
	b->running = true;
	return 0;
}

static int load_join(batch *b)
{
	if (!b->running)
		return 0;
	pthread_join(b->thread, NULL);
	b->running = false;
	if (b->rc < 0) {
		rp_error_set(b->err_kind, "%s", b->err_msg ? b->err_msg : "out of memory");
		free(b->err_msg);
		b->err_msg = NULL;
		return -1;
	}
	return 0;
}

static void batch_free(batch *b)
{
	if (b->running)
		pthread_join(b->thread, NULL);
	b->running = false;
	rs_free(&b->meta_rs);
	rs_free(&b->com_rs);
	rs_free(&b->cmeta_rs);
	rs_free(&b->rel_rs);
	rp_buf_free(&b->q);
	free(b->err_msg);
}

static int cmp_rank(const void *a, const void *b)
{
	const rp_wp_term *x = *(const rp_wp_term *const *)a, *y = *(const rp_wp_term *const *)b;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static tcount *tcount_for(reader *r, rp_value type, rp_value status)
{
	for (size_t i = 0; i < r->ntc; i++)
		if (strlen(r->tc[i].type) == type.len && memcmp(r->tc[i].type, type.data, type.len) == 0 &&
		    strlen(r->tc[i].status) == status.len && memcmp(r->tc[i].status, status.data, status.len) == 0)
			return &r->tc[i];
	return NULL;
}

/* A value as a C string in b (its bytes up to a NUL). */
static const char *cstr(rp_buf *b, rp_value v)
{
	rp_buf_clear(b);
	if (rp_buf_put(b, v.data ? v.data : "", v.data ? v.len : 0) < 0)
		return NULL;
	return b->data;
}

static int on_post(void *ctx, const rp_value *v, size_t n)
{
	reader *r = ctx;
	rp_wp_post p;
	pview pv;
	unsigned long long id;
	size_t k;
	const char *type, *status, *name, *date;
	const char *attached = NULL;
	tcount *tc;
	int rc = -1;

	if (n != RP_WP_P_N)
		return rp_error_set(RP_E_INTERNAL, "posts query: %zu columns", n);
	memset(&p, 0, sizeof p);
	memcpy(p.f, v, sizeof p.f);
	p.id = id = val_ull(v[RP_WP_P_ID]);
	p.author = user_by_id(r, val_ull(v[RP_WP_P_AUTHOR]));
	/* meta */
	while (r->mpos < r->cur->meta_rs.nrows && rs_ull(&r->cur->meta_rs, r->mpos, 0) < id)
		r->mpos++;
	p.meta = r->pmeta;
	for (; r->mpos < r->cur->meta_rs.nrows && rs_ull(&r->cur->meta_rs, r->mpos, 0) == id; r->mpos++) {
		rp_wp_meta m = { rs_ull(&r->cur->meta_rs, r->mpos, 1), rs_get(&r->cur->meta_rs, r->mpos, 2),
			         rs_get(&r->cur->meta_rs, r->mpos, 3) };
		if (val_is(m.key, "_edit_lock")) {
			r->edit_locks++;
			continue;
		}
		if (!attached && val_is(m.key, "_wp_attached_file") && m.value.data)
			attached = m.value.data;
		if (grow((void **)&r->pmeta, &r->pmeta_cap, p.nmeta + 1, sizeof *r->pmeta) < 0)
			return -1;
		r->pmeta[p.nmeta++] = m;
	}
	p.meta = r->pmeta;
	/* comments and their meta */
	while (r->cpos < r->cur->com_rs.nrows && rs_ull(&r->cur->com_rs, r->cpos, 0) < id)
		r->cpos++;
	while (r->cmpos < r->cur->cmeta_rs.nrows && rs_ull(&r->cur->cmeta_rs, r->cmpos, 0) < id)
		r->cmpos++;
	{
		size_t ncm = 0, first_cm = r->cmpos;
		for (k = r->cmpos; k < r->cur->cmeta_rs.nrows && rs_ull(&r->cur->cmeta_rs, k, 0) == id; k++) {
			if (grow((void **)&r->pcmeta, &r->pcmeta_cap, ncm + 1, sizeof *r->pcmeta) < 0)
				return -1;
			r->pcmeta[ncm].id = rs_ull(&r->cur->cmeta_rs, k, 2);
			r->pcmeta[ncm].key = rs_get(&r->cur->cmeta_rs, k, 3);
			r->pcmeta[ncm].value = rs_get(&r->cur->cmeta_rs, k, 4);
			ncm++;
		}
		r->cmpos = k;
		for (; r->cpos < r->cur->com_rs.nrows && rs_ull(&r->cur->com_rs, r->cpos, 0) == id; r->cpos++) {
			rp_wp_comment *c;
			unsigned long long cid;
			size_t j;
			if (grow((void **)&r->pcom, &r->pcom_cap, p.ncomments + 1, sizeof *r->pcom) < 0)
				return -1;
			c = &r->pcom[p.ncomments++];
			for (size_t f = 0; f < RP_WP_C_N; f++)
				c->f[f] = rs_get(&r->cur->com_rs, r->cpos, f + 1);
			cid = rs_ull(&r->cur->com_rs, r->cpos, 1);
			c->meta = NULL;
			c->nmeta = 0;
			/* the post's comment meta is by comment ID, as comments are */
			for (j = 0; j < ncm && rs_ull(&r->cur->cmeta_rs, first_cm + j, 1) < cid; j++)
				;
			c->meta = &r->pcmeta[j];
			while (j + c->nmeta < ncm && rs_ull(&r->cur->cmeta_rs, first_cm + j + c->nmeta, 1) == cid)
				c->nmeta++;
		}
		p.comments = r->pcom;
	}
	/* terms, by name */
	while (r->rpos < r->cur->rel_rs.nrows && rs_ull(&r->cur->rel_rs, r->rpos, 0) < id)
		r->rpos++;
	for (; r->rpos < r->cur->rel_rs.nrows && rs_ull(&r->cur->rel_rs, r->rpos, 0) == id; r->rpos++) {
		const rp_wp_term *t = term_by_tt(r, rs_ull(&r->cur->rel_rs, r->rpos, 1));
		if (!t || val_is(t->taxonomy, "link_category"))
			continue;
		if (grow((void **)&r->pterms, &r->pterms_cap, p.nterms + 1, sizeof *r->pterms) < 0)
			return -1;
		r->pterms[p.nterms++] = t;
	}
	qsort(r->pterms, p.nterms, sizeof *r->pterms, cmp_rank);
	p.terms = (const rp_wp_term *const *)r->pterms;
	/* derived fields */
	if (!(type = cstr(&r->ptype, v[RP_WP_P_TYPE])) || !(status = cstr(&r->pstatus, v[RP_WP_P_STATUS])) ||
	    !(name = cstr(&r->pname, v[RP_WP_P_NAME])) || !(date = cstr(&r->pdate, v[RP_WP_P_DATE])))
		goto out;
	pv = (pview){ id, val_ull(v[RP_WP_P_PARENT]), val_ull(v[RP_WP_P_AUTHOR]), type, status, name, date,
		      p.terms, p.nterms };
	permalink(r, &r->link, &pv, 0);
	rp_buf_clear(&r->url);
	rp_wp_esc_url(&r->url, r->link.data ? r->link.data : "", r->link.len);
	rp_buf_clear(&r->link);
	rp_buf_put(&r->link, r->url.data ? r->url.data : "", r->url.len);
	p.link = r->link.data ? r->link.data : "";
	rfc822(r->pubdate, sizeof r->pubdate, v[RP_WP_P_DATE_GMT]);
	p.pub_date = r->pubdate;
	for (size_t i = 0; i < r->nsticky && !p.sticky; i++)
		p.sticky = r->sticky[i] == id;
	p.attached_file = attached;
	if (strcmp(type, "attachment") == 0) {
		attachment_url(r, &r->url, attached, v[RP_WP_P_GUID]);
		p.attachment_url = r->url.data ? r->url.data : "";
	}
	for (size_t i = 0; i < r->ncons; i++)
		if (r->cons[i].post(r->cons[i].ctx, &p) < 0)
			goto out;
	if ((tc = tcount_for(r, v[RP_WP_P_TYPE], v[RP_WP_P_STATUS])) != NULL)
		tc->exported++;
	r->batch_posts++;
	r->stats->postmeta += p.nmeta;
	r->stats->comments += p.ncomments;
	for (size_t i = 0; i < p.ncomments; i++)
		r->stats->commentmeta += p.comments[i].nmeta;
	rc = 0;
out:
	return rc;
}

static int max_id(void *ctx, const rp_value *v, size_t n)
{
	(void)n;
	*(unsigned long long *)ctx = val_ull(v[0]);
	return 0;
}

/* The width of the next range: as wide as the density of the batch just
 * read gives RP_WP_BATCH posts in, at most 4 times wider. */
static unsigned long long next_width(unsigned long long span, bool cut, size_t posts)
{
	unsigned long long w;

	if (cut)
		w = span;
	else if (!posts)
		w = span > (1ULL << 40) ? span : span * 4;
	else
		w = span * RP_WP_BATCH / posts > span * 4 ? span * 4 : span * RP_WP_BATCH / posts;
	return w ? w : 1;
}

/*
 * Posts in batches of ID ranges, so that each query reads one range of an
 * index (the posts' primary key; post_id, comment_post_ID, object_id for
 * the others) and every row once. With a second connection (aux), the
 * next batch's meta, comments and terms are read on it, in a thread, while
 * this batch's posts stream and are written.
 */
static int read_posts(reader *r, rp_source *aux)
{
	unsigned long long top = 0, width = RP_WP_BATCH;
	int k = 0;

	if (r->src->ops->query(r->src, sql(r, "SELECT MAX(ID) FROM %Tposts"), max_id, &top) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		r->b[i].site = r->site;
		r->b[i].src = aux ? aux : r->src;
	}
	if (!top)
		return 0;
	if (load_batch(&r->b[0], 0, width > top ? top : width) < 0)
		return -1;
	for (;;) {
		batch *cur = &r->b[k], *next = &r->b[k ^ 1];
		const char *q;

		r->cur = cur;
		r->stats->batches++;
		/* with a second connection the next batch is read now, its width
		 * from the density of the batch before this one */
		if (aux && cur->hi < top && load_start(next, cur->hi, width > top - cur->hi ? top : cur->hi + width) < 0)
			return -1;
		r->batch_posts = 0;
		r->mpos = r->cpos = r->cmpos = r->rpos = 0;
		q = sql(r, "SELECT ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, "
		           "post_status, comment_status, ping_status, post_password, post_name, post_modified, "
		           "post_modified_gmt, post_parent, guid, menu_order, post_type, post_mime_type FROM %Tposts "
		           "WHERE ID %R AND " EXPORTED_WHERE " ORDER BY ID");
		if (!q || r->src->ops->query(r->src, q, on_post, r) < 0)
			return -1; /* batch_free() waits for the thread */
		if (cur->hi >= top)
			break;
		width = next_width(cur->hi - cur->lo, cur->cut != 0, r->batch_posts);
		if (aux ? load_join(next) < 0
		        : load_batch(next, cur->hi, width > top - cur->hi ? top : cur->hi + width) < 0)
			return -1;
		k ^= 1;
	}
	return 0;
}

static int add_left(rp_wp_stats *s, const char *what, uint64_t count, const char *why)
{
	rp_wp_left *nl;

	if (!count)
		return 0;
	if (!(nl = rp_realloc(s->left, (s->nleft + 1) * sizeof *nl)))
		return -1;
	s->left = nl;
	nl = &s->left[s->nleft];
	nl->count = count;
	nl->what = rp_strdup(what);
	nl->why = rp_strdup(why);
	if (!nl->what || !nl->why) {
		free(nl->what);
		free(nl->why);
		return -1;
	}
	s->nleft++;
	return 0;
}

static uint64_t count_of(reader *r, const char *fmt)
{
	rowset rs;
	const char *q = sql(r, fmt);
	uint64_t n = UINT64_MAX;

	memset(&rs, 0, sizeof rs);
	if (q && run_store(r->src, q, &rs) == 0 && rs.nrows)
		n = rs_ull(&rs, 0, 0);
	rs_free(&rs);
	return n;
}

/* What the WXR leaves out, counted in the database. */
static int left_out(reader *r)
{
	rp_wp_stats *s = r->stats;
	uint64_t n;

	for (size_t i = 0; i < r->ntc; i++) {
		tcount *t = &r->tc[i];
		char *what;
		int rc;
		if (t->db == t->exported)
			continue;
		what = rp_sprintf("posts of type %s, status %s", t->type, t->status);
		if (!what)
			return -1;
		if (in_list(excluded_types, sizeof excluded_types / sizeof excluded_types[0], t->type, strlen(t->type)))
			rc = add_left(s, what, t->db - t->exported,
			              "WordPress does not export this post type (can_export is false); in dump.sql");
		else if (strcmp(t->status, "auto-draft") == 0)
			rc = add_left(s, what, t->db - t->exported,
			              "WordPress does not export automatic drafts; in dump.sql");
		else
			rc = add_left(s, what, t->db - t->exported, "changed while read (not in the snapshot)");
		free(what);
		if (rc < 0)
			return -1;
	}
	if ((n = count_of(r, "SELECT COUNT(*) FROM %Tcomments WHERE comment_approved = 'spam'")) == UINT64_MAX)
		return -1;
	if (add_left(s, "spam comments", n, "WordPress does not export spam; in dump.sql") < 0)
		return -1;
	/* the rest by difference: every count below is of the same snapshot */
	if ((n = count_of(r, "SELECT COUNT(*) FROM %Tcomments WHERE comment_approved <> 'spam'")) == UINT64_MAX)
		return -1;
	if (add_left(s, "comments on posts that are not exported (revisions, automatic drafts, missing posts)",
	             n - s->comments, "not in the WXR; in dump.sql") < 0)
		return -1;
	if (add_left(s, "post meta _edit_lock", r->edit_locks,
	             "WordPress leaves out the editing lock; in dump.sql") < 0)
		return -1;
	if ((n = count_of(r, "SELECT COUNT(*) FROM %Tpostmeta")) == UINT64_MAX)
		return -1;
	if (add_left(s, "post meta of posts that are not exported", n - s->postmeta - r->edit_locks,
	             "not in the WXR; in dump.sql") < 0)
		return -1;
	if ((n = count_of(r, "SELECT COUNT(*) FROM %Uusers")) == UINT64_MAX)
		return -1;
	if (add_left(s, "users without exported posts", n - s->authors,
	             "WordPress exports only the authors of exported posts, never passwords; users are in dump.sql") < 0)
		return -1;
	if ((n = count_of(r, "SELECT COUNT(*) FROM %Toptions")) == UINT64_MAX)
		return -1;
	if (add_left(s, "options (settings, widgets, theme settings, plugins' data)", n,
	             "WXR carries no options; in dump.sql") < 0)
		return -1;
	{
		uint64_t builtin = 0;
		for (size_t i = 0; i < r->nterms; i++)
			if (!is_category(&r->terms[i]) && !is_tag(&r->terms[i]) && !is_menu(&r->terms[i]) &&
			    !is_custom(&r->terms[i]))
				builtin++;
		if (add_left(s, "terms of link_category, post_format, wp_theme and wp_template_part_area", builtin,
		             "WordPress lists no terms of these taxonomies in the channel (items still name theirs); "
		             "in dump.sql") < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------ users, meta keys */

/* Appends a string literal for SQL (quotes and backslashes doubled). */
static void put_literal(rp_buf *q, const char *s)
{
	rp_buf_putc(q, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			rp_buf_putc(q, *s);
		rp_buf_putc(q, *s);
	}
	rp_buf_putc(q, '\'');
}

int rp_wp_read_users(rp_source *src, const rp_wp_site *site, int (*fn)(void *ctx, const rp_value *v, size_t n),
                     void *ctx)
{
	static const char *const meta[] = { "first_name", "last_name", "nickname", "description", NULL };
	rp_buf q = RP_BUF_INIT, caps = RP_BUF_INIT;
	int rc = -1;

	rp_buf_printf(&caps, "%scapabilities", site->prefix);
	rp_buf_puts(&q, "SELECT u.ID, u.user_login, u.user_nicename, u.user_email, u.user_url, u.user_registered, "
	                "u.display_name");
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
		rp_buf_puts(&q, ", (SELECT m.meta_value FROM ");
		put_table(&q, site->users_prefix, "usermeta");
		rp_buf_puts(&q, " m WHERE m.user_id = u.ID AND m.meta_key = ");
		put_literal(&q, meta[i] ? meta[i] : caps.data ? caps.data : "");
		rp_buf_puts(&q, " ORDER BY m.umeta_id LIMIT 1)");
	}
	rp_buf_puts(&q, " AS caps FROM ");
	put_table(&q, site->users_prefix, "users");
	/* a multisite's users belong to the sites that gave them a role */
	rp_buf_puts(&q, site->blog_id ? " u HAVING caps IS NOT NULL ORDER BY u.ID" : " u ORDER BY u.ID");
	if (!q.data || !caps.data)
		goto out;
	rc = src->ops->query(src, q.data, fn, ctx);
out:
	rp_buf_free(&q);
	rp_buf_free(&caps);
	return rc;
}

typedef struct keys_ctx {
	int (*fn)(void *ctx, rp_value type, rp_value key);
	void *ctx;
} keys_ctx;

static int key_row(void *ctx, const rp_value *v, size_t n)
{
	keys_ctx *k = ctx;

	(void)n;
	return v[0].data && v[1].data ? k->fn(k->ctx, v[0], v[1]) : 0;
}

int rp_wp_type_meta_keys(rp_source *src, const rp_wp_site *site,
                         int (*fn)(void *ctx, rp_value type, rp_value key), void *ctx)
{
	rp_buf q = RP_BUF_INIT;
	keys_ctx k = { fn, ctx };
	const char *sql = build_sql(&q, site, 0, 0,
	                            "SELECT CAST(p.post_type AS BINARY) t, CAST(m.meta_key AS BINARY) k, MIN(m.meta_id) f "
	                            "FROM %Tposts p JOIN %Tpostmeta m ON m.post_id = p.ID "
	                            "WHERE CAST(p.post_type AS BINARY) NOT IN ('post','page','attachment') AND p."
	                            EXPORTED_WHERE " AND CAST(m.meta_key AS BINARY) <> '_edit_lock' "
	                            "GROUP BY t, k ORDER BY t, f");
	int rc = sql ? src->ops->query(src, sql, key_row, &k) : -1;

	rp_buf_free(&q);
	return rc;
}

void rp_wp_stats_free(rp_wp_stats *s)
{
	for (size_t i = 0; i < s->ncounts; i++) {
		free(s->counts[i].type);
		free(s->counts[i].status);
	}
	free(s->counts);
	for (size_t i = 0; i < s->nleft; i++) {
		free(s->left[i].what);
		free(s->left[i].why);
	}
	free(s->left);
	memset(s, 0, sizeof *s);
}

static void reader_free(reader *r)
{
	rp_buf_free(&r->q);
	rs_free(&r->users_rs);
	rs_free(&r->terms_rs);
	rs_free(&r->termmeta_rs);
	rs_free(&r->pi_rs);
	batch_free(&r->b[0]);
	batch_free(&r->b[1]);
	free(r->users);
	free(r->terms);
	free(r->by_tt);
	free(r->by_id);
	free(r->termmeta);
	free(r->sticky);
	free(r->pi);
	free(r->pmeta);
	free(r->pcom);
	free(r->pcmeta);
	free(r->pterms);
	rp_buf_free(&r->link);
	rp_buf_free(&r->url);
	rp_buf_free(&r->scratch);
	rp_buf_free(&r->ptype);
	rp_buf_free(&r->pstatus);
	rp_buf_free(&r->pname);
	rp_buf_free(&r->pdate);
	for (size_t i = 0; i < r->ntc; i++) {
		free(r->tc[i].type);
		free(r->tc[i].status);
	}
	free(r->tc);
}

int rp_wp_read(rp_source *src, rp_source *aux, const rp_wp_site *site, const rp_wp_consumer *cons, size_t ncons,
               rp_wp_stats *stats)
{
	reader r;
	rp_wp_channel ch;
	const rp_wp_term **cats = NULL, **tags = NULL, **terms = NULL, **menus = NULL;
	size_t ncats = 0, ntags = 0, nterms = 0, nmenus = 0, began = 0;
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(stats, 0, sizeof *stats);
	r.src = src;
	r.site = site;
	r.cons = cons;
	r.ncons = ncons;
	r.stats = stats;
	r.home = site->home ? site->home : site->siteurl;
	r.trailing = site->permalink_structure && *site->permalink_structure &&
	             site->permalink_structure[strlen(site->permalink_structure) - 1] == '/';
	if (count_types(&r) < 0)
		goto out;
	if (load_authors(&r) < 0)
		goto out;
	if (load_terms(&r) < 0)
		goto out;
	if (load_pinfo(&r) < 0)
		goto out;
	if (site->sticky_posts)
		rp_php_unserialize_scan(site->sticky_posts, strlen(site->sticky_posts), NULL, add_sticky, &r);
	if (order_parents(&r, &cats, &ncats, is_category) < 0 || order_parents(&r, &tags, &ntags, is_tag) < 0 ||
	    order_parents(&r, &terms, &nterms, is_custom) < 0 || order_parents(&r, &menus, &nmenus, is_menu) < 0)
		goto out;
	/* export_wp() asks get_terms() for the terms of the custom taxonomies;
	 * when there is none, it asks with an empty list, which WordPress
	 * reads as every taxonomy: every term is listed again as <wp:term>
	 * (formats/wxr.md). The same here, so that both files agree. */
	if (!nterms) {
		free(terms);
		terms = NULL;
		if (order_parents(&r, &terms, &nterms, is_any) < 0)
			goto out;
	}
	ch.authors = r.users;
	ch.nauthors = r.nusers;
	ch.categories = cats;
	ch.ncategories = ncats;
	ch.tags = tags;
	ch.ntags = ntags;
	ch.terms = terms;
	ch.nterms = nterms;
	ch.menus = menus;
	ch.nmenus = nmenus;
	stats->categories = ncats;
	stats->tags = ntags;
	stats->terms = nterms;
	stats->menus = nmenus;
	for (size_t i = 0; i < ncats; i++)
		stats->termmeta += cats[i]->nmeta;
	for (size_t i = 0; i < ntags; i++)
		stats->termmeta += tags[i]->nmeta;
	for (size_t i = 0; i < nterms; i++)
		stats->termmeta += terms[i]->nmeta;
	for (; began < ncons; began++)
		if (cons[began].begin(cons[began].ctx, site, &ch) < 0)
			goto out;
	if (read_posts(&r, aux) < 0)
		goto out;
	for (size_t i = 0; i < ncons; i++)
		if (cons[i].end(cons[i].ctx) < 0)
			goto out;
	if (left_out(&r) < 0)
		goto out;
	/* hand the counts over */
	stats->counts = rp_calloc(r.ntc + 1, sizeof *stats->counts);
	if (!stats->counts)
		goto out;
	for (size_t i = 0; i < r.ntc; i++) {
		stats->counts[i].type = r.tc[i].type;
		stats->counts[i].status = r.tc[i].status;
		stats->counts[i].db = r.tc[i].db;
		stats->counts[i].exported = r.tc[i].exported;
		r.tc[i].type = r.tc[i].status = NULL;
	}
	stats->ncounts = r.ntc;
	rc = 0;
out:
	free(cats);
	free(tags);
	free(terms);
	free(menus);
	reader_free(&r);
	return rc;
}
