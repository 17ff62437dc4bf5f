/* The database CSV writer: one file per table (formats/csv.md). */
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/writer.h"

typedef struct csv_writer {
	rp_writer base;
	rp_sink *sink;
	rp_out out;
	char sep;
} csv_writer;

static int cw_begin(rp_writer *w)
{
	csv_writer *c = (csv_writer *)w;
	c->sep = rp_csv_separator(w->env->dialect);
	return 0;
}

static int cw_begin_table(rp_writer *w, rp_table *t)
{
	csv_writer *c = (csv_writer *)w;
	rp_buf path = RP_BUF_INIT;
	int rc = -1;

	if (rp_buf_printf(&path, "%s/csv/%s.csv", w->env->dir, t->file_stem) < 0)
		goto out;
	if (rp_package_open(w->env->pkg, path.data, &c->sink) < 0)
		goto out;
	c->out = rp_sink_out(c->sink);
	if (rp_csv_write_bom(&c->out, w->env->dialect) < 0)
		goto out;
	for (size_t i = 0; i < t->ncols; i++) {
		if (i && rp_out_write(&c->out, &c->sep, 1) < 0)
			goto out;
		if (rp_csv_write_name(&c->out, t->cols[i].name, strlen(t->cols[i].name), c->sep) < 0)
			goto out;
	}
	rc = rp_out_write(&c->out, "\r\n", 2);
out:
	rp_buf_free(&path);
	return rc;
}

static int cw_row(rp_writer *w, const rp_table *t, const rp_value *v, size_t n)
{
	csv_writer *c = (csv_writer *)w;

	for (size_t i = 0; i < n; i++) {
		int rc;
		if (i && rp_out_write(&c->out, &c->sep, 1) < 0)
			return -1;
		if (!v[i].data)
			continue;
		if (rp_colclass_is_binary(t->cols[i].cls))
			rc = rp_csv_write_binary(&c->out, v[i].data, v[i].len);
		else
			rc = rp_csv_write_text(&c->out, v[i].data, v[i].len, c->sep);
		if (rc < 0)
			return -1;
	}
	return rp_out_write(&c->out, "\r\n", 2);
}

static int cw_end_table(rp_writer *w, rp_table *t)
{
	csv_writer *c = (csv_writer *)w;
	rp_buf path = RP_BUF_INIT;
	int rc = -1;

	if (rp_buf_printf(&path, "data/%s/csv/%s.csv", w->env->dir, t->file_stem) < 0)
		goto out;
	rc = rp_package_commit(w->env->pkg, c->sink);
	c->sink = NULL;
	if (rc == 0)
		rc = rp_table_add_file(t, "csv", path.data);
out:
	rp_buf_free(&path);
	return rc;
}

static int cw_end(rp_writer *w)
{
	(void)w;
	return 0;
}

static void cw_free(rp_writer *w)
{
	csv_writer *c = (csv_writer *)w;
	if (!c)
		return;
	rp_sink_abort(c->sink);
	free(c);
}

static const rp_writer_ops csv_ops = {
	.name = "csv",
	.begin = cw_begin,
	.begin_table = cw_begin_table,
	.row = cw_row,
	.end_table = cw_end_table,
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
