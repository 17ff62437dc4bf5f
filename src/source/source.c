/* Source-independent parts of the source model (see source.h). */
#include "revpack/source.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"

const char *rp_colclass_name(rp_colclass c)
{
	switch (c) {
	case RP_CLASS_INTEGER: return "integer";
	case RP_CLASS_DECIMAL: return "decimal";
	case RP_CLASS_FLOAT: return "float";
	case RP_CLASS_TEXT: return "text";
	case RP_CLASS_BINARY: return "binary";
	case RP_CLASS_TEMPORAL: return "temporal";
	case RP_CLASS_BIT: return "bit";
	case RP_CLASS_OTHER: break;
	}
	return "other";
}

bool rp_colclass_is_binary(rp_colclass c)
{
	return c == RP_CLASS_BINARY || c == RP_CLASS_BIT;
}

const char *rp_objkind_name(rp_objkind k)
{
	switch (k) {
	case RP_OBJ_VIEW: return "view";
	case RP_OBJ_TRIGGER: return "trigger";
	case RP_OBJ_PROCEDURE: return "procedure";
	case RP_OBJ_FUNCTION: return "function";
	case RP_OBJ_EVENT: return "event";
	case RP_OBJ_SCHEMA: return "schema";
	case RP_OBJ_EXTENSION: return "extension";
	case RP_OBJ_TYPE: return "type";
	case RP_OBJ_SEQUENCE: return "sequence";
	case RP_OBJ_TABLE: return "partitioned-table";
	case RP_OBJ_INDEX: return "index";
	case RP_OBJ_CONSTRAINT: return "constraint";
	case RP_OBJ_MATVIEW: return "materialized-view";
	case RP_OBJ_COMMENT: return "comment";
	case RP_OBJ_OTHER: break;
	}
	return "other";
}

bool rp_filter_match(const rp_filter *f, const char *name)
{
	bool in = f->ninclude == 0;

	for (size_t i = 0; !in && i < f->ninclude; i++)
		in = fnmatch(f->include[i], name, 0) == 0;
	for (size_t i = 0; in && i < f->nexclude; i++)
		in = fnmatch(f->exclude[i], name, 0) != 0;
	return in;
}

bool rp_source_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void rp_key_free(rp_key *k)
{
	free(k->name);
	free_names(k->cols, k->ncols);
	free(k->ref_schema);
	free(k->ref_table);
	free_names(k->ref_cols, k->ncols);
	free(k->on_update);
	free(k->on_delete);
	memset(k, 0, sizeof *k);
}

void rp_column_free(rp_column *c)
{
	free(c->name);
	free(c->type);
	free(c->base_type);
	free(c->default_expr);
	free(c->charset);
	free(c->collation);
	memset(c, 0, sizeof *c);
}

rp_column *rp_column_append(rp_column **cols, size_t *n)
{
	rp_column *c = rp_realloc(*cols, (*n + 1) * sizeof *c);

	if (!c)
		return NULL;
	*cols = c;
	c = &c[(*n)++];
	memset(c, 0, sizeof *c);
	return c;
}

void rp_table_free(rp_table *t)
{
	free(t->schema);
	free(t->name);
	free(t->display);
	free(t->engine);
	for (size_t i = 0; i < t->ncols; i++)
		rp_column_free(&t->cols[i]);
	free(t->cols);
	free_names(t->pkey, t->npkey);
	free(t->pkey_name);
	for (size_t i = 0; i < t->nuniques; i++)
		rp_key_free(&t->uniques[i]);
	free(t->uniques);
	for (size_t i = 0; i < t->nfkeys; i++)
		rp_key_free(&t->fkeys[i]);
	free(t->fkeys);
	free(t->comment);
	free(t->ddl);
	free(t->file_stem);
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i].path);
	free(t->files);
	memset(t, 0, sizeof *t);
}

void rp_object_free(rp_object *o)
{
	free(o->schema);
	free(o->name);
	free(o->table);
	free(o->ddl);
	free(o->query);
	for (size_t i = 0; i < o->ncols; i++)
		rp_column_free(&o->cols[i]);
	free(o->cols);
	free(o->definer);
	free(o->sql_mode);
	free(o->client_charset);
	free(o->collation);
	memset(o, 0, sizeof *o);
}

