/*
 * Database sources: one interface (a table of callbacks) for MySQL/MariaDB
 * now and PostgreSQL next. The export loop drives a source through
 * connect -> begin_snapshot -> load_schema -> stream_rows (per table) -> end
 * and knows nothing of the server behind it.
 */
#ifndef REVPACK_SOURCE_H
#define REVPACK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/buf.h"
#include "revpack/digest.h"

typedef enum rp_colclass {
	RP_CLASS_INTEGER = 0,
	RP_CLASS_DECIMAL,
	RP_CLASS_FLOAT,
	RP_CLASS_TEXT,
	RP_CLASS_BINARY,
	RP_CLASS_TEMPORAL,
	RP_CLASS_BIT,
	RP_CLASS_OTHER
} rp_colclass;

const char *rp_colclass_name(rp_colclass c);
/* Binary classes are written as hex in CSV and as hex literals in SQL. */
bool rp_colclass_is_binary(rp_colclass c);

typedef struct rp_column {
	char *name;
	char *type;        /* the source's full type, e.g. "bigint(20) unsigned" */
	char *base_type;   /* the type's name alone, lower case: "bigint", "varchar",
	                      "timestamp with time zone", "_int4" (PostgreSQL arrays) */
	long long length;  /* declared length of character and binary types, -1 if none */
	int precision;     /* numeric precision (digits) or fractional seconds, -1 if none */
	int scale;         /* numeric scale, -1 if none */
	char *charset;     /* character set of text columns, else NULL */
	char *collation;
	char *default_expr; /* the default as the source writes it, or NULL */
	rp_colclass cls;
	bool nullable;
	bool generated;    /* computed by the server: never inserted */
	bool is_unsigned;  /* MySQL UNSIGNED */
} rp_column;

/* A unique or foreign key. */
typedef struct rp_key {
	char *name;
	char **cols;
	size_t ncols;
	/* foreign keys only */
	char *ref_schema;
	char *ref_table;
	char **ref_cols;
	char *on_update;    /* "CASCADE", "RESTRICT", ... or NULL */
	char *on_delete;
} rp_key;

typedef struct rp_fileref {
	const char *role;  /* "csv", "sql", ... (static string) */
	char *path;        /* relative to the bag root: data/... */
} rp_fileref;

typedef struct rp_table {
	char *schema;        /* NULL where the source has none (MySQL) */
	char *name;
	char *display;       /* for messages: name or schema.name */
	char *engine;        /* storage engine (MySQL) or NULL */
	bool in_snapshot;    /* false: the engine is not transactional */
	rp_column *cols;
	size_t ncols;
	char **pkey;         /* primary key column names */
	size_t npkey;
	char *pkey_name;     /* constraint name, or NULL */
	rp_key *uniques;     /* unique keys (not the primary key) */
	size_t nuniques;
	rp_key *fkeys;       /* foreign keys */
	size_t nfkeys;
	char *comment;       /* table comment, or NULL */
	char *ddl;           /* CREATE statement as the source gives it */
	char *file_stem;     /* safe file name (path.h), unique in the source */
	/*
	 * Key ranges (rp_chunk_plan): a table whose primary key is one integer
	 * column spanning at least RP_CHUNK_MIN_SPAN values is read as
	 * RP_CHUNKS ranges of that key, which several connections may read at
	 * once. The plan depends only on the smallest and largest key in the
	 * snapshot, never on --jobs, so the files are the same whatever N is.
	 * nchunks is 1 for every other table.
	 */
	size_t nchunks;
	long long chunk_lo;      /* smallest key */
	unsigned long long chunk_step;  /* keys per range */
	/* Filled by the export. */
	rp_digest digest;
	rp_fileref *files;
	size_t nfiles;
} rp_table;

typedef enum rp_objkind {
	RP_OBJ_VIEW = 0,
	RP_OBJ_TRIGGER,
	RP_OBJ_PROCEDURE,
	RP_OBJ_FUNCTION,
	RP_OBJ_EVENT,
	RP_OBJ_SCHEMA,
	RP_OBJ_EXTENSION,
	RP_OBJ_TYPE,
	RP_OBJ_SEQUENCE,
	RP_OBJ_TABLE,       /* DDL only: a partitioned parent holding no rows itself */
	RP_OBJ_INDEX,
	RP_OBJ_CONSTRAINT,
	RP_OBJ_MATVIEW,
	RP_OBJ_COMMENT,     /* statements that are not objects of their own */
	RP_OBJ_OTHER
} rp_objkind;

/* Where an object's DDL goes in dump.sql (sources that order it
 * themselves, such as PostgreSQL): before the table data or after. */
