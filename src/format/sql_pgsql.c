/*
 * dump.sql for PostgreSQL sources (formats/sql-pgsql.md): one file that
 * stock psql restores into whatever empty database it is given:
 *   psql -v ON_ERROR_STOP=1 -d NEWDB -f dump.sql
 * Order: settings; the source's pre-data objects (schemas, extensions,
 * types, functions, sequences, partitioned parents); tables; data as COPY
 * blocks; the post-data objects (sequence values, constraints, indexes,
 * views, triggers, comments, owners).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/ordered.h"
#include "revpack/pgcopy.h"
#include "revpack/text.h"
#include "revpack/timeutil.h"
#include "revpack/writer.h"

typedef struct pg_writer {
	rp_writer base;
	rp_sink *sink;
	rp_out out;
	rp_ordered *data;   /* one section per key range, in table and key order */
	size_t *first_section;  /* per table: the section of its first range */
} pg_writer;

/* One key range of a table's COPY block: the first range writes the COPY
 * line, the last one the end-of-data marker. */
typedef struct pg_chunk {
	rp_section *sec;
	rp_out out;
	size_t k;
	rp_buf rows;   /* rows not yet handed to the section */
} pg_chunk;

/* Rows are gathered into this many bytes before they go to the section;
 * values longer than BUFFERED_VALUE_MAX are streamed, so that memory does
 * not follow them. */
#define ROWS_FLUSH (256u * 1024u)
#define BUFFERED_VALUE_MAX (256u * 1024u)

int rp_pg_ident(const rp_out *o, const char *name)
{
	const char *run = name;

	if (rp_out_write(o, "\"", 1) < 0)
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p != '"')
			continue;
		if (rp_out_write(o, run, (size_t)(p - run + 1)) < 0)
			return -1;
		run = p; /* the quote is written again: doubled */
	}
	if (rp_out_write(o, run, strlen(run)) < 0)
		return -1;
	return rp_out_write(o, "\"", 1);
}

static int put_to(const rp_out *o, const char *s)
{
	return rp_out_write(o, s, strlen(s));
}

static int put(pg_writer *w, const char *s)
{
	return put_to(&w->out, s);
}

static int putf(pg_writer *w, const char *fmt, ...) RP_PRINTF(2, 3);
static int putf(pg_writer *w, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	s = rp_vsprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -1;
	rc = put(w, s);
	free(s);
	return rc;
}

static int put_objects(pg_writer *w, rp_phase phase)
{
	const rp_schema *sc = w->base.env->schema;

	for (size_t i = 0; i < sc->nobjects; i++) {
		const rp_object *o = &sc->objects[i];
		if (o->phase != phase)
			continue;
		if (putf(w, "-- %s %s%s%s\n", rp_objkind_name(o->kind), o->schema ? o->schema : "", o->schema ? "." : "",
		         o->name ? o->name : "") < 0 ||
		    put(w, o->ddl) < 0 || put(w, "\n") < 0)
			return -1;
	}
	return 0;
}