void rp_schema_free(rp_schema *s)
{
	for (size_t i = 0; i < s->ntables; i++)
		rp_table_free(&s->tables[i]);
	free(s->tables);
	for (size_t i = 0; i < s->nobjects; i++)
		rp_object_free(&s->objects[i]);
	free(s->objects);
	for (size_t i = 0; i < s->nwarnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	memset(s, 0, sizeof *s);
}

int rp_fileref_append(rp_fileref **list, size_t *n, const char *role, const char *path)
{
	rp_fileref *f = rp_realloc(*list, (*n + 1) * sizeof *f);

	if (!f)
		return -1;
	*list = f;
	f[*n].role = role;
	f[*n].path = rp_strdup(path);
	if (!f[*n].path)
		return -1;
	(*n)++;
	return 0;
}

int rp_table_add_file(rp_table *t, const char *role, const char *path)
{
	return rp_fileref_append(&t->files, &t->nfiles, role, path);
}

int rp_schema_add_warning(rp_schema *s, const char *fmt, ...)
{
	va_list ap;
	char **w;
	char *msg;

	va_start(ap, fmt);
	msg = rp_vsprintf(fmt, ap);
	va_end(ap);
	if (!msg)
		return -1;
	w = rp_realloc(s->warnings, (s->nwarnings + 1) * sizeof *w);
	if (!w) {
		free(msg);
		return -1;
	}
	s->warnings = w;
	w[s->nwarnings++] = msg;
	return 0;
}

int rp_info_add_setting(rp_source_info *info, const char *name, const char *value)
{
	rp_setting *s = rp_realloc(info->settings, (info->nsettings + 1) * sizeof *s);

	if (!s)
		return -1;
	info->settings = s;
	s[info->nsettings].name = rp_strdup(name);
	s[info->nsettings].value = rp_strdup(value);
	if (!s[info->nsettings].name || !s[info->nsettings].value) {
		free(s[info->nsettings].name);
		free(s[info->nsettings].value);
		return -1;
	}
	info->nsettings++;
	return 0;
}

int rp_source_init(rp_source *src, const rp_source_ops *ops, const char *name)
{
	src->ops = ops;
	src->name = rp_strdup(name);
	return src->name ? 0 : -1;
}

void rp_source_base_free(rp_source *src)
{
	rp_source_info *i = &src->info;

	free(src->name);
	free(i->product);
	free(i->version);
	free(i->host);
	free(i->socket);
	free(i->database);
	free(i->user);
	free(i->snapshot_method);
	free(i->isolation);
	free(i->snapshot_server_time);
	free(i->snapshot_sharing);
	free(i->default_charset);
	free(i->default_collation);
	for (size_t k = 0; k < i->nsettings; k++) {
		free(i->settings[k].name);
		free(i->settings[k].value);
	}
	free(i->settings);
}

/* ---- key ranges ---- */

const rp_column *rp_chunk_column(const rp_table *t)
{
	if (t->npkey != 1)
		return NULL;
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, t->pkey[0]) == 0)
			return t->cols[i].cls == RP_CLASS_INTEGER ? &t->cols[i] : NULL;
	return NULL;
}

static bool parse_key(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

void rp_chunk_plan(rp_table *t, const char *min, const char *max)
{
	const char *hook = getenv("REVPACK_TEST_CHUNK_MIN_SPAN");
	unsigned long long min_span = RP_CHUNK_MIN_SPAN, span;
	long long lo, hi;

	t->nchunks = 1;
	t->chunk_lo = 0;
	t->chunk_step = 0;
	if (hook && *hook)
		min_span = strtoull(hook, NULL, 10);
	if (min_span < RP_CHUNKS)
		min_span = RP_CHUNKS;
	if (!rp_chunk_column(t) || !parse_key(min, &lo) || !parse_key(max, &hi) || hi < lo)
		return;
	/* hi - lo computed without overflow: both fit in 64 bits signed */
	span = (unsigned long long)hi - (unsigned long long)lo;
	if (span < min_span - 1)
		return;
	t->nchunks = RP_CHUNKS;
	t->chunk_lo = lo;
	t->chunk_step = span / RP_CHUNKS + 1;
}

/* The first key of range k (1 <= k < nchunks): lo + k * step, which stays
 * at most hi because step * (RP_CHUNKS - 1) <= span when span >= the
 * minimum split span. */
static long long chunk_bound(const rp_table *t, size_t k)
{
	unsigned long long u = (unsigned long long)t->chunk_lo + (unsigned long long)k * t->chunk_step;
	long long v;

	memcpy(&v, &u, sizeof v);  /* two's complement, as the server's BIGINT */
	return v;
}

int rp_chunk_where(rp_buf *q, const rp_table *t, size_t chunk, const char *quoted_col)
{
	if (t->nchunks <= 1)
		return 0;
	if (chunk == 0)
		return rp_buf_printf(q, " WHERE %s < %lld", quoted_col, chunk_bound(t, 1));
	if (chunk + 1 == t->nchunks)
		return rp_buf_printf(q, " WHERE %s >= %lld", quoted_col, chunk_bound(t, chunk));
	return rp_buf_printf(q, " WHERE %s >= %lld AND %s < %lld", quoted_col, chunk_bound(t, chunk), quoted_col,
	                     chunk_bound(t, chunk + 1));
}
