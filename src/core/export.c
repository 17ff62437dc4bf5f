/*
 * The export pipeline. For each source: connect, begin the snapshot, load
 * the schema, then every table's rows go once through the digest and every
 * writer. inventory.xml and the bag's tag files come last; the package
 * appears only if everything succeeded.
 */
#include "revpack/export.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/inventory.h"
#include "revpack/package.h"
#include "revpack/path.h"
#include "revpack/timeutil.h"
#include "revpack/writer.h"

int rp_formats_parse(const char *list, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "sql", RP_FORMAT_SQL }, { "csv", RP_FORMAT_CSV }, { "siard", RP_FORMAT_SIARD } };
	unsigned bits = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		size_t i;
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && strncmp(names[i].name, p, n) == 0)
				break;
		if (i == sizeof names / sizeof names[0])
			return -1;
		bits |= names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!bits)
		return -1;
	*out = bits;
	return 0;
}

int rp_env_add_file(rp_writer_env *env, const char *role, const char *path)
{
	return rp_fileref_append(&env->files, &env->nfiles, role, path);
}

typedef int (*writer_ctor)(rp_writer **out, rp_writer_env *env);

/* Per-source state. */
typedef struct src_run {
	rp_schema schema;
	rp_writer_env env;
	char *dir;
	char *restore;
	rp_writer *writers[4];
	size_t nwriters;
} src_run;

typedef struct row_ctx {
	const rp_export_opts *opts;
	src_run *run;
	rp_table *table;
	rp_rowhash hash;
	rp_progress prog;
	double last_progress;
	unsigned delay_us;  /* test hook: REVPACK_TEST_ROW_DELAY_US */
} row_ctx;

static void report(row_ctx *rc, int done)
{
	if (rc->opts->progress) {
		rc->prog.done = done;
		rc->opts->progress(rc->opts->ctx, &rc->prog);
	}
}

static int on_row(void *ctx, const rp_value *v, size_t n)
{
	row_ctx *rc = ctx;
	rp_table *t = rc->table;
	uint8_t h[RP_SHA256_LEN];

	if (rc->opts->interrupted && *rc->opts->interrupted)
		return rp_error_set(RP_E_INTERRUPTED, "interrupted while exporting table %s", t->display);
	if (rp_rowhash_begin(&rc->hash) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int r = v[i].data ? rp_rowhash_value(&rc->hash, v[i].data, v[i].len) : rp_rowhash_null(&rc->hash);
		if (r < 0)
			return -1;
		rc->prog.total_bytes += v[i].len;
	}
	if (rp_rowhash_end(&rc->hash, h) < 0)
		return -1;
	rp_digest_add(&t->digest, h);
	for (size_t i = 0; i < rc->run->nwriters; i++) {
		rp_writer *w = rc->run->writers[i];
		if (w->ops->row(w, t, v, n) < 0)
			return -1;
	}
	rc->prog.table_rows++;
	rc->prog.total_rows++;
	if (rc->delay_us)
		usleep(rc->delay_us);
	if ((rc->prog.total_rows & 1023) == 0 && rc->opts->progress) {
		double now = rp_monotonic();
		if (now - rc->last_progress >= 0.2) {
			rc->last_progress = now;
			report(rc, 0);
		}
	}
	return 0;
}

static int assign_file_stems(rp_schema *sc)
{
	rp_name_set set = { NULL, 0, 0 };
	rp_buf stem = RP_BUF_INIT, unique = RP_BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < sc->ntables; i++) {
		rp_table *t = &sc->tables[i];
		rp_buf_clear(&stem);
		rp_buf_clear(&unique);
		if (t->schema && (rp_safe_name(&stem, t->schema, strlen(t->schema)) < 0 || rp_buf_putc(&stem, '.') < 0))
			goto out;
		if (rp_safe_name(&stem, t->name, strlen(t->name)) < 0)
			goto out;
		if (rp_name_set_add(&set, &unique, stem.data) < 0)
			goto out;
		if (!(t->file_stem = rp_strdup(unique.data)))
			goto out;
	}
	rc = 0;
out:
	rp_name_set_free(&set);
	rp_buf_free(&stem);
	rp_buf_free(&unique);
	return rc;
}

