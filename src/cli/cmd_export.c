/* revpack export */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "revpack/error.h"
#include "revpack/export.h"
#include "revpack/package.h"
#include "revpack/timeutil.h"

static const char help[] =
	"Usage: revpack export (--mysql [NAME=]URI | --pgsql [NAME=]CONNINFO |\n"
	"                      --media NAME=DIR)... [OPTIONS] -o OUT\n"
	"\n"
	"Exports each source's database, inside one consistent snapshot per source,\n"
	"and each media folder into the BagIt package OUT (a folder that must not\n"
	"exist yet; it appears only when complete). Per source NAME:\n"
	"data/database/NAME/dump.sql (restores with `mysql NEWDB < dump.sql` or\n"
	"`psql -v ON_ERROR_STOP=1 -d NEWDB -f dump.sql`),\n"
	"data/database/NAME/csv/<table>.csv, data/database/NAME/NAME.siard (SIARD\n"
	"2.2); per media folder NAME: data/media/NAME/... (the files as they are);\n"
	"and data/inventory.xml describing every table, row count and digest, and\n"
	"every media file.\n"
	"\n"
	"Sources:\n"
	"  --mysql [NAME=]URI        a MySQL/MariaDB database; repeatable. URI is\n"
	"                            mysql://USER@HOST:PORT/DB or\n"
	"                            mysql://USER@/DB?socket=/run/mysqld/mysqld.sock\n"
	"                            NAME (default: the database name) names the\n"
	"                            source's folder and must be unique.\n"
	"  --mysql-defaults-file FILE  read connection settings and the password from\n"
	"                            FILE's [client] group (otherwise ~/.my.cnf and\n"
	"                            the usual option files are read).\n"
	"    Passwords never go on the command line: MYSQL_PWD, an option file, or\n"
	"    ~/.my.cnf. A URI carrying one is refused.\n"
	"  --pgsql [NAME=]CONNINFO   a PostgreSQL database; repeatable. CONNINFO is a\n"
	"                            libpq connection string ('host=db port=5432\n"
	"                            dbname=site user=app') or URI\n"
	"                            (postgresql://app@db:5432/site). NAME defaults to\n"
	"                            the database name.\n"
	"    The password comes from PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service\n"
	"    file (service=NAME); a connection string carrying one is refused.\n"
	"  --media NAME=DIR          the files of folder DIR, under data/media/NAME/;\n"
	"                            repeatable. Symbolic links are never followed\n"
	"                            (recorded with their target), empty folders and\n"
	"                            hard links are recorded; names that are not\n"
	"                            UTF-8 are mapped reversibly (formats/names.md).\n"
	"                            A file that cannot be read, that changes while\n"
	"                            it is read, or a FIFO, socket or device, fails\n"
	"                            the export (every such path is named)...\n"
	"  --skip-unreadable         ...unless this is given: each is then left out,\n"
	"                            recorded in inventory.xml and warned about.\n"
	"  --with-owners             PostgreSQL: write owners, grants and policies\n"
	"                            naming roles as statements (ALTER ... OWNER TO,\n"
	"                            GRANT, CREATE POLICY ... TO role); by default\n"
	"                            they are comments, so any role can restore the\n"
	"                            dump.\n"
	"\n";

/* Split: C11 compilers need only take string literals of 4095 characters. */
static const char help_more[] =
	"Selection:\n"
	"  --table PATTERN           export only tables matching PATTERN (shell glob,\n"
	"                            e.g. 'wp_*'; PostgreSQL: schema.table, e.g.\n"
	"                            'public.*'); repeatable. A pattern matching no\n"
	"                            table is an error.\n"
	"  --exclude-table PATTERN   leave out tables matching PATTERN; repeatable.\n"
	"\n"
	"Output:\n"
	"  -o, --output OUT          the package folder to create; when OUT ends in\n"
	"                            .zip, one ZIP archive holding the bag under the\n"
	"                            folder OUT without .zip, and OUT.sha256 beside it\n"
	"                            (its SHA-256, for `sha256sum -c`). Both must not\n"
	"                            exist; both are created mode 0600.\n"
	"  --organization TEXT       Source-Organization in bag-info.txt.\n"
	"  --formats LIST            what to write, among sql,csv,siard,wxr (default:\n"
	"                            all). wxr: each WordPress site found in a MySQL\n"
	"                            source, as data/content/wordpress/SITE/SITE.wxr.xml\n"
	"                            (formats/wxr.md) and, beside it, CSV files for a\n"
	"                            spreadsheet (formats/friendly-csv.md), read in\n"
	"                            the same snapshot.\n"
	"  -j, --jobs N              connections per source reading tables at once,\n"
	"                            all in one shared snapshot: 1 to 64 (default:\n"
	"                            the number of cores, at most 64). MySQL/MariaDB\n"
	"                            needs the RELOAD privilege to share the\n"
	"                            snapshot; without it one connection is used and\n"
	"                            a warning says so. The package's content does\n"
	"                            not depend on N. Also how many media files the\n"
	"                            folder form copies at once (at most 16).\n"
	"  --csv-dialect DIALECT     rfc4180 (default: ',' no BOM) or excel-fr\n"
	"                            (';' and a UTF-8 BOM, for French Excel), for\n"
	"                            every CSV file of the package.\n"
	"  --lang LANG               fr (default) or en: the language of the guide\n"
	"                            for the recipient (data/index.html) and of the\n"
	"                            column names of the friendly CSV files.\n"
	"  -q, --quiet               no progress display.\n"
	"  -h, --help                this help.\n"
	"\n"
	"Exit codes: 0 package written; 2 usage error; 3 could not run (connection,\n"
	"privileges, disk, a media file that cannot be exported, interrupted): no\n"
	"package is left behind.\n";

