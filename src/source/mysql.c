/*
 * MySQL / MariaDB source through libmariadb.
 *
 * One connection, one REPEATABLE READ transaction started WITH CONSISTENT
 * SNAPSHOT; rows stream with mysql_use_result. Results come back with
 * character_set_results = binary, so every value is the stored bytes as
 * they are, whatever the column's character set.
 */
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/source.h"
#include "revpack/text.h"
#include "revpack/writer.h"

typedef struct mysql_source {
	rp_source base;          /* first: the export sees an rp_source */
	rp_mysql_params params;
	MYSQL *conn;
	MYSQL_RES *streaming;    /* result being streamed, if any */
	bool in_tx;
} mysql_source;

/* ---------- URI ---------- */

static char *pct_decode(const char *s, size_t n, const char *what)
{
	rp_buf b = RP_BUF_INIT;

	if (rp_buf_grow(&b, n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n || rp_hex_value(s[i + 1]) < 0 || rp_hex_value(s[i + 2]) < 0) {
				rp_buf_free(&b);
				rp_error_set(RP_E_USAGE, "--mysql: bad percent-encoding in the %s", what);
				return NULL;
			}
			c = (char)(rp_hex_value(s[i + 1]) * 16 + rp_hex_value(s[i + 2]));
			i += 2;
		}
		if (c == '\0') {
			rp_buf_free(&b);
			rp_error_set(RP_E_USAGE, "--mysql: NUL byte in the %s", what);
			return NULL;
		}
		rp_buf_putc(&b, c);
	}
	return rp_buf_detach(&b);
}

void rp_mysql_params_free(rp_mysql_params *p)
{
	free(p->user);
	free(p->host);
	free(p->socket);
	free(p->database);
	free(p->defaults_file);
	memset(p, 0, sizeof *p);
}

int rp_mysql_parse_uri(const char *uri, rp_mysql_params *out)
{
	static const char scheme[] = "mysql://";
	const char *p, *auth_end, *slash, *q, *hostpart, *at;
	size_t hostlen;

	memset(out, 0, sizeof *out);
	if (strncmp(uri, scheme, sizeof scheme - 1) != 0)
		return rp_error_set(RP_E_USAGE,
		                    "--mysql: expected mysql://USER@HOST:PORT/DB or mysql://USER@/DB?socket=PATH, got \"%s\"",
		                    uri);
	p = uri + sizeof scheme - 1;
	slash = strchr(p, '/');
	if (!slash)
		return rp_error_set(RP_E_USAGE, "--mysql: the URI names no database (mysql://USER@HOST:PORT/DB)");
	auth_end = slash;
	at = NULL;
	for (const char *c = p; c < auth_end; c++)
		if (*c == '@')
			at = c;
	hostpart = p;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon)
			return rp_error_set(RP_E_USAGE,
			                    "--mysql: the URI carries a password; never put one on the command line. "
			                    "Pass it with the MYSQL_PWD environment variable, an option file "
			                    "(--mysql-defaults-file FILE, [client] group) or ~/.my.cnf");
		if (at > p && !(out->user = pct_decode(p, (size_t)(at - p), "user name")))
			goto fail;
		hostpart = at + 1;
	}
	hostlen = (size_t)(auth_end - hostpart);
	if (hostlen) {
		const char *colon = NULL;
		const char *hend = hostpart + hostlen;
		if (*hostpart == '[') {
			const char *rb = memchr(hostpart, ']', hostlen);
			if (!rb) {
				rp_error_set(RP_E_USAGE, "--mysql: unterminated [ in the host");
				goto fail;
			}
			if (!(out->host = rp_strndup(hostpart + 1, (size_t)(rb - hostpart - 1))))
				goto fail;
			if (rb + 1 < hend && rb[1] == ':')
				colon = rb + 1;
		} else {
			colon = memchr(hostpart, ':', hostlen);
			size_t hl = colon ? (size_t)(colon - hostpart) : hostlen;
			if (hl && !(out->host = pct_decode(hostpart, hl, "host")))
				goto fail;
		}
		if (colon) {
			char *end;
			unsigned long port;
			errno = 0;
			port = strtoul(colon + 1, &end, 10);
			if (end != hend || colon + 1 == hend || errno || port == 0 || port > 65535) {
				rp_error_set(RP_E_USAGE, "--mysql: bad port in \"%s\"", uri);
				goto fail;
			}
			out->port = (unsigned)port;
		}
	}
	q = strchr(slash + 1, '?');
	{
		size_t dblen = q ? (size_t)(q - slash - 1) : strlen(slash + 1);
		if (dblen == 0) {
			rp_error_set(RP_E_USAGE, "--mysql: the URI names no database (mysql://USER@HOST:PORT/DB)");
			goto fail;
		}
		if (!(out->database = pct_decode(slash + 1, dblen, "database name")))
			goto fail;
	}
	while (q) {
		const char *param = q + 1;
		const char *next = strchr(param, '&');
		size_t plen = next ? (size_t)(next - param) : strlen(param);
		if (plen > 7 && strncmp(param, "socket=", 7) == 0) {
			free(out->socket);
			if (!(out->socket = pct_decode(param + 7, plen - 7, "socket path")))
				goto fail;
		} else if (plen > 9 && strncmp(param, "password=", 9) == 0) {
			rp_error_set(RP_E_USAGE,
			             "--mysql: the URI carries a password; never put one on the command line. "
			             "Pass it with the MYSQL_PWD environment variable, an option file "
			             "(--mysql-defaults-file FILE, [client] group) or ~/.my.cnf");
			goto fail;
		} else {
			rp_error_set(RP_E_USAGE, "--mysql: unknown URI parameter \"%.*s\" (known: socket)", (int)plen, param);
			goto fail;
		}
		q = next;
	}
	return 0;
fail:
	rp_mysql_params_free(out);
	return -1;
}

/* ---------- helpers ---------- */

