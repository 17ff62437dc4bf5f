/*
 * The friendly CSV files of a WordPress site (friendly.h,
 * formats/friendly-csv.md): one consumer of the WordPress reader writing
 * a file per kind of item through package sinks; media.csv's rows wait in
 * an unnamed scratch file until the media files' digests are known.
 */
#include "revpack/friendly.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "revpack/error.h"
#include "revpack/htmltext.h"
#include "revpack/path.h"
#include "revpack/text.h"
#include "revpack/xmltext.h"

/* ------------------------------------------------------------------ cells */

void rp_friendly_cells_init(rp_friendly_cells *c, rp_csv_dialect d, rp_lang lang)
{
	memset(c, 0, sizeof *c);
	c->sep = rp_csv_separator(d);
	c->lang = lang;
}

void rp_friendly_cells_free(rp_friendly_cells *c)
{
	rp_buf_free(&c->tmp);
	rp_buf_free(&c->tmp2);
}

size_t rp_friendly_units(const char *s, size_t n)
{
	size_t units = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b & 0xC0) != 0x80)
			units += b >= 0xF0 ? 2 : 1;
	}
	return units;
}

static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int rp_friendly_cell(rp_friendly_cells *c, rp_buf *out, const char *v, size_t n, bool from_site,
                     rp_friendly_counts *counts)
{
	const char *s = v ? v : "";
	bool neutral, cut = false;
	size_t units = 0, keep = n;
	char marker[200];

	if (n && !rp_xml_clean(s, n)) {
		rp_xml_fix fix = { 0, 0, 0 };
		rp_buf_clear(&c->tmp);
		if (rp_xml_map(&c->tmp, s, n, &fix) < 0)
			return -1;
		s = c->tmp.data;
		n = c->tmp.len;
		keep = n;
	}
	neutral = from_site && n && formula_start(s[0]);
	/* a byte is at most one unit: count only what may be too long */
	if (n + neutral > RP_FRIENDLY_CELL_MAX) {
		units = rp_friendly_units(s, n) + neutral;
		cut = units > RP_FRIENDLY_CELL_MAX;
	}
	if (!neutral && !cut)
		return rp_csv_append_plain(out, s, n, c->sep);
	rp_buf_clear(&c->tmp2);
	if (neutral && rp_buf_putc(&c->tmp2, '\'') < 0)
		return -1;
	if (cut) {
		size_t budget, used = neutral;
		if (c->lang == RP_LANG_EN)
			snprintf(marker, sizeof marker,
			         "\xe2\x80\xa6 [text cut: %zu characters in all; the full text is in the WXR file and in "
			         "dump.sql]",
			         units);
		else
			snprintf(marker, sizeof marker,
			         "\xe2\x80\xa6 [texte coup\xc3\xa9 : %zu caract\xc3\xa8res en tout ; le texte complet est "
			         "dans le fichier WXR et dans dump.sql]",
			         units);
		budget = RP_FRIENDLY_CELL_MAX - rp_friendly_units(marker, strlen(marker));
		for (keep = 0; keep < n;) {
			size_t len = 1, u = 1;
			unsigned char b = (unsigned char)s[keep];
			if (b >= 0xF0)
				len = 4, u = 2;
			else if (b >= 0xE0)
				len = 3;
			else if (b >= 0xC0)
				len = 2;
			if (used + u > budget)
				break;
			used += u;
			keep += len;
		}
		counts->cut++;
	}
	if (neutral)
		counts->neutralised++;
	if (rp_buf_put(&c->tmp2, s, keep) < 0 || (cut && rp_buf_puts(&c->tmp2, marker) < 0))
		return -1;
	return rp_csv_append_plain(out, c->tmp2.data, c->tmp2.len, c->sep);
}

/* --------------------------------------------------- serialized values */

typedef struct php_items {
	rp_php_item *it;
	size_t n, cap;
} php_items;

static int collect_item(void *ctx, const rp_php_item *it)
{
	php_items *p = ctx;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		rp_php_item *ni = rp_realloc(p->it, cap * sizeof *ni);
		if (!ni)
			return -1;
		p->it = ni;
		p->cap = cap;
	}
	p->it[p->n++] = *it;
	return 0;
}

static void php_scalar(rp_buf *out, const rp_php_item *it, rp_lang lang)
{
	switch (it->kind) {
	case RP_PHP_BOOL:
		rp_buf_puts(out, it->num ? rp_tr(lang, "oui", "yes") : rp_tr(lang, "non", "no"));
		break;
	case RP_PHP_INT:
	case RP_PHP_FLOAT:
	case RP_PHP_STRING:
		rp_buf_put(out, it->text, it->len);
		break;
	case RP_PHP_NULL:
	case RP_PHP_ARRAY:
	case RP_PHP_END:
		break;
	}
}

/* Index after the value that starts at i (an array: after its END). */
static size_t php_skip(const php_items *p, size_t i)
{
	if (p->it[i].kind != RP_PHP_ARRAY)
		return i + 1;
	for (size_t k = i + 1; k < p->n; k++)
		if (p->it[k].kind == RP_PHP_END && p->it[k].depth == p->it[i].depth)
			return k + 1;
	return p->n;
}

/* An array whose keys are 0, 1, 2... and whose values are scalars. */
static bool php_plain_list(const php_items *p, size_t i)
{
	const rp_php_item *a = &p->it[i];

	for (unsigned long long k = 0; k < a->count; k++) {
		size_t at = i + 1 + 2 * (size_t)k;
		if (at + 1 >= p->n || p->it[at].kind != RP_PHP_INT || p->it[at].num != (long long)k ||
		    p->it[at + 1].kind == RP_PHP_ARRAY)
			return false;
	}
	return true;
}

/* Renders the value at i (an array: as lines at indent); returns the index after it. */
static size_t php_render(const php_items *p, size_t i, int indent, rp_buf *out, rp_lang lang)
{
	const rp_php_item *a = &p->it[i];
	size_t k, end;
	bool first = true;

	if (a->kind != RP_PHP_ARRAY) {
		php_scalar(out, a, lang);
		return i + 1;
	}
	end = php_skip(p, i);
	if (php_plain_list(p, i)) {
		for (k = i + 2; k < end; k += 2) {
			if (k > i + 2)
				rp_buf_puts(out, ", ");
			php_scalar(out, &p->it[k], lang);
		}
		return end;
	}
	for (k = i + 1; k + 1 < end && p->it[k].kind != RP_PHP_END;) {
		if (!first || indent)
			rp_buf_putc(out, '\n');
		first = false;
		for (int s = 0; s < indent; s++)
			rp_buf_putc(out, ' ');
		php_scalar(out, &p->it[k], lang);
		rp_buf_putc(out, ':');
		k++;
		if (p->it[k].kind != RP_PHP_ARRAY || php_plain_list(p, k)) {
			rp_buf_putc(out, ' ');
			k = php_render(p, k, indent, out, lang);
		} else {
			k = php_render(p, k, indent + 2, out, lang);
		}
	}
	return end;
}

static bool looks_serialized(const char *s, size_t n)
{
	if (n < 2)
		return false;
	if (s[0] == 'N')
		return n == 2 && s[1] == ';';
	return n >= 4 && s[1] == ':' && strchr("sidbaO", s[0]) && (s[n - 1] == ';' || s[n - 1] == '}');
}