/* --jobs: connections per source (also the default's bound). */
#define JOBS_MAX 64

typedef struct progress_state {
	int tty;
	double started;
	size_t tables_done;
} progress_state;

typedef struct media_args {
	rp_media_spec *items;
	size_t n;
} media_args;

/* --media NAME=DIR */
static int add_media(media_args *m, char *arg)
{
	char *eq = strchr(arg, '=');
	rp_media_spec *n;

	if (!eq || eq == arg || !eq[1])
		return cli_usage_error("export", "--media takes NAME=DIR (e.g. --media uploads=/var/www/site/uploads), "
		                                 "not '%s'", arg);
	*eq = '\0';
	if (!rp_source_name_valid(arg))
		return cli_usage_error("export", "media name \"%s\" is not usable as a folder name (letters, digits, "
		                                 "'_', '.', '-', starting with a letter or digit; 64 at most)", arg);
	if (!(n = rp_realloc(m->items, (m->n + 1) * sizeof *n)))
		return cli_fail();
	m->items = n;
	n[m->n].name = arg;
	n[m->n].dir = eq + 1;
	m->n++;
	return 0;
}

static void on_media_progress(void *ctx, const rp_media_progress *p)
{
	progress_state *ps = ctx;
	char files[32], total[32], bytes[32], all[32];

	if (!ps->tty)
		return;
	rp_human_size(p->bytes_done, bytes, sizeof bytes);
	rp_human_size(p->bytes, all, sizeof all);
	fprintf(stderr, "\r\033[K[media %s] %s of %s files, %s of %s", p->name,
	        cli_count(p->files_done, files, sizeof files), cli_count(p->files, total, sizeof total), bytes, all);
	fflush(stderr);
}

static void on_warn(void *ctx, const char *source, const char *message)
{
	progress_state *ps = ctx;
	if (ps->tty)
		fputs("\r\033[K", stderr);
	cli_warn("source %s: %s", source, message);
}

static void on_progress(void *ctx, const rp_progress *p)
{
	progress_state *ps = ctx;
	char rows[32], trows[32], bytes[32], rate[32];
	double elapsed;

	if (p->done)
		ps->tables_done++;
	if (!ps->tty)
		return;
	elapsed = rp_monotonic() - ps->started;
	rp_human_size(p->total_bytes, bytes, sizeof bytes);
	rp_human_size(elapsed > 0.1 ? (uint64_t)((double)p->total_bytes / elapsed) : 0, rate, sizeof rate);
	fprintf(stderr, "\r\033[K[%s: table %zu/%zu, %zu done] %s: %s rows | total %s rows, %s, %s/s", p->source,
	        p->table_no, p->ntables, ps->tables_done, p->table ? p->table : "",
	        cli_count(p->table_rows, rows, sizeof rows), cli_count(p->total_rows, trows, sizeof trows), bytes, rate);
	fflush(stderr);
}