static const char *where(mysql_source *s, rp_buf *b)
{
	rp_buf_clear(b);
	if (s->params.socket)
		rp_buf_printf(b, "socket %s", s->params.socket);
	else if (s->params.host)
		rp_buf_printf(b, "%s:%u", s->params.host, s->params.port ? s->params.port : 3306);
	else
		rp_buf_puts(b, "the server named by the option files");
	return b->data ? b->data : "";
}

/* The server refused for want of a privilege. */
static bool access_denied(unsigned err)
{
	return err == ER_TABLEACCESS_DENIED_ERROR || err == ER_COLUMNACCESS_DENIED_ERROR ||
	       err == ER_SPECIFIC_ACCESS_DENIED_ERROR || err == ER_DBACCESS_DENIED_ERROR;
}

static int db_error(mysql_source *s, const char *doing)
{
	unsigned err = mysql_errno(s->conn);
	const char *hint = "";

	if (err == CR_SERVER_LOST || err == CR_SERVER_GONE_ERROR)
		hint = " (the connection was lost: server restarted, connection killed or network cut)";
	else if (access_denied(err))
		hint = " (missing privilege: the export account needs SELECT, SHOW VIEW, TRIGGER, EVENT and LOCK TABLES)";
	return rp_error_set(RP_E_DB, "source %s: %s: %s%s", s->base.name, doing, mysql_error(s->conn), hint);
}

static int exec(mysql_source *s, const char *sql, const char *doing)
{
	if (mysql_real_query(s->conn, sql, strlen(sql)) != 0)
		return db_error(s, doing);
	return 0;
}

/* Runs a query and stores the whole (small) result. */
static int query_store(mysql_source *s, const char *sql, const char *doing, MYSQL_RES **res)
{
	if (exec(s, sql, doing) < 0)
		return -1;
	*res = mysql_store_result(s->conn);
	if (!*res)
		return mysql_errno(s->conn) ? db_error(s, doing)
		                            : rp_error_set(RP_E_DB, "source %s: %s: no result", s->base.name, doing);
	return 0;
}

static char *col_dup(MYSQL_ROW row, unsigned long *len, unsigned i)
{
	if (!row[i])
		return NULL;
	return rp_strndup(row[i], len[i]);
}

/* Appends `name` with backticks doubled. */
static int quote_ident(rp_buf *b, const char *name)
{
	if (rp_buf_putc(b, '`') < 0)
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p == '`' && rp_buf_putc(b, '`') < 0)
			return -1;
		if (rp_buf_putc(b, *p) < 0)
			return -1;
	}
	return rp_buf_putc(b, '`');
}

/* ---------- connect ---------- */

