/*
 * PostgreSQL source through libpq.
 *
 * One connection, one REPEATABLE READ READ ONLY transaction. The schema
 * comes from the catalogs (there is no pg_get_tabledef) and the pg_get_*def
 * functions; every name is schema-qualified because search_path is empty.
 * Rows stream with COPY (SELECT ...) TO STDOUT, in the binary format when
 * every column has a type pgbinary.c turns into its text, else in the text
 * format; in the server's own encoding (client_encoding = server_encoding:
 * no conversion).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/pgbinary.h"
#include "revpack/pgcopy.h"
#include "revpack/source.h"
#include "revpack/text.h"
#include "revpack/writer.h"

typedef struct pg_source {
	rp_source base;      /* first: the export sees an rp_source */
	rp_pgsql_params params;
	PGconn *conn;
	bool in_tx;
} pg_source;

/* ---------- conninfo ---------- */

void rp_pgsql_params_free(rp_pgsql_params *p)
{
	free(p->conninfo);
	free(p->dbname);
	memset(p, 0, sizeof *p);
}

static const char *one_line(const char *msg, char *buf, size_t cap);

int rp_pgsql_parse_conninfo(const char *conninfo, rp_pgsql_params *out)
{
	PQconninfoOption *opts;
	char *err = NULL, msg[600];
	int rc = -1;

	memset(out, 0, sizeof *out);
	opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		rp_error_set(RP_E_USAGE, "--pgsql: not a libpq connection string or URI: %s",
		             err ? one_line(err, msg, sizeof msg) : "out of memory");
		PQfreemem(err);
		return -1;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			rp_error_set(RP_E_USAGE,
			             "--pgsql: the connection string carries a password; never put one on the command "
			             "line. Pass it with the PGPASSWORD environment variable, a ~/.pgpass file "
			             "(PGPASSFILE) or a service file (PGSERVICEFILE, service=NAME)");
			goto out;
		}
		if (strcmp(o->keyword, "dbname") == 0 && !(out->dbname = rp_strdup(o->val)))
			goto out;
	}
	if (!(out->conninfo = rp_strdup(conninfo)))
		goto out;
	rc = 0;
out:
	PQconninfoFree(opts);
	if (rc < 0)
		rp_pgsql_params_free(out);
	return rc;
}

/* ---------- helpers ---------- */

/* libpq's messages span lines; revpack's errors are one line. */
static const char *one_line(const char *msg, char *buf, size_t cap)
{
	size_t o = 0;
	bool space = false;

	for (const char *p = msg; *p && o + 1 < cap; p++) {
		bool ws = *p == '\n' || *p == '\r' || *p == '\t' || *p == ' ';
		if (ws) {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap)
			buf[o++] = ' ';
		space = false;
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static const char *hint_for(const char *msg)
{
	if (strstr(msg, "permission denied"))
		return " (missing privilege: the export role must read every table, e.g. GRANT pg_read_all_data)";
	if (strstr(msg, "terminating connection") || strstr(msg, "server closed the connection") ||
	    strstr(msg, "connection to server was lost") || strstr(msg, "no connection to the server"))
		return " (the connection was lost: server restarted, connection terminated or network cut)";
	return "";
}

static int pg_fail(pg_source *s, const char *doing)
{
	char line[600];

	one_line(PQerrorMessage(s->conn), line, sizeof line);
	return rp_error_set(RP_E_DB, "source %s: %s: %s%s", s->base.name, doing, line, hint_for(line));
}

static int res_fail(pg_source *s, PGresult *res, const char *doing)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	char line[600];

	if (!msg || !*msg)
		return pg_fail(s, doing);
	one_line(msg, line, sizeof line);
	return rp_error_set(RP_E_DB, "source %s: %s: %s%s", s->base.name, doing, line, hint_for(line));
}

static int exec(pg_source *s, const char *sql, const char *doing)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = res_fail(s, res, doing);
	PQclear(res);
	return rc;
}