typedef enum rp_phase {
	RP_PHASE_PRE = 0,       /* before the tables */
	RP_PHASE_AFTER_TABLES,  /* after the tables, before the data (e.g. functions using a row type) */
	RP_PHASE_POST           /* after the data */
} rp_phase;

const char *rp_objkind_name(rp_objkind k);

/* A schema object other than a table, with its definition. */
typedef struct rp_object {
	rp_objkind kind;
	rp_phase phase;
	char *schema;
	char *name;
	char *table;            /* triggers: the table they belong to */
	char *ddl;              /* CREATE statement, portable (no DEFINER) */
	char *query;            /* views: the SELECT alone */
	rp_column *cols;        /* views: their columns */
	size_t ncols;
	char *definer;          /* as found at the source, for the record */
	char *sql_mode;         /* MySQL: sql_mode the object was created under */
	char *client_charset;   /* MySQL: character_set_client at creation */
	char *collation;        /* MySQL: collation_connection at creation */
} rp_object;

typedef struct rp_setting {
	char *name;
	char *value;
} rp_setting;

typedef struct rp_schema {
	rp_table *tables;   /* base tables, sorted by name */
	size_t ntables;
	rp_object *objects; /* views (in an order that restores), routines, triggers, events */
	size_t nobjects;
	char **warnings;    /* e.g. a table whose engine is outside the snapshot */
	size_t nwarnings;
} rp_schema;

typedef struct rp_source_info {
	char *product;          /* "MariaDB", "MySQL", "PostgreSQL" */
	char *version;
	char *host;             /* NULL for a socket connection */
	unsigned port;
	char *socket;
	char *database;
	char *user;
	char *snapshot_method;  /* e.g. "START TRANSACTION WITH CONSISTENT SNAPSHOT" */
	char *isolation;
	char *snapshot_server_time; /* the server's clock when the snapshot began */
	unsigned connections;   /* connections that read in the snapshot (0: one) */
	char *snapshot_sharing; /* how several connections share it, or NULL */
	long long snapshot_started; /* time_t, local clock */
	rp_setting *settings;   /* session settings pinned for the export */
	size_t nsettings;
	char *default_charset;  /* database default character set */
	char *default_collation;
} rp_source_info;

/* One value of a row: data == NULL is SQL NULL. Borrowed: valid until the
 * next row. */
typedef struct rp_value {
	const char *data;
	size_t len;
} rp_value;

typedef int (*rp_row_fn)(void *ctx, const rp_value *values, size_t n);

/* Table selection: a table is exported when it matches an include pattern
 * (or there are none) and no exclude pattern. Patterns are shell globs
 * (fnmatch) against the table name (MySQL) or schema.table (PostgreSQL). */
typedef struct rp_filter {
	const char **include;
	size_t ninclude;
	const char **exclude;
	size_t nexclude;
} rp_filter;

bool rp_filter_match(const rp_filter *f, const char *name);

typedef struct rp_source rp_source;
struct rp_writer;
struct rp_writer_env;

typedef struct rp_source_ops {
	const char *kind;  /* "mysql", "pgsql" */
	/* The stock command that restores dump.sql, given the file's path as
	 * its last word (e.g. "mysql NEWDB <"). */
	const char *restore_cmd;
	/* Creates the writer of dump.sql in this source's SQL dialect. */
	int (*sql_writer_new)(struct rp_writer **out, struct rp_writer_env *env);
	int (*connect)(rp_source *src);
	int (*begin_snapshot)(rp_source *src);
	/*
	 * Instead of begin_snapshot, for parallel exports: takes the snapshot
	 * on src and on up to want more connections that share it, returned in
	 * *workers (*nworkers of them, each to be ended and freed by the
	 * caller). When the account cannot share a snapshot, *nworkers is 0 and
	 * *note says why (the caller shows it). NULL: not supported.
	 */
	int (*open_workers)(rp_source *src, size_t want, rp_source ***workers, size_t *nworkers, char **note);
	int (*load_schema)(rp_source *src, const rp_filter *filter, rp_schema *out);
	/* Reads the key range of t (rp_chunk_plan); NULL or a table without a
	 * single integer key: one range. */
	int (*plan_chunks)(rp_source *src, rp_table *t);
	/* Streams the rows of key range chunk of t (0 <= chunk < t->nchunks;
	 * every row when nchunks is 1), in primary-key order when there is
	 * one. */
	int (*stream_rows)(rp_source *src, rp_table *t, size_t chunk, rp_row_fn fn, void *ctx);
	int (*end)(rp_source *src);
	void (*free)(rp_source *src);
	/*
	 * Streams the rows of one read-only statement, inside the snapshot,
	 * values as the server stores them (content readers: wordpress.h).
	 * Between begin_snapshot (or open_workers) and end; NULL where the
	 * source has no such readers.
	 */
	int (*query)(rp_source *src, const char *sql, rp_row_fn fn, void *ctx);
} rp_source_ops;