static int my_connect(rp_source *base)
{
	mysql_source *s = (mysql_source *)base;
	rp_mysql_params *p = &s->params;
	unsigned timeout = 15;
	rp_buf w = RP_BUF_INIT;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned long *len;
	int rc = -1;
	static const char *const session[][2] = {
		{ "character_set_client", "utf8mb4" },
		{ "character_set_connection", "utf8mb4" },
		{ "character_set_results", "binary" },
		{ "time_zone", "+00:00" },
		{ "sql_mode", "" },
		{ "sql_quote_show_create", "1" },
		{ "net_write_timeout", "600" },
		{ "net_read_timeout", "600" },
	};

	s->conn = mysql_init(NULL);
	if (!s->conn)
		return rp_error_nomem();
	mysql_options(s->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(s->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (p->defaults_file)
		mysql_options(s->conn, MYSQL_READ_DEFAULT_FILE, p->defaults_file);
	mysql_options(s->conn, MYSQL_READ_DEFAULT_GROUP, "client");
	if (p->socket) {
		enum mysql_protocol_type proto = MYSQL_PROTOCOL_SOCKET;
		mysql_options(s->conn, MYSQL_OPT_PROTOCOL, &proto);
	} else if (p->host) {
		enum mysql_protocol_type proto = MYSQL_PROTOCOL_TCP;
		if (strcmp(p->host, "localhost") != 0)
			mysql_options(s->conn, MYSQL_OPT_PROTOCOL, &proto);
	}
	if (!mysql_real_connect(s->conn, p->host, p->user, getenv("MYSQL_PWD"), p->database, p->port, p->socket, 0)) {
		unsigned err = mysql_errno(s->conn);
		const char *hint = "";
		if (err == ER_ACCESS_DENIED_ERROR)
			hint = " (wrong or missing password: give it with MYSQL_PWD, --mysql-defaults-file or ~/.my.cnf)";
		else if (err == ER_BAD_DB_ERROR)
			hint = " (no such database)";
		else if (err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR)
			hint = " (is the server running and reachable?)";
		rp_error_set(RP_E_DB, "source %s: cannot connect to %s: %s%s", base->name, where(s, &w),
		             mysql_error(s->conn), hint);
		goto out;
	}
	for (size_t i = 0; i < sizeof session / sizeof session[0]; i++) {
		rp_buf_clear(&w);
		if (strspn(session[i][1], "0123456789") == strlen(session[i][1]) && session[i][1][0])
			rp_buf_printf(&w, "SET SESSION %s = %s", session[i][0], session[i][1]);
		else
			rp_buf_printf(&w, "SET SESSION %s = '%s'", session[i][0], session[i][1]);
		if (!w.data)
			goto out;
		if (exec(s, w.data, "pinning session settings") < 0)
			goto out;
		if (rp_info_add_setting(&base->info, session[i][0], session[i][1]) < 0)
			goto out;
	}
	if (query_store(s, "SELECT VERSION(), @@version_comment, DATABASE(), CURRENT_USER(), "
	                   "@@character_set_database, @@collation_database",
	                "reading server information", &res) < 0)
		goto out;
	row = mysql_fetch_row(res);
	len = mysql_fetch_lengths(res);
	if (!row) {
		db_error(s, "reading server information");
		goto out;
	}
	base->info.version = col_dup(row, len, 0);
	base->info.product = rp_strdup(row[0] && strstr(row[0], "MariaDB") ? "MariaDB" : "MySQL");
	base->info.database = col_dup(row, len, 2);
	base->info.user = col_dup(row, len, 3);
	base->info.default_charset = col_dup(row, len, 4);
	base->info.default_collation = col_dup(row, len, 5);
	if (p->host && !p->socket)
		base->info.host = rp_strdup(p->host);
	base->info.port = p->socket ? 0 : (p->port ? p->port : 3306);
	if (p->socket)
		base->info.socket = rp_strdup(p->socket);
	if (!base->info.version || !base->info.product || !base->info.database) {
		rp_error_nomem();
		goto out;
	}
	rc = 0;
out:
	if (res)
		mysql_free_result(res);
	rp_buf_free(&w);
	return rc;
}

static int my_begin_snapshot(rp_source *base)
{
	mysql_source *s = (mysql_source *)base;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned long *len;

	if (exec(s, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", "setting the isolation level") < 0)
		return -1;
	if (exec(s, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", "starting the snapshot") < 0)
		return -1;
	s->in_tx = true;
	base->info.snapshot_started = (long long)time(NULL);
	/* Released after each table so metadata locks do not pile up. */
	if (exec(s, "SAVEPOINT revpack_table", "setting a savepoint") < 0)
		return -1;
	if (query_store(s, "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')",
	                "reading the snapshot time", &res) < 0)
		return -1;
	row = mysql_fetch_row(res);
	len = mysql_fetch_lengths(res);
	if (row)
		base->info.snapshot_server_time = col_dup(row, len, 0);
	mysql_free_result(res);
	base->info.snapshot_method = rp_strdup("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
	base->info.isolation = rp_strdup("REPEATABLE READ");
	if (!base->info.snapshot_method || !base->info.isolation)
		return -1;
	return 0;
}

/* A new, connected source with the same parameters, for a worker. */
static int my_clone(mysql_source *s, mysql_source **out)
{
	rp_mysql_params p;
	rp_source *c = NULL;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.port = s->params.port;
	if ((s->params.user && !(p.user = rp_strdup(s->params.user))) ||
	    (s->params.host && !(p.host = rp_strdup(s->params.host))) ||
	    (s->params.socket && !(p.socket = rp_strdup(s->params.socket))) ||
	    !(p.database = rp_strdup(s->params.database)) ||
	    (s->params.defaults_file && !(p.defaults_file = rp_strdup(s->params.defaults_file)))) {
		rp_mysql_params_free(&p);
		return -1;
	}
	if (rp_mysql_source_new(&c, s->base.name, &p) < 0) {
		rp_mysql_params_free(&p);
		return -1;
	}
	if (c->ops->connect(c) < 0) {
		c->ops->free(c);
		return -1;
	}
	*out = (mysql_source *)c;
	return 0;
}

/*
 * Workers share the snapshot: while the main connection holds the global
 * read lock (FLUSH TABLES WITH READ LOCK, which needs RELOAD), no
 * transaction commits, so every connection that starts WITH CONSISTENT
 * SNAPSHOT then sees the same data; the lock is released at once. Without
 * the privilege, one connection exports everything and a note says why.
 */
static int my_open_workers(rp_source *base, size_t want, rp_source ***workers, size_t *n, char **note)
{
	mysql_source *s = (mysql_source *)base;
	rp_source **v = NULL;
	int rc = -1;

	*workers = NULL;
	*n = 0;
	*note = NULL;
	if (mysql_real_query(s->conn, "FLUSH TABLES WITH READ LOCK", 27) != 0) {
		*note = rp_sprintf("--jobs: one connection exports every table, because the account cannot take the "
		                   "brief global read lock that lets several connections share one snapshot (%s; "
		                   "FLUSH TABLES WITH READ LOCK needs the RELOAD privilege)",
		                   mysql_error(s->conn));
		return my_begin_snapshot(base);
	}
	if (!(v = rp_calloc(want + 1, sizeof *v)))
		goto out;
	if (my_begin_snapshot(base) < 0)
		goto out;
	for (size_t i = 0; i < want; i++) {
		mysql_source *w = NULL;
		if (my_clone(s, &w) < 0) {
			*note = rp_sprintf("--jobs: only %zu connection(s) could be opened (%s)", i + 1, rp_error_message());
			break;
		}
		v[*n] = &w->base;
		(*n)++;
		if (my_begin_snapshot(&w->base) < 0)
			goto out;
	}
	base->info.connections = (unsigned)*n + 1;
	if (!(base->info.snapshot_sharing = rp_strdup("FLUSH TABLES WITH READ LOCK while every connection started")))
		goto out;
	rc = 0;
out:
	if (mysql_real_query(s->conn, "UNLOCK TABLES", 13) != 0 && rc == 0)
		rc = db_error(s, "releasing the global read lock");
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			v[i]->ops->free(v[i]);
		free(v);
		*n = 0;
		return -1;
	}
	*workers = v;
	return 0;
}

/* ---------- schema ---------- */

static rp_colclass classify(const char *t)
{
	static const struct { const char *name; rp_colclass cls; } map[] = {
		{ "tinyint", RP_CLASS_INTEGER }, { "smallint", RP_CLASS_INTEGER },
		{ "mediumint", RP_CLASS_INTEGER }, { "int", RP_CLASS_INTEGER },
		{ "bigint", RP_CLASS_INTEGER }, { "decimal", RP_CLASS_DECIMAL },
		{ "float", RP_CLASS_FLOAT }, { "double", RP_CLASS_FLOAT },
		{ "char", RP_CLASS_TEXT }, { "varchar", RP_CLASS_TEXT },
		{ "tinytext", RP_CLASS_TEXT }, { "text", RP_CLASS_TEXT },
		{ "mediumtext", RP_CLASS_TEXT }, { "longtext", RP_CLASS_TEXT },
		{ "enum", RP_CLASS_TEXT }, { "set", RP_CLASS_TEXT }, { "json", RP_CLASS_TEXT },
		{ "inet4", RP_CLASS_TEXT }, { "inet6", RP_CLASS_TEXT }, { "uuid", RP_CLASS_TEXT },
		{ "binary", RP_CLASS_BINARY }, { "varbinary", RP_CLASS_BINARY },
		{ "tinyblob", RP_CLASS_BINARY }, { "blob", RP_CLASS_BINARY },
		{ "mediumblob", RP_CLASS_BINARY }, { "longblob", RP_CLASS_BINARY },
		{ "geometry", RP_CLASS_BINARY }, { "point", RP_CLASS_BINARY },
		{ "linestring", RP_CLASS_BINARY }, { "polygon", RP_CLASS_BINARY },
		{ "multipoint", RP_CLASS_BINARY }, { "multilinestring", RP_CLASS_BINARY },
		{ "multipolygon", RP_CLASS_BINARY }, { "geometrycollection", RP_CLASS_BINARY },
		{ "date", RP_CLASS_TEMPORAL }, { "datetime", RP_CLASS_TEMPORAL },
		{ "timestamp", RP_CLASS_TEMPORAL }, { "time", RP_CLASS_TEMPORAL },
		{ "year", RP_CLASS_TEMPORAL }, { "bit", RP_CLASS_BIT },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(t, map[i].name) == 0)
			return map[i].cls;
	return RP_CLASS_OTHER;
}

static bool engine_transactional(const char *engine)
{
	return engine && (strcasecmp(engine, "InnoDB") == 0 || strcasecmp(engine, "RocksDB") == 0);
}

static int cmp_table_name(const void *key, const void *elem)
{
	return strcmp(key, ((const rp_table *)elem)->name);
}

static rp_table *find_table(rp_schema *sc, const char *name)
{
	return bsearch(name, sc->tables, sc->ntables, sizeof *sc->tables, cmp_table_name);
}

/* Removes a leading "DEFINER=`user`@`host` " clause (first occurrence) in
 * place and returns the definer found, or NULL. */
static char *strip_definer(char *ddl)
{
	char *p = strstr(ddl, "DEFINER=");
	char *q, *definer;

	if (!p)
		return NULL;
	q = p + 8;
	for (int part = 0; part < 2; part++) {
		if (*q == '`') {
			for (q++; *q; q++) {
				if (*q == '`') {
					if (q[1] == '`') {
						q++;
						continue;
					}
					q++;
					break;
				}
			}
		} else {
			while (*q && *q != ' ' && *q != '@')
				q++;
		}
		if (part == 0 && *q == '@')
			q++;
		else
			break;
	}
	definer = rp_strndup(p + 8, (size_t)(q - p - 8));
	while (*q == ' ')
		q++;
	memmove(p, q, strlen(q) + 1);
	return definer;
}

static int add_object(rp_schema *sc, rp_object *o)
{
	rp_object *n = rp_realloc(sc->objects, (sc->nobjects + 1) * sizeof *n);
	if (!n)
		return -1;
	sc->objects = n;
	n[sc->nobjects++] = *o;
	return 0;
}

/* SHOW CREATE <what> `name`: fills ddl (column ddl_col), sql_mode and the
 * charset columns when present, and takes the DEFINER clause out of views,
 * routines, triggers and events (a table has none: "DEFINER=" in its DDL is
 * a default value or a comment, kept as it is). */
static int show_create(mysql_source *s, const char *what, const char *name, unsigned ddl_col,
                       int mode_col, int cs_col, rp_object *o)
{
	rp_buf q = RP_BUF_INIT;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned long *len;
	int rc = -1;
	char doing[160];

	snprintf(doing, sizeof doing, "reading the definition of %s %s", what, name);
	if (rp_buf_printf(&q, "SHOW CREATE %s ", what) < 0 || quote_ident(&q, name) < 0)
		goto out;
	if (query_store(s, q.data, doing, &res) < 0)
		goto out;
	row = mysql_fetch_row(res);
	len = mysql_fetch_lengths(res);
	if (!row || mysql_num_fields(res) <= ddl_col) {
		rp_error_set(RP_E_DB, "source %s: %s: empty answer", s->base.name, doing);
		goto out;
	}
	if (!row[ddl_col]) {
		rp_error_set(RP_E_DB,
		             "source %s: cannot read the definition of %s %s: the account lacks the privilege "
		             "(grant SELECT on mysql.proc, or SHOW VIEW / TRIGGER / EVENT as needed)",
		             s->base.name, what, name);
		goto out;
	}
	o->ddl = col_dup(row, len, ddl_col);
	if (mode_col >= 0)
		o->sql_mode = col_dup(row, len, (unsigned)mode_col);
	if (cs_col >= 0) {
		o->client_charset = col_dup(row, len, (unsigned)cs_col);
		o->collation = col_dup(row, len, (unsigned)cs_col + 1);
	}
	if (!o->ddl)
		goto out;
	if (strcmp(what, "TABLE") != 0)
		o->definer = strip_definer(o->ddl);
	rc = 0;
out:
	if (res)
		mysql_free_result(res);
	rp_buf_free(&q);
	return rc;
}

static int load_tables(mysql_source *s, const rp_filter *filter, rp_schema *sc, char ***views, size_t *nviews)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int rc = -1;

	if (query_store(s,
	                "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COMMENT FROM information_schema.TABLES "
	                "WHERE TABLE_SCHEMA = DATABASE() ORDER BY BINARY TABLE_NAME",
	                "listing tables", &res) < 0)
		return -1;
	sc->tables = rp_calloc(mysql_num_rows(res) + 1, sizeof *sc->tables);
	*views = rp_calloc(mysql_num_rows(res) + 1, sizeof **views);
	if (!sc->tables || !*views)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		char *name = col_dup(row, len, 0);
		const char *type = row[1] ? row[1] : "";
		rp_table *t;

		if (!name)
			goto out;
		if (!rp_filter_match(filter, name)) {
			free(name);
			continue;
		}
		if (strcmp(type, "VIEW") == 0) {
			(*views)[(*nviews)++] = name;
			continue;
		}
		if (strcmp(type, "BASE TABLE") != 0 && strcmp(type, "SYSTEM VERSIONED") != 0) {
			rp_schema_add_warning(sc, "%s %s is not exported (not supported yet)", type, name);
			free(name);
			continue;
		}
		t = &sc->tables[sc->ntables++];
		t->name = name;
		t->display = rp_strdup(name);
		t->engine = col_dup(row, len, 2);
		if (row[3] && row[3][0])
			t->comment = col_dup(row, len, 3);
		t->in_snapshot = engine_transactional(t->engine);
		if (!t->display)
			goto out;
		if (!t->in_snapshot &&
		    rp_schema_add_warning(sc,
		                          "table %s uses the %s engine, which cannot be part of the consistent "
		                          "snapshot: its rows are read as they are when revpack reaches it",
		                          name, t->engine ? t->engine : "unknown") < 0)
			goto out;
		if (strcmp(type, "SYSTEM VERSIONED") == 0 &&
		    rp_schema_add_warning(sc, "table %s is system-versioned: only its current rows are exported",
		                          name) < 0)
			goto out;
	}
	rc = 0;
out:
	mysql_free_result(res);
	return rc;
}

static int load_columns(mysql_source *s, rp_schema *sc)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;

	if (query_store(s,
	                "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, CHARACTER_SET_NAME, "
	                "COLLATION_NAME, IS_NULLABLE, IS_GENERATED, CHARACTER_MAXIMUM_LENGTH, "
	                "COALESCE(NUMERIC_PRECISION, DATETIME_PRECISION), NUMERIC_SCALE, COLUMN_DEFAULT "
	                "FROM information_schema.COLUMNS "
	                "WHERE TABLE_SCHEMA = DATABASE() ORDER BY BINARY TABLE_NAME, ORDINAL_POSITION",
	                "listing columns", &res) < 0)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		rp_table *t;
		rp_object *view = NULL;
		rp_column *c;

		if (!row[0])
			continue;
		if ((t = find_table(sc, row[0])) != NULL) {
			c = rp_column_append(&t->cols, &t->ncols);
		} else {
			for (size_t i = 0; i < sc->nobjects && !view; i++)
				if (sc->objects[i].kind == RP_OBJ_VIEW && strcmp(sc->objects[i].name, row[0]) == 0)
					view = &sc->objects[i];
			if (!view)
				continue;
			c = rp_column_append(&view->cols, &view->ncols);
		}
		if (!c)
			goto fail;
		c->name = col_dup(row, len, 1);
		c->type = col_dup(row, len, 2);
		c->cls = classify(row[3] ? row[3] : "");
		c->charset = col_dup(row, len, 4);
		c->collation = col_dup(row, len, 5);
		c->nullable = row[6] && strcmp(row[6], "YES") == 0;
		c->generated = row[7] && strcmp(row[7], "ALWAYS") == 0;
		c->length = row[8] ? strtoll(row[8], NULL, 10) : -1;
		c->precision = row[9] ? atoi(row[9]) : -1;
		c->scale = row[10] ? atoi(row[10]) : -1;
		c->base_type = col_dup(row, len, 3);
		c->default_expr = col_dup(row, len, 11);
		c->is_unsigned = c->type && strstr(c->type, "unsigned") != NULL;
		if (!c->name || !c->type || !c->base_type)
			goto fail;
	}
	mysql_free_result(res);
	for (size_t i = 0; i < sc->ntables; i++)
		if (sc->tables[i].ncols == 0)
			return rp_error_set(RP_E_DB, "source %s: no columns visible for table %s (missing privilege?)",
			                    s->base.name, sc->tables[i].name);
	return 0;
fail:
	mysql_free_result(res);
	return -1;
}

static int add_name(char ***v, size_t n, MYSQL_ROW row, unsigned long *len, unsigned col)
{
	char **nv = rp_realloc(*v, (n + 1) * sizeof *nv);

	if (!nv)
		return -1;
	*v = nv;
	nv[n] = col_dup(row, len, col);
	return nv[n] ? 0 : -1;
}

/* Starts a new key on t when the constraint name changes. */
static rp_key *key_for(rp_key **keys, size_t *n, const char *name)
{
	rp_key *k;

	if (*n && strcmp((*keys)[*n - 1].name, name) == 0)
		return &(*keys)[*n - 1];
	k = rp_realloc(*keys, (*n + 1) * sizeof *k);
	if (!k)
		return NULL;
	*keys = k;
	k = &k[(*n)++];
	memset(k, 0, sizeof *k);
	k->name = rp_strdup(name);
	return k->name ? k : NULL;
}

/* Primary, unique and foreign keys of every selected table. */
static int load_keys(mysql_source *s, rp_schema *sc)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;

	if (query_store(s,
	                "SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, k.COLUMN_NAME, "
	                "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
	                "rc.UPDATE_RULE, rc.DELETE_RULE "
	                "FROM information_schema.TABLE_CONSTRAINTS tc "
	                "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA "
	                "AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
	                "LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc "
	                "ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = tc.TABLE_NAME "
	                "AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
	                "WHERE tc.TABLE_SCHEMA = DATABASE() "
	                "AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') "
	                "ORDER BY BINARY tc.TABLE_NAME, tc.CONSTRAINT_TYPE, BINARY tc.CONSTRAINT_NAME, "
	                "k.ORDINAL_POSITION",
	                "listing keys", &res) < 0)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		rp_table *t;
		rp_key *k;

		if (!row[0] || !row[1] || !row[2] || !(t = find_table(sc, row[0])))
			continue;
		if (strcmp(row[2], "PRIMARY KEY") == 0) {
			if (!t->pkey_name && !(t->pkey_name = col_dup(row, len, 1)))
				goto fail;
			if (add_name(&t->pkey, t->npkey, row, len, 3) < 0)
				goto fail;
			t->npkey++;
			continue;
		}
		if (strcmp(row[2], "UNIQUE") == 0) {
			if (!(k = key_for(&t->uniques, &t->nuniques, row[1])))
				goto fail;
		} else {
			if (!(k = key_for(&t->fkeys, &t->nfkeys, row[1])))
				goto fail;
			if (!k->ref_table && (!(k->ref_table = col_dup(row, len, 5)) ||
			                      !(k->ref_schema = col_dup(row, len, 4))))
				goto fail;
			if (!k->on_update && row[7] && !(k->on_update = col_dup(row, len, 7)))
				goto fail;
			if (!k->on_delete && row[8] && !(k->on_delete = col_dup(row, len, 8)))
				goto fail;
			if (add_name(&k->ref_cols, k->ncols, row, len, 6) < 0)
				goto fail;
		}
		if (add_name(&k->cols, k->ncols, row, len, 3) < 0)
			goto fail;
		k->ncols++;
	}
	mysql_free_result(res);
	return 0;
fail:
	mysql_free_result(res);
	return -1;
}