static int query(pg_source *s, const char *sql, const char *doing, PGresult **out)
{
	*out = PQexec(s->conn, sql);
	if (PQresultStatus(*out) != PGRES_TUPLES_OK) {
		res_fail(s, *out, doing);
		PQclear(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static char *val(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return rp_strndup(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static bool val_is(PGresult *r, int row, int col, const char *s)
{
	return !PQgetisnull(r, row, col) && strcmp(PQgetvalue(r, row, col), s) == 0;
}

/* What the server says outside a query's result (a NOTICE, or the FATAL of
 * a connection it terminates): one line under the source's name, not
 * libpq's raw text on stderr. */
static void server_notice(void *arg, const char *message)
{
	const pg_source *s = arg;
	char msg[600];

	fprintf(stderr, "revpack: source %s: the server says: %s\n", s->base.name,
	        one_line(message, msg, sizeof msg));
}

/* ---------- connect ---------- */

static int pg_connect(rp_source *base)
{
	pg_source *s = (pg_source *)base;
	const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
	const char *vals[] = { s->params.conninfo, "revpack", "15", NULL };
	PGresult *res = NULL;
	rp_buf q = RP_BUF_INIT;
	int rc = -1;
	static const char *const session[][2] = {
		{ "DateStyle", "ISO, YMD" },
		{ "IntervalStyle", "postgres" },
		{ "TimeZone", "UTC" },
		{ "extra_float_digits", "3" },
		{ "bytea_output", "hex" },
		{ "standard_conforming_strings", "on" },
		{ "search_path", "" },
		{ "statement_timeout", "0" },
		{ "lock_timeout", "0" },
		{ "idle_in_transaction_session_timeout", "0" },
		{ "row_security", "off" },
		{ "xmloption", "content" },
	};

	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn)
		return rp_error_nomem();
	PQsetNoticeProcessor(s->conn, server_notice, s);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char msg[600];
		const char *hint = "";
		one_line(PQerrorMessage(s->conn), msg, sizeof msg);
		if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied"))
			hint = " (wrong or missing password: give it with PGPASSWORD, ~/.pgpass or a service file)";
		else if (strstr(msg, "does not exist"))
			hint = " (no such database or role)";
		else if (strstr(msg, "Connection refused") || strstr(msg, "could not connect"))
			hint = " (is the server running and reachable?)";
		return rp_error_set(RP_E_DB, "source %s: cannot connect to PostgreSQL: %s%s", base->name, msg, hint);
	}
	/* No conversion: values are the stored bytes in the server's encoding. */
	if (exec(s, "SELECT pg_catalog.set_config('client_encoding', "
	            "pg_catalog.current_setting('server_encoding'), false)",
	         "pinning the client encoding") < 0)
		goto out;
	for (size_t i = 0; i < sizeof session / sizeof session[0]; i++) {
		char *lit = PQescapeLiteral(s->conn, session[i][1], strlen(session[i][1]));
		if (!lit) {
			pg_fail(s, "pinning session settings");
			goto out;
		}
		rp_buf_clear(&q);
		rp_buf_printf(&q, "SELECT pg_catalog.set_config('%s', %s, false)", session[i][0], lit);
		PQfreemem(lit);
		if (!q.data || exec(s, q.data, "pinning session settings") < 0)
			goto out;
		if (rp_info_add_setting(&base->info, session[i][0], session[i][1]) < 0)
			goto out;
	}
	if (query(s,
	          "SELECT pg_catalog.current_setting('server_version'), pg_catalog.current_database(), "
	          "CURRENT_USER, pg_catalog.current_setting('server_encoding'), "
	          "(SELECT datcollate FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())",
	          "reading server information", &res) < 0)
		goto out;
	base->info.product = rp_strdup("PostgreSQL");
	base->info.version = val(res, 0, 0);
	base->info.database = val(res, 0, 1);
	base->info.user = val(res, 0, 2);
	base->info.default_charset = val(res, 0, 3);
	base->info.default_collation = val(res, 0, 4);
	if (rp_info_add_setting(&base->info, "client_encoding", base->info.default_charset ? base->info.default_charset : "") < 0)
		goto out;
	{
		const char *host = PQhost(s->conn);
		const char *port = PQport(s->conn);
		if (host && host[0] == '/')
			base->info.socket = rp_strdup(host);
		else if (host)
			base->info.host = rp_strdup(host);
		base->info.port = port ? (unsigned)strtoul(port, NULL, 10) : 5432;
	}
	if (!base->info.product || !base->info.version || !base->info.database)
		goto out;
	rc = 0;
out:
	PQclear(res);
	rp_buf_free(&q);
	return rc;
}

static int pg_begin_snapshot(rp_source *base)
{
	pg_source *s = (pg_source *)base;
	PGresult *res = NULL;

	if (exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "starting the snapshot") < 0)
		return -1;
	s->in_tx = true;
	base->info.snapshot_started = (long long)time(NULL);
	/* The first query takes the snapshot; now() is the transaction's start. */
	if (query(s, "SELECT pg_catalog.to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
	          "reading the snapshot time", &res) < 0)
		return -1;
	base->info.snapshot_server_time = val(res, 0, 0);
	PQclear(res);
	base->info.snapshot_method = rp_strdup("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	base->info.isolation = rp_strdup("REPEATABLE READ");
	if (!base->info.snapshot_method || !base->info.isolation)
		return -1;
	return 0;
}

/* A new, connected source with the same parameters, for a worker. */
static int pg_clone(pg_source *s, pg_source **out)
{
	rp_pgsql_params p;
	rp_source *c = NULL;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.with_owners = s->params.with_owners;
	if (!(p.conninfo = rp_strdup(s->params.conninfo)) ||
	    (s->params.dbname && !(p.dbname = rp_strdup(s->params.dbname)))) {
		rp_pgsql_params_free(&p);
		return -1;
	}
	if (rp_pgsql_source_new(&c, s->base.name, &p) < 0) {
		rp_pgsql_params_free(&p);
		return -1;
	}
	if (c->ops->connect(c) < 0) {
		c->ops->free(c);
		return -1;
	}
	*out = (pg_source *)c;
	return 0;
}

/* Workers share the snapshot: pg_export_snapshot() on the main connection,
 * SET TRANSACTION SNAPSHOT on each worker while the main transaction is
 * open. */
static int pg_open_workers(rp_source *base, size_t want, rp_source ***workers, size_t *n, char **note)
{
	pg_source *s = (pg_source *)base;
	PGresult *res = NULL;
	rp_source **v = NULL;
	char *set = NULL;
	int rc = -1;

	*workers = NULL;
	*n = 0;
	*note = NULL;
	if (pg_begin_snapshot(base) < 0)
		return -1;
	if (query(s, "SELECT pg_catalog.pg_export_snapshot()", "exporting the snapshot", &res) < 0)
		return -1;
	{
		char *id = PQescapeLiteral(s->conn, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
		set = id ? rp_sprintf("SET TRANSACTION SNAPSHOT %s", id) : NULL;
		PQfreemem(id);
	}
	if (!set || !(v = rp_calloc(want + 1, sizeof *v)))
		goto out;
	for (size_t i = 0; i < want; i++) {
		pg_source *w = NULL;
		if (pg_clone(s, &w) < 0) {
			/* fewer connections than asked (max_connections...): say so */
			*note = rp_sprintf("--jobs: only %zu connection(s) could be opened (%s)", i + 1, rp_error_message());
			break;
		}
		v[*n] = &w->base;
		(*n)++;
		if (exec(w, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "starting a worker's snapshot") < 0)
			goto out;
		w->in_tx = true;
		if (exec(w, set, "sharing the snapshot with a worker") < 0)
			goto out;
	}
	base->info.connections = (unsigned)*n + 1;
	if (!(base->info.snapshot_sharing = rp_strdup("pg_export_snapshot() and SET TRANSACTION SNAPSHOT")))
		goto out;
	*workers = v;
	v = NULL;
	rc = 0;
out:
	if (v) {
		for (size_t i = 0; i < *n; i++)
			v[i]->ops->free(v[i]);
		free(v);
		*n = 0;
	}
	PQclear(res);
	free(set);
	return rc;
}

/* ---------- schema ---------- */

/* Objects that belong to an extension are recreated by CREATE EXTENSION. */
#define NOT_EXTENSION_MEMBER(classname, oidexpr)                                                  \
	"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '" classname              \
	"'::pg_catalog.regclass AND d.objid = " oidexpr " AND d.deptype = 'e')"

#define USER_SCHEMA(nspexpr)                                                                      \
	"(" nspexpr " NOT IN ('pg_catalog', 'information_schema') AND " nspexpr " NOT LIKE 'pg\\_toast%' " \
	"AND " nspexpr " NOT LIKE 'pg\\_temp\\_%')"

struct dep_item;

typedef struct schema_builder {
	pg_source *s;
	rp_schema *sc;
	const rp_filter *filter;
	bool with_owners;
	struct dep_item *items;  /* types and functions, sorted before emitting */
	int nitems;
} schema_builder;

static int add_obj(schema_builder *b, rp_objkind kind, rp_phase phase, const char *schema, const char *name,
                   const char *table, char *ddl)
{
	rp_object *n;
	rp_object *o;

	if (!ddl)
		return -1;
	n = rp_realloc(b->sc->objects, (b->sc->nobjects + 1) * sizeof *n);
	if (!n) {
		free(ddl);
		return -1;
	}
	b->sc->objects = n;
	o = &n[b->sc->nobjects];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->phase = phase;
	o->ddl = ddl;
	if ((schema && !(o->schema = rp_strdup(schema))) || (name && !(o->name = rp_strdup(name))) ||
	    (table && !(o->table = rp_strdup(table)))) {
		rp_object_free(o);
		return -1;
	}
	b->sc->nobjects++;
	return 0;
}

/* Owner line: a statement with --with-owners, a comment otherwise. */
static int owner_line(schema_builder *b, rp_buf *ddl, const char *what, const char *qname, const char *owner)
{
	char *id;
	int rc;

	if (!owner)
		return 0;
	if (!b->with_owners)
		return rp_buf_printf(ddl, "-- owner: %s\n", owner);
	id = PQescapeIdentifier(b->s->conn, owner, strlen(owner));
	if (!id)
		return pg_fail(b->s, "quoting a role name");
	rc = rp_buf_printf(ddl, "ALTER %s %s OWNER TO %s;\n", what, qname, id);
	PQfreemem(id);
	return rc;
}

/* COMMENT ON <what> <qname> IS '<text>'; (nothing when text is NULL). */
static int comment_line(schema_builder *b, rp_buf *ddl, const char *what, const char *qname, const char *qcol,
                        PGresult *res, int row, int col)
{
	char *lit;
	int rc;

	if (PQgetisnull(res, row, col))
		return 0;
	lit = PQescapeLiteral(b->s->conn, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
	if (!lit)
		return pg_fail(b->s, "quoting a comment");
	rc = rp_buf_printf(ddl, "COMMENT ON %s %s%s%s IS %s;\n", what, qname, qcol ? "." : "", qcol ? qcol : "", lit);
	PQfreemem(lit);
	return rc;
}

/*
 * Privileges from an ACL, through aclexplode. A NULL ACL means the
 * defaults: nothing to write. Otherwise the defaults are revoked first
 * (from PUBLIC and the owner), then every entry is granted; column is set
 * for column privileges (no revoke: their default is none).
 */
static int grant_lines(schema_builder *b, rp_buf *ddl, const char *what, const char *qname, const char *acl,
                       const char *owner, const char *column)
{
	PGresult *res = NULL;
	rp_buf q = RP_BUF_INIT;
	char *lit;
	int rc = -1;

	if (!acl)
		return 0;
	if (b->with_owners && !column) {
		if (rp_buf_printf(ddl, "REVOKE ALL ON %s %s FROM PUBLIC;\n", what, qname) < 0)
			return -1;
		if (owner) {
			char *id = PQescapeIdentifier(b->s->conn, owner, strlen(owner));
			int r = id ? rp_buf_printf(ddl, "REVOKE ALL ON %s %s FROM %s;\n", what, qname, id) : -1;
			PQfreemem(id);
			if (r < 0)
				return -1;
		}
	}
	lit = PQescapeLiteral(b->s->conn, acl, strlen(acl));
	if (!lit)
		return pg_fail(b->s, "reading privileges");
	rp_buf_printf(&q,
	              "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END, "
	              "a.privilege_type, a.is_grantable FROM pg_catalog.aclexplode(%s::pg_catalog.aclitem[]) a "
	              "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee ORDER BY 1, 2",
	              lit);
	PQfreemem(lit);
	if (!q.data || query(b->s, q.data, "reading privileges", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *grantee = PQgetvalue(res, i, 0);
		const char *priv = PQgetvalue(res, i, 1);
		bool opt = val_is(res, i, 2, "t");
		if (b->with_owners) {
			if (rp_buf_printf(ddl, "GRANT %s%s%s%s ON %s %s TO %s%s;\n", priv, column ? " (" : "",
			                  column ? column : "", column ? ")" : "", what, qname, grantee,
			                  opt ? " WITH GRANT OPTION" : "") < 0)
				goto out;
		} else if (rp_buf_printf(ddl, "-- grant: %s%s%s%s to %s%s\n", priv, column ? " (" : "",
		                         column ? column : "", column ? ")" : "", grantee,
		                         opt ? " with grant option" : "") < 0) {
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	rp_buf_free(&q);
	return rc;
}

static int load_schemas(schema_builder *b)
{
	PGresult *res = NULL;

	if (query(b->s,
	          "SELECT n.nspname, pg_catalog.quote_ident(n.nspname), pg_catalog.pg_get_userbyid(n.nspowner), "
	          "pg_catalog.obj_description(n.oid, 'pg_namespace'), n.nspacl "
	          "FROM pg_catalog.pg_namespace n WHERE " USER_SCHEMA("n.nspname") " AND "
	          NOT_EXTENSION_MEMBER("pg_catalog.pg_namespace", "n.oid") " ORDER BY 1",
	          "listing schemas", &res) < 0)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		rp_buf ddl = RP_BUF_INIT;
		const char *name = PQgetvalue(res, i, 0);
		const char *q = PQgetvalue(res, i, 1);
		bool is_public = strcmp(name, "public") == 0;
		int rc = 0;

		if (!is_public)
			rc = rp_buf_printf(&ddl, "CREATE SCHEMA %s;\n", q);
		if (rc == 0 && !is_public)
			rc = comment_line(b, &ddl, "SCHEMA", q, NULL, res, i, 3);
		if (rc == 0 && !is_public)
			rc = owner_line(b, &ddl, "SCHEMA", q, PQgetvalue(res, i, 2));
		if (rc == 0)
			rc = grant_lines(b, &ddl, "SCHEMA", q, PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4),
			                PQgetvalue(res, i, 2), NULL);
		if (rc < 0 || add_obj(b, RP_OBJ_SCHEMA, RP_PHASE_PRE, NULL, name, NULL, rp_buf_detach(&ddl)) < 0) {
			rp_buf_free(&ddl);
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return 0;
}

static int load_extensions(schema_builder *b)
{
	PGresult *res = NULL;

	if (query(b->s,
	          "SELECT e.extname, pg_catalog.quote_ident(e.extname), pg_catalog.quote_ident(n.nspname) "
	          "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
	          "WHERE e.extname <> 'plpgsql' ORDER BY 1",
	          "listing extensions", &res) < 0)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		char *ddl = rp_sprintf("CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA %s;\n", PQgetvalue(res, i, 1),
		                       PQgetvalue(res, i, 2));
		if (add_obj(b, RP_OBJ_EXTENSION, RP_PHASE_PRE, NULL, PQgetvalue(res, i, 0), NULL, ddl) < 0) {
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return 0;
}

/* Objects to emit in dependency order (types, views). */
typedef struct dep_item {
	char *oid;
	char **deps;   /* oids of other items this one uses */
	size_t ndeps;
	bool done;
	rp_objkind kind;
	char *schema, *name, *ddl;
} dep_item;

static void dep_items_free(dep_item *items, int n)
{
	for (int i = 0; items && i < n; i++) {
		free(items[i].oid);
		free(items[i].schema);
		free(items[i].name);
		free(items[i].ddl);
		for (size_t d = 0; d < items[i].ndeps; d++)
			free(items[i].deps[d]);
		free(items[i].deps);
	}
	free(items);
}

/* Adds the items as objects, each after the items it depends on. */
static int emit_sorted(schema_builder *b, dep_item *items, int n, rp_phase phase, const char *what)
{
	for (int emitted = 0; emitted < n;) {
		int progress = 0;
		for (int i = 0; i < n; i++) {
			bool ready = !items[i].done;
			for (size_t d = 0; ready && d < items[i].ndeps; d++)
				for (int j = 0; j < n; j++)
					if (j != i && !items[j].done && strcmp(items[j].oid, items[i].deps[d]) == 0)
						ready = false;
			if (!ready)
				continue;
			items[i].done = true;
			if (add_obj(b, items[i].kind, phase, items[i].schema, items[i].name, NULL, items[i].ddl) < 0) {
				items[i].ddl = NULL;
				return -1;
			}
			items[i].ddl = NULL;
			emitted++;
			progress++;
		}
		if (!progress)
			return rp_error_set(RP_E_DB, "source %s: the %s depend on each other in a cycle", b->s->base.name,
			                    what);
	}
	return 0;
}

/*
 * Types: enums, domains, composites and ranges. Each query row: oid,
 * schema, name, qualified name, DDL, owner, comment, and the oids of the
 * user types it depends on.
 */
static const char type_query[] =
	"WITH ut AS (SELECT t.oid, t.typname, t.typtype, t.typnamespace, t.typowner, t.typbasetype, "
	"  t.typtypmod, t.typnotnull, t.typdefault, t.typrelid, t.typcollation, t.typacl "
	"  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"  WHERE " USER_SCHEMA("n.nspname") " AND t.typtype IN ('e', 'd', 'c', 'r') "
	"  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c') "
	"  AND " NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid") ") "
	"SELECT ut.oid, n.nspname, ut.typname, "
	" pg_catalog.format('%I.%I', n.nspname, ut.typname) AS qname, "
	" CASE ut.typtype "
	"  WHEN 'e' THEN pg_catalog.format('CREATE TYPE %I.%I AS ENUM (%s);', n.nspname, ut.typname, "
	"   (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
	"    FROM pg_catalog.pg_enum e WHERE e.enumtypid = ut.oid)) "
	"  WHEN 'd' THEN pg_catalog.format('CREATE DOMAIN %I.%I AS %s%s%s%s%s;', n.nspname, ut.typname, "
	"   pg_catalog.format_type(ut.typbasetype, ut.typtypmod), "
	"   CASE WHEN ut.typcollation <> 0 AND ut.typcollation <> (SELECT bt.typcollation FROM pg_catalog.pg_type bt "
	"    WHERE bt.oid = ut.typbasetype) THEN (SELECT pg_catalog.format(' COLLATE %I.%I', cn.nspname, co.collname) "
	"    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
	"    WHERE co.oid = ut.typcollation) ELSE '' END, "
	"   CASE WHEN ut.typdefault IS NOT NULL THEN ' DEFAULT ' || ut.typdefault ELSE '' END, "
	"   CASE WHEN ut.typnotnull THEN ' NOT NULL' ELSE '' END, "
	"   COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(' CONSTRAINT %I %s', co.conname, "
	"    pg_catalog.pg_get_constraintdef(co.oid)), '' ORDER BY co.conname) FROM pg_catalog.pg_constraint co "
	"    WHERE co.contypid = ut.oid AND co.convalidated), '')) "
	"  WHEN 'c' THEN pg_catalog.format('CREATE TYPE %I.%I AS (%s);', n.nspname, ut.typname, "
	"   (SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname, "
	"    pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum) "
	"    FROM pg_catalog.pg_attribute a WHERE a.attrelid = ut.typrelid AND a.attnum > 0 AND NOT a.attisdropped)) "
	"  WHEN 'r' THEN (SELECT pg_catalog.format('CREATE TYPE %I.%I AS RANGE (SUBTYPE = %s%s%s);', n.nspname, "
	"   ut.typname, pg_catalog.format_type(r.rngsubtype, NULL), "
	"   CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::pg_catalog.regproc::pg_catalog.text "
	"   ELSE '' END, "
	"   CASE WHEN r.rngcanonical <> 0 THEN ', CANONICAL = ' || "
	"    r.rngcanonical::pg_catalog.regproc::pg_catalog.text ELSE '' END) "
	"   FROM pg_catalog.pg_range r WHERE r.rngtypid = ut.oid) "
	" END AS ddl, ";

/* The rest of the type query (split: C compilers cap literal lengths). */
static const char type_query_tail[] =
	" pg_catalog.pg_get_userbyid(ut.typowner), pg_catalog.obj_description(ut.oid, 'pg_type'), "
	" ARRAY(SELECT 't' || dep::pg_catalog.text FROM ("
	"   SELECT ut.typbasetype AS dep WHERE ut.typtype = 'd' "
	"   UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = ut.oid "
	"   UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE ut.typtype = 'c' "
	"    AND a.attrelid = ut.typrelid AND a.attnum > 0 AND NOT a.attisdropped) d0 "
	"  UNION SELECT 't' || et.typelem::pg_catalog.text FROM pg_catalog.pg_type et WHERE et.typelem <> 0 "
	"   AND et.oid IN (SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE ut.typtype = 'c' "
	"    AND a.attrelid = ut.typrelid UNION SELECT ut.typbasetype) "
	"  UNION SELECT 'f' || f::pg_catalog.text FROM pg_catalog.pg_range r, "
	"   LATERAL (VALUES (r.rngsubdiff::pg_catalog.oid), (r.rngcanonical::pg_catalog.oid)) v(f) "
	"   WHERE r.rngtypid = ut.oid AND f <> 0)::pg_catalog.text[], "
	" (SELECT pg_catalog.string_agg(pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L;', n.nspname, ut.typname, "
	"   a.attname, d.description), E'\\n' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
	"   JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid AND d.objsubid = a.attnum "
	"   AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass WHERE a.attrelid = ut.typrelid), "
	/* a domain's NOT VALID checks: CREATE DOMAIN has no NOT VALID; added after the data */
	" (SELECT pg_catalog.string_agg(pg_catalog.format('ALTER DOMAIN %I.%I ADD CONSTRAINT %I %s;', n.nspname, "
	"   ut.typname, co.conname, pg_catalog.pg_get_constraintdef(co.oid)), E'\\n' ORDER BY co.conname) "
	"   FROM pg_catalog.pg_constraint co WHERE co.contypid = ut.oid AND NOT co.convalidated), "
	" ut.typacl "
	"FROM ut JOIN pg_catalog.pg_namespace n ON n.oid = ut.typnamespace ORDER BY n.nspname, ut.typname";

/* Parses a text[] literal of oids ("{1,2}") into strings. */
static int parse_oid_array(const char *s, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!s || *s != '{')
		return 0;
	for (const char *p = s + 1; *p && *p != '}';) {
		size_t len = strcspn(p, ",}");
		char **nv = rp_realloc(*out, (*n + 1) * sizeof *nv);
		if (!nv)
			return -1;
		*out = nv;
		if (!(nv[*n] = rp_strndup(p, len)))
			return -1;
		(*n)++;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* A new item at the end of the builder's list of types and functions. */
static dep_item *new_item(schema_builder *b, rp_objkind kind, char prefix, PGresult *res, int row, int oid_col)
{
	dep_item *n = rp_realloc(b->items, ((size_t)b->nitems + 1) * sizeof *n);
	dep_item *it;

	if (!n)
		return NULL;
	b->items = n;
	it = &n[b->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->oid = rp_sprintf("%c%s", prefix, PQgetvalue(res, row, oid_col));
	return it->oid ? it : NULL;
}

static int load_types(schema_builder *b)
{
	PGresult *res = NULL;
	int n = 0, rc = -1;

	{
		char *sql = rp_sprintf("%s%s", type_query, type_query_tail);
		int r = sql ? query(b->s, sql, "listing types", &res) : -1;
		free(sql);
		if (r < 0)
			return -1;
	}
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		rp_buf ddl = RP_BUF_INIT;
		const char *qname = PQgetvalue(res, i, 3);
		dep_item *it = new_item(b, RP_OBJ_TYPE, 't', res, i, 0);
		if (!it)
			goto out;
		it->schema = val(res, i, 1);
		it->name = val(res, i, 2);
		if (rp_buf_printf(&ddl, "%s\n", PQgetvalue(res, i, 4)) < 0 ||
		    owner_line(b, &ddl, "TYPE", qname, PQgetvalue(res, i, 5)) < 0 ||
		    grant_lines(b, &ddl, "TYPE", qname, PQgetisnull(res, i, 10) ? NULL : PQgetvalue(res, i, 10),
		                PQgetvalue(res, i, 5), NULL) < 0)
			goto out;
		if (comment_line(b, &ddl, "TYPE", qname, NULL, res, i, 6) < 0)
			goto out;
		if (!PQgetisnull(res, i, 8) && rp_buf_printf(&ddl, "%s\n", PQgetvalue(res, i, 8)) < 0)
			goto out;
		it->ddl = rp_buf_detach(&ddl);
		if (!it->ddl || parse_oid_array(PQgetvalue(res, i, 7), &it->deps, &it->ndeps) < 0)
			goto out;
		if (!PQgetisnull(res, i, 9) &&
		    add_obj(b, RP_OBJ_OTHER, RP_PHASE_POST, it->schema, it->name, NULL,
		            rp_sprintf("%s\n", PQgetvalue(res, i, 9))) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int load_functions(schema_builder *b)
{
	PGresult *res = NULL;

	if (query(b->s,
	          "WITH fp AS (SELECT p.oid, COALESCE(p.proallargtypes, p.proargtypes::pg_catalog.oid[]) || "
	          " p.prorettype AS types FROM pg_catalog.pg_proc p) "
	          "SELECT n.nspname, p.proname, pg_catalog.pg_get_functiondef(p.oid), "
	          "pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, "
	          "pg_catalog.pg_get_function_identity_arguments(p.oid)), p.prokind, "
	          "pg_catalog.pg_get_userbyid(p.proowner), pg_catalog.obj_description(p.oid, 'pg_proc'), p.proacl, "
	          "p.oid, "
	          "ARRAY(SELECT 't' || t::pg_catalog.text FROM pg_catalog.unnest(fp.types) t "
	          " UNION SELECT 't' || ty.typelem::pg_catalog.text FROM pg_catalog.pg_type ty "
	          " WHERE ty.oid = ANY (fp.types) AND ty.typelem <> 0)::pg_catalog.text[], "
	          "EXISTS (SELECT 1 FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_class c ON c.oid = ty.typrelid "
	          " WHERE c.relkind <> 'c' AND (ty.oid = ANY (fp.types) OR ty.typarray = ANY (fp.types))) "
	          "OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.refobjid "
	          " WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid "
	          " AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind <> 'c') "
	          "FROM pg_catalog.pg_proc p JOIN fp ON fp.oid = p.oid JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
	          "WHERE " USER_SCHEMA("n.nspname") " AND p.prokind IN ('f', 'p') AND "
	          NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid") " "
	          /* constructors PostgreSQL makes for range and multirange types */
	          "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
	          " 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'i') "
	          "ORDER BY 1, 2, 4",
	          "listing functions", &res) < 0)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		rp_buf ddl = RP_BUF_INIT;
		bool proc = val_is(res, i, 4, "p");
		const char *what = proc ? "PROCEDURE" : "FUNCTION";
		const char *sig = PQgetvalue(res, i, 3);
		int rc = rp_buf_printf(&ddl, "%s;\n", PQgetvalue(res, i, 2));

		if (rc == 0)
			rc = owner_line(b, &ddl, what, sig, PQgetvalue(res, i, 5));
		if (rc == 0)
			rc = comment_line(b, &ddl, what, sig, NULL, res, i, 6);
		if (rc == 0)
			rc = grant_lines(b, &ddl, what, sig, PQgetisnull(res, i, 7) ? NULL : PQgetvalue(res, i, 7),
			                PQgetvalue(res, i, 5), NULL);
		if (rc == 0 && val_is(res, i, 10, "t")) {
			/* uses a table's row type, or its SQL-standard body reads a
			 * table: after the tables */
			rc = add_obj(b, proc ? RP_OBJ_PROCEDURE : RP_OBJ_FUNCTION, RP_PHASE_AFTER_TABLES,
			             PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), NULL, rp_buf_detach(&ddl));
		} else if (rc == 0) {
			dep_item *it = new_item(b, proc ? RP_OBJ_PROCEDURE : RP_OBJ_FUNCTION, 'f', res, i, 8);
			rc = it && (it->schema = val(res, i, 0)) && (it->name = val(res, i, 1)) &&
			             (it->ddl = rp_buf_detach(&ddl)) &&
			             parse_oid_array(PQgetvalue(res, i, 9), &it->deps, &it->ndeps) == 0
			         ? 0
			         : -1;
		}
		if (rc < 0) {
			rp_buf_free(&ddl);
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return 0;
}

/* Standalone and serial sequences (identity sequences come with their
 * column); their values are set after the data. */
static int load_sequences(schema_builder *b)
{
	PGresult *res = NULL, *v = NULL;

	if (query(b->s,
	          "SELECT n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), "
	          "pg_catalog.format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, "
	          "s.seqcache, s.seqcycle, pg_catalog.pg_get_userbyid(c.relowner), c.relacl, "
	          "(SELECT pg_catalog.format('%I.%I.%I', dn.nspname, dc.relname, a.attname) "
	          " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class dc ON dc.oid = d.refobjid "
	          " JOIN pg_catalog.pg_namespace dn ON dn.oid = dc.relnamespace "
	          " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
	          " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid "
	          " AND d.deptype = 'a' LIMIT 1), "
	          "EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	          " AND d.objid = c.oid AND d.deptype = 'i'), "
	          "pg_catalog.obj_description(c.oid, 'pg_class') "
	          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	          "JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid "
	          "WHERE c.relkind = 'S' AND " USER_SCHEMA("n.nspname") " AND "
	          NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid") " ORDER BY 1, 2",
	          "listing sequences", &res) < 0)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *q = PQgetvalue(res, i, 2);
		bool identity = val_is(res, i, 13, "t");
		rp_buf pre = RP_BUF_INIT, post = RP_BUF_INIT, sql = RP_BUF_INIT;
		char *lit = PQescapeLiteral(b->s->conn, q, strlen(q));
		int rc = lit ? 0 : -1;

		/* The current value, read inside the snapshot. */
		if (rc == 0)
			rc = rp_buf_printf(&sql, "SELECT last_value, is_called FROM %s", q);
		if (rc == 0)
			rc = query(b->s, sql.data, "reading a sequence's value", &v);
		if (rc == 0 && !identity) {
			rc = rp_buf_printf(&pre,
			                   "CREATE SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s "
			                   "CACHE %s%s;\n",
			                   q, PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
			                   PQgetvalue(res, i, 6), PQgetvalue(res, i, 7), PQgetvalue(res, i, 8),
			                   val_is(res, i, 9, "t") ? " CYCLE" : "");
			if (rc == 0)
				rc = owner_line(b, &pre, "SEQUENCE", q, PQgetvalue(res, i, 10));
			if (rc == 0)
				rc = comment_line(b, &pre, "SEQUENCE", q, NULL, res, i, 14);
			if (rc == 0)
				rc = grant_lines(b, &pre, "SEQUENCE", q, PQgetisnull(res, i, 11) ? NULL : PQgetvalue(res, i, 11),
				                PQgetvalue(res, i, 10), NULL);
			if (rc == 0 && !PQgetisnull(res, i, 12))
				rc = rp_buf_printf(&post, "ALTER SEQUENCE %s OWNED BY %s;\n", q, PQgetvalue(res, i, 12));
		}
		if (rc == 0)
			rc = rp_buf_printf(&post, "SELECT pg_catalog.setval(%s, %s, %s);\n", lit, PQgetvalue(v, 0, 0),
			                   val_is(v, 0, 1, "t") ? "true" : "false");
		if (rc == 0 && !identity)
			rc = add_obj(b, RP_OBJ_SEQUENCE, RP_PHASE_PRE, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), NULL,
			             rp_buf_detach(&pre));
		if (rc == 0)
			rc = add_obj(b, RP_OBJ_OTHER, RP_PHASE_POST, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), NULL,
			             rp_buf_detach(&post));
		PQfreemem(lit);
		PQclear(v);
		v = NULL;
		rp_buf_free(&pre);
		rp_buf_free(&post);
		rp_buf_free(&sql);
		if (rc < 0) {
			PQclear(res);
			return -1;
		}
	}
	PQclear(res);
	return 0;
}

/* ---------- relations ---------- */

typedef struct rel {
	char *oid;
	char *schema, *name, *qname, *display;
	char relkind;          /* r, p, v, m */
	bool unlogged;
	bool unpopulated;      /* a materialized view created WITH NO DATA */
	bool selected;
	char *parent_qname;    /* partitions: the partitioned parent */
	char *bound;           /* partitions: FOR VALUES ... */
	char *partkey;         /* partitioned tables: PARTITION BY ... */
	char *owner, *acl, *comment, *reloptions, *viewdef;
	int depth;             /* partition nesting level */
	rp_buf cols;           /* column definitions for CREATE TABLE */
	rp_buf sig;            /* column names and types, to compare a partition with its parent */
	rp_buf checks;         /* CHECK constraints written inside CREATE TABLE */
	rp_buf settings;       /* ALTER ... SET STORAGE / STATISTICS / COMPRESSION after it */
	rp_buf local_checks;   /* the same, only those not inherited */
	rp_buf colgrants;      /* column privileges */
	rp_buf comments;       /* COMMENT ON COLUMN ... */
	rp_table *table;       /* tables that hold rows */
	rp_column *vcols;      /* views: their columns, handed to the view object */
	size_t nvcols;
} rel;

typedef struct rels {
	rel *v;
	int n;
} rels;

static void rels_free(rels *r)
{
	for (int i = 0; i < r->n; i++) {
		rel *x = &r->v[i];
		free(x->oid);
		free(x->schema);
		free(x->name);
		free(x->qname);
		free(x->display);
		free(x->parent_qname);
		free(x->bound);
		free(x->partkey);
		free(x->owner);
		free(x->acl);
		free(x->comment);
		free(x->reloptions);
		free(x->viewdef);
		rp_buf_free(&x->cols);
		rp_buf_free(&x->sig);
		rp_buf_free(&x->checks);
		rp_buf_free(&x->settings);
		rp_buf_free(&x->local_checks);
		rp_buf_free(&x->colgrants);
		for (size_t k = 0; k < x->nvcols; k++)
			rp_column_free(&x->vcols[k]);
		free(x->vcols);
		rp_buf_free(&x->comments);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static rel *find_rel(rels *r, const char *oid)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->v[i].oid, oid) == 0)
			return &r->v[i];
	return NULL;
}

/* "{oid,oid,...}" of the selected relations (of the given kinds). */
static int oid_array(rels *r, const char *kinds, rp_buf *out)
{
	bool first = true;

	rp_buf_clear(out);
	if (rp_buf_putc(out, '{') < 0)
		return -1;
	for (int i = 0; i < r->n; i++) {
		if (!r->v[i].selected || !strchr(kinds, r->v[i].relkind))
			continue;
		if (rp_buf_printf(out, "%s%s", first ? "" : ",", r->v[i].oid) < 0)
			return -1;
		first = false;
	}
	return rp_buf_putc(out, '}');
}

/* Runs a query about the selected relations of the given kinds: every
 * $OIDS in sql becomes their oids, as an array literal. */
static int rel_query(schema_builder *b, rels *r, const char *kinds, const char *sql, const char *doing,
                     PGresult **res)
{
	rp_buf oids = RP_BUF_INIT, q = RP_BUF_INIT;
	const char *p = sql, *hit;
	int rc = -1;

	*res = NULL;
	if (oid_array(r, kinds, &oids) < 0)
		goto out;
	while ((hit = strstr(p, "$OIDS")) != NULL) {
		if (rp_buf_put(&q, p, (size_t)(hit - p)) < 0 || rp_buf_put(&q, oids.data, oids.len) < 0)
			goto out;
		p = hit + 5;
	}
	if (rp_buf_puts(&q, p) < 0)
		goto out;
	rc = query(b->s, q.data, doing, res);
out:
	rp_buf_free(&oids);
	rp_buf_free(&q);
	return rc;
}

static int load_rel_list(schema_builder *b, rels *r)
{
	PGresult *res = NULL;

	if (query(b->s,
	          "SELECT c.oid, n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind, "
	          "c.relpersistence = 'u', "
	          "(SELECT pg_catalog.format('%I.%I', pn.nspname, pc.relname) FROM pg_catalog.pg_inherits i "
	          " JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent "
	          " JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid), "
	          "CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, "
	          "CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, "
	          "pg_catalog.pg_get_userbyid(c.relowner), c.relacl, pg_catalog.obj_description(c.oid, 'pg_class'), "
	          "pg_catalog.array_to_string(c.reloptions, ', '), "
	          "CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END, "
	          "(WITH RECURSIVE up(o, d) AS (SELECT c.oid, 0 UNION ALL SELECT i.inhparent, up.d + 1 "
	          " FROM up JOIN pg_catalog.pg_inherits i ON i.inhrelid = up.o) SELECT max(d) FROM up), "
	          "c.relhasrules, "
	          "EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) AND NOT c.relispartition, "
	          "c.relkind = 'm' AND NOT c.relispopulated, "
	          "CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END "
	          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	          "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND " USER_SCHEMA("n.nspname") " AND "
	          NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid") " ORDER BY n.nspname, c.relname",
	          "listing tables", &res) < 0)
		return -1;
	r->n = PQntuples(res);
	r->v = rp_calloc((size_t)r->n + 1, sizeof *r->v);
	if (!r->v)
		goto fail;
	for (int i = 0; i < r->n; i++) {
		rel *x = &r->v[i];
		x->oid = val(res, i, 0);
		x->schema = val(res, i, 1);
		x->name = val(res, i, 2);
		x->qname = val(res, i, 3);
		x->relkind = PQgetvalue(res, i, 4)[0];
		x->unlogged = val_is(res, i, 5, "t");
		x->parent_qname = val(res, i, 6);
		x->bound = val(res, i, 7);
		x->partkey = val(res, i, 8);
		x->owner = val(res, i, 9);
		x->acl = val(res, i, 10);
		x->comment = val(res, i, 11);
		x->reloptions = val(res, i, 12);
		x->viewdef = val(res, i, 13);
		x->depth = atoi(PQgetvalue(res, i, 14));
		x->unpopulated = val_is(res, i, 17, "t");
		if (!x->oid || !x->schema || !x->name || !x->qname)
			goto fail;
		x->display = rp_sprintf("%s.%s", x->schema, x->name);
		if (!x->display)
			goto fail;
		x->selected = rp_filter_match(b->filter, x->display);
		if (x->selected && (x->relkind == 'r' || x->relkind == 'p') && val_is(res, i, 15, "t") &&
		    rp_schema_add_warning(b->sc, "%s has rewrite rules, which are not exported", x->display) < 0)
			goto fail;
		if (x->selected && val_is(res, i, 16, "t") &&
		    rp_schema_add_warning(b->sc, "%s inherits from %s (table inheritance): restored as a plain table",
		                          x->display, x->parent_qname) < 0)
			goto fail;
		if (x->selected && !PQgetisnull(res, i, 18) &&
		    rp_schema_add_warning(b->sc, "%s is a typed table (OF %s): restored as a plain table with the same "
		                          "columns", x->display, PQgetvalue(res, i, 18)) < 0)
			goto fail;
		if (val_is(res, i, 16, "t")) {
			free(x->parent_qname);
			x->parent_qname = NULL;
		}
	}
	/* A selected partition needs its partitioned parents. */
	for (bool changed = true; changed;) {
		changed = false;
		for (int i = 0; i < r->n; i++) {
			if (!r->v[i].selected || !r->v[i].bound || !r->v[i].parent_qname)
				continue;
			for (int j = 0; j < r->n; j++)
				if (!r->v[j].selected && strcmp(r->v[j].qname, r->v[i].parent_qname) == 0) {
					r->v[j].selected = true;
					changed = true;
				}
		}
	}
	PQclear(res);
	return 0;
fail:
	PQclear(res);
	return -1;
}

static rp_colclass pg_classify(const char *category, const char *typname)
{
	static const struct { const char *name; rp_colclass cls; } map[] = {
		{ "bytea", RP_CLASS_BINARY },  { "int2", RP_CLASS_INTEGER },   { "int4", RP_CLASS_INTEGER },
		{ "int8", RP_CLASS_INTEGER },  { "oid", RP_CLASS_INTEGER },    { "numeric", RP_CLASS_DECIMAL },
		{ "float4", RP_CLASS_FLOAT },  { "float8", RP_CLASS_FLOAT },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(typname, map[i].name) == 0)
			return map[i].cls;
	switch (category[0]) {
	case 'D': /* date and time */
	case 'T': /* interval */
		return RP_CLASS_TEMPORAL;
	case 'S': /* strings */
	case 'E': /* enums */
		return RP_CLASS_TEXT;
	default:
		return RP_CLASS_OTHER;
	}
}

static int load_rel_columns(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	/* A domain's base type is the type at the end of its chain of domains
	 * (a domain may be over another domain). */
	if (rel_query(b, r, "rpvm",
	              "WITH RECURSIVE dom(oid, base) AS (SELECT d.oid, d.typbasetype FROM pg_catalog.pg_type d "
	              " WHERE d.typtype = 'd' UNION ALL SELECT dom.oid, u.typbasetype FROM dom "
	              " JOIN pg_catalog.pg_type u ON u.oid = dom.base WHERE u.typtype = 'd'), "
	              "droot AS (SELECT dom.oid, dom.base FROM dom JOIN pg_catalog.pg_type u ON u.oid = dom.base "
	              " WHERE u.typtype <> 'd') "
	              "SELECT a.attrelid, a.attname, pg_catalog.quote_ident(a.attname), "
	              "pg_catalog.format_type(a.atttypid, a.atttypmod), "
	              "pg_catalog.format_type(COALESCE(dr.base, t.oid), NULL), "
	              "COALESCE(bt.typcategory, t.typcategory), COALESCE(bt.typname, t.typname), "
	              "a.attnotnull, a.attgenerated, a.attidentity, "
	              "pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), "
	              "CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN "
	              " (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname) FROM pg_catalog.pg_collation co "
	              " JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END, "
	              "information_schema._pg_char_max_length(information_schema._pg_truetypid(a.*, t.*), "
	              " information_schema._pg_truetypmod(a.*, t.*)), "
	              "COALESCE(information_schema._pg_numeric_precision(information_schema._pg_truetypid(a.*, t.*), "
	              " information_schema._pg_truetypmod(a.*, t.*)), information_schema._pg_datetime_precision("
	              " information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*))), "
	              "information_schema._pg_numeric_scale(information_schema._pg_truetypid(a.*, t.*), "
	              " information_schema._pg_truetypmod(a.*, t.*)), "
	              "pg_catalog.col_description(a.attrelid, a.attnum), "
	              "(SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation), "
	              "CASE WHEN a.attidentity <> '' THEN (SELECT pg_catalog.format(' (SEQUENCE NAME %s START WITH "
	              " %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s)', sq.seqrelid::pg_catalog.regclass, "
	              " sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache, "
	              " CASE WHEN sq.seqcycle THEN ' CYCLE' ELSE '' END) FROM pg_catalog.pg_sequence sq "
	              " WHERE sq.seqrelid = pg_catalog.pg_get_serial_sequence(a.attrelid::pg_catalog.regclass::"
	              "pg_catalog.text, a.attname)::pg_catalog.regclass) ELSE '' END, a.attacl "
	              "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	              "LEFT JOIN droot dr ON dr.oid = t.oid "
	              "LEFT JOIN pg_catalog.pg_type bt ON bt.oid = dr.base "
	              "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	              "WHERE a.attrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
	              "ORDER BY a.attrelid, a.attnum",
	              "listing columns", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		rel *x = find_rel(r, PQgetvalue(res, i, 0));
		const char *qcol = PQgetvalue(res, i, 2);
		const char *gen = PQgetvalue(res, i, 8);
		const char *ident = PQgetvalue(res, i, 9);
		bool notnull = val_is(res, i, 7, "t");

		if (!x)
			continue;
		/* Column definition for CREATE TABLE. */
		if (x->relkind == 'r' || x->relkind == 'p') {
			if (rp_buf_printf(&x->sig, "%s\037%s\036", qcol, PQgetvalue(res, i, 3)) < 0)
				goto out;
			if (rp_buf_printf(&x->cols, "%s    %s %s", x->cols.len ? ",\n" : "", qcol, PQgetvalue(res, i, 3)) < 0)
				goto out;
			if (!PQgetisnull(res, i, 11) && rp_buf_printf(&x->cols, " COLLATE %s", PQgetvalue(res, i, 11)) < 0)
				goto out;
			if (gen[0] == 's') {
				if (rp_buf_printf(&x->cols, " GENERATED ALWAYS AS (%s) STORED", PQgetvalue(res, i, 10)) < 0)
					goto out;
			} else if (ident[0] == 'a' || ident[0] == 'd') {
				if (rp_buf_printf(&x->cols, " GENERATED %s AS IDENTITY%s",
				                  ident[0] == 'a' ? "ALWAYS" : "BY DEFAULT", PQgetvalue(res, i, 17)) < 0)
					goto out;
			} else if (!PQgetisnull(res, i, 10) &&
			           rp_buf_printf(&x->cols, " DEFAULT %s", PQgetvalue(res, i, 10)) < 0) {
				goto out;
			}
			if (notnull && rp_buf_puts(&x->cols, " NOT NULL") < 0)
				goto out;
		}
		if (!PQgetisnull(res, i, 18) &&
		    grant_lines(b, &x->colgrants, "TABLE", x->qname, PQgetvalue(res, i, 18), x->owner, qcol) < 0)
			goto out;
		if (comment_line(b, &x->comments, "COLUMN", x->qname, qcol, res, i, 15) < 0)
			goto out;
		if (x->table || x->relkind == 'v' || x->relkind == 'm') {
			rp_column *c = x->table ? rp_column_append(&x->table->cols, &x->table->ncols)
			                        : rp_column_append(&x->vcols, &x->nvcols);
			if (!c)
				goto out;
			c->name = val(res, i, 1);
			c->type = val(res, i, 3);
			c->base_type = val(res, i, 4);
			c->cls = pg_classify(PQgetvalue(res, i, 5), PQgetvalue(res, i, 6));
			c->nullable = !notnull;
			c->generated = gen[0] == 's';
			c->default_expr = val(res, i, 10);
			c->collation = val(res, i, 16);
			c->length = PQgetisnull(res, i, 12) ? -1 : strtoll(PQgetvalue(res, i, 12), NULL, 10);
			c->precision = PQgetisnull(res, i, 13) ? -1 : atoi(PQgetvalue(res, i, 13));
			c->scale = PQgetisnull(res, i, 14) ? -1 : atoi(PQgetvalue(res, i, 14));
			if (!c->name || !c->type || !c->base_type)
				goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Keys of the data tables, for the inventory (the DDL comes from
 * pg_get_constraintdef in the post-data section). */
static int load_keys(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	if (rel_query(b, r, "rp",
	              "SELECT co.conrelid, co.conname, co.contype, a.attname, fn.nspname, fc.relname, fa.attname, "
	              "co.confupdtype, co.confdeltype "
	              "FROM pg_catalog.pg_constraint co "
	              "CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(co.conkey), pg_catalog.unnest(co.confkey)) "
	              "WITH ORDINALITY AS k(att, fatt, ord) "
	              "JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.att "
	              "LEFT JOIN pg_catalog.pg_class fc ON fc.oid = co.confrelid "
	              "LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
	              "LEFT JOIN pg_catalog.pg_attribute fa ON fa.attrelid = co.confrelid AND fa.attnum = k.fatt "
	              "WHERE co.conrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND co.contype IN ('p', 'u', 'f') "
	              "ORDER BY co.conrelid, co.contype, co.conname, k.ord",
	              "listing keys", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		rel *x = find_rel(r, PQgetvalue(res, i, 0));
		rp_table *t = x ? x->table : NULL;
		const char *type = PQgetvalue(res, i, 2);
		rp_key *k = NULL, **keys;
		size_t *nkeys;
		char **nv;

		if (!t)
			continue;
		if (type[0] == 'p') {
			if (!t->pkey_name && !(t->pkey_name = val(res, i, 1)))
				goto out;
			nv = rp_realloc(t->pkey, (t->npkey + 1) * sizeof *nv);
			if (!nv)
				goto out;
			t->pkey = nv;
			if (!(nv[t->npkey] = val(res, i, 3)))
				goto out;
			t->npkey++;
			continue;
		}
		keys = type[0] == 'u' ? &t->uniques : &t->fkeys;
		nkeys = type[0] == 'u' ? &t->nuniques : &t->nfkeys;
		if (*nkeys && strcmp((*keys)[*nkeys - 1].name, PQgetvalue(res, i, 1)) == 0) {
			k = &(*keys)[*nkeys - 1];
		} else {
			k = rp_realloc(*keys, (*nkeys + 1) * sizeof *k);
			if (!k)
				goto out;
			*keys = k;
			k = &k[(*nkeys)++];
			memset(k, 0, sizeof *k);
			if (!(k->name = val(res, i, 1)))
				goto out;
			if (type[0] == 'f') {
				static const char *const act[] = { "a", "NO ACTION", "r", "RESTRICT", "c", "CASCADE",
					                           "n", "SET NULL", "d", "SET DEFAULT" };
				k->ref_schema = val(res, i, 4);
				k->ref_table = val(res, i, 5);
				for (size_t a = 0; a < sizeof act / sizeof act[0]; a += 2) {
					if (val_is(res, i, 7, act[a]))
						k->on_update = rp_strdup(act[a + 1]);
					if (val_is(res, i, 8, act[a]))
						k->on_delete = rp_strdup(act[a + 1]);
				}
			}
		}
		nv = rp_realloc(k->cols, (k->ncols + 1) * sizeof *nv);
		if (!nv)
			goto out;
		k->cols = nv;
		if (!(nv[k->ncols] = val(res, i, 3)))
			goto out;
		if (type[0] == 'f') {
			nv = rp_realloc(k->ref_cols, (k->ncols + 1) * sizeof *nv);
			if (!nv)
				goto out;
			k->ref_cols = nv;
			if (!(nv[k->ncols] = val(res, i, 6)))
				goto out;
		}
		k->ncols++;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Grants and comments of a relation: a post-data object (the owner comes
 * with the CREATE statement). */
static int rel_extras(schema_builder *b, rel *x, const char *what)
{
	rp_buf ddl = RP_BUF_INIT;
	int rc = 0;

	if (x->comment) {
		char *lit = PQescapeLiteral(b->s->conn, x->comment, strlen(x->comment));
		rc = lit ? rp_buf_printf(&ddl, "COMMENT ON %s %s IS %s;\n", what, x->qname, lit)
		         : pg_fail(b->s, "quoting a comment");
		PQfreemem(lit);
	}
	if (rc == 0 && x->comments.len)
		rc = rp_buf_put(&ddl, x->comments.data, x->comments.len);
	if (rc == 0)
		rc = grant_lines(b, &ddl, "TABLE", x->qname, x->acl, x->owner, NULL);
	if (rc == 0 && x->colgrants.len)
		rc = rp_buf_put(&ddl, x->colgrants.data, x->colgrants.len);
	if (rc < 0) {
		rp_buf_free(&ddl);
		return -1;
	}
	if (!ddl.len) {
		rp_buf_free(&ddl);
		return 0;
	}
	return add_obj(b, RP_OBJ_COMMENT, RP_PHASE_POST, x->schema, x->name, NULL, rp_buf_detach(&ddl));
}

static int cmp_depth(const void *a, const void *b)
{
	const rel *x = *(rel *const *)a, *y = *(rel *const *)b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return strcmp(x->display, y->display);
}

static char *create_table_owned(schema_builder *b, rels *r, rel *x);

/* Partitioned parents: DDL before the data, parents before children. */
static int partitioned_parents(schema_builder *b, rels *r)
{
	rel **order = rp_calloc((size_t)r->n + 1, sizeof *order);
	int n = 0, rc = -1;

	if (!order)
		return -1;
	for (int i = 0; i < r->n; i++)
		if (r->v[i].selected && r->v[i].relkind == 'p')
			order[n++] = &r->v[i];
	qsort(order, (size_t)n, sizeof *order, cmp_depth);
	for (int i = 0; i < n; i++) {
		rel *x = order[i];
		if (add_obj(b, RP_OBJ_TABLE, RP_PHASE_PRE, x->schema, x->name, NULL, create_table_owned(b, r, x)) < 0)
			goto out;
	}
	rc = 0;
out:
	free(order);
	return rc;
}

static int data_tables(schema_builder *b, rels *r)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		if (r->v[i].selected && r->v[i].relkind == 'r')
			n++;
	b->sc->tables = rp_calloc((size_t)n + 1, sizeof *b->sc->tables);
	if (!b->sc->tables)
		return -1;
	for (int i = 0; i < r->n; i++) {
		rel *x = &r->v[i];
		rp_table *t;
		if (!x->selected || x->relkind != 'r')
			continue;
		t = &b->sc->tables[b->sc->ntables++];
		t->schema = rp_strdup(x->schema);
		t->name = rp_strdup(x->name);
		t->display = rp_strdup(x->display);
		t->in_snapshot = true;
		if (x->comment)
			t->comment = rp_strdup(x->comment);
		if (!t->schema || !t->name || !t->display)
			return -1;
		x->table = t;
	}
	return 0;
}

/* Validated CHECK constraints go inside CREATE TABLE, as in the source
 * (NOT VALID ones cannot: they come after the data). */
static int load_checks(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	if (rel_query(b, r, "rp",
	              "SELECT co.conrelid, pg_catalog.format('CONSTRAINT %I %s', co.conname, "
	              "pg_catalog.pg_get_constraintdef(co.oid)), co.coninhcount = 0 AND co.conislocal "
	              "FROM pg_catalog.pg_constraint co WHERE co.conrelid = ANY ('$OIDS'::pg_catalog.oid[]) "
	              "AND co.contype = 'c' AND co.convalidated ORDER BY co.conrelid, co.conname",
	              "listing check constraints", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		rel *x = find_rel(r, PQgetvalue(res, i, 0));
		const char *def = PQgetvalue(res, i, 1);
		if (!x)
			continue;
		if (rp_buf_printf(&x->checks, ",\n    %s", def) < 0)
			goto out;
		if (val_is(res, i, 2, "t") &&
		    rp_buf_printf(&x->local_checks, "%s    %s", x->local_checks.len ? ",\n" : "", def) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static rel *find_rel_by_qname(rels *r, const char *qname)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->v[i].qname, qname) == 0)
			return &r->v[i];
	return NULL;
}

/*
 * CREATE TABLE for a table or a partitioned parent. A partition whose
 * columns match its parent's is created PARTITION OF it; one whose columns
 * differ (a table attached later, with its own column order) is created
 * as it is and attached before the data is loaded, so that its column
 * order, and so its rows, stay as they were.
 */
static char *create_table(schema_builder *b, rels *r, rel *x)
{
	rel *parent = x->bound ? find_rel_by_qname(r, x->parent_qname) : NULL;
	const char *tail = x->partkey ? " PARTITION BY " : "";
	const char *key = x->partkey ? x->partkey : "";
	char *attach;

	if (parent && x->sig.data && parent->sig.data && strcmp(x->sig.data, parent->sig.data) == 0) {
		if (x->local_checks.len)
			return rp_sprintf("CREATE TABLE %s PARTITION OF %s (\n%s\n) %s%s%s;\n", x->qname, x->parent_qname,
			                  x->local_checks.data, x->bound, tail, key);
		return rp_sprintf("CREATE TABLE %s PARTITION OF %s %s%s%s;\n", x->qname, x->parent_qname, x->bound, tail,
		                  key);
	}
	if (x->bound) {
		attach = rp_sprintf("ALTER TABLE ONLY %s ATTACH PARTITION %s %s;\n", x->parent_qname, x->qname, x->bound);
		if (add_obj(b, RP_OBJ_OTHER, RP_PHASE_AFTER_TABLES, x->schema, x->name, NULL, attach) < 0)
			return NULL;
	}
	return rp_sprintf("CREATE %sTABLE %s (\n%s%s\n)%s%s%s%s%s;\n", x->unlogged ? "UNLOGGED " : "", x->qname,
	                  x->cols.data ? x->cols.data : "", x->checks.data ? x->checks.data : "", tail, key,
	                  x->reloptions ? " WITH (" : "", x->reloptions ? x->reloptions : "", x->reloptions ? ")" : "");
}

/* CREATE TABLE followed by its owner line. */
static char *create_table_owned(schema_builder *b, rels *r, rel *x)
{
	rp_buf ddl = RP_BUF_INIT;
	char *create = create_table(b, r, x);

	if (!create || rp_buf_puts(&ddl, create) < 0 ||
	    (x->settings.len && rp_buf_put(&ddl, x->settings.data, x->settings.len) < 0) ||
	    owner_line(b, &ddl, "TABLE", x->qname, x->owner) < 0) {
		free(create);
		rp_buf_free(&ddl);
		return NULL;
	}
	free(create);
	return rp_buf_detach(&ddl);
}

static int table_ddl(schema_builder *b, rels *r)
{
	for (int i = 0; i < r->n; i++) {
		rel *x = &r->v[i];
		if (!x->table)
			continue;
		if (!(x->table->ddl = create_table_owned(b, r, x)))
			return -1;
	}
	return 0;
}

/* Column settings CREATE TABLE does not carry, set right after it, before
 * the data: a statistics target, a storage other than the type's, a
 * compression method (as pg_dump keeps them). */
static int load_column_settings(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	if (rel_query(b, r, "rp",
	              "SELECT a.attrelid, "
	              " CASE WHEN a.attstattarget >= 0 THEN pg_catalog.format("
	              "  E'ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET STATISTICS %s;\n', "
	              "  n.nspname, c.relname, a.attname, a.attstattarget) ELSE '' END || "
	              " CASE WHEN a.attstorage <> t.typstorage THEN pg_catalog.format("
	              "  E'ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET STORAGE %s;\n', n.nspname, c.relname, a.attname, "
	              "  CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' "
	              "  ELSE 'EXTENDED' END) ELSE '' END || "
	              " CASE WHEN a.attcompression <> ''::pg_catalog.\"char\" THEN pg_catalog.format("
	              "  E'ALTER TABLE ONLY %I.%I ALTER COLUMN %I SET COMPRESSION %s;\n', n.nspname, c.relname, "
	              "  a.attname, CASE a.attcompression WHEN 'l' THEN 'lz4' ELSE 'pglz' END) ELSE '' END "
	              "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	              "WHERE a.attrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
	              " AND (a.attstattarget >= 0 OR a.attstorage <> t.typstorage "
	              "  OR a.attcompression <> ''::pg_catalog.\"char\") "
	              "ORDER BY a.attrelid, a.attnum",
	              "reading column settings", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		rel *x = find_rel(r, PQgetvalue(res, i, 0));
		if (x && rp_buf_puts(&x->settings, PQgetvalue(res, i, 1)) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* What the tables and views carry beside their definition, after the
 * indexes: a replica identity other than the default, the index a table is
 * clustered on, a view column's default. */
static int load_table_extras(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	if (rel_query(b, r, "rpmv",
	              "SELECT n.nspname, c.relname, pg_catalog.format('ALTER TABLE ONLY %I.%I REPLICA IDENTITY %s;', "
	              " n.nspname, c.relname, CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING' "
	              " ELSE (SELECT pg_catalog.format('USING INDEX %I', ic.relname) FROM pg_catalog.pg_index i "
	              "  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	              "  WHERE i.indrelid = c.oid AND i.indisreplident) END), 1 AS step "
	              "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "WHERE c.oid = ANY ('$OIDS'::pg_catalog.oid[]) AND c.relkind IN ('r', 'p') "
	              " AND c.relreplident <> 'd' AND (c.relreplident <> 'i' OR EXISTS (SELECT 1 "
	              "  FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)) "
	              "UNION ALL "
	              "SELECT n.nspname, c.relname, pg_catalog.format('ALTER TABLE %I.%I CLUSTER ON %I;', n.nspname, "
	              " c.relname, ic.relname), 2 "
	              "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
	              "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "WHERE c.oid = ANY ('$OIDS'::pg_catalog.oid[]) AND i.indisclustered "
	              "UNION ALL "
	              "SELECT n.nspname, c.relname, pg_catalog.format('ALTER VIEW %I.%I ALTER COLUMN %I SET DEFAULT %s;', "
	              " n.nspname, c.relname, a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)), 3 "
	              "FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid "
	              "JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
	              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "WHERE c.oid = ANY ('$OIDS'::pg_catalog.oid[]) AND c.relkind = 'v' "
	              "ORDER BY 4, 1, 2, 3",
	              "reading replica identities, clustering and view defaults", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		if (add_obj(b, RP_OBJ_OTHER, RP_PHASE_POST, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), NULL,
		            rp_sprintf("%s\n", PQgetvalue(res, i, 2))) < 0)
			goto out;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/*
 * Row-level security: ENABLE and FORCE as the table has them, and its
 * policies. A policy for PUBLIC is a statement; one naming roles is a
 * statement with --with-owners and otherwise a comment, as owners and
 * grants are (the roles may not exist where the dump is restored), with a
 * warning. The table then keeps row-level security enabled without that
 * policy: it refuses more, never less.
 */
static int load_policies(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	rp_buf ddl = RP_BUF_INIT;
	int rc = -1;

	if (rel_query(b, r, "rp",
	              "SELECT n.nspname, c.relname, "
	              " CASE WHEN c.relrowsecurity THEN pg_catalog.format("
	              "  E'ALTER TABLE ONLY %I.%I ENABLE ROW LEVEL SECURITY;\n', n.nspname, c.relname) ELSE '' END || "
	              " CASE WHEN c.relforcerowsecurity THEN pg_catalog.format("
	              "  E'ALTER TABLE ONLY %I.%I FORCE ROW LEVEL SECURITY;\n', n.nspname, c.relname) ELSE '' END, "
	              " p.polname, "
	              " pg_catalog.format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s;', p.polname, n.nspname, "
	              "  c.relname, CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, "
	              "  CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' "
	              "  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, "
	              "  (SELECT pg_catalog.string_agg(CASE WHEN ro = 0 THEN 'PUBLIC' "
	              "   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(ro)) END, ', ' ORDER BY k) "
	              "   FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS u(ro, k)), "
	              "  CASE WHEN p.polqual IS NOT NULL THEN ' USING (' || pg_catalog.pg_get_expr(p.polqual, "
	              "   p.polrelid) || ')' ELSE '' END, "
	              "  CASE WHEN p.polwithcheck IS NOT NULL THEN ' WITH CHECK (' || "
	              "   pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')' ELSE '' END), "
	              " p.polroles = '{0}'::pg_catalog.oid[] "
	              "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "LEFT JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid "
	              "WHERE c.oid = ANY ('$OIDS'::pg_catalog.oid[]) "
	              " AND (c.relrowsecurity OR c.relforcerowsecurity OR p.oid IS NOT NULL) "
	              "ORDER BY n.nspname, c.relname, p.polname",
	              "reading row-level security policies", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *schema = PQgetvalue(res, i, 0), *table = PQgetvalue(res, i, 1);
		bool first = i == 0 || strcmp(schema, PQgetvalue(res, i - 1, 0)) != 0 ||
		             strcmp(table, PQgetvalue(res, i - 1, 1)) != 0;
		bool last = i + 1 == PQntuples(res) || strcmp(schema, PQgetvalue(res, i + 1, 0)) != 0 ||
		            strcmp(table, PQgetvalue(res, i + 1, 1)) != 0;
		if (first && rp_buf_puts(&ddl, PQgetvalue(res, i, 2)) < 0)
			goto out;
		if (!PQgetisnull(res, i, 3)) {
			const char *stmt = PQgetvalue(res, i, 4);
			if (b->with_owners || val_is(res, i, 5, "t")) {
				if (rp_buf_printf(&ddl, "%s\n", stmt) < 0)
					goto out;
			} else {
				/* a comment: every line of the statement */
				if (rp_buf_puts(&ddl, "-- policy for roles of the source (--with-owners writes it):\n-- ") < 0)
					goto out;
				for (const char *c = stmt; *c; c++)
					if ((*c == '\n' ? rp_buf_puts(&ddl, "\n-- ") : rp_buf_putc(&ddl, *c)) < 0)
						goto out;
				if (rp_buf_putc(&ddl, '\n') < 0 ||
				    rp_schema_add_warning(b->sc, "policy %s on %s.%s names roles: written as a comment (use "
				                          "--with-owners to write it as a statement); the restored table "
				                          "keeps row-level security without it, and refuses what it allowed",
				                          PQgetvalue(res, i, 3), schema, table) < 0)
					goto out;
			}
		}
		/* detaching leaves ddl empty for the next table */
		if (last && ddl.len &&
		    add_obj(b, RP_OBJ_OTHER, RP_PHASE_POST, schema, table, NULL, rp_buf_detach(&ddl)) < 0)
			goto out;
	}
	rc = 0;
out:
	rp_buf_free(&ddl);
	PQclear(res);
	return rc;
}

/* Pieces of the constraints and indexes query: a constraint added to its
 * table (ONLY but on a partitioned table, whose partitions' own come
 * first), an index made on its table (and so on its partitions), where
 * each is read from, a comment on either, and how many partitioned tables
 * are above the table. */
#define CONSTRAINT_DDL                                                                                \
	"pg_catalog.format('ALTER TABLE %s%s ADD CONSTRAINT %I %s;', "                                  \
	"CASE WHEN c.relkind = 'p' THEN '' ELSE 'ONLY ' END, pg_catalog.format('%I.%I', n.nspname, "     \
	"c.relname), co.conname, pg_catalog.pg_get_constraintdef(co.oid))"
#define CONSTRAINT_FROM                                                                               \
	"FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid "            \
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
#define INDEX_FROM                                                                                    \
	"FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "               \
	"JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
#define NOT_KEY_INDEX /* the index of a key constraint comes with it */                             \
	"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid "         \
	"AND co.contype IN ('p', 'u', 'x')) "
#define INDEX_DDL "pg_catalog.replace(pg_catalog.pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') || ';'"
#define CONSTRAINT_COMMENT                                                                            \
	"(SELECT pg_catalog.format('COMMENT ON CONSTRAINT %I ON %I.%I IS %L;', co.conname, n.nspname, "  \
	"c.relname, d.description) FROM pg_catalog.pg_description d WHERE d.objoid = co.oid "            \
	"AND d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass)"
#define INDEX_COMMENT                                                                                 \
	"(SELECT pg_catalog.format('COMMENT ON INDEX %I.%I IS %L;', n.nspname, ic.relname, d.description) " \
	"FROM pg_catalog.pg_description d WHERE d.objoid = ic.oid "                                      \
	"AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0)"
#define REL_DEPTH                                                                                     \
	"(WITH RECURSIVE up(o, d) AS (SELECT c.oid, 0 UNION ALL SELECT h.inhparent, up.d + 1 "            \
	"FROM up JOIN pg_catalog.pg_inherits h ON h.inhrelid = up.o) SELECT max(d) FROM up)"

/* The constraints and indexes query, in three parts (C99 limits a string
 * literal's length). */
static const char ci_partitions[] =
	/* 0: a partition's own key constraints and indexes, under
	 * their names, deepest partitions first: the parent's, made
	 * next, attaches them instead of making new ones with
	 * generated names */
	"SELECT 0 AS step, co.conrelid, co.conname, c.relkind, " CONSTRAINT_DDL ", n.nspname, c.relname, "
	CONSTRAINT_COMMENT ", -" REL_DEPTH " AS ord "
	CONSTRAINT_FROM
	"WHERE co.conrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND co.conparentid <> 0 "
	"AND co.contype IN ('p', 'u', 'x') "
	"UNION ALL "
	"SELECT 0, i.indrelid, ic.relname, c.relkind, "
	" " INDEX_DDL ", n.nspname, c.relname, " INDEX_COMMENT ", -" REL_DEPTH " "
	INDEX_FROM
	"WHERE i.indrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND ic.relispartition "
	"AND " NOT_KEY_INDEX;
static const char ci_tables[] =
	"SELECT 1, co.conrelid, co.conname, c.relkind, " CONSTRAINT_DDL ", n.nspname, c.relname, "
	CONSTRAINT_COMMENT ", 0 "
	CONSTRAINT_FROM
	"WHERE co.conrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND co.conparentid = 0 AND co.conislocal "
	"AND (co.contype IN ('p', 'u', 'x') OR (co.contype = 'c' AND NOT co.convalidated)) "
	"UNION ALL "
	/* 2: indexes; a partitioned table's index that is not valid
	 * (made ON ONLY, attached to some partitions only) stays
	 * so: ON ONLY, then its partitions' indexes attached */
	"SELECT 2, i.indrelid, ic.relname, c.relkind, "
	" CASE WHEN c.relkind = 'p' AND NOT i.indisvalid THEN pg_catalog.pg_get_indexdef(i.indexrelid) "
	"  || ';' || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format("
	"  E'\\nALTER INDEX %I.%I ATTACH PARTITION %I.%I;', n.nspname, ic.relname, hn.nspname, "
	"  hc.relname), '' ORDER BY hc.relname) FROM pg_catalog.pg_inherits h "
	"  JOIN pg_catalog.pg_class hc ON hc.oid = h.inhrelid "
	"  JOIN pg_catalog.pg_namespace hn ON hn.oid = hc.relnamespace WHERE h.inhparent = i.indexrelid), '') "
	" ELSE " INDEX_DDL " END, "
	" n.nspname, c.relname, " INDEX_COMMENT ", 0 "
	INDEX_FROM
	"WHERE i.indrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND NOT ic.relispartition "
	"AND " NOT_KEY_INDEX;
static const char ci_foreign[] =
	"SELECT 3, co.conrelid, co.conname, c.relkind, " CONSTRAINT_DDL ", n.nspname, c.relname, "
	CONSTRAINT_COMMENT ", 0 "
	CONSTRAINT_FROM
	"WHERE co.conrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND co.contype = 'f' "
	"AND co.conparentid = 0 "
	"ORDER BY 1, 9, 6, 7, 3";

/* Constraints (primary, unique, exclusion and check first, then foreign
 * keys) and indexes of the relations of the given kinds, after the data.
 * A partition's key constraints and indexes come first, under their own
 * names; the parent's, made after, attaches them. */
static int constraints_and_indexes(schema_builder *b, rels *r, const char *kinds)
{
	PGresult *res = NULL;
	char *sql = rp_sprintf("%s UNION ALL %s UNION ALL %s", ci_partitions, ci_tables, ci_foreign);
	int rc = -1;

	if (!sql || rel_query(b, r, kinds, sql, "listing constraints and indexes", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		bool index = strncmp(PQgetvalue(res, i, 4), "CREATE ", 7) == 0;
		char *ddl = rp_sprintf("%s\n%s%s", PQgetvalue(res, i, 4), PQgetvalue(res, i, 7),
		                       PQgetisnull(res, i, 7) ? "" : "\n");
		if (add_obj(b, index ? RP_OBJ_INDEX : RP_OBJ_CONSTRAINT, RP_PHASE_POST, PQgetvalue(res, i, 5),
		            PQgetvalue(res, i, 2), PQgetvalue(res, i, 6), ddl) < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	free(sql);
	return rc;
}

/* Views and materialized views, each after the ones it reads. */
static int load_views(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	dep_item *items = NULL;
	int n = 0, rc = -1;

	for (int i = 0; i < r->n; i++)
		if (r->v[i].selected && (r->v[i].relkind == 'v' || r->v[i].relkind == 'm'))
			n++;
	items = rp_calloc((size_t)n + 1, sizeof *items);
	if (!items || rel_query(b, r, "vm",
	                    "SELECT rw.ev_class, pg_catalog.array_agg(DISTINCT d.refobjid)::pg_catalog.text[] "
	              "FROM pg_catalog.pg_rewrite rw JOIN pg_catalog.pg_depend d "
	              "ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = rw.oid "
	              "AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	              "WHERE rw.ev_class = ANY ('$OIDS'::pg_catalog.oid[]) AND d.refobjid <> rw.ev_class "
	              "AND d.refobjid = ANY ('$OIDS'::pg_catalog.oid[]) GROUP BY rw.ev_class",
	                    "reading view dependencies", &res) < 0)
		goto out;
	n = 0;
	for (int i = 0; i < r->n; i++) {
		rel *x = &r->v[i];
		dep_item *it;
		const char *def;
		size_t dlen;
		bool mat = x->relkind == 'm';
		if (!x->selected || (x->relkind != 'v' && x->relkind != 'm'))
			continue;
		it = &items[n++];
		it->kind = mat ? RP_OBJ_MATVIEW : RP_OBJ_VIEW;
		it->oid = rp_strdup(x->oid);
		it->schema = rp_strdup(x->schema);
		it->name = rp_strdup(x->name);
		def = x->viewdef ? x->viewdef : "";
		dlen = strlen(def);
		while (dlen && (def[dlen - 1] == ';' || def[dlen - 1] == ' ' || def[dlen - 1] == '\n'))
			dlen--;
		{
			rp_buf ddl = RP_BUF_INIT;
			if (rp_buf_printf(&ddl, "CREATE %s %s%s%s%s AS\n%.*s%s;\n", mat ? "MATERIALIZED VIEW" : "VIEW",
			                  x->qname, x->reloptions ? " WITH (" : "", x->reloptions ? x->reloptions : "",
			                  x->reloptions ? ")" : "", (int)dlen, def,
			                  !mat ? "" : x->unpopulated ? "\n  WITH NO DATA" : "\n  WITH DATA") < 0 ||
			    owner_line(b, &ddl, mat ? "MATERIALIZED VIEW" : "VIEW", x->qname, x->owner) < 0) {
				rp_buf_free(&ddl);
				goto out;
			}
			it->ddl = rp_buf_detach(&ddl);
		}
		if (!it->oid || !it->schema || !it->name || !it->ddl)
			goto out;
		for (int k = 0; k < PQntuples(res); k++)
			if (strcmp(PQgetvalue(res, k, 0), x->oid) == 0 &&
			    parse_oid_array(PQgetvalue(res, k, 1), &it->deps, &it->ndeps) < 0)
				goto out;
	}
	if (emit_sorted(b, items, n, RP_PHASE_POST, "views") < 0)
		goto out;
	/* The SELECT and the columns of each view, for formats that describe
	 * views (SIARD). */
	for (size_t i = 0; i < b->sc->nobjects; i++) {
		rp_object *o = &b->sc->objects[i];
		if (o->kind != RP_OBJ_VIEW && o->kind != RP_OBJ_MATVIEW)
			continue;
		for (int k = 0; k < r->n; k++) {
			rel *x = &r->v[k];
			if (o->query || !x->viewdef || strcmp(x->schema, o->schema) != 0 || strcmp(x->name, o->name) != 0)
				continue;
			if (!(o->query = rp_strdup(x->viewdef)))
				goto out;
			o->cols = x->vcols;
			o->ncols = x->nvcols;
			x->vcols = NULL;
			x->nvcols = 0;
		}
	}
	rc = 0;
out:
	dep_items_free(items, n);
	PQclear(res);
	return rc;
}

static int load_triggers(schema_builder *b, rels *r)
{
	PGresult *res = NULL;
	int rc = -1;

	if (rel_query(b, r, "rpvm",
	              "SELECT n.nspname, t.tgname, c.relname, pg_catalog.pg_get_triggerdef(t.oid), "
	              "(SELECT pg_catalog.format(E'\\nCOMMENT ON TRIGGER %I ON %I.%I IS %L;', t.tgname, n.nspname, "
	              " c.relname, d.description) FROM pg_catalog.pg_description d WHERE d.objoid = t.oid "
	              " AND d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass), "
	              /* a trigger disabled, or firing on replicas: CREATE TRIGGER makes it enabled */
	              "CASE WHEN t.tgenabled <> 'O' THEN pg_catalog.format(E'\\nALTER TABLE %I.%I %s TRIGGER %I;', "
	              " n.nspname, c.relname, CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' "
	              " ELSE 'ENABLE ALWAYS' END, t.tgname) END "
	              "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
	              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	              "WHERE t.tgrelid = ANY ('$OIDS'::pg_catalog.oid[]) AND NOT t.tgisinternal AND t.tgparentid = 0 "
	              "ORDER BY 1, 3, 2",
	              "listing triggers", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		if (add_obj(b, RP_OBJ_TRIGGER, RP_PHASE_POST, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		            PQgetvalue(res, i, 2),
		            rp_sprintf("%s;%s%s\n", PQgetvalue(res, i, 3), PQgetvalue(res, i, 5), PQgetvalue(res, i, 4))) < 0)
			goto out;
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Objects dump.sql does not recreate: each is warned about, so that a dump
 * that restores without error is never taken for the whole database. */
#define UNEXPORTED(kind, name, from, where, classname, oidexpr)                                   \
	"SELECT " kind ", " name " FROM " from " WHERE " where " AND " NOT_EXTENSION_MEMBER(classname, oidexpr)
#define UNEXPORTED_IN_SCHEMA(kind, name, from, nspcol, where, classname, oidexpr)                 \
	UNEXPORTED(kind, "pg_catalog.format('%I.%s', n.nspname, " name ")",                          \
	           from " JOIN pg_catalog.pg_namespace n ON n.oid = " nspcol,                        \
	           USER_SCHEMA("n.nspname") " AND " where, classname, oidexpr)

static const char *const unexported_queries[] = {
	UNEXPORTED_IN_SCHEMA("'aggregate'", "pg_catalog.format('%I(%s)', p.proname, "
	                     "pg_catalog.pg_get_function_identity_arguments(p.oid))",
	                     "pg_catalog.pg_proc p", "p.pronamespace", "p.prokind IN ('a', 'w')",
	                     "pg_catalog.pg_proc", "p.oid"),
	UNEXPORTED_IN_SCHEMA("'operator'", "pg_catalog.format('%s(%s, %s)', o.oprname, "
	                     "COALESCE(pg_catalog.format_type(o.oprleft, NULL), 'NONE'), "
	                     "COALESCE(pg_catalog.format_type(o.oprright, NULL), 'NONE'))",
	                     "pg_catalog.pg_operator o", "o.oprnamespace", "true",
	                     "pg_catalog.pg_operator", "o.oid"),
	UNEXPORTED_IN_SCHEMA("'operator class'", "pg_catalog.format('%I', o.opcname)",
	                     "pg_catalog.pg_opclass o", "o.opcnamespace", "true",
	                     "pg_catalog.pg_opclass", "o.oid"),
	UNEXPORTED_IN_SCHEMA("'operator family'", "pg_catalog.format('%I', f.opfname)",
	                     "pg_catalog.pg_opfamily f", "f.opfnamespace",
	                     "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass o WHERE o.opcfamily = f.oid)",
	                     "pg_catalog.pg_opfamily", "f.oid"),
	UNEXPORTED_IN_SCHEMA("'collation'", "pg_catalog.format('%I', c.collname)",
	                     "pg_catalog.pg_collation c", "c.collnamespace", "true",
	                     "pg_catalog.pg_collation", "c.oid"),
	UNEXPORTED_IN_SCHEMA("'conversion'", "pg_catalog.format('%I', c.conname)",
	                     "pg_catalog.pg_conversion c", "c.connamespace", "true",
	                     "pg_catalog.pg_conversion", "c.oid"),
	UNEXPORTED_IN_SCHEMA("'text search configuration'", "pg_catalog.format('%I', c.cfgname)",
	                     "pg_catalog.pg_ts_config c", "c.cfgnamespace", "true",
	                     "pg_catalog.pg_ts_config", "c.oid"),
	UNEXPORTED_IN_SCHEMA("'text search dictionary'", "pg_catalog.format('%I', td.dictname)",
	                     "pg_catalog.pg_ts_dict td", "td.dictnamespace", "true",
	                     "pg_catalog.pg_ts_dict", "td.oid"),
	UNEXPORTED_IN_SCHEMA("'text search parser'", "pg_catalog.format('%I', p.prsname)",
	                     "pg_catalog.pg_ts_parser p", "p.prsnamespace", "true",
	                     "pg_catalog.pg_ts_parser", "p.oid"),
	UNEXPORTED_IN_SCHEMA("'text search template'", "pg_catalog.format('%I', t.tmplname)",
	                     "pg_catalog.pg_ts_template t", "t.tmplnamespace", "true",
	                     "pg_catalog.pg_ts_template", "t.oid"),
	UNEXPORTED_IN_SCHEMA("'statistics object'", "pg_catalog.format('%I', s.stxname)",
	                     "pg_catalog.pg_statistic_ext s", "s.stxnamespace", "true",
	                     "pg_catalog.pg_statistic_ext", "s.oid"),
	UNEXPORTED_IN_SCHEMA("'foreign table'", "pg_catalog.format('%I', c.relname)",
	                     "pg_catalog.pg_class c", "c.relnamespace", "c.relkind = 'f'",
	                     "pg_catalog.pg_class", "c.oid"),
	UNEXPORTED("'rule'", "pg_catalog.format('%I on %I.%I', r.rulename, n.nspname, c.relname)",
	           "pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class "
	           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
	           USER_SCHEMA("n.nspname") " AND c.relkind IN ('v', 'm') AND r.rulename <> '_RETURN'",
	           "pg_catalog.pg_rewrite", "r.oid"),
	UNEXPORTED("'cast'", "pg_catalog.format('(%s AS %s)', pg_catalog.format_type(c.castsource, NULL), "
	           "pg_catalog.format_type(c.casttarget, NULL))",
	           "pg_catalog.pg_cast c",
	           "c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_range r "
	           "WHERE r.rngtypid = c.castsource AND r.rngmultitypid = c.casttarget)",
	           "pg_catalog.pg_cast", "c.oid"),
	UNEXPORTED("'foreign-data wrapper'", "pg_catalog.format('%I', w.fdwname)",
	           "pg_catalog.pg_foreign_data_wrapper w", "true", "pg_catalog.pg_foreign_data_wrapper",
	           "w.oid"),
	UNEXPORTED("'foreign server'", "pg_catalog.format('%I', s.srvname)", "pg_catalog.pg_foreign_server s",
	           "true", "pg_catalog.pg_foreign_server", "s.oid"),
	UNEXPORTED("'event trigger'", "pg_catalog.format('%I', e.evtname)", "pg_catalog.pg_event_trigger e",
	           "true", "pg_catalog.pg_event_trigger", "e.oid"),
	UNEXPORTED("'publication'", "pg_catalog.format('%I', p.pubname)", "pg_catalog.pg_publication p",
	           "true", "pg_catalog.pg_publication", "p.oid"),
	"SELECT 'large objects', pg_catalog.count(*)::pg_catalog.text FROM pg_catalog.pg_largeobject_metadata "
	"HAVING pg_catalog.count(*) > 0",
};

static int load_unexported(schema_builder *b)
{
	PGresult *res = NULL;
	rp_buf q = RP_BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < sizeof unexported_queries / sizeof *unexported_queries; i++)
		if (rp_buf_printf(&q, "%s%s", i ? " UNION ALL " : "", unexported_queries[i]) < 0)
			goto out;
	if (rp_buf_puts(&q, " ORDER BY 1, 2") < 0 ||
	    query(b->s, q.data, "listing objects that are not exported", &res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *kind = PQgetvalue(res, i, 0), *name = PQgetvalue(res, i, 1);
		int w = strcmp(kind, "large objects") == 0
		            ? rp_schema_add_warning(b->sc, "%s large object(s) (lo_import, oid columns): their contents "
		                                    "are not exported", name)
		            : rp_schema_add_warning(b->sc, "%s %s is not exported: dump.sql does not recreate it", kind,
		                                    name);
		if (w < 0)
			goto out;
	}
	rc = 0;
out:
	PQclear(res);
	rp_buf_free(&q);
	return rc;
}

static int pg_load_schema(rp_source *base, const rp_filter *filter, rp_schema *out)
{
	pg_source *s = (pg_source *)base;
	schema_builder b = { s, out, filter, s->params.with_owners, NULL, 0 };
	rels r = { NULL, 0 };
	int rc = -1;

	memset(out, 0, sizeof *out);
	/* Pre-data: schemas, extensions, types, functions, sequences,
	 * partitioned parents (tables come from rp_table.ddl). */
	if (load_schemas(&b) < 0 || load_extensions(&b) < 0 || load_types(&b) < 0 || load_functions(&b) < 0 ||
	    emit_sorted(&b, b.items, b.nitems, RP_PHASE_PRE, "types and functions") < 0)
		goto out;
	if (load_rel_list(&b, &r) < 0 || data_tables(&b, &r) < 0 || load_rel_columns(&b, &r) < 0 ||
	    load_keys(&b, &r) < 0 || load_checks(&b, &r) < 0 || load_column_settings(&b, &r) < 0 ||
	    table_ddl(&b, &r) < 0)
		goto out;
	if (load_sequences(&b) < 0 || partitioned_parents(&b, &r) < 0)
		goto out;
	/* Post-data: sequence values, constraints and indexes, views, indexes
	 * of materialized views, triggers, comments, owners and grants. */
	if (constraints_and_indexes(&b, &r, "rp") < 0 || load_views(&b, &r) < 0 ||
	    constraints_and_indexes(&b, &r, "m") < 0 || load_table_extras(&b, &r) < 0 || load_policies(&b, &r) < 0 ||
	    load_triggers(&b, &r) < 0 ||
	    load_unexported(&b) < 0)
		goto out;
	for (int i = 0; i < r.n; i++) {
		rel *x = &r.v[i];
		const char *what = x->relkind == 'v' ? "VIEW" : x->relkind == 'm' ? "MATERIALIZED VIEW" : "TABLE";
		if (x->selected && rel_extras(&b, x, what) < 0)
			goto out;
	}
	for (size_t i = 0; i < out->ntables; i++)
		if (out->tables[i].ncols == 0 &&
		    rp_schema_add_warning(out,
		                          "table %s has no columns: dump.sql and the CSV keep its rows, the .siard "
		                          "leaves it out (SIARD has no table without columns)",
		                          out->tables[i].display) < 0)
			goto out;
	rc = 0;
out:
	rels_free(&r);
	dep_items_free(b.items, b.nitems);
	if (rc < 0)
		rp_schema_free(out);
	return rc;
}

/* ---------- rows ---------- */

/* "schema"."table" for a query, or NULL (error recorded). */
static char *qualified(pg_source *s, const rp_table *t, const char *doing)
{
	char *sch = PQescapeIdentifier(s->conn, t->schema, strlen(t->schema));
	char *tab = PQescapeIdentifier(s->conn, t->name, strlen(t->name));
	char *out = sch && tab ? rp_sprintf("%s.%s", sch, tab) : NULL;

	if (!sch || !tab)
		pg_fail(s, doing);
	PQfreemem(sch);
	PQfreemem(tab);
	return out;
}

/* The smallest and largest key of a table with one integer key, read in
 * the snapshot (the primary key's index at each end), and its average row
 * size from the catalog (RP_CHUNK_MAX_AVG_ROW; 0 when never analysed). */
static int pg_plan_chunks(rp_source *base, rp_table *t)
{
	pg_source *s = (pg_source *)base;
	const rp_column *c = rp_chunk_column(t);
	PGresult *res = NULL;
	char doing[300], *col = NULL, *relname = NULL, *lit = NULL, *q = NULL;
	int rc = -1;

	t->nchunks = 1;
	if (!c)
		return 0;
	snprintf(doing, sizeof doing, "reading the key range of table %s", t->display);
	if (!(col = PQescapeIdentifier(s->conn, c->name, strlen(c->name)))) {
		pg_fail(s, doing);
		goto out;
	}
	if (!(relname = qualified(s, t, doing)))
		goto out;
	if (!(lit = PQescapeLiteral(s->conn, relname, strlen(relname)))) {
		pg_fail(s, doing);
		goto out;
	}
	if (!(q = rp_sprintf("SELECT MIN(%s)::pg_catalog.text, MAX(%s)::pg_catalog.text, "
	                     "(SELECT CASE WHEN c.reltuples > 0 "
	                     "THEN (pg_catalog.pg_table_size(c.oid) / c.reltuples)::pg_catalog.int8 ELSE 0 END "
	                     "FROM pg_catalog.pg_class c WHERE c.oid = %s::pg_catalog.regclass) FROM ONLY %s",
	                     col, col, lit, relname)))
		goto out;
	res = PQexec(s->conn, q);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 3) {
		res_fail(s, res, doing);
		goto out;
	}
	if (!PQgetisnull(res, 0, 2) && strtoll(PQgetvalue(res, 0, 2), NULL, 10) > RP_CHUNK_MAX_AVG_ROW) {
		rc = 0; /* large rows: one connection reads them all */
		goto out;
	}
	rp_chunk_plan(t, PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0),
	              PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1));
	rc = 0;
out:
	PQclear(res);
	PQfreemem(lit);
	PQfreemem(col);
	free(relname);
	free(q);
	return rc;
}

/*
 * Whether t is read in the COPY binary format: when every column has a
 * type rp_pgb_text knows (kinds[] gets them). REVPACK_TEST_PG_COPY=text
 * reads every table in text; =binary makes a table that cannot be read in
 * binary an error, so that tests know which path they cover.
 */
static int binary_kinds(pg_source *s, const rp_table *t, rp_pgb_kind *kinds, bool *binary)
{
	const char *hook = getenv("REVPACK_TEST_PG_COPY");
	const char *intdt = PQparameterStatus(s->conn, "integer_datetimes");
	const rp_column *none = NULL;

	for (size_t i = 0; i < t->ncols; i++) {
		kinds[i] = rp_pgb_kind_of(t->cols[i].base_type);
		/* times are microseconds in int64 only on servers built with
		 * integer datetimes (every one since PostgreSQL 10) */
		if ((kinds[i] == RP_PGB_TIME || kinds[i] == RP_PGB_TIMESTAMP || kinds[i] == RP_PGB_TIMESTAMPTZ) &&
		    !(intdt && strcmp(intdt, "on") == 0))
			kinds[i] = RP_PGB_NONE;
		if (kinds[i] == RP_PGB_NONE && !none)
			none = &t->cols[i];
	}
	*binary = !none && !(hook && strcmp(hook, "text") == 0);
	if (none && hook && strcmp(hook, "binary") == 0)
		return rp_error_set(RP_E_DB, "source %s: table %s: REVPACK_TEST_PG_COPY=binary, but column %s (%s) "
		                    "is read in text", s->base.name, t->display, none->name, none->base_type);
	return 0;
}

/* A COPY binary stream that is not what a server sends (why says how). */
static int binary_malformed(const rp_source *base, const rp_table *t, uint64_t nrow, const char *why)
{
	return rp_error_set(RP_E_DB, "source %s: table %s: after %llu rows: malformed COPY binary data (%s)",
	                    base->name, t->display, (unsigned long long)nrow, why);
}

static int pg_stream_rows(rp_source *base, rp_table *t, size_t chunk, rp_row_fn fn, void *ctx)
{
	pg_source *s = (pg_source *)base;
	rp_buf q = RP_BUF_INIT;
	rp_value *vals = NULL;
	rp_pgb_kind *kinds = NULL;
	char (*scratch)[RP_PGB_TEXT_MAX] = NULL;
	rp_pgb_stream stream = { false, false };
	bool binary = false;
	PGresult *res = NULL;
	char doing[300];
	char *line = NULL;
	uint64_t nrow = 0;
	int rc = -1, len;

	snprintf(doing, sizeof doing, "reading table %s", t->display);
	if (!(kinds = rp_calloc(t->ncols + 1, sizeof *kinds)) || binary_kinds(s, t, kinds, &binary) < 0)
		goto out;
	if (binary && !(scratch = rp_calloc(t->ncols + 1, sizeof *scratch)))
		goto out;
	if (rp_buf_puts(&q, "COPY (SELECT ") < 0)
		goto out;
	for (size_t i = 0; i < t->ncols; i++) {
		char *id = PQescapeIdentifier(s->conn, t->cols[i].name, strlen(t->cols[i].name));
		int r = id ? rp_buf_printf(&q, "%s%s", i ? ", " : "", id) : pg_fail(s, doing);
		PQfreemem(id);
		if (r < 0)
			goto out;
	}
	{
		char *relname = qualified(s, t, doing);
		int r = relname ? rp_buf_printf(&q, " FROM ONLY %s", relname) : -1;
		free(relname);
		if (r < 0)
			goto out;
	}
	if (t->nchunks > 1) {
		char *id = PQescapeIdentifier(s->conn, t->pkey[0], strlen(t->pkey[0]));
		int r = id ? rp_chunk_where(&q, t, chunk, id) : pg_fail(s, doing);
		PQfreemem(id);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < t->npkey; i++) {
		char *id = PQescapeIdentifier(s->conn, t->pkey[i], strlen(t->pkey[i]));
		int r = id ? rp_buf_printf(&q, "%s%s", i ? ", " : " ORDER BY ", id) : pg_fail(s, doing);
		PQfreemem(id);
		if (r < 0)
			goto out;
	}
	if (rp_buf_puts(&q, binary ? ") TO STDOUT (FORMAT binary)" : ") TO STDOUT") < 0 ||
	    !(vals = rp_calloc(t->ncols + 1, sizeof *vals)))
		goto out;
	res = PQexec(s->conn, q.data);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		res_fail(s, res, doing);
		goto out;
	}
	PQclear(res);
	res = NULL;
	while ((len = PQgetCopyData(s->conn, &line, 0)) > 0) {
		int nf;
		if (binary) {
			const char *why = NULL;
			int r = rp_pgb_message(&stream, line, (size_t)len, kinds, t->ncols, vals, scratch, &why);
			if (r < 0) {
				binary_malformed(base, t, nrow, why);
				goto cancel;
			}
			if (r > 0) {
				nrow++;
				if (fn(ctx, vals, t->ncols) < 0)
					goto cancel;
			}
			PQfreemem(line);
			line = NULL;
			continue;
		}
		nrow++;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		/* in place: a row of large values is not held twice */
		nf = rp_pgcopy_decode_inplace(line, (size_t)len, vals, t->ncols);
		if (nf != (int)t->ncols) {
			rp_error_set(RP_E_DB, "source %s: table %s: row %llu has %d fields, expected %zu", base->name,
			             t->display, (unsigned long long)nrow, nf, t->ncols);
			goto cancel;
		}
		/* bytea arrives as \x + hex: the value is the raw bytes, decoded in
		 * place (each byte is written behind the digits it comes from). */
		for (size_t i = 0; i < t->ncols; i++) {
			uint8_t *dst;
			if (t->cols[i].cls != RP_CLASS_BINARY || !vals[i].data)
				continue;
			dst = (uint8_t *)line + (vals[i].data - line);
			if (vals[i].len < 2 || vals[i].data[0] != '\\' || vals[i].data[1] != 'x' ||
			    rp_hex_decode(dst, vals[i].data + 2, vals[i].len - 2) < 0) {
				rp_error_set(RP_E_DB, "source %s: table %s: row %llu: unexpected bytea text in column %s",
				             base->name, t->display, (unsigned long long)nrow, t->cols[i].name);
				goto cancel;
			}
			vals[i].len = (vals[i].len - 2) / 2;
		}
		/* the values point into line */
		if (fn(ctx, vals, t->ncols) < 0)
			goto cancel;
		PQfreemem(line);
		line = NULL;
	}
	if (len == -2) {
		char msg[400];
		snprintf(msg, sizeof msg, "reading table %s (after %llu rows)", t->display, (unsigned long long)nrow);
		pg_fail(s, msg);
		goto out;
	}
	res = PQgetResult(s->conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		res_fail(s, res, doing);
		goto out;
	}
	if (binary) {
		const char *why = NULL;
		if (rp_pgb_end(&stream, &why) < 0) {
			binary_malformed(base, t, nrow, why);
			goto out;
		}
	}
	rc = 0;
	goto out;
cancel:
	{
		/* Stop the server sending the rest, then drain what is in flight. */
		PGcancel *c = PQgetCancel(s->conn);
		char err[256];
		if (c) {
			PQcancel(c, err, sizeof err);
			PQfreeCancel(c);
		}
		PQfreemem(line);
		line = NULL;
		while (PQgetCopyData(s->conn, &line, 0) > 0) {
			PQfreemem(line);
			line = NULL;
		}
		while ((res = PQgetResult(s->conn)) != NULL)
			PQclear(res);
	}
out:
	PQfreemem(line);
	PQclear(res);
	while (rc == 0 && (res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	free(vals);
	free(kinds);
	free(scratch);
	rp_buf_free(&q);
	return rc;
}

static int pg_end(rp_source *base)
{
	pg_source *s = (pg_source *)base;
	int rc = 0;

	if (s->conn && s->in_tx && PQstatus(s->conn) == CONNECTION_OK)
		rc = exec(s, "ROLLBACK", "ending the snapshot");
	s->in_tx = false;
	if (s->conn) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
	return rc;
}

static void pg_free(rp_source *base)
{
	pg_source *s = (pg_source *)base;

	if (!s)
		return;
	if (s->conn)
		PQfinish(s->conn);
	rp_pgsql_params_free(&s->params);
	rp_source_base_free(base);
	free(s);
}

static const rp_source_ops pgsql_ops = {
	.kind = "pgsql",
	.restore_cmd = "psql -v ON_ERROR_STOP=1 -d NEWDB -f",
	.sql_writer_new = rp_sql_pgsql_writer_new,
	.connect = pg_connect,
	.begin_snapshot = pg_begin_snapshot,
	.open_workers = pg_open_workers,
	.load_schema = pg_load_schema,
	.plan_chunks = pg_plan_chunks,
	.stream_rows = pg_stream_rows,
	.end = pg_end,
	.free = pg_free,
};

int rp_pgsql_source_new(rp_source **out, const char *name, rp_pgsql_params *params)
{
	pg_source *s = rp_calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return -1;
	if (rp_source_init(&s->base, &pgsql_ops, name) < 0) {
		free(s);
		return -1;
	}
	s->params = *params;
	memset(params, 0, sizeof *params);
	*out = &s->base;
	return 0;
}
