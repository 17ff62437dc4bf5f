/*
 * The export pipeline. For each source: connect, begin the snapshot, load
 * the schema, then every table's rows go once through the digest and every
 * writer. inventory.xml and the bag's tag files come last; the package
 * appears only if everything succeeded.
 */
#include "revpack/export.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/content.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/guide.h"
#include "revpack/inventory.h"
#include "revpack/package.h"
#include "revpack/path.h"
#include "revpack/timeutil.h"
#include "revpack/writer.h"
#include "revpack/xmltext.h"

int rp_formats_parse(const char *list, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = { { "sql", RP_FORMAT_SQL }, { "csv", RP_FORMAT_CSV }, { "siard", RP_FORMAT_SIARD },
		      { "wxr", RP_FORMAT_WXR } };
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
	rp_content *content;    /* WordPress sites (content.h), or NULL */
} src_run;

/* One key range of one table: the unit of work of a connection. */
typedef struct task {
	size_t table;
	size_t chunk;
} task;

/* A table being written: its writers' contexts and the ranges left. */
typedef struct table_run {
	void *tctx[4];
	size_t left;          /* ranges not yet ended */
	bool begun;           /* table_begin ran (for every writer that took it) */
	size_t nbegun;        /* writers whose table_begin succeeded */
	bool ended;           /* table_end ran */
} table_run;

/* What every worker of a source shares. */
typedef struct shared {
	const rp_export_opts *opts;
	src_run *run;
	pthread_mutex_t mu;   /* guards everything below */
	task *tasks;          /* every range of every table, in table and key order */
	size_t ntasks, next_task;
	table_run *tables;
	bool failed;
	rp_progress *prog;
	double last_progress;
	size_t tables_done;
} shared;

/* One connection reading ranges, in its own thread (the caller's when
 * there is one worker). */
typedef struct worker {
	shared *sh;
	rp_source *src;
	rp_rowhash hash;
	bool hash_ready;
	rp_table *table;
	rp_digest digest;         /* of the range being read */
	void *cctx[4];
	uint64_t rows, bytes;     /* not yet added to the shared progress */
	unsigned delay_us;        /* test hook: REVPACK_TEST_ROW_DELAY_US */
	unsigned table_delay_ms;  /* test hook: REVPACK_TEST_TABLE_DELAY_MS */
	rp_errkind err_kind;      /* the first error, handed to the caller */
	char *err_msg;
	pthread_t thread;
	bool started;
} worker;

/* Adds the worker's counts to the progress; reports at most 5 times a
 * second unless forced. Called with sh->mu held. */
static void progress_locked(worker *wk, int done)
{
	shared *sh = wk->sh;
	rp_progress *p = sh->prog;
	double now;

	p->total_rows += wk->rows;
	p->total_bytes += wk->bytes;
	p->table_rows = wk->table ? wk->digest.rows : 0;
	wk->rows = wk->bytes = 0;
	if (!sh->opts->progress)
		return;
	now = rp_monotonic();
	if (!done && now - sh->last_progress < 0.2)
		return;
	sh->last_progress = now;
	p->table = wk->table ? wk->table->display : NULL;
	p->table_no = wk->table ? (size_t)(wk->table - sh->run->schema.tables) + 1 : 0;
	p->done = done;
	sh->opts->progress(sh->opts->ctx, p);
}

static int on_row(void *ctx, const rp_value *v, size_t n)
{
	worker *wk = ctx;
	shared *sh = wk->sh;
	rp_table *t = wk->table;
	uint8_t h[RP_SHA256_LEN];

	if (sh->opts->interrupted && *sh->opts->interrupted)
		return rp_error_set(RP_E_INTERRUPTED, "interrupted while exporting table %s", t->display);
	if (rp_rowhash_begin(&wk->hash) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int r = v[i].data ? rp_rowhash_value(&wk->hash, v[i].data, v[i].len) : rp_rowhash_null(&wk->hash);
		if (r < 0)
			return -1;
		wk->bytes += v[i].len;
	}
	if (rp_rowhash_end(&wk->hash, h) < 0)
		return -1;
	rp_digest_add(&wk->digest, h);
	for (size_t i = 0; i < sh->run->nwriters; i++) {
		rp_writer *w = sh->run->writers[i];
		if (w->ops->row(w, wk->cctx[i], t, v, n) < 0)
			return -1;
	}
	if (wk->delay_us)
		usleep(wk->delay_us);
	if ((++wk->rows & 1023) == 0) {
		bool stop;
		pthread_mutex_lock(&sh->mu);
		progress_locked(wk, 0);
		stop = sh->failed;
		pthread_mutex_unlock(&sh->mu);
		if (stop)
			return rp_error_set(RP_E_INTERNAL, "stopped: another connection failed");
	}
	return 0;
}