static int load_table_ddl(mysql_source *s, rp_schema *sc)
{
	for (size_t i = 0; i < sc->ntables; i++) {
		rp_object o;
		memset(&o, 0, sizeof o);
		if (show_create(s, "TABLE", sc->tables[i].name, 1, -1, -1, &o) < 0)
			return -1;
		sc->tables[i].ddl = o.ddl;
		o.ddl = NULL;
		rp_object_free(&o);
	}
	return 0;
}

/* Names from a one-column listing query, filtered. */
static int list_names(mysql_source *s, const char *sql, const char *doing, MYSQL_RES **res)
{
	return query_store(s, sql, doing, res);
}

/* The SELECT of a view: what follows "VIEW `name` AS " in its DDL. */
static char *view_query(const char *ddl)
{
	const char *p = strstr(ddl, " VIEW `");

	if (!p)
		return NULL;
	for (p += 7; *p; p++) {
		if (*p != '`')
			continue;
		if (p[1] == '`') {
			p++;
			continue;
		}
		break;
	}
	if (!*p || strncmp(p + 1, " AS ", 4) != 0)
		return NULL;
	return rp_strdup(p + 5);
}

static int set_view_query(mysql_source *s, rp_object *o)
{
	if (!(o->query = view_query(o->ddl)))
		return rp_error_set(RP_E_DB, "source %s: cannot find the query in the definition of view %s",
		                    s->base.name, o->name);
	return 0;
}