static int pw_begin(rp_writer *base)
{
	pg_writer *w = (pg_writer *)base;
	rp_source *src = base->env->src;
	rp_schema *sc = base->env->schema;
	rp_buf path = RP_BUF_INIT;
	char started[21];
	size_t nsections = 0;
	int rc = -1;

	if (rp_buf_printf(&path, "%s/dump.sql", base->env->dir) < 0 ||
	    rp_package_open(base->env->pkg, path.data, &w->sink) < 0)
		goto out;
	w->out = rp_sink_out(w->sink);
	rp_time_iso((time_t)src->info.snapshot_started, started);
	if (putf(w, "-- revpack %s: SQL dump of source \"%s\"\n", REVPACK_VERSION, src->name) < 0 ||
	    putf(w, "-- Server: %s %s, database %s, encoding %s\n", src->info.product, src->info.version,
	         src->info.database, src->info.default_charset ? src->info.default_charset : "?") < 0 ||
	    putf(w, "-- Snapshot: %s (server clock %s), %s\n", started,
	         src->info.snapshot_server_time ? src->info.snapshot_server_time : "unknown",
	         src->info.snapshot_method) < 0 ||
	    put(w, "--\n"
	           "-- Restore into an empty database (create it first) with the stock client:\n"
	           "--   psql -v ON_ERROR_STOP=1 -d NEWDB -f dump.sql\n"
	           "-- The file creates no database and connects to none; the public schema is\n"
	           "-- expected to exist, as it does in a new database. Owners and grants are kept\n"
	           "-- as comments (\"-- owner:\", \"-- grant:\") unless the export used --with-owners.\n\n") < 0)
		goto out;
	if (putf(w,
	         "SET statement_timeout = 0;\n"
	         "SET lock_timeout = 0;\n"
	         "SET idle_in_transaction_session_timeout = 0;\n"
	         "SET client_encoding = '%s';\n"
	         "SET standard_conforming_strings = on;\n"
	         "SELECT pg_catalog.set_config('search_path', '', false);\n"
	         "SET check_function_bodies = false;\n"
	         "SET xmloption = content;\n"
	         "SET client_min_messages = warning;\n"
	         "SET row_security = off;\n"
	         "SET DateStyle = 'ISO, YMD';\n"
	         "SET IntervalStyle = 'postgres';\n"
	         "SET TimeZone = 'UTC';\n\n",
	         src->info.default_charset ? src->info.default_charset : "UTF8") < 0)
		goto out;
	if (put_objects(w, RP_PHASE_PRE) < 0)
		goto out;
	for (size_t i = 0; i < sc->ntables; i++)
		if (putf(w, "-- table %s\n", sc->tables[i].display) < 0 || put(w, sc->tables[i].ddl) < 0 ||
		    put(w, "\n") < 0)
			goto out;
	if (put_objects(w, RP_PHASE_AFTER_TABLES) < 0)
		goto out;
	if (!(w->first_section = rp_calloc(sc->ntables + 1, sizeof *w->first_section)))
		goto out;
	for (size_t i = 0; i < sc->ntables; i++) {
		w->first_section[i] = nsections;
		nsections += sc->tables[i].nchunks ? sc->tables[i].nchunks : 1;
	}
	rp_buf_clear(&path);
	if (rp_buf_printf(&path, "data/%s/.sql-sections", base->env->dir) < 0 ||
	    rp_ordered_new(&w->data, rp_sink_out(w->sink), rp_package_root_fd(base->env->pkg), path.data, nsections) < 0)
		goto out;
	rc = 0;
out:
	rp_buf_free(&path);
	return rc;
}

static void pc_free(pg_writer *w, pg_chunk *pc)
{
	rp_ordered_abort(w->data, pc->sec);
	rp_buf_free(&pc->rows);
	free(pc);
}

/* Nothing is shared by a table's ranges but its index. */
static int pw_table_begin(rp_writer *base, rp_table *t, void **tctx)
{
	(void)base;
	*tctx = t;
	return 0;
}

static int pw_chunk_begin(rp_writer *base, void *tctx, rp_table *t, size_t k, void **cctx)
{
	pg_writer *w = (pg_writer *)base;
	pg_chunk *pc = rp_calloc(1, sizeof *pc);
	size_t idx = (size_t)(t - base->env->schema->tables);
	bool first = true;
	char *head;

	(void)tctx;
	*cctx = NULL;
	if (!pc)
		return -1;
	pc->k = k;
	if (rp_ordered_begin(w->data, w->first_section[idx] + k, &pc->sec, &pc->out) < 0)
		goto fail;
	if (k > 0)
		goto done;
	head = rp_sprintf("-- data of %s\nCOPY ", t->display);
	if (!head || put_to(&pc->out, head) < 0) {
		free(head);
		goto fail;
	}
	free(head);
	if (rp_pg_ident(&pc->out, t->schema) < 0 || put_to(&pc->out, ".") < 0 || rp_pg_ident(&pc->out, t->name) < 0)
		goto fail;
	/* no column list when no column is copied (a table without columns,
	 * or with generated ones only): "()" is a syntax error, and COPY's
	 * own list then is empty too; each row is an empty line */
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated)
			continue;
		if (put_to(&pc->out, first ? " (" : ", ") < 0 || rp_pg_ident(&pc->out, t->cols[i].name) < 0)
			goto fail;
		first = false;
	}
	if (put_to(&pc->out, first ? " FROM stdin;\n" : ") FROM stdin;\n") < 0)
		goto fail;
done:
	*cctx = pc;
	return 0;
fail:
	pc_free(w, pc);
	return -1;
}

/* A long value, streamed to the section (after the gathered rows). */
static int put_long(pg_chunk *pt, const rp_column *c, const rp_value *v)
{
	char hex[1024];
	const char *p = v->data;
	size_t left = v->len;

	if (rp_out_drain(&pt->out, &pt->rows) < 0)
		return -1;
	if (c->cls != RP_CLASS_BINARY)
		return rp_pgcopy_encode(&pt->out, v->data, v->len);
	if (rp_out_write(&pt->out, "\\\\x", 3) < 0)
		return -1;
	while (left) {
		size_t k = left > sizeof hex / 2 ? sizeof hex / 2 : left;
		rp_hex_encode(hex, p, k);
		if (rp_out_write(&pt->out, hex, 2 * k) < 0)
			return -1;
		p += k;
		left -= k;
	}
	return 0;
}

