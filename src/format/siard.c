/*
 * The SIARD 2.2 writer (formats/siard.md): data/database/<name>/<name>.siard.
 *
 * Rows are pushed by the export loop while libzip pulls data only when an
 * archive is closed, so every tableN.xml is staged as a plain file (own XML
 * escaping into a reused buffer, 256 KiB buffered writes) in
 * data/database/<name>/.siard-staging/, with the table's large objects
 * appended to one staged file per key range. tableN.xsd is written when the
 * table ends (the XML type of a column depends on every value seen),
 * metadata.xml at the end. A thread of its own builds the archive from the
 * staged files while the tables are exported, in libzip sessions
 * (zip_main): a table still being written is followed as its staged file
 * grows. The archive is adopted by the package and the staging folder
 * removed. Memory stays flat: one row, one buffer, and a few bytes per
 * table, column and LOB.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/ordered.h"
#include "revpack/siard.h"
#include "revpack/text.h"
#include "revpack/timeutil.h"
#include "revpack/writer.h"
#include "revpack/zip.h"
#include "revpack/ziprange.h"

#define STAGE_BUFSIZE (256u * 1024u)
#define STAGE_DIRECT_MIN (64u * 1024u)   /* writes this large are not copied into the buffer */
#define FOLLOW_MIN ((uint64_t)16 << 20)   /* a table not yet written is followed from this size */
#define FOLLOW_STEP ((uint64_t)4 << 20)   /* and told about its growth this often */
#define STAGING_DIR ".siard-staging"

/* ---- staged files ---- */

typedef struct stage {
	int fd;
	char *display;   /* path in the package, for messages */
	size_t len;
	unsigned char *buf;
	uint64_t bytes;
	int err;
	/* a table's XML, read by the archive thread as it grows: *on_file
	 * (guarded by *mu) is what the file holds, updated every FOLLOW_STEP
	 * bytes and when the table is written, and *cv is signalled */
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	uint64_t *on_file;
	uint64_t flushed, told;
} stage;

static int stage_fail(stage *s, int e, const char *what)
{
	s->err = e ? e : -1;
	if (e == ENOSPC || e == EDQUOT)
		return rp_error_set(RP_E_IO, "disk full while writing %s", s->display);
	return rp_error_set_errno(RP_E_IO, e, "cannot %s %s", what, s->display);
}

static int stage_open(stage *s, int dirfd, const char *name, const char *display)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (!(s->display = rp_strdup(display)) || !(s->buf = rp_malloc(STAGE_BUFSIZE)))
		return -1;
	s->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->fd < 0)
		return stage_fail(s, errno, "create");
	return 0;
}

/* Writes n bytes to the staged file (and tells a follower). */
static int stage_put(stage *s, const unsigned char *p, size_t n)
{
	size_t total = n;

	while (n) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return stage_fail(s, errno, "write");
		}
		p += w;
		n -= (size_t)w;
	}
	s->flushed += total;
	/* every FOLLOW_STEP bytes, not every write: the archive thread, when
	 * it has caught up, wakes for a few MiB at a time */
	if (s->on_file && s->flushed - s->told >= FOLLOW_STEP) {
		pthread_mutex_lock(s->mu);
		*s->on_file = s->flushed;
		pthread_cond_broadcast(s->cv);
		pthread_mutex_unlock(s->mu);
		s->told = s->flushed;
	}
	return 0;
}

static int stage_flush(stage *s)
{
	size_t n = s->len;

	s->len = 0;
	return stage_put(s, s->buf, n);
}

static int stage_write(stage *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (s->err)
		return rp_error_set(RP_E_IO, "earlier write to %s failed", s->display);
	s->bytes += n;
	/* a large write into an empty buffer goes straight to the file */
	if (s->len == 0 && n >= STAGE_DIRECT_MIN)
		return stage_put(s, p, n);
	while (n) {
		size_t room = STAGE_BUFSIZE - s->len, k = n < room ? n : room;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
		if (s->len == STAGE_BUFSIZE && stage_flush(s) < 0)
			return -1;
	}
	return 0;
}

static int stage_puts(stage *s, const char *str)
{
	return stage_write(s, str, strlen(str));
}

static int stage_close(stage *s)
{
	int rc = 0;

	if (s->fd >= 0) {
		if (!s->err && stage_flush(s) < 0)
			rc = -1;
		if (close(s->fd) < 0 && rc == 0)
			rc = stage_fail(s, errno, "close");
		s->fd = -1;
	}
	if (s->err && rc == 0)
		rc = rp_error_set(RP_E_IO, "earlier write to %s failed", s->display);
	free(s->buf);
	free(s->display);
	s->buf = NULL;
	s->display = NULL;
	return rc;
}

/* Closes without writing what is buffered and without recording an error
 * (free() runs after a failure whose message must stay). */
static void stage_discard(stage *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	free(s->display);
	s->buf = NULL;
	s->display = NULL;
}

/* ---- state ---- */

/* A large object, staged in the LOB file of the key range that read it,
 * named in the archive by its SHA-256 (the name does not depend on how the
 * table was split into ranges; equal values of a column share one file). */
typedef struct lob_ref {
	uint8_t sha[RP_SHA256_LEN];
	uint64_t off;
	uint64_t len;
	uint32_t col;    /* 1-based */
	uint32_t chunk;  /* the range whose staged file holds it */
	bool text;       /* .txt (CLOB, well-formed UTF-8) or .bin */
} lob_ref;

/* What the values of a column showed. */
typedef struct col_seen {
	bool string_seen;   /* a value had no typed form: the column is xs:string */
	bool null_seen;
	uint64_t max_chars;
} col_seen;

typedef struct col_state {
	rp_siard_coltype ct;
	col_seen seen;      /* over every range */
	char sqltype[64];   /* final, set at the end of the table */
	const char *xstype;
} col_state;

/* Everything about one table; tables, and the key ranges of a table, may
 * be written by several threads at once, each range by one. */
typedef struct tab_state {
	struct siard_writer *w;
	rp_table *t;
	size_t schema_no, table_no;
	uint64_t rows;
	col_state *cols;
	lob_ref *lobs;      /* of every range that ended */
	size_t nlobs, caplobs;
	bool begun;         /* table_begin done: the staged XML exists */
	bool written;       /* table_end done: XML, XSD and large objects staged */
	bool left_out;      /* no columns: SIARD has no such table (set before the archive thread starts) */
	uint64_t xml_on_file; /* bytes of the staged XML on file */
	stage xml;          /* staged tableN.xml */
	rp_ordered *ranges; /* the ranges' rows, in key order, into xml */
	char min_date[11], max_date[11];
} tab_state;

/* One key range of a table. */
typedef struct chunk_state {
	tab_state *ts;
	size_t k;
	rp_section *sec;
	rp_out out;         /* the range's rows */
	uint64_t rows;
	col_seen *seen;
	lob_ref *lobs;
	size_t nlobs, caplobs;
	stage lob;          /* staged large objects */
	bool lob_open;
	rp_buf cell;
	rp_sha256 sha;
	bool sha_ready;
	char min_date[11], max_date[11];
} chunk_state;

typedef struct siard_writer {
	rp_writer base;
	const char *kind;
	char *rel_dir;        /* database/<name> (relative to data/) */
	char *staging_abs;    /* <root>/data/database/<name>/.siard-staging */
	char *siard_rel;      /* database/<name>/<name>.siard */
	char *siard_abs;
	int staging_fd;
	char **schemas;
	size_t nschemas;
	tab_state *tabs;
	size_t ntabs;
	rp_buf scratch;
	uint64_t lob_max;
	uint64_t follow_min;  /* FOLLOW_MIN, or the test hook's */
	time_t when;
	char min_date[11], max_date[11];
	pthread_mutex_t mu;   /* guards the tables' totals as ranges end, and what follows */
	pthread_cond_t cv;    /* a table began, grew or was written; metadata; abort */
	/* the archive, written by its own thread while the tables are (see
	 * zip_main) */
	rp_zip_archive *arc;
	pthread_t zip_thread;
	bool zip_started, zip_joined;
	bool meta_ready;      /* metadata.xml staged */
	bool abort;           /* the export failed: the archive thread gives up */
	int zip_rc;
	rp_errkind zip_kind;
	char *zip_msg;        /* its error, for the thread that reports it */
	rp_file_info zip_info;
} siard_writer;