int rp_friendly_php_text(rp_buf *out, const char *s, size_t n, rp_lang lang)
{
	php_items p = { NULL, 0, 0 };
	size_t before = out->len;
	int r;

	/* a value of a megabyte is not a form field: shown as it is */
	if (!looks_serialized(s, n) || n > ((size_t)1 << 20))
		return 0;
	r = rp_php_walk(s, n, collect_item, &p);
	if (r == -2) {
		free(p.it);
		return -1;
	}
	if (r < 0 || !p.n) {
		free(p.it);
		return 0;
	}
	php_render(&p, 0, 0, out, lang);
	free(p.it);
	if (!out->data && rp_buf_puts(out, "") < 0)
		return -1;
	/* rp_buf's allocation failures leave data NULL */
	return out->len >= before ? 1 : -1;
}

/* ------------------------------------------------------------- columns */

typedef struct label {
	const char *fr, *en;
} label;

static const label posts_cols[] = {
	{ "ID", "ID" },
	{ "Type", "Type" },
	{ "Titre", "Title" },
	{ "Adresse publique", "Public URL" },
	{ "Statut", "Status" },
	{ "Date de publication", "Publication date" },
	{ "Derni\xc3\xa8re modification", "Last modified" },
	{ "Auteur", "Author" },
	{ "Cat\xc3\xa9gories", "Categories" },
	{ "\xc3\x89tiquettes", "Tags" },
	{ "Autres termes", "Other terms" },
	{ "Prot\xc3\xa9g\xc3\xa9 par mot de passe", "Password protected" },
	{ "Commentaires", "Comments" },
	{ "Extrait", "Excerpt" },
	{ "Texte", "Text" },
	{ "HTML", "HTML" },
};

static const label type_cols[] = {
	{ "ID", "ID" },
	{ "Titre", "Title" },
	{ "Adresse publique", "Public URL" },
	{ "Statut", "Status" },
	{ "Date de publication", "Publication date" },
	{ "Derni\xc3\xa8re modification", "Last modified" },
	{ "Auteur", "Author" },
	{ "Parent (ID)", "Parent (ID)" },
	{ "Termes", "Terms" },
	{ "Extrait", "Excerpt" },
	{ "Texte", "Text" },
	{ "HTML", "HTML" },
};

static const label other_fields = { "Autres champs", "Other fields" };

static const label comments_cols[] = {
	{ "ID", "ID" },
	{ "ID de la publication", "Post ID" },
	{ "Titre de la publication", "Post title" },
	{ "Auteur", "Author" },
	{ "E-mail", "Email" },
	{ "Site web", "Website" },
	{ "Adresse IP", "IP address" },
	{ "Date", "Date" },
	{ "Statut", "Status" },
	{ "Type", "Type" },
	{ "R\xc3\xa9ponse au commentaire (ID)", "Reply to comment (ID)" },
	{ "Texte", "Text" },
};

static const label users_cols[] = {
	{ "ID", "ID" },
	{ "Identifiant", "Login" },
	{ "Nom affich\xc3\xa9", "Display name" },
	{ "Pr\xc3\xa9nom", "First name" },
	{ "Nom", "Last name" },
	{ "Surnom", "Nickname" },
	{ "E-mail", "Email" },
	{ "Site web", "Website" },
	{ "Inscription", "Registered" },
	{ "R\xc3\xb4le", "Role" },
	{ "Biographie", "Biographical info" },
};

/* media.csv: the columns before, of and after the file's place in the package. */
static const label media_cols[] = {
	{ "ID", "ID" },
	{ "Titre", "Title" },
	{ "Fichier dans le paquet", "File in the package" },
	{ "Pr\xc3\xa9sent dans le paquet", "In the package" },
	{ "Taille (octets)", "Size (bytes)" },
	{ "SHA-256", "SHA-256" },
	{ "Type MIME", "MIME type" },
	{ "Texte alternatif", "Alt text" },
	{ "L\xc3\xa9gende", "Caption" },
	{ "Description", "Description" },
	{ "Date de mise en ligne", "Uploaded" },
	{ "Auteur", "Author" },
	{ "Rattach\xc3\xa9 \xc3\xa0 (ID)", "Attached to (ID)" },
	{ "Fichier sur le site", "File on the site" },
	{ "Adresse publique", "Public URL" },
};
#define MEDIA_EARLY 2  /* columns before the four known late */
#define MEDIA_LATE 4

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* Words for the values WordPress stores as codes; NULL: shown as stored. */
typedef struct word {
	const char *code;
	label l;
} word;

static const word post_types[] = {
	{ "post", { "Article", "Post" } },
	{ "page", { "Page", "Page" } },
};

static const word comment_statuses[] = {
	{ "1", { "Approuv\xc3\xa9", "Approved" } },
	{ "0", { "En attente", "Pending" } },
	{ "trash", { "Corbeille", "Trash" } },
	{ "post-trashed", { "Publication \xc3\xa0 la corbeille", "Post in the trash" } },
	{ "spam", { "Ind\xc3\xa9sirable", "Spam" } },
};

static const word comment_types[] = {
	{ "", { "Commentaire", "Comment" } },
	{ "comment", { "Commentaire", "Comment" } },
	{ "pingback", { "Ping", "Pingback" } },
	{ "trackback", { "R\xc3\xa9trolien", "Trackback" } },
};

static const word roles[] = {
	{ "administrator", { "Administrateur", "Administrator" } },
	{ "editor", { "\xc3\x89" "diteur", "Editor" } },
	{ "author", { "Auteur", "Author" } },
	{ "contributor", { "Contributeur", "Contributor" } },
	{ "subscriber", { "Abonn\xc3\xa9", "Subscriber" } },
};

static const label *word_for(const word *w, size_t n, const char *v, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(w[i].code) == len && memcmp(w[i].code, v, len) == 0)
			return &w[i].l;
	return NULL;
}
#define WORD(table, v, len) word_for(table, NCOLS(table), v, len)

const char *rp_friendly_kind_name(rp_friendly_kind k)
{
	switch (k) {
	case RP_FRIENDLY_POSTS:
		return "posts";
	case RP_FRIENDLY_COMMENTS:
		return "comments";
	case RP_FRIENDLY_USERS:
		return "users";
	case RP_FRIENDLY_MEDIA:
		return "media";
	case RP_FRIENDLY_TYPE:
		return "postType";
	}
	return "?";
}

/* --------------------------------------------------------------- files */

/* A post type of its own file. */
typedef struct ptype {
	char *name;               /* the type's bytes, NUL-terminated */
	size_t len;
	char **keys;              /* meta keys with a column, in column order */
	size_t *klen;
	size_t nkeys;
	size_t *sorted;           /* key indexes by bytes, for lookups */
	size_t file;              /* index in files, SIZE_MAX before its first item */
	rp_sink *sink;
} ptype;

/* One spooled media row: the cells before and after the late ones. */
typedef struct spool_head {
	uint32_t early, late;     /* bytes of each part */
	uint32_t found;           /* 1: media/entry name the file */
	uint32_t media;
	uint64_t entry;
} spool_head;

enum { F_POSTS, F_COMMENTS, F_USERS, F_MEDIA, F_FIXED };

/* A row being made: its bytes and how many cells it holds. */
typedef struct rowbuf {
	rp_buf b;
	size_t cells;
} rowbuf;