/*
 * True when the view's ddl may read from name: name appears as a quoted
 * identifier (backticks doubled, as SHOW CREATE writes them) that is
 * neither a column alias ("AS `name`") nor the second part of a qualified
 * name (`t`.`name`: a column, or an object of another database). Those two
 * would otherwise tie two views that only share a name with a column, and
 * put the one that reads the other first.
 */
static bool mentions(const char *ddl, const char *name)
{
	rp_buf q = RP_BUF_INIT;
	bool found = false;

	if (quote_ident(&q, name) < 0) {
		rp_buf_free(&q);
		return true; /* out of memory: "not ready" only keeps the order */
	}
	for (const char *p = strstr(ddl, q.data); p && !found; p = strstr(p + 1, q.data)) {
		size_t before = (size_t)(p - ddl);
		if (before >= 1 && p[-1] == '.')
			continue;
		if (before >= 3 && strncmp(p - 3, "AS ", 3) == 0)
			continue;
		found = true;
	}
	rp_buf_free(&q);
	return found;
}

/* Orders views[0..n) so that a view comes after the views it mentions. */
static void order_views(rp_object *v, size_t n)
{
	for (size_t done = 0; done < n; done++) {
		size_t pick = done;
		for (size_t i = done; i < n; i++) {
			bool ready = true;
			for (size_t j = done; j < n && ready; j++)
				if (j != i && mentions(v[i].ddl, v[j].name))
					ready = false;
			if (ready) {
				pick = i;
				break;
			}
		}
		if (pick != done) {
			rp_object tmp = v[pick];
			memmove(&v[done + 1], &v[done], (pick - done) * sizeof *v);
			v[done] = tmp;
		}
	}
}