/* ---- helpers ---- */

static int xput(stage *s, rp_buf *scratch, const char *text)
{
	rp_buf_clear(scratch);
	if (rp_siard_escape(scratch, text, strlen(text), NULL) < 0)
		return -1;
	return stage_write(s, scratch->data, scratch->len);
}

static const char spaces[] = "                                ";

static int indent_tag(stage *s, int indent, const char *pre, const char *tag, const char *post)
{
	return stage_write(s, spaces, (size_t)indent) < 0 || stage_puts(s, pre) < 0 || stage_puts(s, tag) < 0 ||
	       stage_puts(s, post) < 0 ? -1 : 0;
}

/* <tag>escaped text</tag> on its own line, indented. */
static int elem(siard_writer *w, stage *s, int indent, const char *tag, const char *text)
{
	if (!text)
		return 0;
	if (indent_tag(s, indent, "<", tag, ">") < 0 || xput(s, &w->scratch, text) < 0)
		return -1;
	return indent_tag(s, 0, "</", tag, ">\n");
}

static int open_tag(stage *s, int indent, const char *tag)
{
	return indent_tag(s, indent, "<", tag, ">\n");
}

static int close_tag(stage *s, int indent, const char *tag)
{
	return indent_tag(s, indent, "</", tag, ">\n");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_schema(siard_writer *w, const char *name)
{
	char **n;

	for (size_t i = 0; i < w->nschemas; i++)
		if (strcmp(w->schemas[i], name) == 0)
			return 0;
	n = rp_realloc(w->schemas, (w->nschemas + 1) * sizeof *n);
	if (!n)
		return -1;
	w->schemas = n;
	if (!(n[w->nschemas] = rp_strdup(name)))
		return -1;
	w->nschemas++;
	return 0;
}

static size_t schema_index(const siard_writer *w, const char *name)
{
	for (size_t i = 0; name && i < w->nschemas; i++)
		if (strcmp(w->schemas[i], name) == 0)
			return i;
	return 0;
}

static bool is_pg(const siard_writer *w)
{
	return strcmp(w->kind, "pgsql") == 0;
}

/* ---- begin ---- */

static int start_zip(siard_writer *w);
static int zip_failure(siard_writer *w);

static int sw_begin(rp_writer *base)
{
	siard_writer *w = (siard_writer *)base;
	rp_writer_env *env = base->env;
	rp_schema *sc = env->schema;
	const char *hook = getenv("REVPACK_TEST_SIARD_LOB_INLINE_MAX"),
		   *follow_hook = getenv("REVPACK_TEST_SIARD_FOLLOW_MIN");
	rp_buf p = RP_BUF_INIT;
	int rc = -1;

	w->kind = env->src->ops->kind;
	w->lob_max = hook && *hook ? strtoull(hook, NULL, 10) : RP_SIARD_LOB_INLINE_MAX;
	w->follow_min = follow_hook && *follow_hook ? strtoull(follow_hook, NULL, 10) : FOLLOW_MIN;
	w->when = env->src->info.snapshot_started ? (time_t)env->src->info.snapshot_started : time(NULL);
	/* Schemas: MySQL has one, the database; PostgreSQL its own, by name. */
	if (is_pg(w)) {
		for (size_t i = 0; i < sc->ntables; i++)
			if (sc->tables[i].schema && add_schema(w, sc->tables[i].schema) < 0)
				goto out;
		for (size_t i = 0; i < sc->nobjects; i++) {
			const rp_object *o = &sc->objects[i];
			const char *name = o->kind == RP_OBJ_SCHEMA ? o->name : NULL;
			if ((o->kind == RP_OBJ_VIEW || o->kind == RP_OBJ_MATVIEW || o->kind == RP_OBJ_FUNCTION ||
			     o->kind == RP_OBJ_PROCEDURE) && o->schema)
				name = o->schema;
			if (name && add_schema(w, name) < 0)
				goto out;
		}
		qsort(w->schemas, w->nschemas, sizeof *w->schemas, cmp_str);
	}
	if (w->nschemas == 0) {
		const char *db = env->src->info.database ? env->src->info.database : env->src->name;
		if (add_schema(w, is_pg(w) ? "public" : db) < 0)
			goto out;
	}

	w->ntabs = sc->ntables;
	if (w->ntabs && !(w->tabs = rp_calloc(w->ntabs, sizeof *w->tabs)))
		goto out;
	{
		size_t *count = rp_calloc(w->nschemas, sizeof *count);
		if (!count)
			goto out;
		for (size_t i = 0; i < w->ntabs; i++) {
			tab_state *ts = &w->tabs[i];
			ts->xml.fd = -1;
			ts->w = w;
			ts->t = &sc->tables[i];
			ts->schema_no = is_pg(w) ? schema_index(w, ts->t->schema) : 0;
			/* a table needs a column in SIARD (the source warns of it;
			 * dump.sql and the CSV keep its rows) */
			ts->left_out = ts->t->ncols == 0;
			if (!ts->left_out)
				ts->table_no = count[ts->schema_no]++;
		}
		free(count);
	}

	if (!(w->rel_dir = rp_strdup(env->dir)) ||
	    !(w->siard_rel = rp_sprintf("%s/%s.siard", env->dir, env->src->name)) ||
	    !(w->siard_abs = rp_sprintf("%s/data/%s", rp_package_root_path(env->pkg), w->siard_rel)) ||
	    !(w->staging_abs = rp_sprintf("%s/data/%s/" STAGING_DIR, rp_package_root_path(env->pkg), env->dir)))
		goto out;
	if (rp_buf_printf(&p, "%s/" STAGING_DIR, env->dir) < 0 || rp_package_mkdirs(env->pkg, p.data) < 0)
		goto out;
	w->staging_fd = open(w->staging_abs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->staging_fd < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot open data/%s", p.data);
		goto out;
	}
	rc = start_zip(w);
out:
	rp_buf_free(&p);
	return rc;
}

/* ---- rows ---- */

static void tab_release(tab_state *ts)
{
	rp_ordered_free(ts->ranges);
	ts->ranges = NULL;
	stage_discard(&ts->xml);
}

static int xml_out(void *ctx, const void *data, size_t n)
{
	return stage_write(ctx, data, n);
}

static int sw_table_begin(rp_writer *base, rp_table *t, void **tctx)
{
	siard_writer *w = (siard_writer *)base;
	tab_state *ts;
	char name[48], disp[512], head[512];
	size_t idx = (size_t)(t - base->env->schema->tables);
	rp_out out;

	*tctx = NULL;
	if (idx >= w->ntabs)
		return rp_error_set(RP_E_INTERNAL, "SIARD writer: table %s is not in the schema", t->display);
	ts = &w->tabs[idx];
	*tctx = ts;
	if (ts->left_out)
		return 0;
	if (!(ts->cols = rp_calloc(t->ncols ? t->ncols : 1, sizeof *ts->cols)))
		return -1;
	for (size_t i = 0; i < t->ncols; i++)
		rp_siard_column_type(w->kind, &t->cols[i], &ts->cols[i].ct);
	snprintf(name, sizeof name, "t%zu.xml", idx);
	snprintf(disp, sizeof disp, "data/%s/" STAGING_DIR "/%s (table %s)", w->rel_dir, name, t->display);
	if (stage_open(&ts->xml, w->staging_fd, name, disp) < 0)
		return -1;
	ts->xml.mu = &w->mu;
	ts->xml.cv = &w->cv;
	ts->xml.on_file = &ts->xml_on_file;
	pthread_mutex_lock(&w->mu);
	ts->begun = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	snprintf(head, sizeof head,
	         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<table xmlns=\"" RP_SIARD_TABLE_NS "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	         "xsi:schemaLocation=\"" RP_SIARD_TABLE_NS " table%zu.xsd\" version=\"" RP_SIARD_VERSION "\">\n",
	         ts->table_no);
	if (stage_puts(&ts->xml, head) < 0)
		return -1;
	out.write = xml_out;
	out.ctx = &ts->xml;
	/* from the package root, so that messages name it in full */
	snprintf(disp, sizeof disp, "data/%s/" STAGING_DIR "/t%zu.ranges", w->rel_dir, idx);
	return rp_ordered_new(&ts->ranges, out, rp_package_root_fd(base->env->pkg), disp, t->nchunks ? t->nchunks : 1);
}

static void chunk_free(tab_state *ts, chunk_state *cs)
{
	if (!cs)
		return;
	if (cs->sec)
		rp_ordered_abort(ts->ranges, cs->sec);
	if (cs->lob_open)
		stage_discard(&cs->lob);
	rp_buf_free(&cs->cell);
	if (cs->sha_ready)
		rp_sha256_free(&cs->sha);
	free(cs->seen);
	free(cs->lobs);
	free(cs);
}

static int sw_chunk_begin(rp_writer *base, void *tctx, rp_table *t, size_t k, void **cctx)
{
	tab_state *ts = tctx;
	chunk_state *cs = rp_calloc(1, sizeof *cs);

	(void)base;
	*cctx = NULL;
	if (ts->left_out) {
		free(cs);
		return 0;
	}
	if (!cs)
		return -1;
	cs->ts = ts;
	cs->k = k;
	cs->lob.fd = -1;
	if (!(cs->seen = rp_calloc(t->ncols ? t->ncols : 1, sizeof *cs->seen)) || rp_sha256_init(&cs->sha) < 0)
		goto fail;
	cs->sha_ready = true;
	if (rp_ordered_begin(ts->ranges, k, &cs->sec, &cs->out) < 0)
		goto fail;
	*cctx = cs;
	return 0;
fail:
	chunk_free(ts, cs);
	return -1;
}

static int lob_add(siard_writer *w, chunk_state *cs, uint32_t col, const rp_value *v, bool text, lob_ref **out)
{
	tab_state *ts = cs->ts;
	lob_ref *l;

	if (!cs->lob_open) {
		char name[64], disp[512];
		snprintf(name, sizeof name, "t%zu.c%zu.lob", (size_t)(ts - w->tabs), cs->k);
		snprintf(disp, sizeof disp, "data/%s/" STAGING_DIR "/%s (large objects of table %s)", w->rel_dir,
		         name, ts->t->display);
		if (stage_open(&cs->lob, w->staging_fd, name, disp) < 0) {
			stage_discard(&cs->lob);
			return -1;
		}
		cs->lob_open = true;
	}
	if (cs->nlobs == cs->caplobs) {
		size_t cap = cs->caplobs ? cs->caplobs * 2 : 16;
		l = rp_realloc(cs->lobs, cap * sizeof *l);
		if (!l)
			return -1;
		cs->lobs = l;
		cs->caplobs = cap;
	}
	l = &cs->lobs[cs->nlobs++];
	memset(l, 0, sizeof *l);
	l->off = cs->lob.bytes;
	l->len = v->len;
	l->col = col;
	l->chunk = (uint32_t)cs->k;
	l->text = text;
	*out = l;
	return stage_write(&cs->lob, v->data, v->len);
}

static void note_date(char min[11], char max[11], const char *v)
{
	if (!min[0] || memcmp(v, min, 10) < 0)
		memcpy(min, v, 10);
	if (!max[0] || memcmp(v, max, 10) > 0)
		memcpy(max, v, 10);
}

/* The name of a large object's file inside the archive: lob_ and its
 * SHA-256 (a name starts with a letter, P_4.2-6). */
static void lob_entry(char *out, size_t len, const tab_state *ts, const lob_ref *l)
{
	char hex[RP_SHA256_HEXLEN + 1];

	rp_sha256_hex(l->sha, hex);
	snprintf(out, len, "content/schema%zu/table%zu/lob%u/lob_%s.%s", ts->schema_no, ts->table_no, l->col, hex,
	         l->text ? "txt" : "bin");
}

static int write_lob_cell(siard_writer *w, chunk_state *cs, size_t i, const rp_value *v)
{
	tab_state *ts = cs->ts;
	bool text = !ts->cols[i].ct.binary_lob && rp_utf8_valid(v->data, v->len);
	char entry[256], tag[512], hex[RP_SHA256_HEXLEN + 1];
	lob_ref *l;

	if (lob_add(w, cs, (uint32_t)(i + 1), v, text, &l) < 0)
		return -1;
	if (rp_sha256_reset(&cs->sha) < 0 || rp_sha256_update(&cs->sha, v->data, v->len) < 0 ||
	    rp_sha256_final(&cs->sha, l->sha) < 0)
		return -1;
	lob_entry(entry, sizeof entry, ts, l);
	rp_sha256_hex(l->sha, hex);
	snprintf(tag, sizeof tag, "<c%zu file=\"%s\" length=\"%llu\" digestType=\"SHA-256\" digest=\"%s\"/>", i + 1,
	         entry, (unsigned long long)(text ? rp_utf8_count(v->data, v->len) : v->len), hex);
	return rp_out_write(&cs->out, tag, strlen(tag));
}

/* <cN> or </cN>, without printf on the per-cell path. */
static int put_cell_tag(rp_buf *b, bool closing, size_t col)
{
	char tag[32], digits[24];
	size_t nd = 0, o = 0;

	do {
		digits[nd++] = (char)('0' + col % 10);
		col /= 10;
	} while (col);
	tag[o++] = '<';
	if (closing)
		tag[o++] = '/';
	tag[o++] = 'c';
	while (nd)
		tag[o++] = digits[--nd];
	tag[o++] = '>';
	return rp_buf_put(b, tag, o);
}

static int sw_row(rp_writer *base, void *cctx, const rp_table *t, const rp_value *v, size_t n)
{
	siard_writer *w = (siard_writer *)base;
	chunk_state *cs = cctx;
	tab_state *ts;
	rp_buf *b;

	(void)t;
	if (!cs) /* a table left out */
		return 0;
	ts = cs->ts;
	b = &cs->cell;
	rp_buf_clear(b);
	if (rp_buf_puts(b, "<row>") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const rp_siard_coltype *ct = &ts->cols[i].ct;
		col_seen *seen = &cs->seen[i];
		uint64_t chars = 0;
		bool typed;

		if (!v[i].data) {
			seen->null_seen = true;
			continue;
		}
		if (ct->lob && v[i].len > w->lob_max) {
			if (rp_out_write(&cs->out, b->data, b->len) < 0)
				return -1;
			rp_buf_clear(b);
			if (write_lob_cell(w, cs, i, &v[i]) < 0)
				return -1;
			continue;
		}
		if (put_cell_tag(b, false, i + 1) < 0)
			return -1;
		if (rp_siard_encode(b, ct->family, v[i].data, v[i].len, &typed, &chars) < 0)
			return -1;
		if (!typed)
			seen->string_seen = true;
		else if (v[i].len >= 10 && (ct->family == RP_SIARD_DATE || ct->family == RP_SIARD_TIMESTAMP ||
		                            ct->family == RP_SIARD_TIMESTAMP_TZ))
			note_date(cs->min_date, cs->max_date, v[i].data);
		if (chars > seen->max_chars)
			seen->max_chars = chars;
		if (put_cell_tag(b, true, i + 1) < 0)
			return -1;
		/* Keep the buffer small: long values go out at once. */
		if (b->len >= STAGE_BUFSIZE) {
			if (rp_out_write(&cs->out, b->data, b->len) < 0)
				return -1;
			rp_buf_clear(b);
		}
	}
	if (rp_buf_puts(b, "</row>\n") < 0 || rp_out_write(&cs->out, b->data, b->len) < 0)
		return -1;
	cs->rows++;
	return 0;
}

/* Adds what the range saw to its table's totals. */
static int merge_chunk(siard_writer *w, chunk_state *cs)
{
	tab_state *ts = cs->ts;
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	ts->rows += cs->rows;
	for (size_t i = 0; i < ts->t->ncols; i++) {
		col_seen *to = &ts->cols[i].seen;
		to->string_seen |= cs->seen[i].string_seen;
		to->null_seen |= cs->seen[i].null_seen;
		if (cs->seen[i].max_chars > to->max_chars)
			to->max_chars = cs->seen[i].max_chars;
	}
	if (cs->min_date[0]) {
		note_date(ts->min_date, ts->max_date, cs->min_date);
		note_date(ts->min_date, ts->max_date, cs->max_date);
	}
	if (cs->nlobs) {
		size_t need = ts->nlobs + cs->nlobs;
		if (need > ts->caplobs) {
			lob_ref *l = rp_realloc(ts->lobs, need * sizeof *l);
			if (!l) {
				rc = -1;
				goto out;
			}
			ts->lobs = l;
			ts->caplobs = need;
		}
		memcpy(ts->lobs + ts->nlobs, cs->lobs, cs->nlobs * sizeof *cs->lobs);
		ts->nlobs = need;
	}
out:
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static int sw_chunk_end(rp_writer *base, void *tctx, void *cctx, rp_table *t)
{
	siard_writer *w = (siard_writer *)base;
	tab_state *ts = tctx;
	chunk_state *cs = cctx;
	int rc = 0;

	(void)t;
	if (!cs) /* a table left out */
		return 0;
	if (cs->lob_open) {
		cs->lob_open = false;
		rc = stage_close(&cs->lob);
	}
	if (rc == 0) {
		rc = rp_ordered_end(ts->ranges, cs->sec);
		cs->sec = NULL;
	}
	if (rc == 0)
		rc = merge_chunk(w, cs);
	chunk_free(ts, cs);
	return rc;
}

static void sw_chunk_abort(rp_writer *base, void *tctx, void *cctx)
{
	(void)base;
	chunk_free(tctx, cctx);
}

/* The final SQL:2008 and XML types of every column, now that every value
 * is known: a column with a value that has no typed form is a character
 * string; a CHAR/VARCHAR holding longer values than declared is widened. */
static void final_types(tab_state *ts)
{
	for (size_t i = 0; i < ts->t->ncols; i++) {
		col_state *cs = &ts->cols[i];
		snprintf(cs->sqltype, sizeof cs->sqltype, "%s", cs->ct.sqltype);
		cs->xstype = cs->ct.xstype;
		if (cs->seen.string_seen) {
			snprintf(cs->sqltype, sizeof cs->sqltype, "VARCHAR(%llu)",
			         (unsigned long long)(cs->seen.max_chars ? cs->seen.max_chars : 1));
			cs->xstype = "xs:string";
		} else if (cs->ct.maxchars > 0 && cs->seen.max_chars > (uint64_t)cs->ct.maxchars) {
			snprintf(cs->sqltype, sizeof cs->sqltype, "VARCHAR(%llu)", (unsigned long long)cs->seen.max_chars);
		}
	}
}

static bool col_nullable(const col_state *cs, const rp_column *c)
{
	return c->nullable || cs->seen.null_seen;
}

static const char xsd_common[] =
	"  <xs:simpleType name=\"versionType\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:whiteSpace value=\"collapse\"/>\n"
	"      <xs:enumeration value=\"" RP_SIARD_VERSION "\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"  <xs:simpleType name=\"dateType\">\n"
	"    <xs:restriction base=\"xs:date\">\n"
	"      <xs:minInclusive value=\"0001-01-01Z\"/>\n"
	"      <xs:maxExclusive value=\"10000-01-01Z\"/>\n"
	"      <xs:pattern value=\"\\d{4}-\\d{2}-\\d{2}Z?\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"  <xs:simpleType name=\"timeType\">\n"
	"    <xs:restriction base=\"xs:time\">\n"
	"      <xs:pattern value=\"\\d{2}:\\d{2}:\\d{2}(\\.\\d*)?Z?\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"  <xs:simpleType name=\"dateTimeType\">\n"
	"    <xs:restriction base=\"xs:dateTime\">\n"
	"      <xs:minInclusive value=\"0001-01-01T00:00:00Z\"/>\n"
	"      <xs:maxExclusive value=\"10000-01-01T00:00:00Z\"/>\n"
	"      <xs:pattern value=\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d*)?Z?\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"  <xs:simpleType name=\"digestTypeType\">\n"
	"    <xs:restriction base=\"xs:string\">\n"
	"      <xs:whiteSpace value=\"collapse\"/>\n"
	"      <xs:enumeration value=\"MD5\"/>\n"
	"      <xs:enumeration value=\"SHA-1\"/>\n"
	"      <xs:enumeration value=\"SHA-256\"/>\n"
	"    </xs:restriction>\n"
	"  </xs:simpleType>\n"
	"  <xs:complexType name=\"clobType\">\n"
	"    <xs:simpleContent>\n"
	"      <xs:extension base=\"xs:string\">\n"
	"        <xs:attribute name=\"file\" type=\"xs:anyURI\"/>\n"
	"        <xs:attribute name=\"length\" type=\"xs:integer\"/>\n"
	"        <xs:attribute name=\"digestType\" type=\"digestTypeType\"/>\n"
	"        <xs:attribute name=\"digest\" type=\"xs:string\"/>\n"
	"      </xs:extension>\n"
	"    </xs:simpleContent>\n"
	"  </xs:complexType>\n"
	"  <xs:complexType name=\"blobType\">\n"
	"    <xs:simpleContent>\n"
	"      <xs:extension base=\"xs:hexBinary\">\n"
	"        <xs:attribute name=\"file\" type=\"xs:anyURI\"/>\n"
	"        <xs:attribute name=\"length\" type=\"xs:integer\"/>\n"
	"        <xs:attribute name=\"digestType\" type=\"digestTypeType\"/>\n"
	"        <xs:attribute name=\"digest\" type=\"xs:string\"/>\n"
	"      </xs:extension>\n"
	"    </xs:simpleContent>\n"
	"  </xs:complexType>\n";

static int write_xsd(siard_writer *w, tab_state *ts)
{
	stage s;
	char name[48], disp[512], line[256];
	size_t idx = (size_t)(ts - w->tabs);
	int rc = -1;

	snprintf(name, sizeof name, "t%zu.xsd", idx);
	snprintf(disp, sizeof disp, "data/%s/" STAGING_DIR "/%s (table %s)", w->rel_dir, name, ts->t->display);
	if (stage_open(&s, w->staging_fd, name, disp) < 0)
		goto out;
	if (stage_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                   "<!-- SIARD " RP_SIARD_VERSION " table schema written by revpack " REVPACK_VERSION " -->\n"
	                   "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" RP_SIARD_TABLE_NS "\"\n"
	                   "           targetNamespace=\"" RP_SIARD_TABLE_NS "\"\n"
	                   "           elementFormDefault=\"qualified\" attributeFormDefault=\"unqualified\">\n"
	                   "  <xs:element name=\"table\">\n"
	                   "    <xs:complexType>\n"
	                   "      <xs:sequence>\n"
	                   "        <xs:element name=\"row\" type=\"recordType\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\n"
	                   "      </xs:sequence>\n"
	                   "      <xs:attribute name=\"version\" type=\"versionType\" use=\"required\"/>\n"
	                   "    </xs:complexType>\n"
	                   "  </xs:element>\n"
	                   "  <xs:complexType name=\"recordType\">\n"
	                   "    <xs:sequence>\n") < 0)
		goto out;
	for (size_t i = 0; i < ts->t->ncols; i++) {
		const col_state *cs = &ts->cols[i];
		snprintf(line, sizeof line, "      <xs:element name=\"c%zu\" type=\"%s\"%s/>\n", i + 1, cs->xstype,
		         col_nullable(cs, &ts->t->cols[i]) ? " minOccurs=\"0\"" : "");
		if (stage_puts(&s, line) < 0)
			goto out;
	}
	if (stage_puts(&s, "    </xs:sequence>\n  </xs:complexType>\n") < 0 || stage_puts(&s, xsd_common) < 0 ||
	    stage_puts(&s, "</xs:schema>\n") < 0)
		goto out;
	rc = stage_close(&s);
out:
	stage_discard(&s);
	return rc;
}

static int sw_table_end(rp_writer *base, void *tctx, rp_table *t)
{
	siard_writer *w = (siard_writer *)base;
	tab_state *ts = tctx;
	int rc = 0;

	(void)t;
	if (ts->left_out) {
		pthread_mutex_lock(&w->mu);
		ts->written = true;
		pthread_mutex_unlock(&w->mu);
		return 0;
	}
	if (rp_ordered_finish(ts->ranges) < 0 || stage_puts(&ts->xml, "</table>\n") < 0 || stage_close(&ts->xml) < 0)
		rc = -1;
	if (rc == 0) {
		final_types(ts);
		rc = write_xsd(w, ts);
	}
	if (rc == 0) {
		pthread_mutex_lock(&w->mu);
		ts->xml_on_file = ts->xml.flushed; /* all of it */
		ts->written = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		rc = zip_failure(w); /* a full disk stops the export here, not at the end */
	}
	tab_release(ts); /* on failure, free() removes the staged files */
	return rc;
}

static void sw_table_abort(rp_writer *base, void *tctx)
{
	(void)base;
	if (tctx)
		tab_release(tctx);
}

/* ---- metadata.xml ---- */

static const char *ref_action(const char *a)
{
	static const char *const ok[] = { "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION" };

	for (size_t i = 0; a && i < sizeof ok / sizeof ok[0]; i++)
		if (strcasecmp(a, ok[i]) == 0)
			return ok[i];
	return NULL;
}

/* Skips a possibly quoted identifier (`x`, "x", x) at p. */
static const char *skip_ident(const char *p)
{
	if (*p == '`' || *p == '"') {
		char q = *p++;
		while (*p) {
			if (*p == q && p[1] == q)
				p += 2;
			else if (*p == q)
				return p + 1;
			else
				p++;
		}
		return p;
	}
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '(')
		p++;
	return p;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static bool word_at(const char *p, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(p, word, n) == 0 &&
	       (p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || p[n] == '\r' || p[n] == '\0');
}

/* CREATE TRIGGER name {BEFORE|AFTER|INSTEAD OF} events ON table rest:
 * the parts SIARD records. false when the statement has another shape. */
static bool parse_trigger(const char *ddl, const char **time, char **event, char **action)
{
	const char *p = ddl, *ev, *on = NULL;

	*event = *action = NULL;
	for (; *p; p++)
		if ((p == ddl || p[-1] == ' ' || p[-1] == '\n') && word_at(p, "TRIGGER"))
			break;
	if (!*p)
		return false;
	p = skip_ws(skip_ident(skip_ws(p + 7)));
	if (word_at(p, "BEFORE")) {
		*time = "BEFORE";
		p += 6;
	} else if (word_at(p, "AFTER")) {
		*time = "AFTER";
		p += 5;
	} else if (word_at(p, "INSTEAD") && word_at(skip_ws(p + 7), "OF")) {
		*time = "INSTEAD OF";
		p = skip_ws(p + 7) + 2;
	} else {
		return false;
	}
	ev = p = skip_ws(p);
	for (; *p; p++)
		if ((p[-1] == ' ' || p[-1] == '\n') && word_at(p, "ON")) {
			on = p;
			break;
		}
	if (!on || on == ev)
		return false;
	p = skip_ws(skip_ident(skip_ws(on + 2)));
	while (*p == '.')
		p = skip_ws(skip_ident(p + 1));
	if (!*p)
		return false;
	*event = rp_strndup(ev, (size_t)(on - ev));
	*action = rp_strdup(p);
	if (!*event || !*action) {
		free(*event);
		free(*action);
		*event = *action = NULL;
		return false;
	}
	/* trim */
	for (size_t n = strlen(*event); n && ((*event)[n - 1] == ' ' || (*event)[n - 1] == '\n'); n--)
		(*event)[n - 1] = '\0';
	for (size_t n = strlen(*action); n && strchr(" \n\r\t;", (*action)[n - 1]); n--)
		(*action)[n - 1] = '\0';
	return true;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int write_table_meta(siard_writer *w, stage *s, const tab_state *ts)
{
	const rp_table *t = ts->t;
	const rp_schema *sc = w->base.env->schema;
	const char *schema_name = w->schemas[ts->schema_no];
	char folder[32], num[32];
	bool any;

	snprintf(folder, sizeof folder, "table%zu", ts->table_no);
	if (open_tag(s, 8, "table") < 0 || elem(w, s, 10, "name", t->name) < 0 || elem(w, s, 10, "folder", folder) < 0)
		return -1;
	if (t->comment && *t->comment && elem(w, s, 10, "description", t->comment) < 0)
		return -1;
	if (open_tag(s, 10, "columns") < 0)
		return -1;
	for (size_t i = 0; i < t->ncols; i++) {
		const rp_column *c = &t->cols[i];
		const col_state *cs = &ts->cols[i];
		rp_buf desc = RP_BUF_INIT;
		int rc = 0;

		if (open_tag(s, 12, "column") < 0 || elem(w, s, 14, "name", c->name) < 0 ||
		    elem(w, s, 14, "type", cs->sqltype) < 0 || elem(w, s, 14, "typeOriginal", c->type) < 0 ||
		    elem(w, s, 14, "nullable", col_nullable(cs, c) ? "true" : "false") < 0)
			return -1;
		if (c->default_expr && strcmp(c->default_expr, "NULL") != 0 &&
		    elem(w, s, 14, "defaultValue", c->default_expr) < 0)
			return -1;
		if (c->generated)
			rc = rp_buf_puts(&desc, "Computed by the database (generated column).");
		if (rc == 0 && cs->seen.string_seen)
			rc = rp_buf_printf(&desc, "%sStored as character strings: some values have no %s form "
			                   "(formats/siard.md of revpack).", desc.len ? " " : "", cs->ct.sqltype);
		if (rc < 0 || (desc.len && elem(w, s, 14, "description", desc.data) < 0)) {
			rp_buf_free(&desc);
			return -1;
		}
		rp_buf_free(&desc);
		if (close_tag(s, 12, "column") < 0)
			return -1;
	}
	if (close_tag(s, 10, "columns") < 0)
		return -1;
	if (t->npkey) {
		if (open_tag(s, 10, "primaryKey") < 0 || elem(w, s, 12, "name", t->pkey_name ? t->pkey_name : "PRIMARY") < 0)
			return -1;
		for (size_t i = 0; i < t->npkey; i++)
			if (elem(w, s, 12, "column", t->pkey[i]) < 0)
				return -1;
		if (close_tag(s, 10, "primaryKey") < 0)
			return -1;
	}
	if (t->nfkeys) {
		if (open_tag(s, 10, "foreignKeys") < 0)
			return -1;
		for (size_t i = 0; i < t->nfkeys; i++) {
			const rp_key *k = &t->fkeys[i];
			const char *ra;
			if (open_tag(s, 12, "foreignKey") < 0 || elem(w, s, 14, "name", k->name) < 0 ||
			    elem(w, s, 14, "referencedSchema", k->ref_schema ? k->ref_schema : schema_name) < 0 ||
			    elem(w, s, 14, "referencedTable", k->ref_table ? k->ref_table : "") < 0)
				return -1;
			for (size_t j = 0; j < k->ncols; j++)
				if (open_tag(s, 14, "reference") < 0 || elem(w, s, 16, "column", k->cols[j]) < 0 ||
				    elem(w, s, 16, "referenced", k->ref_cols && k->ref_cols[j] ? k->ref_cols[j] : "") < 0 ||
				    close_tag(s, 14, "reference") < 0)
					return -1;
			if ((ra = ref_action(k->on_delete)) && elem(w, s, 14, "deleteAction", ra) < 0)
				return -1;
			if ((ra = ref_action(k->on_update)) && elem(w, s, 14, "updateAction", ra) < 0)
				return -1;
			if (close_tag(s, 12, "foreignKey") < 0)
				return -1;
		}
		if (close_tag(s, 10, "foreignKeys") < 0)
			return -1;
	}
	if (t->nuniques) {
		if (open_tag(s, 10, "candidateKeys") < 0)
			return -1;
		for (size_t i = 0; i < t->nuniques; i++) {
			const rp_key *k = &t->uniques[i];
			if (open_tag(s, 12, "candidateKey") < 0 || elem(w, s, 14, "name", k->name) < 0)
				return -1;
			for (size_t j = 0; j < k->ncols; j++)
				if (elem(w, s, 14, "column", k->cols[j]) < 0)
					return -1;
			if (close_tag(s, 12, "candidateKey") < 0)
				return -1;
		}
		if (close_tag(s, 10, "candidateKeys") < 0)
			return -1;
	}
	any = false;
	for (size_t i = 0; i < sc->nobjects; i++) {
		const rp_object *o = &sc->objects[i];
		const char *when;
		char *event, *action;
		int rc;
		if (o->kind != RP_OBJ_TRIGGER || !same(o->table, t->name) || !o->ddl)
			continue;
		if (is_pg(w) && o->schema && !same(o->schema, t->schema))
			continue;
		if (!parse_trigger(o->ddl, &when, &event, &action))
			continue;
		rc = (!any && open_tag(s, 10, "triggers") < 0) || open_tag(s, 12, "trigger") < 0 ||
		     elem(w, s, 14, "name", o->name) < 0 || elem(w, s, 14, "actionTime", when) < 0 ||
		     elem(w, s, 14, "triggerEvent", event) < 0 || elem(w, s, 14, "triggeredAction", action) < 0 ||
		     close_tag(s, 12, "trigger") < 0 ? -1 : 0;
		free(event);
		free(action);
		if (rc < 0)
			return -1;
		any = true;
	}
	if (any && close_tag(s, 10, "triggers") < 0)
		return -1;
	snprintf(num, sizeof num, "%llu", (unsigned long long)ts->rows);
	if (elem(w, s, 10, "rows", num) < 0 || close_tag(s, 8, "table") < 0)
		return -1;
	return 0;
}

/* A view: its query and its columns, typed as table columns are. */
static int write_view_meta(siard_writer *w, stage *s, const rp_object *o)
{
	const char *kind = w->base.env->src->ops->kind;

	if (open_tag(s, 8, "view") < 0 || elem(w, s, 10, "name", o->name) < 0)
		return -1;
	if (o->query && elem(w, s, 10, "queryOriginal", o->query) < 0)
		return -1;
	if (o->kind == RP_OBJ_MATVIEW && elem(w, s, 10, "description", "materialized view") < 0)
		return -1;
	if (open_tag(s, 10, "columns") < 0)
		return -1;
	for (size_t i = 0; i < o->ncols; i++) {
		const rp_column *c = &o->cols[i];
		rp_siard_coltype ct;
		rp_siard_column_type(kind, c, &ct);
		if (open_tag(s, 12, "column") < 0 || elem(w, s, 14, "name", c->name) < 0 ||
		    elem(w, s, 14, "type", ct.sqltype) < 0 || elem(w, s, 14, "typeOriginal", c->type) < 0 ||
		    elem(w, s, 14, "nullable", c->nullable ? "true" : "false") < 0 || close_tag(s, 12, "column") < 0)
			return -1;
	}
	return close_tag(s, 10, "columns") < 0 ? -1 : close_tag(s, 8, "view");
}

static bool object_in_schema(const siard_writer *w, const rp_object *o, size_t si)
{
	if (!is_pg(w))
		return true;
	return o->schema && strcmp(o->schema, w->schemas[si]) == 0;
}

static int write_schema_meta(siard_writer *w, stage *s, size_t si)
{
	const rp_schema *sc = w->base.env->schema;
	rp_buf desc = RP_BUF_INIT;
	char folder[32];
	bool any = false;
	int rc = -1;

	snprintf(folder, sizeof folder, "schema%zu", si);
	if (open_tag(s, 4, "schema") < 0 || elem(w, s, 6, "name", w->schemas[si]) < 0 ||
	    elem(w, s, 6, "folder", folder) < 0)
		goto out;
	for (size_t i = 0; i < w->ntabs; i++) {
		if (w->tabs[i].schema_no != si || w->tabs[i].left_out)
			continue;
		if (!w->tabs[i].written) {
			rp_error_set(RP_E_INTERNAL, "SIARD writer: table %s was never written", w->tabs[i].t->display);
			goto out;
		}
		if (!any && open_tag(s, 6, "tables") < 0)
			goto out;
		any = true;
		if (write_table_meta(w, s, &w->tabs[i]) < 0)
			goto out;
	}
	if (any && close_tag(s, 6, "tables") < 0)
		goto out;
	any = false;
	for (size_t i = 0; i < sc->nobjects; i++) {
		const rp_object *o = &sc->objects[i];
		if ((o->kind != RP_OBJ_VIEW && o->kind != RP_OBJ_MATVIEW) || !object_in_schema(w, o, si) || !o->ncols)
			continue;
		if (!any && open_tag(s, 6, "views") < 0)
			goto out;
		any = true;
		if (write_view_meta(w, s, o) < 0)
			goto out;
	}
	if (any && close_tag(s, 6, "views") < 0)
		goto out;
	any = false;
	for (size_t i = 0; i < sc->nobjects; i++) {
		const rp_object *o = &sc->objects[i];
		if ((o->kind != RP_OBJ_PROCEDURE && o->kind != RP_OBJ_FUNCTION) || !object_in_schema(w, o, si))
			continue;
		if (!any && open_tag(s, 6, "routines") < 0)
			goto out;
		any = true;
		rp_buf_clear(&desc);
		/* specificName is unique in the schema: overloaded names get #n. */
		{
			size_t same_before = 0;
			for (size_t j = 0; j < i; j++)
				if ((sc->objects[j].kind == RP_OBJ_PROCEDURE || sc->objects[j].kind == RP_OBJ_FUNCTION) &&
				    object_in_schema(w, &sc->objects[j], si) && same(sc->objects[j].name, o->name))
					same_before++;
			if (rp_buf_puts(&desc, o->name ? o->name : "") < 0 ||
			    (same_before && rp_buf_printf(&desc, "#%zu", same_before + 1) < 0))
				goto out;
		}
		if (open_tag(s, 8, "routine") < 0 || elem(w, s, 10, "specificName", desc.data) < 0 ||
		    elem(w, s, 10, "name", o->name ? o->name : "") < 0 ||
		    elem(w, s, 10, "description", o->kind == RP_OBJ_PROCEDURE ? "procedure" : "function") < 0 ||
		    elem(w, s, 10, "source", o->ddl) < 0 || close_tag(s, 8, "routine") < 0)
			goto out;
	}
	if (any && close_tag(s, 6, "routines") < 0)
		goto out;
	rc = close_tag(s, 4, "schema");
out:
	rp_buf_free(&desc);
	return rc;
}

static int write_metadata(siard_writer *w)
{
	rp_writer_env *env = w->base.env;
	const rp_source_info *in = &env->src->info;
	rp_buf b = RP_BUF_INIT;
	char when[21], date[16], disp[512];
	stage s;
	int rc = -1;

	snprintf(disp, sizeof disp, "data/%s/" STAGING_DIR "/metadata.xml", w->rel_dir);
	if (stage_open(&s, w->staging_fd, "metadata.xml", disp) < 0)
		goto out;
	if (stage_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                   "<siardArchive xmlns=\"" RP_SIARD_METADATA_NS "\" "
	                   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	                   "xsi:schemaLocation=\"" RP_SIARD_METADATA_NS " metadata.xsd\" version=\"" RP_SIARD_VERSION
	                   "\">\n") < 0)
		goto out;
	if (elem(w, &s, 2, "dbname", in->database && *in->database ? in->database : env->src->name) < 0)
		goto out;
	if (rp_buf_printf(&b, "Database %s (source %s of a revpack reversibility package), exported from a "
	                      "consistent snapshot. Values that a SIARD type cannot hold are written as "
	                      "described in formats/siard.md of revpack; data/inventory.xml of the package "
	                      "holds every table's row count and content digest.",
	                  in->database ? in->database : env->src->name, env->src->name) < 0 ||
	    elem(w, &s, 2, "description", b.data) < 0)
		goto out;
	if (elem(w, &s, 2, "dataOwner", env->organization && *env->organization
	                                    ? env->organization
	                                    : "Not stated: revpack export was run without --organization") < 0)
		goto out;
	rp_time_iso(w->when, when);
	rp_buf_clear(&b);
	for (size_t i = 0; i < w->ntabs; i++)
		if (w->tabs[i].min_date[0]) {
			note_date(w->min_date, w->max_date, w->tabs[i].min_date);
			note_date(w->min_date, w->max_date, w->tabs[i].max_date);
		}
	if (w->min_date[0]) {
		if (rp_buf_printf(&b, "Not recorded by the database. Its date values range from %s to %s; "
		                      "the data are as of the snapshot of %s.", w->min_date, w->max_date, when) < 0)
			goto out;
	} else if (rp_buf_printf(&b, "Not recorded by the database; the data are as of the snapshot of %s.", when) < 0) {
		goto out;
	}
	if (elem(w, &s, 2, "dataOriginTimespan", b.data) < 0 ||
	    elem(w, &s, 2, "producerApplication", "revpack " REVPACK_VERSION) < 0)
		goto out;
	rp_date_iso(w->when, date);
	strcat(date, "Z");
	if (elem(w, &s, 2, "archivalDate", date) < 0)
		goto out;
	rp_buf_clear(&b);
	if (rp_buf_printf(&b, "%s %s", in->product ? in->product : env->src->ops->kind, in->version ? in->version : "") < 0 ||
	    elem(w, &s, 2, "databaseProduct", b.data) < 0)
		goto out;
	rp_buf_clear(&b);
	if (is_pg(w)) {
		if (in->socket)
			rc = rp_buf_printf(&b, "postgresql:///%s?host=%s&port=%u", in->database ? in->database : "",
			                   in->socket, in->port);
		else
			rc = rp_buf_printf(&b, "postgresql://%s:%u/%s", in->host ? in->host : "localhost", in->port,
			                   in->database ? in->database : "");
	} else {
		if (in->socket)
			rc = rp_buf_printf(&b, "mysql://localhost/%s?socket=%s", in->database ? in->database : "",
			                   in->socket);
		else
			rc = rp_buf_printf(&b, "mysql://%s:%u/%s", in->host ? in->host : "localhost", in->port,
			                   in->database ? in->database : "");
	}
	if (rc < 0 || elem(w, &s, 2, "connection", b.data) < 0 || elem(w, &s, 2, "databaseUser", in->user) < 0)
		goto out;
	rc = -1;
	if (open_tag(&s, 2, "schemas") < 0)
		goto out;
	for (size_t i = 0; i < w->nschemas; i++)
		if (write_schema_meta(w, &s, i) < 0)
			goto out;
	if (close_tag(&s, 2, "schemas") < 0 || stage_puts(&s, "  <users/>\n</siardArchive>\n") < 0)
		goto out;
	rc = stage_close(&s);
out:
	stage_discard(&s);
	rp_buf_free(&b);
	return rc;
}

/* ---- the ZIP ---- */

static int zip_fail(zip_t *za, const char *what, const char *name, const char *siard)
{
	zip_error_t *e = zip_get_error(za);
	int sys = zip_error_code_system(e);

	if (zip_error_code_zip(e) == ZIP_ER_MEMORY)
		return rp_error_nomem();
	if (sys == ENOSPC || sys == EDQUOT)
		return rp_error_set(RP_E_IO, "disk full while writing %s", siard);
	return rp_error_set(RP_E_IO, "cannot %s %s in %s: %s", what, name, siard, zip_strerror(za));
}

/* Adds source src (consumed) as name with the given compression. */
static int add_entry(zip_t *za, const char *name, zip_source_t *src, bool deflate, time_t when, const char *siard)
{
	zip_int64_t idx;

	if (!src)
		return zip_fail(za, "add", name, siard);
	idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return zip_fail(za, "add", name, siard);
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, deflate ? 1 : 0) < 0 ||
	    zip_file_set_mtime(za, (zip_uint64_t)idx, when, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0)
		return zip_fail(za, "describe", name, siard);
	return 0;
}