/* table_begin of every writer; called with sh->mu held, by the worker
 * that takes the table's first range (ranges are taken in order). */
static int begin_table_locked(shared *sh, rp_table *t, table_run *tr)
{
	src_run *run = sh->run;

	tr->begun = true;
	tr->left = t->nchunks;
	rp_digest_init(&t->digest);
	for (; tr->nbegun < run->nwriters; tr->nbegun++)
		if (run->writers[tr->nbegun]->ops->table_begin(run->writers[tr->nbegun], t, &tr->tctx[tr->nbegun]) < 0)
			return -1;
	return 0;
}

/* table_end of every writer, once its last range ended. */
static int end_table(shared *sh, rp_table *t, table_run *tr)
{
	src_run *run = sh->run;
	int rc = 0;

	tr->ended = true;
	for (size_t i = 0; i < run->nwriters; i++) {
		void *c = tr->tctx[i];
		tr->tctx[i] = NULL;
		if (run->writers[i]->ops->table_end(run->writers[i], c, t) < 0 && rc == 0)
			rc = -1;
	}
	return rc;
}

/* Frees the contexts of tables that were begun and not ended. */
static void abort_tables(shared *sh)
{
	src_run *run = sh->run;

	for (size_t t = 0; sh->tables && t < run->schema.ntables; t++) {
		table_run *tr = &sh->tables[t];
		if (!tr->begun || tr->ended)
			continue;
		for (size_t i = 0; i < tr->nbegun; i++)
			if (tr->tctx[i])
				run->writers[i]->ops->table_abort(run->writers[i], tr->tctx[i]);
		tr->ended = true;
	}
}

/* One key range through every writer. */
static int export_chunk(worker *wk, rp_table *t, size_t k, table_run *tr)
{
	src_run *run = wk->sh->run;
	size_t begun = 0;
	int rc = -1;

	rp_digest_init(&wk->digest);
	wk->table = t;
	for (; begun < run->nwriters; begun++)
		if (run->writers[begun]->ops->chunk_begin(run->writers[begun], tr->tctx[begun], t, k, &wk->cctx[begun]) < 0)
			goto out;
	if (wk->src->ops->stream_rows(wk->src, t, k, on_row, wk) < 0)
		goto out;
	rc = 0;
	/* chunk_end frees its context whatever it returns */
	for (size_t i = 0; i < run->nwriters; i++) {
		void *c = wk->cctx[i];
		wk->cctx[i] = NULL;
		if (run->writers[i]->ops->chunk_end(run->writers[i], tr->tctx[i], c, t) < 0 && rc == 0)
			rc = -1;
	}
out:
	for (size_t i = 0; i < begun; i++) {
		if (wk->cctx[i])
			run->writers[i]->ops->chunk_abort(run->writers[i], tr->tctx[i], wk->cctx[i]);
		wk->cctx[i] = NULL;
	}
	return rc;
}