static void row_clear(rowbuf *r)
{
	rp_buf_clear(&r->b);
	r->cells = 0;
}

struct rp_friendly {
	rp_package *pkg;
	rp_friendly_opts o;
	char *dir;                /* relative to data/ */
	char *media_rel;          /* media.csv relative to data/ */
	rp_friendly_cells cells;
	rp_friendly_file *files;
	size_t nfiles;
	rp_sink *sink[F_FIXED];   /* posts, comments, users (media: at the end) */
	ptype *types;
	size_t ntypes;
	rp_name_set names;        /* file stems of the folder */
	const rp_wp_site *site;
	FILE *spool;              /* media rows */
	rowbuf row, early;        /* the row being made; media.csv's first cells */
	rp_buf text, field, other;
	rp_buf *vals;             /* per meta column of the type being written */
	size_t nvals;
	size_t *nv;               /* values in each */
	int rc;                   /* sticky failure of the cell writers */
	/* the worker that writes the rows, and its queue of posts */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t ready, space;
	struct job *head, *tail, *pending;
	size_t queued;            /* bytes of the jobs in the queue */
	bool closing, stop, wfailed;
	rp_errkind werr_kind;
	char *werr_msg;
};

static void fail(rp_friendly *f)
{
	f->rc = -1;
}

/* One cell, after a separator unless it is the row's first. */
static void put_cell(rp_friendly *f, rp_friendly_file *file, rowbuf *r, const char *v, size_t n, bool from_site)
{
	if (f->rc < 0)
		return;
	if (r->cells++ && rp_buf_putc(&r->b, f->cells.sep) < 0) {
		fail(f);
		return;
	}
	if (rp_friendly_cell(&f->cells, &r->b, v, n, from_site, &file->counts) < 0)
		fail(f);
}

static void put_value(rp_friendly *f, rp_friendly_file *file, rowbuf *b, rp_value v)
{
	put_cell(f, file, b, v.data, v.data ? v.len : 0, true);
}

static void put_str(rp_friendly *f, rp_friendly_file *file, rowbuf *b, const char *s)
{
	put_cell(f, file, b, s, s ? strlen(s) : 0, false);
}

static void put_u64(rp_friendly *f, rp_friendly_file *file, rowbuf *b, unsigned long long v)
{
	char n[24];

	snprintf(n, sizeof n, "%llu", v);
	put_str(f, file, b, n);
}

/* A number stored as text (an ID): as it is when it is one and not 0. */
static void put_id(rp_friendly *f, rp_friendly_file *file, rowbuf *b, rp_value v)
{
	unsigned long long n = 0;

	for (size_t i = 0; v.data && i < v.len && v.data[i] >= '0' && v.data[i] <= '9'; i++)
		n = n * 10 + (unsigned long long)(v.data[i] - '0');
	if (n)
		put_u64(f, file, b, n);
	else
		put_str(f, file, b, "");
}

/* A code in words when it is a known one, else as stored. */
static void put_word(rp_friendly *f, rp_friendly_file *file, rowbuf *b, const label *l, rp_value v)
{
	if (l)
		put_str(f, file, b, rp_tr(f->o.lang, l->fr, l->en));
	else
		put_value(f, file, b, v);
}

static void put_yes(rp_friendly *f, rp_friendly_file *file, rowbuf *b, bool yes)
{
	put_str(f, file, b, yes ? rp_tr(f->o.lang, "oui", "yes") : rp_tr(f->o.lang, "non", "no"));
}

/* Ends the row and writes it. */
static int end_row(rp_friendly *f, rp_friendly_file *file, rp_sink *sink)
{
	if (f->rc < 0 || rp_buf_put(&f->row.b, "\r\n", 2) < 0)
		return -1;
	if (rp_sink_write(sink, f->row.b.data, f->row.b.len) < 0)
		return -1;
	file->rows++;
	row_clear(&f->row);
	return 0;
}

static int header(rp_friendly *f, size_t fi, rp_sink *sink, const label *cols, size_t n)
{
	rp_friendly_file *file = &f->files[fi];
	rp_out o = rp_sink_out(sink);

	if (rp_csv_write_bom(&o, f->o.dialect) < 0)
		return -1;
	row_clear(&f->row);
	for (size_t i = 0; i < n; i++)
		put_str(f, file, &f->row, rp_tr(f->o.lang, cols[i].fr, cols[i].en));
	file->columns = n;
	return 0;
}

static int write_header_row(rp_friendly *f, size_t fi, rp_sink *sink)
{
	uint64_t rows = f->files[fi].rows;
	int rc = end_row(f, &f->files[fi], sink);

	f->files[fi].rows = rows; /* the header is not a row */
	return rc;
}

/* Adds a file to the list (its sink is the caller's). */
static int add_file(rp_friendly *f, rp_friendly_kind kind, const char *stem, size_t *index)
{
	rp_friendly_file *nf = rp_realloc(f->files, (f->nfiles + 1) * sizeof *nf);
	rp_buf unique = RP_BUF_INIT;

	if (!nf)
		return -1;
	f->files = nf;
	nf = &f->files[f->nfiles];
	memset(nf, 0, sizeof *nf);
	nf->kind = kind;
	if (rp_name_set_add(&f->names, &unique, stem) < 0 ||
	    !(nf->path = rp_sprintf("data/%s/%s.csv", f->dir, unique.data))) {
		rp_buf_free(&unique);
		return -1;
	}
	rp_buf_free(&unique);
	*index = f->nfiles++;
	return 0;
}

static int open_file(rp_friendly *f, size_t fi, rp_sink **sink)
{
	return rp_package_open(f->pkg, f->files[fi].path + 5, sink);
}

static int commit(rp_friendly *f, size_t fi, rp_sink **sink)
{
	rp_sink *s = *sink;

	*sink = NULL;
	if (rp_package_commit_info(f->pkg, s, &f->files[fi].info) < 0)
		return -1;
	f->files[fi].written = true;
	return 0;
}

/* ---------------------------------------------------------- post types */

static int cmp_key(const void *a, const void *b, void *ctx)
{
	const ptype *t = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t n = t->klen[x] < t->klen[y] ? t->klen[x] : t->klen[y];
	int d = memcmp(t->keys[x], t->keys[y], n);

	return d ? d : (t->klen[x] > t->klen[y]) - (t->klen[x] < t->klen[y]);
}