/* An include pattern that selects nothing is almost always a typo. */
static int check_patterns(const rp_export_opts *o, const rp_source *src, const rp_schema *sc)
{
	for (size_t p = 0; p < o->filter.ninclude; p++) {
		rp_filter one = { &o->filter.include[p], 1, NULL, 0 };
		bool hit = false;
		for (size_t i = 0; i < sc->ntables && !hit; i++)
			hit = rp_filter_match(&one, sc->tables[i].display);
		for (size_t i = 0; i < sc->nobjects && !hit; i++) {
			const rp_object *ob = &sc->objects[i];
			char *name;
			if (ob->kind != RP_OBJ_VIEW && ob->kind != RP_OBJ_MATVIEW)
				continue;
			name = ob->schema ? rp_sprintf("%s.%s", ob->schema, ob->name) : rp_strdup(ob->name);
			if (!name)
				return -1;
			hit = rp_filter_match(&one, name);
			free(name);
		}
		if (!hit)
			return rp_error_set(RP_E_USAGE, "--table %s matches no table of source %s", o->filter.include[p],
			                    src->name);
	}
	return 0;
}

static void run_free(src_run *r)
{
	for (size_t i = 0; i < r->nwriters; i++)
		if (r->writers[i])
			r->writers[i]->ops->free(r->writers[i]);
	r->nwriters = 0;
	rp_schema_free(&r->schema);
	for (size_t i = 0; i < r->env.nfiles; i++)
		free(r->env.files[i].path);
	free(r->env.files);
	free(r->dir);
	free(r->restore);
	memset(r, 0, sizeof *r);
}

static int export_source(const rp_export_opts *o, rp_package *pkg, rp_source *src, src_run *run,
                         row_ctx *rc)
{
	static const struct {
		unsigned format;
		writer_ctor make;
	} common_writers[] = { { RP_FORMAT_CSV, rp_csv_writer_new }, { RP_FORMAT_SIARD, rp_siard_writer_new } };
	unsigned formats = o->formats ? o->formats : RP_FORMAT_ALL;
	const char *delay = getenv("REVPACK_TEST_ROW_DELAY_US");

	if (src->ops->connect(src) < 0 || src->ops->begin_snapshot(src) < 0)
		return -1;
	if (src->ops->load_schema(src, &o->filter, &run->schema) < 0)
		return -1;
	if (check_patterns(o, src, &run->schema) < 0 || assign_file_stems(&run->schema) < 0)
		return -1;
	for (size_t i = 0; i < run->schema.nwarnings; i++)
		if (o->warn)
			o->warn(o->ctx, src->name, run->schema.warnings[i]);
	run->dir = rp_sprintf("database/%s", src->name);
	if (formats & RP_FORMAT_SQL)
		run->restore = rp_sprintf("%s data/database/%s/dump.sql", src->ops->restore_cmd, src->name);
	if (!run->dir || ((formats & RP_FORMAT_SQL) && !run->restore))
		return -1;
	run->env.pkg = pkg;
	run->env.src = src;
	run->env.schema = &run->schema;
	run->env.dir = run->dir;
	run->env.dialect = o->dialect;
	run->env.organization = o->organization;
	if ((formats & RP_FORMAT_SQL) && src->ops->sql_writer_new(&run->writers[run->nwriters++], &run->env) < 0)
		return -1;
	for (size_t i = 0; i < sizeof common_writers / sizeof common_writers[0]; i++)
		if ((formats & common_writers[i].format) &&
		    common_writers[i].make(&run->writers[run->nwriters++], &run->env) < 0)
			return -1;
	for (size_t i = 0; i < run->nwriters; i++)
		if (run->writers[i]->ops->begin(run->writers[i]) < 0)
			return -1;

	rc->run = run;
	rc->delay_us = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
	rc->prog.source = src->name;
	rc->prog.ntables = run->schema.ntables;
	for (size_t t = 0; t < run->schema.ntables; t++) {
		rp_table *tab = &run->schema.tables[t];
		rp_digest_init(&tab->digest);
		rc->table = tab;
		rc->prog.table = tab->display;
		rc->prog.table_no = t + 1;
		rc->prog.table_rows = 0;
		report(rc, 0);
		for (size_t i = 0; i < run->nwriters; i++)
			if (run->writers[i]->ops->begin_table(run->writers[i], tab) < 0)
				return -1;
		if (src->ops->stream_rows(src, tab, on_row, rc) < 0)
			return -1;
		for (size_t i = 0; i < run->nwriters; i++)
			if (run->writers[i]->ops->end_table(run->writers[i], tab) < 0)
				return -1;
		report(rc, 1);
	}
	for (size_t i = 0; i < run->nwriters; i++)
		if (run->writers[i]->ops->end(run->writers[i]) < 0)
			return -1;
	return src->ops->end(src);
}