/* Runs a statement whose result is not wanted (it must check the privilege:
 * MariaDB answers "SHOW EVENTS WHERE 0" to anyone): 1 when it succeeds, 0 when
 * the account lacks a privilege for it, -1 on any other error. */
static int probe(mysql_source *s, const char *sql, const char *doing)
{
	MYSQL_RES *res;

	if (mysql_real_query(s->conn, sql, strlen(sql)) != 0)
		return access_denied(mysql_errno(s->conn)) ? 0 : db_error(s, doing);
	if ((res = mysql_store_result(s->conn)) != NULL)
		mysql_free_result(res);
	else if (mysql_errno(s->conn))
		return db_error(s, doing);
	return 1;
}

/* True when a line of SHOW GRANTS gives the TRIGGER privilege somewhere
 * (or all privileges). */
static bool grants_trigger(const char *g)
{
	if (strncmp(g, "GRANT ", 6) != 0 || !strstr(g, " ON "))
		return false;
	if (strstr(g, "GRANT ALL PRIVILEGES "))
		return true;
	for (const char *p = strstr(g, "TRIGGER"); p; p = strstr(p + 1, "TRIGGER"))
		if ((p[-1] == ' ' || p[-1] == ',') && (p[7] == ',' || p[7] == ' '))
			return p < strstr(g, " ON ");
	return false;
}

/*
 * information_schema lists only the routines, triggers and events the
 * account may see: without the privileges they would be left out of the
 * package with nothing said. Each missing privilege becomes a warning
 * (shown, and kept in inventory.xml).
 */
static int visibility_warnings(mysql_source *s, rp_schema *sc)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	bool trigger = false;
	int r;

	if ((r = probe(s, "SELECT 1 FROM mysql.proc LIMIT 0", "checking the privilege to read routines")) < 0)
		return -1;
	if (r == 0 && rp_schema_add_warning(sc, "stored procedures and functions the account neither defined nor "
	                                        "holds a privilege on are invisible to it and not exported: grant "
	                                        "SELECT ON mysql.proc to the export account") < 0)
		return -1;
	if ((r = probe(s, "SHOW EVENTS LIKE ''", "checking the privilege to read events")) < 0)
		return -1;
	if (r == 0 && rp_schema_add_warning(sc, "events are invisible to the account and not exported: grant EVENT "
	                                        "on the database to the export account") < 0)
		return -1;
	if (query_store(s, "SHOW GRANTS", "reading the account's privileges", &res) < 0)
		return -1;
	while (!trigger && (row = mysql_fetch_row(res)) != NULL)
		trigger = row[0] && grants_trigger(row[0]);
	mysql_free_result(res);
	if (!trigger && rp_schema_add_warning(sc, "triggers are invisible to an account without the TRIGGER privilege "
	                                          "and are not exported: grant TRIGGER on the database to the export "
	                                          "account") < 0)
		return -1;
	return 0;
}

