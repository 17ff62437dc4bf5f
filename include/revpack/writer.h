/*
 * Writers: one per output format. The export loop hands every row of every
 * table to each writer in turn and knows no format; a writer writes its
 * files through the package's sinks and records them on the table
 * (rp_table_add_file) or the source.
 *
 * Threads: begin and end run once, in one thread. Between them, tables and
 * the key ranges of a table (source.h) may be written at the same time
 * from several threads (--jobs); one range is always written by one
 * thread, through the context chunk_begin returns. Whatever the order
 * tables and ranges finish in, a writer's files are byte-identical.
 */
#ifndef REVPACK_WRITER_H
#define REVPACK_WRITER_H

#include <stddef.h>

#include "revpack/csv.h"
#include "revpack/package.h"
#include "revpack/source.h"

typedef struct rp_writer rp_writer;

/* What every writer is given for one source. */
typedef struct rp_writer_env {
	rp_package *pkg;
	rp_source *src;
	rp_schema *schema;
	const char *dir;        /* "database/<name>", relative to data/ */
	rp_csv_dialect dialect;
	const char *organization;  /* --organization, or NULL */
	/* Files of the source as a whole (dump.sql ...), filled by writers. */
	rp_fileref *files;
	size_t nfiles;
} rp_writer_env;

typedef struct rp_writer_ops {
	const char *name;
	int (*begin)(rp_writer *w);
	/* Starts table t, before any of its key ranges; *tctx is what the
	 * range and table calls below are given. */
	int (*table_begin)(rp_writer *w, rp_table *t, void **tctx);
	/* Starts key range k of t (0 <= k < t->nchunks). Ranges of one table
	 * may be written at the same time by several threads, and finish in
	 * any order; the files hold them in key order. */
	int (*chunk_begin)(rp_writer *w, void *tctx, rp_table *t, size_t k, void **cctx);
	int (*row)(rp_writer *w, void *cctx, const rp_table *t, const rp_value *v, size_t n);
	/* Finishes a range and frees cctx, on failure too. */
	int (*chunk_end)(rp_writer *w, void *tctx, void *cctx, rp_table *t);
	/* Frees cctx of a range that will not be finished. */
	void (*chunk_abort)(rp_writer *w, void *tctx, void *cctx);
	/* Finishes the table, once every range ended, and frees tctx, on
	 * failure too. */
	int (*table_end)(rp_writer *w, void *tctx, rp_table *t);
	/* Frees tctx of a table that will not be finished (its ranges were
	 * ended or aborted first). */
	void (*table_abort)(rp_writer *w, void *tctx);
	int (*end)(rp_writer *w);
	/* Frees the writer, removing any file not yet committed. */
	void (*free)(rp_writer *w);
} rp_writer_ops;

struct rp_writer {
	const rp_writer_ops *ops;
	rp_writer_env *env;
};

int rp_env_add_file(rp_writer_env *env, const char *role, const char *path);

int rp_csv_writer_new(rp_writer **out, rp_writer_env *env);
int rp_sql_mysql_writer_new(rp_writer **out, rp_writer_env *env);
int rp_sql_pgsql_writer_new(rp_writer **out, rp_writer_env *env);
int rp_siard_writer_new(rp_writer **out, rp_writer_env *env);

/* ---- SQL literals for MySQL (exposed for tests) ---- */

/* Appends the MySQL literal for a value of column c: NULL, a bare number,
 * a quoted string with \0 \n \r \Z \\ \' \" escaped, or X'hex' for binary
 * values and for text that cannot be written as UTF-8 (formats/sql.md). */
int rp_mysql_literal(const rp_out *o, const rp_column *c, const char *data, size_t len);
/* The same literal appended to b, in one pass over the value (the writer's
 * path for values that fit in memory). */
int rp_mysql_literal_buf(rp_buf *b, const rp_column *c, const char *data, size_t len);
/* Appends `name` with backticks doubled. */
int rp_mysql_ident(const rp_out *o, const char *name);
/* Appends "name" with double quotes doubled (PostgreSQL). */
int rp_pg_ident(const rp_out *o, const char *name);

#endif