static int make_external_id(char out[64])
{
	unsigned char u[16];

	if (RAND_bytes(u, sizeof u) != 1)
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: no random bytes for the package identifier");
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	snprintf(out, 64, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
	         u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return 0;
}

int rp_export(const rp_export_opts *o, rp_export_result *res)
{
	rp_package *pkg = NULL;
	src_run *runs = NULL;
	rp_inv_source *isrc = NULL;
	rp_label *labels = NULL;
	char **label_values = NULL;
	size_t nlabels = 0, nvalues = 0;
	row_ctx rc;
	rp_inventory inv;
	const rp_pkg_file *files;
	size_t nfiles;
	int ret = -1;

	memset(res, 0, sizeof *res);
	memset(&rc, 0, sizeof rc);
	rc.opts = o;
	for (size_t i = 0; i < o->nsources; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->sources[i]->name, o->sources[j]->name) == 0)
				return rp_error_set(RP_E_USAGE, "two sources are named %s; give each its own NAME=",
				                    o->sources[i]->name);
	if (make_external_id(res->external_id) < 0)
		return -1;
	if (rp_rowhash_init(&rc.hash) < 0)
		return -1;
	runs = rp_calloc(o->nsources, sizeof *runs);
	isrc = rp_calloc(o->nsources, sizeof *isrc);
	labels = rp_calloc(4 + 2 * o->nsources, sizeof *labels);
	label_values = rp_calloc(2 * o->nsources + 1, sizeof *label_values);
	if (!runs || !isrc || !labels || !label_values)
		goto out;
	if (rp_package_create(&pkg, o->out_path) < 0)
		goto out;
	for (size_t i = 0; i < o->nsources; i++) {
		if (export_source(o, pkg, o->sources[i], &runs[i], &rc) < 0)
			goto out;
		isrc[i].src = o->sources[i];
		isrc[i].schema = &runs[i].schema;
		isrc[i].files = runs[i].env.files;
		isrc[i].nfiles = runs[i].env.nfiles;
		isrc[i].restore_command = runs[i].restore;
		res->tables += runs[i].schema.ntables;
	}
	if (o->interrupted && *o->interrupted) {
		rp_error_set(RP_E_INTERRUPTED, "interrupted");
		goto out;
	}
	inv.organization = o->organization;
	inv.external_id = res->external_id;
	inv.created = time(NULL);
	inv.dialect = o->dialect;
	inv.sources = isrc;
	inv.nsources = o->nsources;
	if (rp_inventory_write(pkg, &inv) < 0)
		goto out;

	files = rp_package_files(pkg, &nfiles);
	res->files = nfiles;
	for (size_t i = 0; i < nfiles; i++)
		res->payload_bytes += files[i].info.bytes;
	res->rows = rc.prog.total_rows;

	labels[nlabels++] = (rp_label){ "Source-Organization", o->organization };
	labels[nlabels++] = (rp_label){ "External-Identifier", res->external_id };
	labels[nlabels++] = (rp_label){ "External-Description",
		                        "Reversibility package written by revpack: each database as SQL "
		                        "and CSV, described in data/inventory.xml" };
	labels[nlabels++] = (rp_label){ "Revpack-Version", REVPACK_VERSION };
	for (size_t i = 0; i < o->nsources; i++) {
		const rp_source *s = o->sources[i];
		const rp_source_info *in = &s->info;
		char when[21];
		char *where = in->socket ? rp_sprintf("socket %s", in->socket)
		                         : rp_sprintf("%s:%u", in->host ? in->host : "localhost", in->port);
		if (!where)
			goto out;
		label_values[nvalues] = rp_sprintf("%s: %s %s on %s, database %s", s->name, in->product, in->version,
		                                   where, in->database);
		free(where);
		if (!label_values[nvalues])
			goto out;
		labels[nlabels++] = (rp_label){ "Revpack-Source", label_values[nvalues++] };
		rp_time_iso((time_t)in->snapshot_started, when);
		label_values[nvalues] = rp_sprintf("%s: %s", s->name, when);
		if (!label_values[nvalues])
			goto out;
		labels[nlabels++] = (rp_label){ "Revpack-Snapshot-Time", label_values[nvalues++] };
	}
	ret = rp_package_finish(pkg, labels, nlabels, res->identity);
	pkg = NULL;
out:
	if (ret < 0) {
		/* Close the connections without losing the first error. */
		rp_errkind kind = rp_error_kind();
		char *msg = rp_strdup(rp_error_message());
		for (size_t i = 0; i < o->nsources; i++)
			if (o->sources[i])
				o->sources[i]->ops->end(o->sources[i]);
		rp_error_set(kind, "%s", msg ? msg : "out of memory");
		free(msg);
	}
	rp_package_abort(pkg);
	for (size_t i = 0; runs && i < o->nsources; i++)
		run_free(&runs[i]);
	for (size_t i = 0; i < nvalues; i++)
		free(label_values[i]);
	free(label_values);
	free(labels);
	free(isrc);
	free(runs);
	rp_rowhash_free(&rc.hash);
	return ret;
}