struct rp_source {
	const rp_source_ops *ops;
	char *name;         /* NAME in the package */
	rp_source_info info;
};

#define RP_CHUNKS 8
#define RP_CHUNK_MIN_SPAN 4096
/* PostgreSQL: a table whose rows average more than this many bytes (its
 * size with TOAST over the planner's row estimate) is read whole by one
 * connection: each connection holds its largest row twice or more (libpq's
 * buffer and the COPY line), and two of them reading multi-megabyte rows
 * at once would double the peak memory. The dump is the same either way. */
#define RP_CHUNK_MAX_AVG_ROW 16384

/* The column a table can be read by ranges of, or NULL: its primary key
 * when that is one column of the integer class. */
const rp_column *rp_chunk_column(const rp_table *t);
/* Plans t's ranges from its smallest and largest key as the server wrote
 * them (NULL when the table is empty: one range). Keys that do not fit in
 * a signed 64-bit integer give one range. The test hook
 * REVPACK_TEST_CHUNK_MIN_SPAN lowers the span that is split. */
void rp_chunk_plan(rp_table *t, const char *min, const char *max);
/* Appends the WHERE clause of range chunk ("" when t has one range):
 * " WHERE col >= lo AND col < hi", col being the quoted column name. */
int rp_chunk_where(rp_buf *q, const rp_table *t, size_t chunk, const char *quoted_col);

/* Sets ops and a copy of name on a source an implementation allocated
 * (zeroed); -1 when out of memory. */
int rp_source_init(rp_source *src, const rp_source_ops *ops, const char *name);
/* Frees what rp_source owns (name, info); for implementations' free(). */
void rp_source_base_free(rp_source *src);
void rp_schema_free(rp_schema *s);
void rp_table_free(rp_table *t);
void rp_object_free(rp_object *o);
void rp_key_free(rp_key *k);
void rp_column_free(rp_column *c);
/* Appends a zeroed column to *cols and returns it (NULL: out of memory). */
rp_column *rp_column_append(rp_column **cols, size_t *n);
/* Appends {role, copy of path} to a file list. */
int rp_fileref_append(rp_fileref **list, size_t *n, const char *role, const char *path);
int rp_table_add_file(rp_table *t, const char *role, const char *path);
int rp_schema_add_warning(rp_schema *s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
int rp_info_add_setting(rp_source_info *info, const char *name, const char *value);

/* Source names (NAME=): [A-Za-z0-9][A-Za-z0-9_.-]{0,63}. */
bool rp_source_name_valid(const char *name);

/* ---- MySQL / MariaDB ---- */

typedef struct rp_mysql_params {
	char *user;       /* NULL: from option files / login name */
	char *host;       /* NULL: from option files / localhost */
	unsigned port;    /* 0: default */
	char *socket;     /* unix socket path or NULL */
	char *database;
	char *defaults_file; /* --mysql-defaults-file, or NULL */
} rp_mysql_params;

/*
 * Parses mysql://[USER@][HOST][:PORT]/DB[?socket=PATH] (percent-decoding
 * USER, DB and PATH). A URI carrying a password is refused (RP_E_USAGE) with
 * a message saying how to pass one.
 */
int rp_mysql_parse_uri(const char *uri, rp_mysql_params *out);
void rp_mysql_params_free(rp_mysql_params *p);

/* Takes ownership of params. */
int rp_mysql_source_new(rp_source **out, const char *name, rp_mysql_params *params);

/* ---- PostgreSQL ---- */

typedef struct rp_pgsql_params {
	char *conninfo;    /* a libpq connection string or URI */
	char *dbname;      /* from the conninfo, or NULL */
	bool with_owners;  /* restore owners and grants instead of noting them */
} rp_pgsql_params;

/* Checks a conninfo (RP_E_USAGE when it is not one, or carries a password:
 * the message says how to pass one) and fills params. */
int rp_pgsql_parse_conninfo(const char *conninfo, rp_pgsql_params *out);
void rp_pgsql_params_free(rp_pgsql_params *p);
/* Takes ownership of params. */
int rp_pgsql_source_new(rp_source **out, const char *name, rp_pgsql_params *params);

#endif