static int pw_row(rp_writer *base, void *cctx, const rp_table *t, const rp_value *v, size_t n)
{
	pg_chunk *pt = cctx;
	rp_buf *b = &pt->rows;
	bool first = true;

	(void)base;
	for (size_t i = 0; i < n; i++) {
		if (t->cols[i].generated)
			continue;
		if (!first && rp_buf_putc(b, '\t') < 0)
			return -1;
		first = false;
		if (v[i].data && v[i].len > BUFFERED_VALUE_MAX) {
			if (put_long(pt, &t->cols[i], &v[i]) < 0)
				return -1;
		} else if (v[i].data && t->cols[i].cls == RP_CLASS_BINARY) {
			/* bytea in COPY text: \\x + hex (the backslash escaped) */
			if (rp_buf_grow(b, 3 + 2 * v[i].len) < 0)
				return -1;
			memcpy(b->data + b->len, "\\\\x", 3);
			rp_hex_encode(b->data + b->len + 3, v[i].data, v[i].len);
			b->len += 3 + 2 * v[i].len;
			b->data[b->len] = '\0';
		} else if (rp_pgcopy_encode_buf(b, v[i].data, v[i].len) < 0) {
			return -1;
		}
	}
	if (rp_buf_putc(b, '\n') < 0)
		return -1;
	return b->len >= ROWS_FLUSH ? rp_out_drain(&pt->out, &pt->rows) : 0;
}

static int pw_chunk_end(rp_writer *base, void *tctx, void *cctx, rp_table *t)
{
	pg_writer *w = (pg_writer *)base;
	pg_chunk *pc = cctx;
	int rc = 0;

	(void)tctx;
	rc = rp_out_drain(&pc->out, &pc->rows);
	if (rc == 0 && pc->k + 1 == (t->nchunks ? t->nchunks : 1))
		rc = put_to(&pc->out, "\\.\n\n");
	if (rc == 0) {
		rc = rp_ordered_end(w->data, pc->sec);
		pc->sec = NULL;
	}
	pc_free(w, pc);
	return rc;
}

static void pw_chunk_abort(rp_writer *base, void *tctx, void *cctx)
{
	(void)tctx;
	if (cctx)
		pc_free((pg_writer *)base, cctx);
}

static int pw_table_end(rp_writer *base, void *tctx, rp_table *t)
{
	(void)base;
	(void)tctx;
	(void)t;
	return 0;
}

static void pw_table_abort(rp_writer *base, void *tctx)
{
	(void)base;
	(void)tctx;
}

static int pw_end(rp_writer *base)
{
	pg_writer *w = (pg_writer *)base;
	rp_buf path = RP_BUF_INIT;
	int rc = -1;

	if (rp_ordered_finish(w->data) < 0 || put_objects(w, RP_PHASE_POST) < 0 || put(w, "-- End of dump.\n") < 0)
		goto out;
	if (rp_buf_printf(&path, "data/%s/dump.sql", base->env->dir) < 0)
		goto out;
	rc = rp_package_commit(base->env->pkg, w->sink);
	w->sink = NULL;
	if (rc == 0)
		rc = rp_env_add_file(base->env, "sql", path.data);
out:
	rp_buf_free(&path);
	return rc;
}

static void pw_free(rp_writer *base)
{
	pg_writer *w = (pg_writer *)base;
	if (!w)
		return;
	rp_ordered_free(w->data);
	rp_sink_abort(w->sink);
	free(w->first_section);
	free(w);
}

static const rp_writer_ops sql_pgsql_ops = {
	.name = "sql",
	.begin = pw_begin,
	.table_begin = pw_table_begin,
	.chunk_begin = pw_chunk_begin,
	.row = pw_row,
	.chunk_end = pw_chunk_end,
	.chunk_abort = pw_chunk_abort,
	.table_end = pw_table_end,
	.table_abort = pw_table_abort,
	.end = pw_end,
	.free = pw_free,
};

int rp_sql_pgsql_writer_new(rp_writer **out, rp_writer_env *env)
{
	pg_writer *w = rp_calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->base.ops = &sql_pgsql_ops;
	w->base.env = env;
	*out = &w->base;
	return 0;
}