enum { OPT_ORG = CLI_OPT_FIRST_FREE, OPT_DIALECT, OPT_WITH_OWNERS, OPT_FORMATS, OPT_JOBS, OPT_MEDIA, OPT_SKIP, OPT_LANG };

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_SOURCE_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "organization", required_argument, NULL, OPT_ORG },
		{ "csv-dialect", required_argument, NULL, OPT_DIALECT },
		{ "lang", required_argument, NULL, OPT_LANG },
		{ "with-owners", no_argument, NULL, OPT_WITH_OWNERS },
		{ "formats", required_argument, NULL, OPT_FORMATS },
		{ "jobs", required_argument, NULL, 'j' },
		{ "media", required_argument, NULL, OPT_MEDIA },
		{ "skip-unreadable", no_argument, NULL, OPT_SKIP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_sources sources = { NULL, 0, NULL };
	media_args media = { NULL, 0 };
	cli_source_opts so;
	rp_export_opts o;
	rp_export_result r;
	progress_state ps = { 0, 0, 0 };
	bool quiet = false;
	int c, rc = 2;
	char n1[32], n2[32], size[32];

	memset(&o, 0, sizeof o);
	memset(&so, 0, sizeof so);
	o.dialect = RP_CSV_RFC4180;
	optind = 1;
	{
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		o.jobs = cores > JOBS_MAX ? JOBS_MAX : cores > 0 ? (size_t)cores : 1;
	}
	while ((c = getopt_long(argc, argv, "o:qhj:", opts, NULL)) != -1) {
		int handled = cli_source_option(&so, "export", c, optarg, &rc);
		if (handled < 0)
			goto out;
		if (handled)
			continue;
		switch (c) {
		case 'o':
			if (o.out_path) {
				rc = cli_usage_error("export", "-o is given twice ('%s', then '%s'): name one package",
				                     o.out_path, optarg);
				goto out;
			}
			o.out_path = optarg;
			break;
		case OPT_ORG:
			o.organization = optarg;
			break;
		case OPT_DIALECT:
			if (rp_csv_dialect_parse(optarg, &o.dialect) < 0) {
				rc = cli_usage_error("export", "--csv-dialect must be rfc4180 or excel-fr, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_LANG:
			if (rp_lang_parse(optarg, &o.lang) < 0) {
				rc = cli_usage_error("export", "--lang must be fr or en, not '%s'", optarg);
				goto out;
			}
			break;
		case 'j': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			/* digits only: strtoul would also take " 5", "+5" */
			if (*end || optarg[0] < '0' || optarg[0] > '9' || n < 1 || n > JOBS_MAX) {
				rc = cli_usage_error("export", "--jobs takes a number of connections from 1 to %d, not '%s'",
				                     JOBS_MAX, optarg);
				goto out;
			}
			o.jobs = n;
			break;
		}
		case OPT_FORMATS:
			if (rp_formats_parse(optarg, &o.formats) < 0) {
				rc = cli_usage_error("export", "--formats takes a list of sql, csv, siard and wxr, not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_WITH_OWNERS:
			so.with_owners = true;
			break;
		case OPT_MEDIA:
			if ((rc = add_media(&media, optarg)) != 0)
				goto out;
			break;
		case OPT_SKIP:
			o.skip_unreadable = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(help, stdout);
			fputs(help_more, stdout);
			rc = 0;
			goto out;
		default:
			rc = cli_option_error("export");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error("export", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (so.args.n == 0 && media.n == 0) {
		rc = cli_usage_error("export", "name at least one source (--mysql [NAME=]URI, --pgsql [NAME=]CONNINFO "
		                               "or --media NAME=DIR)");
		goto out;
	}
	if (!o.out_path) {
		rc = cli_usage_error("export", "name the package to create with -o OUT");
		goto out;
	}
	if (so.with_owners) {
		bool pg = false;
		for (size_t i = 0; i < so.args.n; i++)
			pg = pg || so.kinds[i] == 'p';
		if (!pg) {
			rc = cli_usage_error("export", "--with-owners applies to PostgreSQL sources (--pgsql), and none is "
			                               "given");
			goto out;
		}
	}
	/* A pattern that selects nothing is an error, also with no database. */
	if (so.args.n == 0 && so.include.n) {
		rc = cli_usage_error("export", "--table %s matches no table: no database is exported (--mysql or --pgsql)",
		                     so.include.items[0]);
		goto out;
	}
	if (cli_source_opts_build(&so, &sources, &o.filter) < 0)
		goto fail;
	o.sources = sources.items;
	o.nsources = sources.n;
	o.media = media.items;
	o.nmedia = media.n;
	ps.tty = !quiet && isatty(STDERR_FILENO);
	ps.started = rp_monotonic();
	o.warn = on_warn;
	o.progress = on_progress;
	o.media_progress = on_media_progress;
	o.ctx = &ps;
	o.interrupted = &cli_interrupted;
	cli_catch_signals();
	if (rp_export(&o, &r) < 0) {
		if (ps.tty)
			fputs("\r\033[K", stderr);
		goto fail;
	}
	if (ps.tty)
		fputs("\r\033[K", stderr);
	rp_human_size(r.payload_bytes, size, sizeof size);
	printf("Package written: %s\n", o.out_path);
	printf("  Identity (SHA-256 of tagmanifest-sha256.txt): %s\n", r.identity);
	if (r.archive_sha256[0])
		printf("  Archive SHA-256 (in %s.sha256): %s\n", o.out_path, r.archive_sha256);
	printf("  External-Identifier: %s\n", r.external_id);
	printf("  %zu source(s), %s tables, %s rows, %llu files, %s\n", sources.n,
	       cli_count(r.tables, n1, sizeof n1), cli_count(r.rows, n2, sizeof n2), (unsigned long long)r.files, size);
	if (media.n) {
		rp_human_size(r.media_bytes, size, sizeof size);
		printf("  %zu media folder(s): %s files, %s", media.n, cli_count(r.media_files, n1, sizeof n1), size);
		if (r.media_skipped)
			printf(", %s left out (see inventory.xml)", cli_count(r.media_skipped, n2, sizeof n2));
		printf("\n");
	}
	printf("  Check it any time with: revpack verify %s\n", o.out_path);
	rc = 0;
	goto out;
fail:
	rc = cli_fail();
out:
	cli_sources_free(&sources);
	cli_source_opts_free(&so);
	free(media.items);
	return rc;
}