/* The column of a meta key in t, or SIZE_MAX. */
static size_t key_column(const ptype *t, const char *k, size_t len)
{
	size_t lo = 0, hi = t->nkeys;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2, at = t->sorted[mid];
		size_t n = t->klen[at] < len ? t->klen[at] : len;
		int d = memcmp(t->keys[at], k, n);
		if (!d)
			d = (t->klen[at] > len) - (t->klen[at] < len);
		if (!d)
			return at;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static ptype *find_type(rp_friendly *f, const char *name, size_t len)
{
	for (size_t i = 0; i < f->ntypes; i++)
		if (f->types[i].len == len && memcmp(f->types[i].name, name, len) == 0)
			return &f->types[i];
	return NULL;
}

static ptype *add_type(rp_friendly *f, const char *name, size_t len)
{
	ptype *nt = rp_realloc(f->types, (f->ntypes + 1) * sizeof *nt);

	if (!nt)
		return NULL;
	f->types = nt;
	nt = &f->types[f->ntypes];
	memset(nt, 0, sizeof *nt);
	nt->file = SIZE_MAX;
	if (!(nt->name = rp_strndup(name, len)))
		return NULL;
	nt->len = len;
	f->ntypes++;
	return nt;
}

static int type_key(void *ctx, rp_value type, rp_value key)
{
	rp_friendly *f = ctx;
	ptype *t = find_type(f, type.data, type.len);
	char **nk;
	size_t *nl;

	if (!t && !(t = add_type(f, type.data, type.len)))
		return -1;
	if (t->nkeys >= RP_FRIENDLY_META_COLUMNS)
		return 0;
	if (!(nk = rp_realloc(t->keys, (t->nkeys + 1) * sizeof *nk)))
		return -1;
	t->keys = nk;
	if (!(nl = rp_realloc(t->klen, (t->nkeys + 1) * sizeof *nl)))
		return -1;
	t->klen = nl;
	if (!(t->keys[t->nkeys] = rp_strndup(key.data, key.len)))
		return -1;
	t->klen[t->nkeys++] = key.len;
	return 0;
}

/* The first item of a type: its file and header. */
static int open_type(rp_friendly *f, ptype *t)
{
	rp_buf stem = RP_BUF_INIT;
	rp_friendly_file *file;
	size_t fi;
	int rc = -1;

	if (rp_buf_puts(&stem, "type-") < 0 || rp_safe_name(&stem, t->name, t->len) < 0 ||
	    add_file(f, RP_FRIENDLY_TYPE, stem.data, &fi) < 0)
		goto out;
	file = &f->files[fi];
	if (!(file->post_type = rp_strndup(t->name, t->len)))
		goto out;
	file->post_type_len = t->len;
	t->file = fi;
	if (!(t->sorted = rp_calloc(t->nkeys + 1, sizeof *t->sorted)))
		goto out;
	for (size_t i = 0; i < t->nkeys; i++)
		t->sorted[i] = i;
	qsort_r(t->sorted, t->nkeys, sizeof *t->sorted, cmp_key, t);
	if (open_file(f, fi, &t->sink) < 0 || header(f, fi, t->sink, type_cols, NCOLS(type_cols)) < 0)
		goto out;
	for (size_t i = 0; i < t->nkeys; i++)
		put_cell(f, &f->files[fi], &f->row, t->keys[i], t->klen[i], true);
	put_str(f, &f->files[fi], &f->row, rp_tr(f->o.lang, other_fields.fr, other_fields.en));
	f->files[fi].columns = NCOLS(type_cols) + t->nkeys + 1;
	rc = write_header_row(f, fi, t->sink);
out:
	rp_buf_free(&stem);
	return rc;
}

/* ------------------------------------------------------------- the pass */

/* A post as the worker gets it: a copy of what the rows need, made on
 * the reader's thread (the reader's values are borrowed for one call). */
typedef struct job {
	struct job *next;
	size_t bytes;             /* counted against the queue's budget */
	rp_wp_post p;             /* every pointer leads into this job */
	rp_wp_user author;
	int found;                /* attachments: 1 when media/entry name its file */
	size_t media, entry;
	char *text;               /* the content's plain text when the pass had it, else NULL */
	size_t text_len;
} job;

static int text_of(rp_friendly *f, const job *j, const char **text, size_t *len)
{
	const rp_value *c = &j->p.f[RP_WP_P_CONTENT];

	if (j->text) {
		*text = j->text;
		*len = j->text_len;
		return 0;
	}
	rp_buf_clear(&f->text);
	if (rp_html_text(&f->text, c->data ? c->data : "", c->data ? c->len : 0) < 0)
		return -1;
	*text = f->text.data ? f->text.data : "";
	*len = f->text.len;
	return 0;
}

/* Terms of a post: one taxonomy's names (tax != NULL), or every other
 * taxonomy's as "taxonomy: name" (tax == NULL, skipping skip[]). */
static void terms_cell(rp_friendly *f, rp_friendly_file *file, rowbuf *row, const rp_wp_post *p, const char *tax,
                       const char *const *skip, size_t nskip)
{
	rp_buf_clear(&f->field);
	for (size_t i = 0; i < p->nterms; i++) {
		const rp_wp_term *t = p->terms[i];
		const char *tx = t->taxonomy.data ? t->taxonomy.data : "";
		size_t tl = t->taxonomy.data ? t->taxonomy.len : 0;
		bool mine = false;
		if (tax) {
			mine = tl == strlen(tax) && memcmp(tx, tax, tl) == 0;
		} else {
			mine = true;
			for (size_t k = 0; k < nskip && mine; k++)
				mine = !(tl == strlen(skip[k]) && memcmp(tx, skip[k], tl) == 0);
		}
		if (!mine)
			continue;
		if (f->field.len)
			rp_buf_puts(&f->field, ", ");
		if (!tax) {
			rp_buf_put(&f->field, tx, tl);
			rp_buf_puts(&f->field, ": ");
		}
		rp_buf_put(&f->field, t->name.data ? t->name.data : "", t->name.data ? t->name.len : 0);
	}
	if (!f->field.data && rp_buf_puts(&f->field, "") < 0)
		fail(f);
	put_cell(f, file, row, f->field.data, f->field.len, true);
}

static void author_cell(rp_friendly *f, rp_friendly_file *file, rowbuf *row, const rp_wp_post *p)
{
	rp_value none = { "", 0 };

	put_value(f, file, row, p->author ? p->author->display_name : none);
}

/* The columns posts.csv and the type files share, up to the terms. */
static void common_cells(rp_friendly *f, rp_friendly_file *file, const rp_wp_post *p)
{
	const rp_value *v = p->f;

	put_cell(f, file, &f->row, p->link, strlen(p->link), true);
	{
		const char *st = rp_wp_status_word(f->o.lang, v[RP_WP_P_STATUS].data, v[RP_WP_P_STATUS].len);
		if (st)
			put_str(f, file, &f->row, st);
		else
			put_value(f, file, &f->row, v[RP_WP_P_STATUS]);
	}
	put_value(f, file, &f->row, v[RP_WP_P_DATE]);
	put_value(f, file, &f->row, v[RP_WP_P_MODIFIED]);
	author_cell(f, file, &f->row, p);
}

/* Excerpt, text and HTML. */
static int text_cells(rp_friendly *f, rp_friendly_file *file, const job *j)
{
	const rp_wp_post *p = &j->p;
	const char *text;
	size_t len;

	put_value(f, file, &f->row, p->f[RP_WP_P_EXCERPT]);
	if (text_of(f, j, &text, &len) < 0)
		return -1;
	put_cell(f, file, &f->row, text, len, true);
	put_value(f, file, &f->row, p->f[RP_WP_P_CONTENT]);
	return 0;
}

static int post_row(rp_friendly *f, const job *j)
{
	static const char *const known[] = { "category", "post_tag" };
	const rp_wp_post *p = &j->p;
	rp_friendly_file *file = &f->files[F_POSTS];
	const rp_value *v = p->f;

	put_u64(f, file, &f->row, p->id);
	put_word(f, file, &f->row, WORD(post_types, v[RP_WP_P_TYPE].data, v[RP_WP_P_TYPE].len), v[RP_WP_P_TYPE]);
	put_value(f, file, &f->row, v[RP_WP_P_TITLE]);
	common_cells(f, file, p);
	terms_cell(f, file, &f->row, p, "category", NULL, 0);
	terms_cell(f, file, &f->row, p, "post_tag", NULL, 0);
	terms_cell(f, file, &f->row, p, NULL, known, NCOLS(known));
	put_yes(f, file, &f->row, v[RP_WP_P_PASSWORD].data && v[RP_WP_P_PASSWORD].len);
	put_u64(f, file, &f->row, p->ncomments);
	if (text_cells(f, file, j) < 0)
		return -1;
	return end_row(f, file, f->sink[F_POSTS]);
}

/* A meta value as a person reads it, appended to b. */
static void meta_text(rp_friendly *f, rp_buf *b, rp_value v)
{
	int r;

	if (!v.data)
		return;
	r = rp_friendly_php_text(b, v.data, v.len, f->o.lang);
	if (r < 0 || (r == 0 && rp_buf_put(b, v.data, v.len) < 0))
		fail(f);
}

static int type_row(rp_friendly *f, const job *j)
{
	const rp_wp_post *p = &j->p;
	const rp_value *v = p->f;
	ptype *t = find_type(f, v[RP_WP_P_TYPE].data ? v[RP_WP_P_TYPE].data : "", v[RP_WP_P_TYPE].len);
	rp_friendly_file *file;

	if (!t && !(t = add_type(f, v[RP_WP_P_TYPE].data ? v[RP_WP_P_TYPE].data : "", v[RP_WP_P_TYPE].len)))
		return -1;
	if (t->file == SIZE_MAX && open_type(f, t) < 0)
		return -1;
	file = &f->files[t->file];
	if (t->nkeys > f->nvals) {
		rp_buf *nb = rp_realloc(f->vals, t->nkeys * sizeof *nb);
		size_t *nn;
		if (!nb)
			return -1;
		f->vals = nb;
		for (size_t i = f->nvals; i < t->nkeys; i++)
			f->vals[i] = (rp_buf)RP_BUF_INIT;
		f->nvals = t->nkeys;
		if (!(nn = rp_realloc(f->nv, t->nkeys * sizeof *nn)))
			return -1;
		f->nv = nn;
	}
	for (size_t i = 0; i < t->nkeys; i++) {
		rp_buf_clear(&f->vals[i]);
		f->nv[i] = 0;
	}
	rp_buf_clear(&f->other);
	for (size_t i = 0; i < p->nmeta; i++) {
		const rp_wp_meta *m = &p->meta[i];
		size_t col = m->key.data ? key_column(t, m->key.data, m->key.len) : SIZE_MAX;
		rp_buf *b = col == SIZE_MAX ? &f->other : &f->vals[col];
		if (col != SIZE_MAX ? f->nv[col]++ > 0 : f->other.len > 0)
			rp_buf_putc(b, '\n');
		if (col == SIZE_MAX) {
			rp_buf_put(b, m->key.data ? m->key.data : "", m->key.data ? m->key.len : 0);
			rp_buf_puts(b, ": ");
		}
		meta_text(f, b, m->value);
	}
	put_u64(f, file, &f->row, p->id);
	put_value(f, file, &f->row, v[RP_WP_P_TITLE]);
	common_cells(f, file, p);
	put_id(f, file, &f->row, v[RP_WP_P_PARENT]);
	terms_cell(f, file, &f->row, p, NULL, NULL, 0);
	if (text_cells(f, file, j) < 0)
		return -1;
	for (size_t i = 0; i < t->nkeys; i++)
		put_cell(f, file, &f->row, f->vals[i].data, f->vals[i].len, true);
	put_cell(f, file, &f->row, f->other.data, f->other.len, true);
	return end_row(f, file, t->sink);
}

static int comment_rows(rp_friendly *f, const rp_wp_post *p)
{
	rp_friendly_file *file = &f->files[F_COMMENTS];

	for (size_t i = 0; i < p->ncomments; i++) {
		const rp_value *c = p->comments[i].f;
		rp_buf_clear(&f->text);
		if (rp_html_text(&f->text, c[RP_WP_C_CONTENT].data ? c[RP_WP_C_CONTENT].data : "",
		                 c[RP_WP_C_CONTENT].data ? c[RP_WP_C_CONTENT].len : 0) < 0)
			return -1;
		put_id(f, file, &f->row, c[RP_WP_C_ID]);
		put_u64(f, file, &f->row, p->id);
		put_value(f, file, &f->row, p->f[RP_WP_P_TITLE]);
		put_value(f, file, &f->row, c[RP_WP_C_AUTHOR]);
		put_value(f, file, &f->row, c[RP_WP_C_AUTHOR_EMAIL]);
		put_value(f, file, &f->row, c[RP_WP_C_AUTHOR_URL]);
		put_value(f, file, &f->row, c[RP_WP_C_AUTHOR_IP]);
		put_value(f, file, &f->row, c[RP_WP_C_DATE]);
		put_word(f, file, &f->row, WORD(comment_statuses, c[RP_WP_C_APPROVED].data, c[RP_WP_C_APPROVED].len),
		         c[RP_WP_C_APPROVED]);
		put_word(f, file, &f->row,
		         WORD(comment_types, c[RP_WP_C_TYPE].data ? c[RP_WP_C_TYPE].data : "", c[RP_WP_C_TYPE].len),
		         c[RP_WP_C_TYPE]);
		put_id(f, file, &f->row, c[RP_WP_C_PARENT]);
		put_cell(f, file, &f->row, f->text.data, f->text.len, true);
		if (end_row(f, file, f->sink[F_COMMENTS]) < 0)
			return -1;
	}
	return 0;
}

static const char *meta_value(const rp_wp_post *p, const char *key)
{
	for (size_t i = 0; i < p->nmeta; i++)
		if (p->meta[i].key.data && p->meta[i].key.len == strlen(key) &&
		    memcmp(p->meta[i].key.data, key, p->meta[i].key.len) == 0)
			return p->meta[i].value.data;
	return NULL;
}

/* An attachment: its row waits in the spool, the file's cells to come. */
static int media_row(rp_friendly *f, const job *j)
{
	rp_friendly_file *file = &f->files[F_MEDIA];
	const rp_wp_post *p = &j->p;
	const rp_value *v = p->f;
	const char *alt = meta_value(p, "_wp_attachment_image_alt"), *text;
	spool_head h;
	size_t len;

	memset(&h, 0, sizeof h);
	row_clear(&f->early);
	put_u64(f, file, &f->early, p->id);
	put_value(f, file, &f->early, v[RP_WP_P_TITLE]);
	row_clear(&f->row);
	put_value(f, file, &f->row, v[RP_WP_P_MIME_TYPE]);
	put_cell(f, file, &f->row, alt, alt ? strlen(alt) : 0, true);
	put_value(f, file, &f->row, v[RP_WP_P_EXCERPT]);
	if (text_of(f, j, &text, &len) < 0)
		return -1;
	put_cell(f, file, &f->row, text, len, true);
	put_value(f, file, &f->row, v[RP_WP_P_DATE]);
	author_cell(f, file, &f->row, p);
	put_id(f, file, &f->row, v[RP_WP_P_PARENT]);
	put_cell(f, file, &f->row, p->attached_file, p->attached_file ? strlen(p->attached_file) : 0, true);
	put_cell(f, file, &f->row, p->attachment_url, p->attachment_url ? strlen(p->attachment_url) : 0, true);
	if (f->rc < 0)
		return -1;
	h.early = (uint32_t)f->early.b.len;
	h.late = (uint32_t)f->row.b.len;
	h.found = j->found > 0;
	h.media = (uint32_t)j->media;
	h.entry = j->entry;
	if (fwrite(&h, sizeof h, 1, f->spool) != 1 ||
	    fwrite(f->early.b.data, 1, f->early.b.len, f->spool) != f->early.b.len ||
	    fwrite(f->row.b.data, 1, f->row.b.len, f->spool) != f->row.b.len)
		return rp_error_set_errno(RP_E_IO, errno, "cannot write the scratch file of %s", file->path);
	row_clear(&f->row);
	file->rows++;
	return 0;
}

static void *worker_main(void *arg);

static int fr_begin(void *ctx, const rp_wp_site *site, const rp_wp_channel *ch)
{
	rp_friendly *f = ctx;
	int e;

	(void)site;
	(void)ch;
	if ((e = pthread_create(&f->thread, NULL, worker_main, f)) != 0)
		return rp_error_set_errno(RP_E_INTERNAL, e, "cannot start the thread writing %s", f->files[F_POSTS].path);
	f->started = true;
	return 0;
}

static bool is(rp_value v, const char *s)
{
	return v.data && v.len == strlen(s) && memcmp(v.data, s, v.len) == 0;
}

/* The rows of one post (the worker's thread). */
static int write_post(rp_friendly *f, const job *j)
{
	rp_value t = j->p.f[RP_WP_P_TYPE];
	int rc;

	row_clear(&f->row);
	if (is(t, "post") || is(t, "page"))
		rc = post_row(f, j);
	else if (is(t, "attachment"))
		rc = media_row(f, j);
	else
		rc = type_row(f, j);
	if (rc < 0 || f->rc < 0 || comment_rows(f, &j->p) < 0 || f->rc < 0)
		return rp_error_kind() == RP_E_NONE ? rp_error_nomem() : -1;
	return 0;
}

/* Room for a value's bytes (NUL-terminated) in a job being sized. */
static size_t val_room(rp_value v)
{
	return v.data ? v.len + 1 : 0;
}

/* Copies v into the job's bytes at *at. */
static rp_value val_copy(char **at, rp_value v)
{
	rp_value c = { NULL, 0 };

	if (!v.data)
		return c;
	memcpy(*at, v.data, v.len);
	(*at)[v.len] = '\0';
	c.data = *at;
	c.len = v.len;
	*at += v.len + 1;
	return c;
}

static const char *str_copy(char **at, const char *s)
{
	rp_value v = { s, s ? strlen(s) : 0 };
	return val_copy(at, v).data;
}

/* A self-contained copy of what the rows need of p (meta only where a
 * row shows it; comments without their meta; terms as taxonomy and name). */
static job *job_new(const rp_wp_post *p, bool meta)
{
	size_t nmeta = meta ? p->nmeta : 0, room = 0, head;
	rp_wp_meta *m;
	rp_wp_comment *c;
	rp_wp_term *t;
	const rp_wp_term **tp;
	char *at;
	job *j;

	for (size_t i = 0; i < RP_WP_P_N; i++)
		room += val_room(p->f[i]);
	for (size_t i = 0; i < nmeta; i++)
		room += val_room(p->meta[i].key) + val_room(p->meta[i].value);
	for (size_t i = 0; i < p->ncomments; i++)
		for (size_t k = 0; k < RP_WP_C_N; k++)
			room += val_room(p->comments[i].f[k]);
	for (size_t i = 0; i < p->nterms; i++)
		room += val_room(p->terms[i]->taxonomy) + val_room(p->terms[i]->name);
	if (p->author)
		room += val_room(p->author->display_name);
	room += (p->link ? strlen(p->link) + 1 : 0) + (p->attachment_url ? strlen(p->attachment_url) + 1 : 0) +
	        (p->attached_file ? strlen(p->attached_file) + 1 : 0);
	head = sizeof *j + nmeta * sizeof *m + p->ncomments * sizeof *c + p->nterms * (sizeof *t + sizeof *tp);
	if (!(j = rp_calloc(1, head + room)))
		return NULL;
	j->bytes = head + room;
	m = (rp_wp_meta *)(j + 1);
	c = (rp_wp_comment *)(m + nmeta);
	t = (rp_wp_term *)(c + p->ncomments);
	tp = (const rp_wp_term **)(t + p->nterms);
	at = (char *)(tp + p->nterms);
	j->p.id = p->id;
	for (size_t i = 0; i < RP_WP_P_N; i++)
		j->p.f[i] = val_copy(&at, p->f[i]);
	for (size_t i = 0; i < nmeta; i++) {
		m[i].id = p->meta[i].id;
		m[i].key = val_copy(&at, p->meta[i].key);
		m[i].value = val_copy(&at, p->meta[i].value);
	}
	j->p.meta = m;
	j->p.nmeta = nmeta;
	for (size_t i = 0; i < p->ncomments; i++)
		for (size_t k = 0; k < RP_WP_C_N; k++)
			c[i].f[k] = val_copy(&at, p->comments[i].f[k]);
	j->p.comments = c;
	j->p.ncomments = p->ncomments;
	for (size_t i = 0; i < p->nterms; i++) {
		t[i].taxonomy = val_copy(&at, p->terms[i]->taxonomy);
		t[i].name = val_copy(&at, p->terms[i]->name);
		tp[i] = &t[i];
	}
	j->p.terms = tp;
	j->p.nterms = p->nterms;
	if (p->author) {
		j->author.id = p->author->id;
		j->author.display_name = val_copy(&at, p->author->display_name);
		j->p.author = &j->author;
	}
	j->p.link = str_copy(&at, p->link ? p->link : "");
	j->p.attachment_url = str_copy(&at, p->attachment_url);
	j->p.attached_file = str_copy(&at, p->attached_file);
	return j;
}

static void job_free(job *j)
{
	if (j) {
		free(j->text);
		free(j);
	}
}

/* Records the worker's first error for the reader's thread. */
static void worker_failed(rp_friendly *f)
{
	pthread_mutex_lock(&f->mu);
	if (!f->wfailed) {
		f->wfailed = true;
		f->werr_kind = rp_error_kind() == RP_E_NONE ? RP_E_INTERNAL : rp_error_kind();
		f->werr_msg = rp_strdup(rp_error_message());
	}
	pthread_cond_broadcast(&f->space);
	pthread_mutex_unlock(&f->mu);
}

static void *worker_main(void *arg)
{
	rp_friendly *f = arg;

	for (;;) {
		job *j;
		pthread_mutex_lock(&f->mu);
		while (!f->head && !f->closing && !f->stop)
			pthread_cond_wait(&f->ready, &f->mu);
		j = f->stop ? NULL : f->head;
		if (!j) {
			/* stopped, or closing with nothing left */
			pthread_mutex_unlock(&f->mu);
			break;
		}
		f->head = j->next;
		if (!f->head)
			f->tail = NULL;
		pthread_mutex_unlock(&f->mu);
		if (!f->wfailed && write_post(f, j) < 0)
			worker_failed(f);
		pthread_mutex_lock(&f->mu);
		f->queued -= j->bytes;
		pthread_cond_broadcast(&f->space);
		pthread_mutex_unlock(&f->mu);
		job_free(j);
	}
	return NULL;
}

/* Hands the job over, waiting while the queue holds its budget. */
static int enqueue(rp_friendly *f, job *j)
{
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	while (!f->wfailed && f->head && f->queued + j->bytes > RP_FRIENDLY_QUEUE)
		pthread_cond_wait(&f->space, &f->mu);
	if (f->wfailed) {
		rc = rp_error_set(f->werr_kind, "%s", f->werr_msg ? f->werr_msg : "out of memory");
	} else {
		j->next = NULL;
		if (f->tail)
			f->tail->next = j;
		else
			f->head = j;
		f->tail = j;
		f->queued += j->bytes;
		pthread_cond_signal(&f->ready);
		j = NULL;
	}
	pthread_mutex_unlock(&f->mu);
	job_free(j);
	return rc;
}

/* The job of the previous post, once every consumer had it: its text,
 * when one of them had it computed, goes along. */
static int flush_pending(rp_friendly *f)
{
	job *j = f->pending;
	const char *text;
	size_t len;

	if (!j)
		return 0;
	f->pending = NULL;
	if (f->o.hooks.post_text_ready && f->o.hooks.post_text_ready(f->o.hooks.ctx, j->p.id, &text, &len) > 0) {
		if (!(j->text = rp_malloc(len + 1))) {
			job_free(j);
			return -1;
		}
		memcpy(j->text, text, len);
		j->text[len] = '\0';
		j->text_len = len;
	}
	return enqueue(f, j);
}

static int fr_post(void *ctx, const rp_wp_post *p)
{
	rp_friendly *f = ctx;
	rp_value t = p->f[RP_WP_P_TYPE];
	bool attachment = is(t, "attachment");
	job *j;

	if (flush_pending(f) < 0)
		return -1;
	if (!(j = job_new(p, attachment || !(is(t, "post") || is(t, "page")))))
		return -1;
	if (attachment && f->o.hooks.post_file &&
	    (j->found = f->o.hooks.post_file(f->o.hooks.ctx, p, &j->media, &j->entry)) < 0) {
		job_free(j);
		return -1;
	}
	f->pending = j;
	return 0;
}

/* Stops the worker: at once (stop) or once the queue is written. */
static void worker_join(rp_friendly *f, bool stop)
{
	if (!f->started)
		return;
	pthread_mutex_lock(&f->mu);
	f->closing = true;
	f->stop = stop;
	pthread_cond_broadcast(&f->ready);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->thread, NULL);
	f->started = false;
	while (f->head) {
		job *j = f->head;
		f->head = j->next;
		job_free(j);
	}
	f->tail = NULL;
}

