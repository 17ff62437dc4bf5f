/* Shared CLI helpers. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cli/cli.h"
#include "revpack/error.h"

volatile sig_atomic_t cli_interrupted;

void cli_print_safe(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

int cli_fail(void)
{
	fputs("revpack: error: ", stderr);
	cli_print_safe(stderr, rp_error_message());
	fputc('\n', stderr);
	return rp_error_exit_code(rp_error_kind());
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "revpack %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'revpack %s --help'.\n", cmd);
	return 2;
}

int cli_option_error(const char *cmd)
{
	fprintf(stderr, "Try 'revpack %s --help'.\n", cmd);
	return 2;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("revpack: warning: ", stderr);
	cli_print_safe(stderr, n >= 0 && msg ? msg : fmt);
	fputc('\n', stderr);
	free(msg);
}

int cli_list_add(cli_list *l, const char *s)
{
	const char **n = rp_realloc(l->items, (l->n + 1) * sizeof *n);
	if (!n)
		return -1;
	l->items = n;
	n[l->n++] = s;
	return 0;
}

int cli_source_option(cli_source_opts *so, const char *cmd, int c, const char *arg, int *rc)
{
	cli_list *l;

	switch (c) {
	case CLI_OPT_MYSQL:
	case CLI_OPT_PGSQL: {
		char *k = rp_realloc(so->kinds, so->args.n + 1);
		if (!k || cli_list_add(&so->args, arg) < 0) {
			if (k)
				so->kinds = k;
			*rc = cli_fail();
			return -1;
		}
		so->kinds = k;
		k[so->args.n - 1] = c == CLI_OPT_MYSQL ? 'm' : 'p';
		return 1;
	}
	case CLI_OPT_TABLE:
		l = &so->include;
		break;
	case CLI_OPT_EXCLUDE:
		l = &so->exclude;
		break;
	case CLI_OPT_MYSQL_DEFAULTS:
		if (access(arg, R_OK) != 0) {
			*rc = cli_usage_error(cmd, "--mysql-defaults-file %s: cannot be read", arg);
			return -1;
		}
		so->mysql_defaults_file = arg;
		return 1;
	default:
		return 0;
	}
	if (cli_list_add(l, arg) < 0) {
		*rc = cli_fail();
		return -1;
	}
	return 1;
}

int cli_source_opts_build(const cli_source_opts *so, cli_sources *out, rp_filter *filter)
{
	out->mysql_defaults_file = so->mysql_defaults_file;
	for (size_t i = 0; i < so->args.n; i++)
		if ((so->kinds[i] == 'm' ? cli_add_mysql(out, so->args.items[i])
		                         : cli_add_pgsql(out, so->args.items[i], so->with_owners)) < 0)
			return -1;
	filter->include = so->include.items;
	filter->ninclude = so->include.n;
	filter->exclude = so->exclude.items;
	filter->nexclude = so->exclude.n;
	return 0;
}

void cli_source_opts_free(cli_source_opts *so)
{
	free(so->args.items);
	free(so->kinds);
	free(so->include.items);
	free(so->exclude.items);
	memset(so, 0, sizeof *so);
}

static int add_source(cli_sources *s, rp_source *src)
{
	rp_source **n = rp_realloc(s->items, (s->n + 1) * sizeof *n);
	if (!n) {
		src->ops->free(src);
		return -1;
	}
	s->items = n;
	n[s->n++] = src;
	return 0;
}

int cli_add_mysql(cli_sources *s, const char *arg)
{
	const char *scheme = strstr(arg, "://");
	const char *eq = strchr(arg, '=');
	char *name = NULL;
	rp_mysql_params p;
	rp_source *src = NULL;
	int rc = -1;

	if (eq && scheme && eq < scheme) {
		name = rp_strndup(arg, (size_t)(eq - arg));
		arg = eq + 1;
		if (!name)
			return -1;
	}
	if (rp_mysql_parse_uri(arg, &p) < 0)
		goto out;
	if (!name && !(name = rp_strdup(p.database))) {
		rp_mysql_params_free(&p);
		goto out;
	}
	if (!rp_source_name_valid(name)) {
		rp_error_set(RP_E_USAGE,
		             "source name \"%s\" is not usable as a folder name; give one with --mysql NAME=URI "
		             "(letters, digits, '_', '.', '-', starting with a letter or digit; 64 at most)",
		             name);
		rp_mysql_params_free(&p);
		goto out;
	}
	if (s->mysql_defaults_file && !(p.defaults_file = rp_strdup(s->mysql_defaults_file))) {
		rp_mysql_params_free(&p);
		goto out;
	}
	if (rp_mysql_source_new(&src, name, &p) < 0) {
		rp_mysql_params_free(&p);
		goto out;
	}
	rc = add_source(s, src);
out:
	free(name);
	return rc;
}

/* Is word (of n bytes) a libpq connection keyword, as in "host=..."? */
static bool pq_keyword(const char *word, size_t n)
{
	PQconninfoOption *defs = PQconndefaults();
	bool found = false;

	for (PQconninfoOption *o = defs; o && o->keyword && !found; o++)
		found = strlen(o->keyword) == n && strncmp(o->keyword, word, n) == 0;
	PQconninfoFree(defs);
	return found;
}

int cli_add_pgsql(cli_sources *s, const char *arg, bool with_owners)
{
	const char *eq = strchr(arg, '=');
	char *name = NULL;
	rp_pgsql_params p;
	rp_source *src = NULL;
	int rc = -1;

	/* NAME=postgresql://... or NAME=host=... dbname=...; but host=... alone
	 * is a conninfo, not a NAME. */
	if (eq && !pq_keyword(arg, (size_t)(eq - arg)) &&
	    (strncmp(eq + 1, "postgres://", 11) == 0 || strncmp(eq + 1, "postgresql://", 13) == 0 ||
	     strchr(eq + 1, '='))) {
		name = rp_strndup(arg, (size_t)(eq - arg));
		arg = eq + 1;
		if (!name)
			return -1;
	}
	if (rp_pgsql_parse_conninfo(arg, &p) < 0)
		goto out;
	p.with_owners = with_owners;
	if (!name) {
		const char *db = p.dbname ? p.dbname : getenv("PGDATABASE");
		if (!db) {
			rp_error_set(RP_E_USAGE, "--pgsql: the connection string names no database; add dbname=... or "
			                         "give the source a name with --pgsql NAME=CONNINFO");
			rp_pgsql_params_free(&p);
			goto out;
		}
		if (!(name = rp_strdup(db))) {
			rp_pgsql_params_free(&p);
			goto out;
		}
	}
	if (!rp_source_name_valid(name)) {
		rp_error_set(RP_E_USAGE,
		             "source name \"%s\" is not usable as a folder name; give one with --pgsql NAME=CONNINFO "
		             "(letters, digits, '_', '.', '-', starting with a letter or digit; 64 at most)",
		             name);
		rp_pgsql_params_free(&p);
		goto out;
	}
	if (rp_pgsql_source_new(&src, name, &p) < 0) {
		rp_pgsql_params_free(&p);
		goto out;
	}
	rc = add_source(s, src);
out:
	free(name);
	return rc;
}

void cli_sources_free(cli_sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->items[i]->ops->free(s->items[i]);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

const char *cli_count(unsigned long long n, char *buf, size_t len)
{
	char tmp[32];
	int digits = snprintf(tmp, sizeof tmp, "%llu", n);
	size_t o = 0;

	for (int i = 0; i < digits && o + 2 < len; i++) {
		if (i && (digits - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}
