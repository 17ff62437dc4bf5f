/* revpack digest: per-table digests of a live database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "revpack/check.h"
#include "revpack/error.h"

static const char help[] =
	"Usage: revpack digest --mysql [NAME=]URI [OPTIONS]\n"
	"\n"
	"Reads every table of a live database inside one snapshot and prints, per\n"
	"table, a tab-separated line: table name, row count, content digest (the\n"
	"digest data/inventory.xml records; formats/digest.md). Use it to compare a\n"
	"database restored from a package with the package or with its source.\n"
	"\n"
	"  --mysql [NAME=]URI          as for revpack export\n"
	"  --mysql-defaults-file FILE  as for revpack export\n"
	"  --table PATTERN, --exclude-table PATTERN   as for revpack export\n"
	"  -h, --help                  this help\n"
	"\n"
	"Exit codes: 0 done; 2 usage error; 3 could not run.\n";

static void print_table(void *ctx, const rp_source *src, const rp_table *t)
{
	char hex[RP_SHA256_HEXLEN + 1];
	(void)ctx;
	(void)src;
	rp_digest_hex(&t->digest, hex);
	printf("%s\t%llu\t%s\n", t->display, (unsigned long long)t->digest.rows, hex);
}

enum { OPT_MYSQL = 256, OPT_MYSQL_DEFAULTS, OPT_TABLE, OPT_EXCLUDE };

int cmd_digest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mysql", required_argument, NULL, OPT_MYSQL },
		{ "mysql-defaults-file", required_argument, NULL, OPT_MYSQL_DEFAULTS },
		{ "table", required_argument, NULL, OPT_TABLE },
		{ "exclude-table", required_argument, NULL, OPT_EXCLUDE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_sources sources = { NULL, 0, NULL };
	cli_list include = { NULL, 0 }, exclude = { NULL, 0 };
	const char *uri = NULL;
	rp_filter f;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MYSQL:
			if (uri) {
				rc = cli_usage_error("digest", "give one source");
				goto out;
			}
			uri = optarg;
			break;
		case OPT_MYSQL_DEFAULTS:
			sources.mysql_defaults_file = optarg;
			break;
		case OPT_TABLE:
			if (cli_list_add(&include, optarg) < 0)
				goto fail;
			break;
		case OPT_EXCLUDE:
			if (cli_list_add(&exclude, optarg) < 0)
				goto fail;
			break;
		case 'h':
			fputs(help, stdout);
			rc = 0;
			goto out;
		default:
			rc = cli_usage_error("digest", "unknown or incomplete option");
			goto out;
		}
	}
	if (!uri || optind < argc) {
		rc = cli_usage_error("digest", "give one source: --mysql [NAME=]URI");
		goto out;
	}
	if (cli_add_mysql(&sources, uri) < 0)
		goto fail;
	f.include = include.items;
	f.ninclude = include.n;
	f.exclude = exclude.items;
	f.nexclude = exclude.n;
	if (rp_digest_source(sources.items[0], &f, print_table, NULL) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = cli_fail();
out:
	cli_sources_free(&sources);
	free(include.items);
	free(exclude.items);
	return rc;
}