static int cmp_file(const void *a, const void *b)
{
	const rp_friendly_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static int fr_end(void *ctx)
{
	rp_friendly *f = ctx;
	int rc = flush_pending(f);

	worker_join(f, rc < 0);
	if (rc < 0)
		return -1;
	if (f->wfailed)
		return rp_error_set(f->werr_kind, "%s", f->werr_msg ? f->werr_msg : "out of memory");
	if (commit(f, F_POSTS, &f->sink[F_POSTS]) < 0 || commit(f, F_COMMENTS, &f->sink[F_COMMENTS]) < 0)
		return -1;
	for (size_t i = 0; i < f->ntypes; i++)
		if (f->types[i].sink && commit(f, f->types[i].file, &f->types[i].sink) < 0)
			return -1;
	/* the type files by name (their sinks are all committed) */
	qsort(f->files + F_FIXED, f->nfiles - F_FIXED, sizeof *f->files, cmp_file);
	if (fflush(f->spool) != 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot write the scratch file of %s", f->files[F_MEDIA].path);
	return 0;
}

rp_wp_consumer rp_friendly_consumer(rp_friendly *f)
{
	rp_wp_consumer c = { fr_begin, fr_post, fr_end, f };
	return c;
}

/* ---------------------------------------------------------------- users */

static int role_key(void *ctx, const rp_php_item *it)
{
	rp_friendly *f = ctx;
	const label *l;

	if (it->depth != 1)
		return 0;
	if (it->key) {
		rp_buf_clear(&f->text);
		return it->kind == RP_PHP_STRING ? rp_buf_put(&f->text, it->text, it->len) : 0;
	}
	/* a role WordPress grants: true (or a truthy value) */
	if (!f->text.data || !((it->kind == RP_PHP_BOOL && it->num) || (it->kind == RP_PHP_INT && it->num) ||
	                       (it->kind == RP_PHP_STRING && it->len && !(it->len == 1 && it->text[0] == '0'))))
		return 0;
	if (f->field.len && rp_buf_puts(&f->field, ", ") < 0)
		return -1;
	l = WORD(roles, f->text.data, f->text.len);
	return l ? rp_buf_puts(&f->field, rp_tr(f->o.lang, l->fr, l->en)) : rp_buf_put(&f->field, f->text.data, f->text.len);
}

static int user_row(void *ctx, const rp_value *v, size_t n)
{
	rp_friendly *f = ctx;
	rp_friendly_file *file = &f->files[F_USERS];
	rp_value caps = v[RP_WP_U_CAPABILITIES];

	if (n != RP_WP_U_N)
		return rp_error_set(RP_E_INTERNAL, "users query: %zu columns", n);
	row_clear(&f->row);
	put_id(f, file, &f->row, v[RP_WP_U_ID]);
	put_value(f, file, &f->row, v[RP_WP_U_LOGIN]);
	put_value(f, file, &f->row, v[RP_WP_U_DISPLAY_NAME]);
	put_value(f, file, &f->row, v[RP_WP_U_FIRST_NAME]);
	put_value(f, file, &f->row, v[RP_WP_U_LAST_NAME]);
	put_value(f, file, &f->row, v[RP_WP_U_NICKNAME]);
	put_value(f, file, &f->row, v[RP_WP_U_EMAIL]);
	put_value(f, file, &f->row, v[RP_WP_U_URL]);
	put_value(f, file, &f->row, v[RP_WP_U_REGISTERED]);
	rp_buf_clear(&f->field);
	rp_buf_clear(&f->text);
	if (caps.data && rp_php_walk(caps.data, caps.len, role_key, f) == -1) {
		/* not a serialized array: shown as stored */
		rp_buf_clear(&f->field);
		if (rp_buf_put(&f->field, caps.data, caps.len) < 0)
			return -1;
	}
	put_cell(f, file, &f->row, f->field.data, f->field.len, true);
	put_value(f, file, &f->row, v[RP_WP_U_DESCRIPTION]);
	if (f->rc < 0)
		return rp_error_nomem();
	return end_row(f, file, f->sink[F_USERS]);
}

int rp_friendly_users(rp_friendly *f, rp_source *src)
{
	if (rp_wp_read_users(src, f->site, user_row, f) < 0)
		return -1;
	return commit(f, F_USERS, &f->sink[F_USERS]);
}

/* ---------------------------------------------------------------- media */

/* The package path, presence, size and SHA-256 of an attachment's file. */
static void file_cells(rp_friendly *f, rp_friendly_file *file, const rp_media_entry *e)
{
	char hex[RP_SHA256_HEXLEN + 1];
	bool here = e && e->exported && !e->skipped;

	put_str(f, file, &f->row, here ? e->pkg : "");
	put_yes(f, file, &f->row, here);
	if (here) {
		put_u64(f, file, &f->row, e->bytes);
		rp_hex_encode(hex, e->sha256, RP_SHA256_LEN);
		hex[RP_SHA256_HEXLEN] = '\0';
		put_str(f, file, &f->row, hex);
	} else {
		put_str(f, file, &f->row, "");
		put_str(f, file, &f->row, "");
	}
}

/* Reads n bytes of the spool onto the end of b. */
static int spool_read(rp_friendly *f, rp_buf *b, size_t n)
{
	if (rp_buf_grow(b, n) < 0)
		return -1;
	if (fread(b->data + b->len, 1, n, f->spool) != n)
		return rp_error_set(RP_E_IO, "the scratch file of %s ends early", f->files[F_MEDIA].path);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int rp_friendly_write_media(rp_friendly *f, rp_package *pkg, rp_media *const *media, size_t nmedia)
{
	rp_friendly_file *file = &f->files[F_MEDIA];
	rp_sink *sink = NULL;
	spool_head h;
	uint64_t spooled = file->rows;
	int rc = -1;

	(void)pkg;
	if (open_file(f, F_MEDIA, &sink) < 0 || header(f, F_MEDIA, sink, media_cols, NCOLS(media_cols)) < 0 ||
	    write_header_row(f, F_MEDIA, sink) < 0)
		goto out;
	if (fseek(f->spool, 0, SEEK_SET) != 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot read the scratch file of %s", file->path);
		goto out;
	}
	file->rows = 0;
	while (fread(&h, sizeof h, 1, f->spool) == 1) {
		const rp_media_entry *e = NULL;
		row_clear(&f->row);
		if (spool_read(f, &f->row.b, h.early) < 0)
			goto out;
		f->row.cells = MEDIA_EARLY;
		if (h.found && h.media < nmedia) {
			size_t n;
			const rp_media_entry *all = rp_media_entries(media[h.media], &n);
			if (h.entry < n)
				e = &all[h.entry];
		}
		file_cells(f, file, e);
		if (f->rc < 0 || rp_buf_putc(&f->row.b, f->cells.sep) < 0 || spool_read(f, &f->row.b, h.late) < 0 ||
		    end_row(f, file, sink) < 0)
			goto out;
	}
	if (ferror(f->spool)) {
		rp_error_set_errno(RP_E_IO, errno, "cannot read the scratch file of %s", file->path);
		goto out;
	}
	if (file->rows != spooled) {
		rp_error_set(RP_E_INTERNAL, "%s: %llu rows read back of %llu", file->path, (unsigned long long)file->rows,
		             (unsigned long long)spooled);
		goto out;
	}
	rc = commit(f, F_MEDIA, &sink);
out:
	rp_sink_abort(sink);
	return rc;
}

const char *rp_friendly_media_relpath(const rp_friendly *f)
{
	return f->files[F_MEDIA].path + 5;
}

/* ------------------------------------------------------------ open, free */

/* An unnamed file in the package's temporary folder (same disk as the
 * package; nothing is left behind if revpack stops). */
static int open_spool(rp_friendly *f)
{
	int dirfd = rp_package_root_fd(f->pkg), fd;

	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* a file system without O_TMPFILE: a name, removed at once */
		char name[64];
		snprintf(name, sizeof name, ".friendly-%ld-%p.rp-tmp", (long)getpid(), (void *)f);
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0 && unlinkat(dirfd, name, 0) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			fd = -1;
		}
	}
	if (fd < 0 || !(f->spool = fdopen(fd, "w+b"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return rp_error_set_errno(RP_E_IO, e, "cannot make a scratch file for %s in %s", f->files[F_MEDIA].path,
		                          rp_package_root_path(f->pkg));
	}
	return 0;
}

int rp_friendly_open(rp_friendly **out, rp_package *pkg, const char *dir, rp_source *src, const rp_wp_site *site,
                     const rp_friendly_opts *o)
{
	static const struct {
		const char *stem;
		rp_friendly_kind kind;
		const label *cols;
		size_t ncols;
	} fixed[F_FIXED] = {
		{ "posts", RP_FRIENDLY_POSTS, posts_cols, NCOLS(posts_cols) },
		{ "comments", RP_FRIENDLY_COMMENTS, comments_cols, NCOLS(comments_cols) },
		{ "users", RP_FRIENDLY_USERS, users_cols, NCOLS(users_cols) },
		{ "media", RP_FRIENDLY_MEDIA, media_cols, NCOLS(media_cols) },
	};
	rp_friendly *f = rp_calloc(1, sizeof *f);

	*out = NULL;
	if (!f)
		return -1;
	f->pkg = pkg;
	f->o = *o;
	f->site = site;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->ready, NULL);
	pthread_cond_init(&f->space, NULL);
	/* libxml2 is set up on this thread before the worker parses HTML */
	xmlInitParser();
	rp_friendly_cells_init(&f->cells, o->dialect, o->lang);
	if (!(f->dir = rp_strdup(dir)))
		goto fail;
	for (size_t i = 0; i < F_FIXED; i++) {
		size_t fi;
		if (add_file(f, fixed[i].kind, fixed[i].stem, &fi) < 0)
			goto fail;
		f->files[fi].columns = fixed[i].ncols;
		if (i == F_MEDIA)
			continue;
		if (open_file(f, fi, &f->sink[fi]) < 0 || header(f, fi, f->sink[fi], fixed[i].cols, fixed[i].ncols) < 0 ||
		    write_header_row(f, fi, f->sink[fi]) < 0)
			goto fail;
	}
	if (rp_wp_type_meta_keys(src, site, type_key, f) < 0 || open_spool(f) < 0)
		goto fail;
	*out = f;
	return 0;
fail:
	rp_friendly_free(f);
	return -1;
}

const rp_friendly_file *rp_friendly_files(const rp_friendly *f, size_t *n)
{
	*n = f ? f->nfiles : 0;
	return f ? f->files : NULL;
}

void rp_friendly_free(rp_friendly *f)
{
	if (!f)
		return;
	worker_join(f, true);
	job_free(f->pending);
	free(f->werr_msg);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->ready);
	pthread_cond_destroy(&f->space);
	for (size_t i = 0; i < F_FIXED; i++)
		rp_sink_abort(f->sink[i]);
	for (size_t i = 0; i < f->ntypes; i++) {
		ptype *t = &f->types[i];
		rp_sink_abort(t->sink);
		for (size_t k = 0; k < t->nkeys; k++)
			free(t->keys[k]);
		free(t->keys);
		free(t->klen);
		free(t->sorted);
		free(t->name);
	}
	free(f->types);
	for (size_t i = 0; i < f->nfiles; i++) {
		free(f->files[i].path);
		free(f->files[i].post_type);
	}
	free(f->files);
	if (f->spool)
		fclose(f->spool);
	for (size_t i = 0; i < f->nvals; i++)
		rp_buf_free(&f->vals[i]);
	free(f->vals);
	free(f->nv);
	rp_name_set_free(&f->names);
	rp_friendly_cells_free(&f->cells);
	rp_buf_free(&f->row.b);
	rp_buf_free(&f->early.b);
	rp_buf_free(&f->text);
	rp_buf_free(&f->field);
	rp_buf_free(&f->other);
	free(f->dir);
	free(f);
}