static int load_objects(mysql_source *s, const rp_filter *filter, rp_schema *sc, char **views, size_t nviews)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;

	for (size_t i = 0; i < nviews; i++) {
		rp_object o;
		memset(&o, 0, sizeof o);
		o.kind = RP_OBJ_VIEW;
		if (!(o.name = rp_strdup(views[i])) ||
		    show_create(s, "VIEW", views[i], 1, -1, 2, &o) < 0 || set_view_query(s, &o) < 0 ||
		    add_object(sc, &o) < 0) {
			rp_object_free(&o);
			return -1;
		}
	}
	order_views(sc->objects, sc->nobjects);
	if (visibility_warnings(s, sc) < 0)
		return -1;
	/* Routines */
	if (list_names(s,
	               "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
	               "WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('PROCEDURE','FUNCTION') "
	               "ORDER BY ROUTINE_TYPE DESC, BINARY ROUTINE_NAME",
	               "listing routines", &res) < 0)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		rp_object o;
		bool proc = row[1] && strcmp(row[1], "PROCEDURE") == 0;
		memset(&o, 0, sizeof o);
		o.kind = proc ? RP_OBJ_PROCEDURE : RP_OBJ_FUNCTION;
		if (!(o.name = col_dup(row, len, 0)) ||
		    show_create(s, proc ? "PROCEDURE" : "FUNCTION", o.name, 2, 1, 3, &o) < 0 ||
		    add_object(sc, &o) < 0) {
			rp_object_free(&o);
			mysql_free_result(res);
			return -1;
		}
	}
	mysql_free_result(res);
	/* Triggers of the selected tables */
	if (list_names(s,
	               "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS "
	               "WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY BINARY EVENT_OBJECT_TABLE, ACTION_ORDER",
	               "listing triggers", &res) < 0)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		rp_object o;
		if (!row[1] || !find_table(sc, row[1]))
			continue;
		memset(&o, 0, sizeof o);
		o.kind = RP_OBJ_TRIGGER;
		if (!(o.name = col_dup(row, len, 0)) || !(o.table = col_dup(row, len, 1)) ||
		    show_create(s, "TRIGGER", o.name, 2, 1, 3, &o) < 0 || add_object(sc, &o) < 0) {
			rp_object_free(&o);
			mysql_free_result(res);
			return -1;
		}
	}
	mysql_free_result(res);
	/* Events */
	if (list_names(s,
	               "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() "
	               "ORDER BY BINARY EVENT_NAME",
	               "listing events", &res) < 0)
		return -1;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		rp_object o;
		memset(&o, 0, sizeof o);
		o.kind = RP_OBJ_EVENT;
		if (!(o.name = col_dup(row, len, 0)) || show_create(s, "EVENT", o.name, 3, 1, 4, &o) < 0 ||
		    add_object(sc, &o) < 0) {
			rp_object_free(&o);
			mysql_free_result(res);
			return -1;
		}
	}
	mysql_free_result(res);
	(void)filter;
	return 0;
}

static int my_load_schema(rp_source *base, const rp_filter *filter, rp_schema *out)
{
	mysql_source *s = (mysql_source *)base;
	char **views = NULL;
	size_t nviews = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (load_tables(s, filter, out, &views, &nviews) < 0)
		goto out;
	if (load_keys(s, out) < 0 || load_table_ddl(s, out) < 0)
		goto out;
	/* Views first: load_columns gives tables and views their columns. */
	if (load_objects(s, filter, out, views, nviews) < 0 || load_columns(s, out) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; views && i < nviews; i++)
		free(views[i]);
	free(views);
	if (rc < 0)
		rp_schema_free(out);
	return rc;
}

/* ---------- rows ---------- */

/* The smallest and largest key of a table with one integer key, read in
 * the snapshot (an index lookup at each end). */
static int my_plan_chunks(rp_source *base, rp_table *t)
{
	mysql_source *s = (mysql_source *)base;
	const rp_column *c = rp_chunk_column(t);
	rp_buf q = RP_BUF_INIT, col = RP_BUF_INIT;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char doing[256];
	int rc = -1;

	t->nchunks = 1;
	if (!c)
		return 0;
	snprintf(doing, sizeof doing, "reading the key range of table %s", t->name);
	if (quote_ident(&col, c->name) < 0 || rp_buf_printf(&q, "SELECT MIN(%s), MAX(%s) FROM ", col.data, col.data) < 0 ||
	    quote_ident(&q, t->name) < 0)
		goto out;
	if (query_store(s, q.data, doing, &res) < 0)
		goto out;
	if (!(row = mysql_fetch_row(res)) || mysql_num_fields(res) != 2) {
		rp_error_set(RP_E_DB, "source %s: %s: no result", base->name, doing);
		goto out;
	}
	rp_chunk_plan(t, row[0], row[1]);
	mysql_free_result(res);
	res = NULL;
	snprintf(doing, sizeof doing, "releasing the locks of table %s", t->name);
	if (exec(s, "ROLLBACK TO SAVEPOINT revpack_table", doing) < 0)
		goto out;
	rc = 0;
out:
	if (res)
		mysql_free_result(res);
	rp_buf_free(&q);
	rp_buf_free(&col);
	return rc;
}

/*
 * A FLOAT without (M,D): the server prints it with 6 significant digits
 * (16777215 as 16777200, 1.0000001 as 1), which does not give the stored
 * value back. It is read as CAST(... AS DOUBLE) instead, whose text
 * (16777215, 1.0000001192092896) is the stored value exactly and restores
 * to it (formats/digest.md). FLOAT(M,D) prints its D decimals, which do.
 */
static bool float_inexact(const rp_column *c)
{
	return c->base_type && strcmp(c->base_type, "float") == 0 && c->type && !strchr(c->type, '(');
}

