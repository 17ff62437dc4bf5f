/* The database CSV writer: one file per table (formats/csv.md). */
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/ordered.h"
#include "revpack/writer.h"

typedef struct csv_writer {
	rp_writer base;
	char sep;
} csv_writer;

/* One table being written: its file, and its key ranges in order. */
typedef struct csv_table {
	rp_sink *sink;
	rp_ordered *ranges;
	char *path;   /* data/... */
} csv_table;

/* One key range being written. */
typedef struct csv_chunk {
	rp_section *sec;
	rp_out out;
	rp_buf rows;   /* rows not yet handed to the section */
} csv_chunk;

/* Rows are gathered into this many bytes before they go to the section;
 * values longer than BUFFERED_VALUE_MAX are streamed, so that memory does
 * not follow them. */
#define ROWS_FLUSH (64u * 1024u)
#define BUFFERED_VALUE_MAX (256u * 1024u)

static void chunk_free(csv_table *ct, csv_chunk *cc)
{
	rp_ordered_abort(ct->ranges, cc->sec);
	rp_buf_free(&cc->rows);
	free(cc);
}

static int cw_begin(rp_writer *w)
{
	csv_writer *c = (csv_writer *)w;
	c->sep = rp_csv_separator(w->env->dialect);
	return 0;
}

static void ct_free(csv_table *ct)
{
	rp_ordered_free(ct->ranges);
	rp_sink_abort(ct->sink);
	free(ct->path);
	free(ct);
}

static int cw_table_begin(rp_writer *w, rp_table *t, void **tctx)
{
	csv_writer *c = (csv_writer *)w;
	csv_table *ct = rp_calloc(1, sizeof *ct);
	char *scratch = NULL;
	rp_out out;

	*tctx = NULL;
	if (!ct)
		return -1;
	if (!(ct->path = rp_sprintf("data/%s/csv/%s.csv", w->env->dir, t->file_stem)) ||
	    rp_package_open(w->env->pkg, ct->path + 5, &ct->sink) < 0)
		goto fail;
	out = rp_sink_out(ct->sink);
	if (rp_csv_write_bom(&out, w->env->dialect) < 0)
		goto fail;
	for (size_t i = 0; i < t->ncols; i++) {
		if (i && rp_out_write(&out, &c->sep, 1) < 0)
			goto fail;
		if (rp_csv_write_name(&out, t->cols[i].name, strlen(t->cols[i].name), c->sep) < 0)
			goto fail;
	}
	if (rp_out_write(&out, "\r\n", 2) < 0)
		goto fail;
	if (!(scratch = rp_sprintf("data/%s/.csv-ranges-%zu", w->env->dir, (size_t)(t - w->env->schema->tables))) ||
	    rp_ordered_new(&ct->ranges, out, rp_package_root_fd(w->env->pkg), scratch, t->nchunks ? t->nchunks : 1) < 0)
		goto fail;
	free(scratch);
	*tctx = ct;
	return 0;
fail:
	free(scratch);
	ct_free(ct);
	return -1;
}

static int cw_chunk_begin(rp_writer *w, void *tctx, rp_table *t, size_t k, void **cctx)
{
	csv_table *ct = tctx;
	csv_chunk *cc = rp_calloc(1, sizeof *cc);

	(void)w;
	(void)t;
	*cctx = NULL;
	if (!cc)
		return -1;
	if (rp_ordered_begin(ct->ranges, k, &cc->sec, &cc->out) < 0) {
		free(cc);
		return -1;
	}
	*cctx = cc;
	return 0;
}

static int cw_row(rp_writer *w, void *cctx, const rp_table *t, const rp_value *v, size_t n)
{
	csv_writer *c = (csv_writer *)w;
	csv_chunk *cc = cctx;
	rp_buf *b = &cc->rows;

	for (size_t i = 0; i < n; i++) {
		bool binary = rp_colclass_is_binary(t->cols[i].cls);
		int rc;
		if (i && rp_buf_putc(b, c->sep) < 0)
			return -1;
		if (!v[i].data)
			continue;
		if (v[i].len <= BUFFERED_VALUE_MAX)
			rc = rp_csv_append_cell(b, v[i].data, v[i].len, binary, c->sep);
		else if (rp_out_drain(&cc->out, &cc->rows) < 0)
			rc = -1;
		else if (binary)
			rc = rp_csv_write_binary(&cc->out, v[i].data, v[i].len);
		else
			rc = rp_csv_write_text(&cc->out, v[i].data, v[i].len, c->sep);
		if (rc < 0)
			return -1;
	}
	if (rp_buf_put(b, "\r\n", 2) < 0)
		return -1;
	return b->len >= ROWS_FLUSH ? rp_out_drain(&cc->out, &cc->rows) : 0;
}

static int cw_chunk_end(rp_writer *w, void *tctx, void *cctx, rp_table *t)
{
	csv_table *ct = tctx;
	csv_chunk *cc = cctx;
	int rc = rp_out_drain(&cc->out, &cc->rows);

	(void)w;
	(void)t;
	if (rc == 0) {
		rc = rp_ordered_end(ct->ranges, cc->sec);
		cc->sec = NULL;
	}
	chunk_free(ct, cc);
	return rc;
}

static void cw_chunk_abort(rp_writer *w, void *tctx, void *cctx)
{
	csv_table *ct = tctx;
	csv_chunk *cc = cctx;

	(void)w;
	if (cc)
		chunk_free(ct, cc);
}

static int cw_table_end(rp_writer *w, void *tctx, rp_table *t)
{
	csv_table *ct = tctx;
	int rc = rp_ordered_finish(ct->ranges);

	if (rc == 0)
		rc = rp_package_commit(w->env->pkg, ct->sink);
	else
		rp_sink_abort(ct->sink);
	ct->sink = NULL;
	if (rc == 0)
		rc = rp_table_add_file(t, "csv", ct->path);
	ct_free(ct);
	return rc;
}

static void cw_table_abort(rp_writer *w, void *tctx)
{
	(void)w;
	if (tctx)
		ct_free(tctx);
}

static int cw_end(rp_writer *w)
{
	(void)w;
	return 0;
}

static void cw_free(rp_writer *w)
{
	free(w);
}

static const rp_writer_ops csv_ops = {
	.name = "csv",
	.begin = cw_begin,
	.table_begin = cw_table_begin,
	.chunk_begin = cw_chunk_begin,
	.row = cw_row,
	.chunk_end = cw_chunk_end,
	.chunk_abort = cw_chunk_abort,
	.table_end = cw_table_end,
	.table_abort = cw_table_abort,
	.end = cw_end,
	.free = cw_free,
};

int rp_csv_writer_new(rp_writer **out, rp_writer_env *env)
{
	csv_writer *c = rp_calloc(1, sizeof *c);
	if (!c)
		return -1;
	c->base.ops = &csv_ops;
	c->base.env = env;
	*out = &c->base;
	return 0;
}
