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
	"Usage: revpack digest (--mysql [NAME=]URI | --pgsql [NAME=]CONNINFO) [OPTIONS]\n"
	"\n"
	"Reads every table of a live database inside one snapshot and prints, per\n"
	"table, a tab-separated line: table name, row count, content digest (the\n"
	"digest data/inventory.xml records; formats/digest.md). Use it to compare a\n"
	"database restored from a package with the package or with its source.\n"
	"\n"
	"  --mysql [NAME=]URI          as for revpack export\n"
	"  --pgsql [NAME=]CONNINFO     as for revpack export\n"
	"  --mysql-defaults-file FILE  as for revpack export\n"
	"  --table PATTERN, --exclude-table PATTERN   as for revpack export (a\n"
	"                              pattern matching no table is an error)\n"
	"  -h, --help                  this help\n"
	"\n"
	"Exit codes: 0 done; 2 usage error; 3 could not run.\n";

/* Which --table patterns selected a table so far. */
typedef struct patterns_hit {
	const rp_filter *filter;
	bool *hit;
} patterns_hit;

static void print_table(void *ctx, const rp_source *src, const rp_table *t)
{
	patterns_hit *ph = ctx;
	char hex[RP_SHA256_HEXLEN + 1];
	(void)src;
	rp_digest_hex(&t->digest, hex);
	printf("%s\t%llu\t%s\n", t->display, (unsigned long long)t->digest.rows, hex);
	for (size_t p = 0; p < ph->filter->ninclude; p++) {
		rp_filter one = { &ph->filter->include[p], 1, NULL, 0 };
		ph->hit[p] = ph->hit[p] || rp_filter_match(&one, t->display);
	}
}

int cmd_digest(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_SOURCE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_sources sources = { NULL, 0, NULL };
	cli_source_opts so;
	rp_filter f;
	patterns_hit ph = { &f, NULL };
	int c, rc = 2;

	memset(&so, 0, sizeof so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int handled = cli_source_option(&so, "digest", c, optarg, &rc);
		if (handled < 0)
			goto out;
		if (handled)
			continue;
		switch (c) {
		case 'h':
			fputs(help, stdout);
			rc = 0;
			goto out;
		default:
			rc = cli_option_error("digest");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("digest", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (so.args.n != 1) {
		rc = cli_usage_error("digest", "give one source: --mysql [NAME=]URI or --pgsql [NAME=]CONNINFO");
		goto out;
	}
	if (cli_source_opts_build(&so, &sources, &f) < 0)
		goto fail;
	if (!(ph.hit = rp_calloc(f.ninclude + 1, sizeof *ph.hit)))
		goto fail;
	if (rp_digest_source(sources.items[0], &f, print_table, &ph) < 0)
		goto fail;
	rc = 0;
	/* As for export, a pattern that selects nothing is a typo: an empty
	 * list would otherwise compare equal to another empty list. */
	for (size_t p = 0; p < f.ninclude && rc == 0; p++)
		if (!ph.hit[p])
			rc = cli_usage_error("digest", "--table %s matches no table of source %s", f.include[p],
			                     sources.items[0]->name);
	goto out;
fail:
	rc = cli_fail();
out:
	free(ph.hit);
	cli_sources_free(&sources);
	cli_source_opts_free(&so);
	return rc;
}