static int add_dir(zip_t *za, const char *name, time_t when, const char *siard)
{
	zip_int64_t idx = zip_dir_add(za, name, ZIP_FL_ENC_UTF_8);

	if (idx < 0 || zip_file_set_mtime(za, (zip_uint64_t)idx, when, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 040755u << 16) < 0)
		return zip_fail(za, "add", name, siard);
	return 0;
}

/* A staged file (len 0: all of it) as entry. */
static int add_staged(zip_t *za, siard_writer *w, const char *entry, const char *staged, uint64_t off,
                      uint64_t len, bool deflate)
{
	zip_source_t *src;

	if (!len) {
		struct stat st;
		if (fstatat(w->staging_fd, staged, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return rp_error_set_errno(RP_E_IO, errno, "cannot read the staged %s of data/%s", entry,
			                          w->siard_rel);
		len = (uint64_t)st.st_size;
	}
	if (rp_zip_source_file(&src, w->staging_fd, staged, off, len) < 0)
		return -1;
	return add_entry(za, entry, src, deflate, w->when, w->siard_rel);
}

/* Large objects by column, then digest (then text or binary, which a
 * column's equal values always agree on). */
static int lob_cmp(const void *a, const void *b)
{
	const lob_ref *x = a, *y = b;
	int c;

	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((c = memcmp(x->sha, y->sha, sizeof x->sha)) != 0)
		return c;
	return (int)x->text - (int)y->text;
}

/* ---- a table's XML, followed as it is written ---- */

/* How much of a table's staged XML is on file, once there is more than
 * loaded or the table is written (rp_zip_grow_fn); -1 when the export
 * stopped. Its size is never given to libzip, known or not, so that every
 * tableN.xml entry gets the same header whether the table was done or still
 * being read when its turn came: the archive does not depend on timing. */
static int64_t table_grown(void *ctx, uint64_t loaded)
{
	tab_state *ts = ctx;
	siard_writer *w = ts->w;
	int64_t have;

	pthread_mutex_lock(&w->mu);
	while (!w->abort && !ts->written && ts->xml_on_file == loaded)
		pthread_cond_wait(&w->cv, &w->mu);
	have = w->abort ? -1 : (int64_t)ts->xml_on_file;
	pthread_mutex_unlock(&w->mu);
	return have;
}

/* ---- the archive thread ---- */

static int add_table_xml(zip_t *za, siard_writer *w, size_t i)
{
	tab_state *ts = &w->tabs[i];
	char entry[256], staged[48];
	zip_source_t *src;

	snprintf(staged, sizeof staged, "t%zu.xml", i);
	if (rp_zip_source_growing(&src, w->staging_fd, staged, table_grown, ts) < 0)
		return -1;
	snprintf(entry, sizeof entry, "content/schema%zu/table%zu/table%zu.xml", ts->schema_no, ts->table_no,
	         ts->table_no);
	/* the rows and large objects are stored: deflating them took more
	 * time than the rest of the export (formats/siard.md) */
	return add_entry(za, entry, src, false, w->when, w->siard_rel);
}

/* What follows a table's XML: its XSD, then its large objects, by column
 * and digest (the same order whatever order the ranges ended in; one
 * entry for equal values). The table is written. */
static int add_table_rest(zip_t *za, siard_writer *w, size_t i)
{
	tab_state *ts = &w->tabs[i];
	char entry[256], staged[64];

	snprintf(entry, sizeof entry, "content/schema%zu/table%zu/table%zu.xsd", ts->schema_no, ts->table_no,
	         ts->table_no);
	snprintf(staged, sizeof staged, "t%zu.xsd", i);
	if (add_staged(za, w, entry, staged, 0, 0, true) < 0)
		return -1;
	if (ts->nlobs > 1)
		qsort(ts->lobs, ts->nlobs, sizeof *ts->lobs, lob_cmp);
	for (size_t k = 0; k < ts->nlobs; k++) {
		const lob_ref *l = &ts->lobs[k];
		if (k > 0 && lob_cmp(l - 1, l) == 0)
			continue;
		lob_entry(entry, sizeof entry, ts, l);
		snprintf(staged, sizeof staged, "t%zu.c%u.lob", i, l->chunk);
		if (add_staged(za, w, entry, staged, l->off, l->len, false) < 0)
			return -1;
	}
	return 0;
}

/* Waits until *flag (guarded by w->mu), or the export gave up. */
static int wait_for(siard_writer *w, const bool *flag)
{
	bool stop;

	pthread_mutex_lock(&w->mu);
	while (!*flag && !w->abort)
		pthread_cond_wait(&w->cv, &w->mu);
	stop = w->abort;
	pthread_mutex_unlock(&w->mu);
	return stop ? rp_error_set(RP_E_INTERRUPTED, "the export of %s stopped", w->siard_rel) : 0;
}

/* Table ts can be added: it is written, or big enough to be followed.
 * Called with w->mu held. */
static bool table_ready(const siard_writer *w, const tab_state *ts)
{
	return ts->written || (ts->begun && ts->xml_on_file >= w->follow_min);
}

/*
 * Writes the tables into the archive while they are written, in sessions
 * (rp_zip_archive_continue/commit): each session adds the tables that are
 * written, in order, and ends with the next one once it holds FOLLOW_MIN
 * bytes, its XML followed as it grows (its XSD and large objects open the
 * next session), or, when the next table is not ready, with what it added
 * so far: libzip writes only at the end of a session, and what is added
 * is written (and a full disk found) then, not after the last table.
 * Where the sessions end does not show in the archive. The last session
 * adds metadata.xml and closes the archive.
 */
static void *zip_main(void *arg)
{
	siard_writer *w = arg;
	size_t k = 0;
	bool rest = false; /* table k - 1's XSD and large objects are due */
	zip_t *za;
	int rc = 0;

	while (rc == 0) {
		bool added = false, wait = false; /* this session added entries; ends to let them be written */

		if (rp_zip_archive_continue(w->arc, &za) < 0) {
			rc = -1;
			break;
		}
		if (rest) {
			rest = false;
			added = true;
			rc = add_table_rest(za, w, k - 1);
		}
		while (rc == 0 && k < w->ntabs) {
			tab_state *ts = &w->tabs[k];
			bool written, stop;

			if (ts->left_out) {
				k++;
				continue;
			}
			pthread_mutex_lock(&w->mu);
			wait = added && !w->abort && !table_ready(w, ts);
			while (!wait && !w->abort && !table_ready(w, ts))
				pthread_cond_wait(&w->cv, &w->mu);
			written = ts->written;
			stop = w->abort;
			pthread_mutex_unlock(&w->mu);
			if (stop) {
				rc = rp_error_set(RP_E_INTERRUPTED, "the export of %s stopped", w->siard_rel);
				break;
			}
			if (wait)
				break;
			added = true;
			rc = add_table_xml(za, w, k++);
			if (rc == 0 && !written) {
				rest = true;
				break;
			}
			if (rc == 0)
				rc = add_table_rest(za, w, k - 1);
		}
		if (rc < 0)
			break;
		if (k == w->ntabs && !rest && added) {
			pthread_mutex_lock(&w->mu);
			wait = !w->meta_ready;
			pthread_mutex_unlock(&w->mu);
		}
		if (k == w->ntabs && !rest && !wait) {
			if (wait_for(w, &w->meta_ready) < 0 ||
			    add_staged(za, w, "header/metadata.xml", "metadata.xml", 0, 0, true) < 0) {
				rc = -1;
				break;
			}
			rc = rp_zip_archive_close(w->arc, &w->zip_info);
			w->arc = NULL;
			break;
		}
		rc = rp_zip_archive_commit(w->arc);
	}
	rp_zip_archive_discard(w->arc);
	w->arc = NULL;
	pthread_mutex_lock(&w->mu);
	if (rc < 0) {
		w->zip_kind = rp_error_kind();
		w->zip_msg = rp_strdup(rp_error_message());
	}
	w->zip_rc = rc;
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The archive thread's failure, as the calling thread's error: 0 while
 * it has not failed. */
static int zip_failure(siard_writer *w)
{
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	if (w->zip_rc < 0)
		rc = rp_error_set(w->zip_kind, "%s", w->zip_msg ? w->zip_msg : "cannot write the SIARD archive");
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* The archive's writing stops when the export gives up or is interrupted
 * (also after the last table, while the archive is completed). */
static int archive_stop(void *ctx)
{
	siard_writer *w = ctx;
	volatile sig_atomic_t *intr = rp_package_interrupt(w->base.env->pkg);
	bool stop;

	pthread_mutex_lock(&w->mu);
	stop = w->abort;
	pthread_mutex_unlock(&w->mu);
	return stop || (intr && *intr);
}

/* Opens the archive with the entries known from the start, and starts
 * the thread that adds the rest. */
static int start_zip(siard_writer *w)
{
	char entry[64], *display = rp_sprintf("data/%s", w->siard_rel);
	zip_t *za;
	int e;

	if (!display || rp_zip_archive_open(&w->arc, &za, w->siard_abs, display) < 0) {
		free(display);
		return -1;
	}
	free(display);
	rp_zip_archive_set_stop(w->arc, archive_stop, w);
	if (add_entry(za, "header/metadata.xsd",
	              zip_source_buffer(za, rp_siard_metadata_xsd, rp_siard_metadata_xsd_len, 0), true, w->when,
	              w->siard_rel) < 0 ||
	    add_dir(za, "header/siardversion/" RP_SIARD_VERSION "/", w->when, w->siard_rel) < 0)
		return -1;
	for (size_t si = 0; si < w->nschemas; si++) {
		snprintf(entry, sizeof entry, "content/schema%zu/", si);
		if (add_dir(za, entry, w->when, w->siard_rel) < 0)
			return -1;
	}
	if (rp_zip_archive_commit(w->arc) < 0)
		return -1;
	if ((e = pthread_create(&w->zip_thread, NULL, zip_main, w)) != 0)
		return rp_error_set_errno(RP_E_INTERNAL, e, "cannot start the thread writing data/%s", w->siard_rel);
	w->zip_started = true;
	return 0;
}

/* Stops the archive thread: gives up first unless the export is done. */
static void stop_zip(siard_writer *w, bool give_up)
{
	if (!w->zip_started || w->zip_joined)
		return;
	if (give_up) {
		pthread_mutex_lock(&w->mu);
		w->abort = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	pthread_join(w->zip_thread, NULL);
	w->zip_joined = true;
}

static void remove_staging(siard_writer *w)
{
	if (w->staging_fd >= 0) {
		close(w->staging_fd);
		w->staging_fd = -1;
	}
	if (w->staging_abs)
		rp_remove_tree(w->staging_abs);
}

static int sw_end(rp_writer *base)
{
	siard_writer *w = (siard_writer *)base;
	rp_file_info info;
	char *path;
	int rc;

	if (write_metadata(w) < 0)
		return -1;
	pthread_mutex_lock(&w->mu);
	w->meta_ready = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	stop_zip(w, false);
	if (zip_failure(w) < 0)
		return -1;
	info = w->zip_info;
	if (chmod(w->siard_abs, 0644) < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot set the permissions of data/%s", w->siard_rel);
	remove_staging(w);
	if (rp_package_adopt_info(base->env->pkg, w->siard_rel, &info) < 0)
		return -1;
	if (!(path = rp_sprintf("data/%s", w->siard_rel)))
		return -1;
	rc = rp_env_add_file(base->env, "siard", path);
	free(path);
	return rc;
}

static void sw_free(rp_writer *base)
{
	siard_writer *w = (siard_writer *)base;

	if (!w)
		return;
	stop_zip(w, true); /* the thread removes an unfinished archive */
	rp_zip_archive_discard(w->arc);
	for (size_t i = 0; i < w->ntabs; i++)
		tab_release(&w->tabs[i]);
	remove_staging(w);
	for (size_t i = 0; i < w->ntabs; i++) {
		free(w->tabs[i].cols);
		free(w->tabs[i].lobs);
	}
	free(w->tabs);
	for (size_t i = 0; i < w->nschemas; i++)
		free(w->schemas[i]);
	free(w->schemas);
	rp_buf_free(&w->scratch);
	free(w->rel_dir);
	free(w->staging_abs);
	free(w->siard_rel);
	free(w->siard_abs);
	free(w->zip_msg);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static const rp_writer_ops siard_ops = {
	.name = "siard",
	.begin = sw_begin,
	.table_begin = sw_table_begin,
	.chunk_begin = sw_chunk_begin,
	.row = sw_row,
	.chunk_end = sw_chunk_end,
	.chunk_abort = sw_chunk_abort,
	.table_end = sw_table_end,
	.table_abort = sw_table_abort,
	.end = sw_end,
	.free = sw_free,
};

int rp_siard_writer_new(rp_writer **out, rp_writer_env *env)
{
	siard_writer *w = rp_calloc(1, sizeof *w);

	if (!w)
		return -1;
	w->base.ops = &siard_ops;
	w->base.env = env;
	w->staging_fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	*out = &w->base;
	return 0;
}