static int my_stream_rows(rp_source *base, rp_table *t, size_t chunk, rp_row_fn fn, void *ctx)
{
	mysql_source *s = (mysql_source *)base;
	rp_buf q = RP_BUF_INIT;
	rp_value *vals = NULL;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char doing[256];
	uint64_t nrow = 0;
	int rc = -1;

	snprintf(doing, sizeof doing, "reading table %s", t->name);
	rp_buf_puts(&q, "SELECT ");
	for (size_t i = 0; i < t->ncols; i++) {
		bool widen = float_inexact(&t->cols[i]);
		if (i)
			rp_buf_putc(&q, ',');
		if (widen)
			rp_buf_puts(&q, "CAST(");
		quote_ident(&q, t->cols[i].name);
		if (widen)
			rp_buf_puts(&q, " AS DOUBLE)");
	}
	rp_buf_puts(&q, " FROM ");
	quote_ident(&q, t->name);
	if (t->nchunks > 1) {
		rp_buf col = RP_BUF_INIT;
		int r = quote_ident(&col, t->pkey[0]) < 0 ? -1 : rp_chunk_where(&q, t, chunk, col.data);
		rp_buf_free(&col);
		if (r < 0)
			goto out;
	}
	if (t->npkey) {
		rp_buf_puts(&q, " ORDER BY ");
		for (size_t i = 0; i < t->npkey; i++) {
			if (i)
				rp_buf_putc(&q, ',');
			quote_ident(&q, t->pkey[i]);
		}
	}
	if (!q.data || !(vals = rp_calloc(t->ncols, sizeof *vals)))
		goto out;
	if (mysql_real_query(s->conn, q.data, q.len) != 0) {
		db_error(s, doing);
		goto out;
	}
	res = mysql_use_result(s->conn);
	if (!res) {
		db_error(s, doing);
		goto out;
	}
	if (mysql_num_fields(res) != t->ncols) {
		rp_error_set(RP_E_DB, "source %s: table %s changed while read (%u columns, expected %zu)",
		             base->name, t->name, mysql_num_fields(res), t->ncols);
		goto out;
	}
	s->streaming = res;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		for (size_t i = 0; i < t->ncols; i++) {
			vals[i].data = row[i];
			vals[i].len = len[i];
		}
		nrow++;
		if (fn(ctx, vals, t->ncols) < 0) {
			mariadb_cancel(s->conn);
			goto out;
		}
	}
	if (mysql_errno(s->conn)) {
		char msg[300];
		snprintf(msg, sizeof msg, "reading table %s (after %llu rows)", t->name, (unsigned long long)nrow);
		db_error(s, msg);
		goto out;
	}
	mysql_free_result(res);
	res = NULL;
	s->streaming = NULL;
	snprintf(doing, sizeof doing, "releasing the locks of table %s", t->name);
	if (exec(s, "ROLLBACK TO SAVEPOINT revpack_table", doing) < 0)
		goto out;
	rc = 0;
out:
	if (res) {
		mysql_free_result(res);
		s->streaming = NULL;
	}
	free(vals);
	rp_buf_free(&q);
	return rc;
}

/* One statement of a content reader (source.h, query), streamed like a
 * table; the savepoint then releases its metadata locks. */
static int my_query(rp_source *base, const char *sql, rp_row_fn fn, void *ctx)
{
	mysql_source *s = (mysql_source *)base;
	rp_value vals[32];
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned n;
	int rc = -1;

	if (mysql_real_query(s->conn, sql, strlen(sql)) != 0)
		return db_error(s, "reading the site's content");
	if (!(res = mysql_use_result(s->conn)))
		return db_error(s, "reading the site's content");
	n = mysql_num_fields(res);
	if (n > sizeof vals / sizeof vals[0]) {
		rp_error_set(RP_E_INTERNAL, "source %s: a content query returns %u columns", base->name, n);
		goto out;
	}
	s->streaming = res;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		for (unsigned i = 0; i < n; i++) {
			vals[i].data = row[i];
			vals[i].len = len[i];
		}
		if (fn(ctx, vals, n) < 0) {
			mariadb_cancel(s->conn);
			goto out;
		}
	}
	if (mysql_errno(s->conn)) {
		db_error(s, "reading the site's content");
		goto out;
	}
	mysql_free_result(res);
	res = NULL;
	s->streaming = NULL;
	if (exec(s, "ROLLBACK TO SAVEPOINT revpack_table", "releasing the locks of the content tables") < 0)
		return -1;
	rc = 0;
out:
	if (res) {
		mysql_free_result(res);
		s->streaming = NULL;
	}
	return rc;
}

static int my_end(rp_source *base)
{
	mysql_source *s = (mysql_source *)base;
	int rc = 0;

	if (s->conn && s->in_tx) {
		if (mysql_real_query(s->conn, "ROLLBACK", 8) != 0)
			rc = db_error(s, "ending the snapshot");
		s->in_tx = false;
	}
	if (s->conn) {
		mysql_close(s->conn);
		s->conn = NULL;
	}
	return rc;
}

static void my_free(rp_source *base)
{
	mysql_source *s = (mysql_source *)base;

	if (!s)
		return;
	if (s->conn)
		mysql_close(s->conn);
	rp_mysql_params_free(&s->params);
	rp_source_base_free(base);
	free(s);
}

static const rp_source_ops mysql_ops = {
	.kind = "mysql",
	.restore_cmd = "mysql NEWDB <",
	.sql_writer_new = rp_sql_mysql_writer_new,
	.connect = my_connect,
	.begin_snapshot = my_begin_snapshot,
	.open_workers = my_open_workers,
	.load_schema = my_load_schema,
	.plan_chunks = my_plan_chunks,
	.stream_rows = my_stream_rows,
	.end = my_end,
	.free = my_free,
	.query = my_query,
};

int rp_mysql_source_new(rp_source **out, const char *name, rp_mysql_params *params)
{
	mysql_source *s = rp_calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return -1;
	if (rp_source_init(&s->base, &mysql_ops, name) < 0) {
		free(s);
		return -1;
	}
	s->params = *params;
	memset(params, 0, sizeof *params);
	*out = &s->base;
	return 0;
}