static void *worker_main(void *arg)
{
	worker *wk = arg;
	shared *sh = wk->sh;

	for (;;) {
		task tk;
		rp_table *t;
		table_run *tr;
		bool last = false;
		int rc = 0;

		pthread_mutex_lock(&sh->mu);
		if (sh->failed || sh->next_task >= sh->ntasks) {
			pthread_mutex_unlock(&sh->mu);
			break;
		}
		tk = sh->tasks[sh->next_task++];
		t = &sh->run->schema.tables[tk.table];
		tr = &sh->tables[tk.table];
		if (!tr->begun && begin_table_locked(sh, t, tr) < 0) {
			/* stop the others before they take another range of it */
			if (!sh->failed) {
				wk->err_kind = rp_error_kind();
				wk->err_msg = rp_strdup(rp_error_message());
			}
			sh->failed = true;
			pthread_mutex_unlock(&sh->mu);
			break;
		}
		wk->table = t;
		rp_digest_init(&wk->digest);
		progress_locked(wk, 0);
		pthread_mutex_unlock(&sh->mu);

		if (rc == 0)
			rc = export_chunk(wk, t, tk.chunk, tr);
		if (rc == 0 && wk->table_delay_ms)
			usleep(wk->table_delay_ms * 1000u);

		pthread_mutex_lock(&sh->mu);
		if (rc == 0) {
			rp_digest_merge(&t->digest, &wk->digest);
			last = --tr->left == 0;
		}
		pthread_mutex_unlock(&sh->mu);
		/* the last range to end finishes the table; no other thread
		 * touches it any more */
		if (rc == 0 && last)
			rc = end_table(sh, t, tr);

		pthread_mutex_lock(&sh->mu);
		if (rc < 0) {
			/* the first failure wins; the others only stop */
			if (!sh->failed) {
				wk->err_kind = rp_error_kind();
				wk->err_msg = rp_strdup(rp_error_message());
			}
			sh->failed = true;
		} else {
			/* counts every row read, the table done or not */
			if (last)
				sh->tables_done++;
			progress_locked(wk, last);
		}
		wk->table = NULL;
		pthread_mutex_unlock(&sh->mu);
		if (rc < 0)
			break;
	}
	return NULL;
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

/*
 * inventory.xml names every table and column as it is, and verify matches
 * those names with the CSV headers and the .siard: a name XML cannot hold
 * (a control character, bytes that are not UTF-8) would make the package
 * invalid. Such a table is refused, named as XML would show it.
 */
static int check_names(const rp_source *src, const rp_schema *sc)
{
	for (size_t i = 0; i < sc->ntables; i++) {
		const rp_table *t = &sc->tables[i];
		const char *bad = rp_xml_clean(t->display, strlen(t->display)) ? NULL : t->display;
		rp_buf shown = RP_BUF_INIT, col = RP_BUF_INIT;
		rp_xml_fix fix = { 0, 0, 0 };
		int rc;

		for (size_t k = 0; !bad && k < t->ncols; k++)
			if (!rp_xml_clean(t->cols[k].name, strlen(t->cols[k].name)))
				bad = t->cols[k].name;
		if (!bad)
			continue;
		rc = rp_xml_map(&shown, t->display, strlen(t->display), &fix);
		if (rc == 0 && bad != t->display)
			rc = rp_xml_map(&col, bad, strlen(bad), &fix);
		if (rc == 0)
			rp_error_set(RP_E_DB,
			             "source %s: table %s%s%s has a name inventory.xml cannot hold (a control character "
			             "or bytes that are not UTF-8, shown here as XML would show them); rename it, or leave "
			             "it out with --exclude-table",
			             src->name, shown.data, col.data ? ", column " : "", col.data ? col.data : "");
		rp_buf_free(&shown);
		rp_buf_free(&col);
		return -1;
	}
	return 0;
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

/* Runs the workers (threads beside the caller's) until every table is
 * written or one fails. */
static int run_workers(shared *sh, worker *wk, size_t n)
{
	int rc = 0;

	for (size_t i = 1; i < n; i++) {
		int e = pthread_create(&wk[i].thread, NULL, worker_main, &wk[i]);
		if (e) {
			rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a worker thread");
			pthread_mutex_lock(&sh->mu);
			sh->failed = true;
			pthread_mutex_unlock(&sh->mu);
			rc = -1;
			break;
		}
		wk[i].started = true;
	}
	worker_main(&wk[0]);
	for (size_t i = 1; i < n; i++)
		if (wk[i].started)
			pthread_join(wk[i].thread, NULL);
	for (size_t i = 0; i < n; i++)
		if (wk[i].err_msg) {
			rp_error_set(wk[i].err_kind, "%s", wk[i].err_msg);
			return -1;
		}
	return sh->failed ? -1 : rc;
}

static int export_source(const rp_export_opts *o, rp_package *pkg, rp_source *src, src_run *run,
                         rp_progress *prog)
{
	static const struct {
		unsigned format;
		writer_ctor make;
	} common_writers[] = { { RP_FORMAT_CSV, rp_csv_writer_new }, { RP_FORMAT_SIARD, rp_siard_writer_new } };
	unsigned formats = o->formats ? o->formats : RP_FORMAT_ALL;
	const char *delay = getenv("REVPACK_TEST_ROW_DELAY_US");
	const char *table_delay = getenv("REVPACK_TEST_TABLE_DELAY_MS");
	size_t want = o->jobs ? o->jobs : 1, nworkers = 0;
	rp_source **extra = NULL;
	size_t nextra = 0;
	worker *wk = NULL;
	shared sh;
	int rc = -1;

	memset(&sh, 0, sizeof sh);
	sh.run = run;
	pthread_mutex_init(&sh.mu, NULL);
	if (src->ops->connect(src) < 0)
		goto out;
	if (want > 1 && src->ops->open_workers) {
		char *note = NULL;
		if (src->ops->open_workers(src, want - 1, &extra, &nextra, &note) < 0)
			goto out;
		if (note && o->warn)
			o->warn(o->ctx, src->name, note);
		free(note);
	} else if (src->ops->begin_snapshot(src) < 0) {
		goto out;
	}
	if (src->ops->load_schema(src, &o->filter, &run->schema) < 0)
		goto out;
	if (check_patterns(o, src, &run->schema) < 0 || check_names(src, &run->schema) < 0 ||
	    assign_file_stems(&run->schema) < 0)
		goto out;
	/* Key ranges before the writers begin: dump.sql numbers its sections
	 * by range. */
	for (size_t i = 0; i < run->schema.ntables; i++) {
		rp_table *t = &run->schema.tables[i];
		t->nchunks = 1;
		if (src->ops->plan_chunks && src->ops->plan_chunks(src, t) < 0)
			goto out;
		sh.ntasks += t->nchunks;
	}
	if (!(sh.tasks = rp_calloc(sh.ntasks + 1, sizeof *sh.tasks)) ||
	    !(sh.tables = rp_calloc(run->schema.ntables + 1, sizeof *sh.tables)))
		goto out;
	for (size_t i = 0, n = 0; i < run->schema.ntables; i++)
		for (size_t k = 0; k < run->schema.tables[i].nchunks; k++, n++) {
			sh.tasks[n].table = i;
			sh.tasks[n].chunk = k;
		}
	for (size_t i = 0; i < run->schema.nwarnings; i++)
		if (o->warn)
			o->warn(o->ctx, src->name, run->schema.warnings[i]);
	run->dir = rp_sprintf("database/%s", src->name);
	if (formats & RP_FORMAT_SQL)
		run->restore = rp_sprintf("%s data/database/%s/dump.sql", src->ops->restore_cmd, src->name);
	if (!run->dir || ((formats & RP_FORMAT_SQL) && !run->restore))
		goto out;
	run->env.pkg = pkg;
	run->env.src = src;
	run->env.schema = &run->schema;
	run->env.dir = run->dir;
	run->env.dialect = o->dialect;
	run->env.organization = o->organization;
	if ((formats & RP_FORMAT_SQL) && src->ops->sql_writer_new(&run->writers[run->nwriters++], &run->env) < 0)
		goto out;
	for (size_t i = 0; i < sizeof common_writers / sizeof common_writers[0]; i++)
		if ((formats & common_writers[i].format) &&
		    common_writers[i].make(&run->writers[run->nwriters++], &run->env) < 0)
			goto out;
	for (size_t i = 0; i < run->nwriters; i++)
		if (run->writers[i]->ops->begin(run->writers[i]) < 0)
			goto out;

	/* No more workers than ranges. */
	nworkers = 1 + nextra;
	if (nworkers > sh.ntasks && sh.ntasks > 0)
		nworkers = sh.ntasks;
	if (!(wk = rp_calloc(nworkers, sizeof *wk)))
		goto out;
	sh.opts = o;
	sh.run = run;
	sh.prog = prog;
	prog->source = src->name;
	prog->ntables = run->schema.ntables;
	for (size_t i = 0; i < nworkers; i++) {
		wk[i].sh = &sh;
		wk[i].src = i == 0 ? src : extra[i - 1];
		wk[i].delay_us = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
		wk[i].table_delay_ms = table_delay ? (unsigned)strtoul(table_delay, NULL, 10) : 0;
		if (rp_rowhash_init(&wk[i].hash) < 0)
			goto out;
		wk[i].hash_ready = true;
	}
	if (run_workers(&sh, wk, nworkers) < 0)
		goto out;
	for (size_t i = 0; i < run->nwriters; i++)
		if (run->writers[i]->ops->end(run->writers[i]) < 0)
			goto out;
	/* The content pass: the same connection, still in the snapshot. */
	if (run->content && rp_content_export(run->content, pkg, src, extra, nextra, &run->schema, &run->env.files,
	                                      &run->env.nfiles, (time_t)src->info.snapshot_started, o->warn, o->ctx) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < nextra; i++)
		if (extra[i]->ops->end(extra[i]) < 0)
			rc = -1;
	if (rc == 0)
		rc = src->ops->end(src);
out:
	abort_tables(&sh);
	free(sh.tasks);
	free(sh.tables);
	for (size_t i = 0; wk && i < nworkers; i++) {
		if (wk[i].hash_ready)
			rp_rowhash_free(&wk[i].hash);
		free(wk[i].err_msg);
	}
	free(wk);
	for (size_t i = 0; i < nextra; i++)
		extra[i]->ops->free(extra[i]);
	free(extra);
	pthread_mutex_destroy(&sh.mu);
	return rc;
}

/* The files that describe the others, made once every payload file is
 * known (in the zip form, once the media were read into the archive): each
 * site's media.csv, the guide, then the inventory, which lists them all. */
static int write_last_files(rp_package *pkg, void *ctx)
{
	const rp_inventory *inv = ctx;

	if (rp_content_write_late(inv->content, pkg) < 0)
		return -1;
	if (rp_guide_write(pkg, inv) < 0)
		return -1;
	return rp_inventory_write_now(pkg, inv);
}

static int defer_last_files(rp_package *pkg, const rp_inventory *inv)
{
	char **paths = NULL;
	size_t n = 0;
	rp_inventory *copy;
	int rc = -1;

	if (rp_content_late_paths(inv->content, &paths, &n) < 0)
		goto out;
	{
		char **np = rp_realloc(paths, (n + 2) * sizeof *np);
		if (!np)
			goto out;
		paths = np;
	}
	if (!(paths[n] = rp_strdup(RP_GUIDE_PATH)))
		goto out;
	n++;
	if (!(paths[n] = rp_strdup("inventory.xml")))
		goto out;
	n++;
	if (!(copy = rp_malloc(sizeof *copy)))
		goto out;
	*copy = *inv;
	rc = rp_package_defer(pkg, (const char *const *)paths, n, write_last_files, copy, free);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
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
	rp_media **media = NULL;
	rp_media_opts mo;
	rp_package_summary sum;
	src_run *runs = NULL;
	rp_inv_source *isrc = NULL;
	rp_label *labels = NULL;
	char **label_values = NULL;
	size_t nlabels = 0, nvalues = 0;
	rp_progress prog;
	rp_inventory inv;
	rp_content content;
	int ret = -1;

	memset(res, 0, sizeof *res);
	memset(&prog, 0, sizeof prog);
	memset(&content, 0, sizeof content);
	for (size_t i = 0; i < o->nsources; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->sources[i]->name, o->sources[j]->name) == 0)
				return rp_error_set(RP_E_USAGE, "two sources are named %s; give each its own NAME=",
				                    o->sources[i]->name);
	/* Media roots are named like sources, in the same name space. */
	for (size_t i = 0; i < o->nmedia; i++) {
		for (size_t j = 0; j < o->nsources; j++)
			if (strcmp(o->media[i].name, o->sources[j]->name) == 0)
				return rp_error_set(RP_E_USAGE, "a source and a media folder are both named %s; "
				                                "give each its own NAME", o->media[i].name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->media[i].name, o->media[j].name) == 0)
				return rp_error_set(RP_E_USAGE, "two media folders are named %s; give each its own NAME=",
				                    o->media[i].name);
	}
	if (make_external_id(res->external_id) < 0)
		return -1;
	runs = rp_calloc(o->nsources, sizeof *runs);
	isrc = rp_calloc(o->nsources, sizeof *isrc);
	labels = rp_calloc(4 + 2 * o->nsources, sizeof *labels);
	label_values = rp_calloc(2 * o->nsources + 1, sizeof *label_values);
	media = rp_calloc(o->nmedia ? o->nmedia : 1, sizeof *media);
	if (!runs || !isrc || !labels || !label_values || !media)
		goto out;
	if (rp_package_create(&pkg, o->out_path) < 0)
		goto out;
	rp_package_set_interrupt(pkg, o->interrupted);
	/* Media folders are walked first: what cannot be exported is known
	 * before any database is read. */
	memset(&mo, 0, sizeof mo);
	mo.skip_unreadable = o->skip_unreadable;
	mo.threads = o->jobs;
	mo.warn = o->warn;
	mo.progress = o->media_progress;
	mo.ctx = o->ctx;
	mo.interrupted = o->interrupted;
	{
		/* OUT inside a media folder: its hidden folder is left out */
		struct stat st;
		if (fstat(rp_package_root_fd(pkg), &st) == 0) {
			mo.exclude = true;
			mo.exclude_dev = st.st_dev;
			mo.exclude_ino = st.st_ino;
		}
	}
	for (size_t i = 0; i < o->nmedia; i++)
		if (rp_media_scan(&media[i], &o->media[i], &mo) < 0)
			goto out;
	if (rp_content_init(&content, media, o->nmedia) < 0)
		goto out;
	content.dialect = o->dialect;
	content.lang = o->lang;
	for (size_t i = 0; i < o->nsources; i++) {
		if ((o->formats ? o->formats : RP_FORMAT_ALL) & RP_FORMAT_WXR)
			runs[i].content = &content;
		if (export_source(o, pkg, o->sources[i], &runs[i], &prog) < 0)
			goto out;
		isrc[i].src = o->sources[i];
		isrc[i].schema = &runs[i].schema;
		isrc[i].files = runs[i].env.files;
		isrc[i].nfiles = runs[i].env.nfiles;
		isrc[i].restore_command = runs[i].restore;
		res->tables += runs[i].schema.ntables;
	}
	for (size_t i = 0; i < o->nmedia; i++)
		if (rp_media_export(media[i], pkg) < 0)
			goto out;
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
	inv.media = media;
	inv.nmedia = o->nmedia;
	inv.content = &content;
	inv.lang = o->lang;
	if (defer_last_files(pkg, &inv) < 0)
		goto out;
	res->rows = prog.total_rows;

	labels[nlabels++] = (rp_label){ "Source-Organization", o->organization };
	labels[nlabels++] = (rp_label){ "External-Identifier", res->external_id };
	labels[nlabels++] = (rp_label){ "External-Description",
		                        o->nmedia ? "Reversibility package written by revpack: each database as "
		                                    "SQL and CSV, media files as they were, described in "
		                                    "data/inventory.xml"
		                                  : "Reversibility package written by revpack: each database as SQL "
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
	ret = rp_package_complete(pkg, labels, nlabels, &sum);
	pkg = NULL;
	if (ret == 0) {
		memcpy(res->identity, sum.identity, sizeof res->identity);
		memcpy(res->archive_sha256, sum.archive_sha256, sizeof res->archive_sha256);
		res->files = sum.files;
		res->payload_bytes = sum.payload_bytes;
		for (size_t i = 0; i < o->nmedia; i++) {
			uint64_t f, b, k;
			rp_media_totals(media[i], &f, &b, &k);
			res->media_files += f;
			res->media_bytes += b;
			res->media_skipped += k;
		}
	}
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
	/* The writers before the package: a writer that did not end (the
	 * SIARD archive's thread) may still be writing into it. */
	for (size_t i = 0; runs && i < o->nsources; i++)
		run_free(&runs[i]);
	rp_package_abort(pkg);
	rp_content_free(&content);
	for (size_t i = 0; media && i < o->nmedia; i++)
		rp_media_free(media[i]);
	free(media);
	for (size_t i = 0; i < nvalues; i++)
		free(label_values[i]);
	free(label_values);
	free(labels);
	free(isrc);
	free(runs);
	return ret;
}
