/* revpack verify */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "revpack/error.h"
#include "revpack/package.h"
#include "revpack/verify.h"

static const char help[] =
	"Usage: revpack verify [OPTIONS] PACKAGE\n"
	"       revpack verify [OPTIONS] NAME.zip\n"
	"\n"
	"Proves a package intact without its sources: the BagIt bag is complete and\n"
	"valid (every file present with its SHA-256, nothing unlisted, tag manifest,\n"
	"Payload-Oxum), data/inventory.xml is valid, every table's CSV parses with the\n"
	"inventory's columns and row count, and the content digest recomputed from\n"
	"each CSV and .siard equals the inventory's; each WordPress site's WXR is\n"
	"well-formed XML with the inventory's number of items. Nothing outside PACKAGE\n"
	"is opened and no symbolic link is followed.\n"
	"\n"
	"PACKAGE may be the package folder or the package as one ZIP archive\n"
	"(NAME.zip, the bag under NAME/), checked in place: nothing is extracted or\n"
	"written. Hostile or damaged entries (.. or absolute names, links, encryption,\n"
	"overlaps, size lies, CRC errors, truncation) are refused, naming the entry.\n"
	"When NAME.zip.sha256 is beside it, the archive's SHA-256 is compared with it.\n"
	"\n"
	"Prints one line per problem (naming the file, NAME.zip:entry for a ZIP), NOTE\n"
	"lines for what is worth knowing but not wrong, then the package identity\n"
	"(SHA-256 of tagmanifest-sha256.txt) and a summary.\n"
	"\n"
	"  -q, --quiet   print only problems and the result line\n"
	"  -h, --help    this help\n"
	"\n"
	"Exit codes: 0 valid; 1 problems found; 2 usage error; 3 could not run.\n";

typedef struct vstate {
	int tty;
	bool quiet;
} vstate;

/* Paths, and parts of messages (names of other entries, a sidecar's file
 * name, bag-info values), come from the package: cli_print_safe. */
static void on_problem(void *ctx, const char *path, const char *message)
{
	vstate *v = ctx;
	if (v->tty)
		fputs("\r\033[K", stderr);
	fputs("PROBLEM ", stdout);
	if (path && *path) {
		cli_print_safe(stdout, path);
		fputs(": ", stdout);
	}
	cli_print_safe(stdout, message);
	fputc('\n', stdout);
	fflush(stdout);
}

static void on_note(void *ctx, const char *path, const char *message)
{
	vstate *v = ctx;

	if (v->quiet)
		return;
	if (v->tty)
		fputs("\r\033[K", stderr);
	fputs("NOTE ", stdout);
	if (path && *path) {
		cli_print_safe(stdout, path);
		fputs(": ", stdout);
	}
	cli_print_safe(stdout, message);
	fputc('\n', stdout);
	fflush(stdout);
}

static void on_progress(void *ctx, const char *path, uint64_t done, uint64_t total, uint64_t bytes)
{
	vstate *v = ctx;
	char size[32];

	if (!v->tty)
		return;
	rp_human_size(bytes, size, sizeof size);
	fprintf(stderr, "\r\033[K[%llu/%llu files, %s] ", (unsigned long long)done, (unsigned long long)total, size);
	cli_print_safe(stderr, path);
	fflush(stderr);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	rp_verify_opts o;
	rp_verify_result r;
	vstate v = { 0 };
	bool quiet = false;
	int c, rc;
	char size[32];

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			return cli_option_error("verify");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("verify", "give exactly one package");
	v.tty = !quiet && isatty(STDERR_FILENO);
	v.quiet = quiet;
	memset(&o, 0, sizeof o);
	o.problem = on_problem;
	o.note = on_note;
	o.progress = on_progress;
	o.ctx = &v;
	if (rp_verify(argv[optind], &o, &r) < 0) {
		if (v.tty)
			fputs("\r\033[K", stderr);
		return cli_fail();
	}
	if (v.tty)
		fputs("\r\033[K", stderr);
	rp_human_size(r.payload_bytes, size, sizeof size);
	if (!quiet) {
		printf("Package: %s%s\n", argv[optind], r.zip ? " (ZIP archive)" : "");
		if (r.archive_sha256[0] && r.sidecar_match)
			printf("Archive SHA-256: %s (as its .sha256 file says)\n", r.archive_sha256);
		printf("Identity (SHA-256 of tagmanifest-sha256.txt): %s\n", r.identity[0] ? r.identity : "none");
		if (r.external_identifier) {
			fputs("External-Identifier: ", stdout);
			cli_print_safe(stdout, r.external_identifier);
			fputc('\n', stdout);
		}
		printf("Checked: %llu payload files (%s), %llu tables, %llu rows", (unsigned long long)r.payload_files,
		       size, (unsigned long long)r.tables_checked, (unsigned long long)r.rows_checked);
		if (r.wxr_items)
			printf(", %llu WordPress items", (unsigned long long)r.wxr_items);
		if (r.friendly_rows)
			printf(", %llu rows of friendly CSV", (unsigned long long)r.friendly_rows);
		printf("\n");
	}
	if (r.problems) {
		printf("Result: INVALID, %zu problem%s\n", r.problems, r.problems == 1 ? "" : "s");
		rc = 1;
	} else {
		printf("Result: VALID\n");
		rc = 0;
	}
	rp_verify_result_free(&r);
	return rc;
}
