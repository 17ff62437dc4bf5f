/* Shared CLI helpers: the only layer that prints or exits. */
#ifndef REVPACK_CLI_H
#define REVPACK_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "revpack/source.h"

typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_command;

int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_digest(int argc, char **argv);

/* Writes s with its control characters as escapes (\n, \r, \xNN): text
 * from a database or a package never rewrites the terminal or forges
 * output lines. */
void cli_print_safe(FILE *f, const char *s);
/* Prints "revpack: error: <message>" and returns the exit code for the
 * recorded error. */
int cli_fail(void);
/* Prints "revpack <cmd>: <message>" plus a hint to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* After getopt's own message on a bad option: the hint to --help; returns 2. */
int cli_option_error(const char *cmd);
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Sources given on the command line. */
typedef struct cli_sources {
	rp_source **items;
	size_t n;
	const char *mysql_defaults_file;
} cli_sources;

/* Parse "[NAME=]URI" (--mysql) or "[NAME=]CONNINFO" (--pgsql) and append
 * the source. */
int cli_add_mysql(cli_sources *s, const char *arg);
int cli_add_pgsql(cli_sources *s, const char *arg, bool with_owners);
void cli_sources_free(cli_sources *s);

/* A growable list of strings from repeated options. */
typedef struct cli_list {
	const char **items;
	size_t n;
} cli_list;

int cli_list_add(cli_list *l, const char *s);

/* Options every command that reads a source shares (getopt_long codes). */
enum {
	CLI_OPT_MYSQL = 256,
	CLI_OPT_PGSQL,
	CLI_OPT_MYSQL_DEFAULTS,
	CLI_OPT_TABLE,
	CLI_OPT_EXCLUDE,
	CLI_OPT_FIRST_FREE
};

#define CLI_SOURCE_OPTIONS                                                             \
	{ "mysql", required_argument, NULL, CLI_OPT_MYSQL },                           \
	{ "pgsql", required_argument, NULL, CLI_OPT_PGSQL },                           \
	{ "mysql-defaults-file", required_argument, NULL, CLI_OPT_MYSQL_DEFAULTS },    \
	{ "table", required_argument, NULL, CLI_OPT_TABLE },                           \
	{ "exclude-table", required_argument, NULL, CLI_OPT_EXCLUDE }

typedef struct cli_source_opts {
	cli_list args;            /* [NAME=]URI or CONNINFO, in command-line order */
	char *kinds;              /* per argument: 'm' (--mysql) or 'p' (--pgsql) */
	bool with_owners;         /* --with-owners (PostgreSQL) */
	const char *mysql_defaults_file;
	cli_list include, exclude;
} cli_source_opts;

/* Handles one of the shared options. Returns 1 when handled, 0 when c is
 * not one of them, -1 when the command must stop with exit code *rc (the
 * message is printed). */
int cli_source_option(cli_source_opts *so, const char *cmd, int c, const char *arg, int *rc);
/* Creates the sources and the table filter from the options. */
int cli_source_opts_build(const cli_source_opts *so, cli_sources *out, rp_filter *filter);
void cli_source_opts_free(cli_source_opts *so);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that set *flag. */
void cli_catch_signals(void);
extern volatile sig_atomic_t cli_interrupted;

/* Thousands separators: 1234567 -> "1,234,567". */
const char *cli_count(unsigned long long n, char *buf, size_t len);

#endif
