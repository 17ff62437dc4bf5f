/*
 * Unit tests for rp_verify (src/check/verify.c).
 *
 * Each test builds a small, correct package in a fresh temporary folder
 * (digests computed here with rp_sha256 and the digest API), tampers with
 * it in one way, runs rp_verify and checks that the expected problem (path
 * and key words) was reported, and that nothing else was.
 *
 * The ZIP form (tests named test_zip_*): the same bag zipped with libzip
 * under a top folder, then changed the way a damaged or hostile archive
 * would be (test_zipscan.c covers every structural refusal one by one).
 *
 * Set TEST_VERIFY_KEEP=1 to keep the temporary folders for inspection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zip.h>

#include "revpack/buf.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/path.h"
#include "revpack/verify.h"

/* ---- fixture ---- */

#define MAX_PROBLEMS 256

typedef struct fixture {
	char root[256];     /* the temporary folder */
	char pkg[300];      /* root/pkg: the package */
	char zip[300];      /* root/pkg.zip: the ZIP form */
	size_t nproblems;
	size_t nprogress;   /* progress calls */
	char *paths[MAX_PROBLEMS];
	char *messages[MAX_PROBLEMS];
	size_t nnotes;
	char *note_paths[MAX_PROBLEMS];
	char *notes[MAX_PROBLEMS];
} fixture;

static void clear_problems(fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->nproblems; i++) {
		free(fx->paths[i]);
		free(fx->messages[i]);
	}
	fx->nproblems = 0;
	for (i = 0; i < fx->nnotes; i++) {
		free(fx->note_paths[i]);
		free(fx->notes[i]);
	}
	fx->nnotes = 0;
}

static void capture_note(void *ctx, const char *path, const char *message)
{
	fixture *fx = ctx;

	assert_non_null(path);
	assert_non_null(message);
	assert_true(fx->nnotes < MAX_PROBLEMS);
	fx->note_paths[fx->nnotes] = strdup(path);
	fx->notes[fx->nnotes] = strdup(message);
	fx->nnotes++;
}

static void capture(void *ctx, const char *path, const char *message)
{
	fixture *fx = ctx;

	assert_non_null(path);
	assert_non_null(message);
	assert_true(fx->nproblems < MAX_PROBLEMS);
	fx->paths[fx->nproblems] = strdup(path);
	fx->messages[fx->nproblems] = strdup(message);
	fx->nproblems++;
}

static void progress(void *ctx, const char *path, uint64_t done, uint64_t total, uint64_t bytes)
{
	fixture *fx = ctx;

	assert_non_null(path);
	assert_true(done < total);
	(void)bytes;
	fx->nprogress++;
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof fx->root, "%s/rp_verify_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->root)) {
		free(fx);
		return -1;
	}
	snprintf(fx->pkg, sizeof fx->pkg, "%s/pkg", fx->root);
	snprintf(fx->zip, sizeof fx->zip, "%s/pkg.zip", fx->root);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	const char *keep = getenv("TEST_VERIFY_KEEP");

	clear_problems(fx);
	if (keep && *keep)
		fprintf(stderr, "kept %s\n", fx->root);
	else
		rp_remove_tree(fx->root);
	free(fx);
	return 0;
}

/* ---- files ---- */

static void full_path(const fixture *fx, const char *rel, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", fx->pkg, rel);
	assert_true(n > 0 && (size_t)n < cap);
}

static void put_file(const fixture *fx, const char *rel, const void *data, size_t len)
{
	char path[1024];
	const char *slash = strrchr(rel, '/');
	FILE *f;

	if (slash) {
		char dir[512];
		int fd = open(fx->pkg, O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		assert_true((size_t)(slash - rel) < sizeof dir);
		memcpy(dir, rel, (size_t)(slash - rel));
		dir[slash - rel] = '\0';
		assert_int_equal(rp_mkdirs_at(fd, dir), 0);
		close(fd);
	}
	full_path(fx, rel, path, sizeof path);
	f = fopen(path, "wb");
	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put_text(const fixture *fx, const char *rel, const char *text)
{
	put_file(fx, rel, text, strlen(text));
}

/* Reads a file of the package; the caller frees. */
static char *get_file(const fixture *fx, const char *rel, size_t *len)
{
	char path[1024];
	struct stat st;
	char *data;
	FILE *f;

	full_path(fx, rel, path, sizeof path);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	data = malloc((size_t)st.st_size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	data[st.st_size] = '\0';
	fclose(f);
	*len = (size_t)st.st_size;
	return data;
}

static void sha_hex(const void *data, size_t len, char out[RP_SHA256_HEXLEN + 1])
{
	uint8_t d[RP_SHA256_LEN];

	assert_int_equal(rp_sha256_oneshot(data, len, d), 0);
	rp_sha256_hex(d, out);
}

static void file_sha_hex(const fixture *fx, const char *rel, char out[RP_SHA256_HEXLEN + 1])
{
	size_t len;
	char *data = get_file(fx, rel, &len);

	sha_hex(data, len, out);
	free(data);
}

/* Replaces the first occurrence of old with new in a package file. */
static void edit_file(const fixture *fx, const char *rel, const char *old, const char *new_text)
{
	size_t len, olen = strlen(old), nlen = strlen(new_text);
	char *data = get_file(fx, rel, &len);
	char *at = strstr(data, old);
	char *out;

	assert_non_null(at);
	out = malloc(len - olen + nlen + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)(at - data));
	memcpy(out + (at - data), new_text, nlen);
	memcpy(out + (at - data) + nlen, at + olen, len - (size_t)(at - data) - olen);
	put_file(fx, rel, out, len - olen + nlen);
	free(out);
	free(data);
}

static void append_text(const fixture *fx, const char *rel, const char *text)
{
	size_t len;
	char *data = get_file(fx, rel, &len);
	rp_buf b = RP_BUF_INIT;

	assert_int_equal(rp_buf_put(&b, data, len), 0);
	assert_int_equal(rp_buf_puts(&b, text), 0);
	put_file(fx, rel, b.data, b.len);
	rp_buf_free(&b);
	free(data);
}

/* Writes tagmanifest-sha256.txt for the tag files as they are now. */
static void refresh_tagmanifest(const fixture *fx)
{
	static const char *const tags[] = { "bagit.txt", "bag-info.txt", "manifest-sha256.txt" };
	char hex[RP_SHA256_HEXLEN + 1];
	rp_buf b = RP_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof tags / sizeof *tags; i++) {
		file_sha_hex(fx, tags[i], hex);
		assert_int_equal(rp_buf_printf(&b, "%s  %s\n", hex, tags[i]), 0);
	}
	put_file(fx, "tagmanifest-sha256.txt", b.data, b.len);
	rp_buf_free(&b);
}

/* Sets the manifest's digest for a payload file to its current one (and
 * refreshes the tag manifest): the bag is consistent again. */
static void update_manifest_digest(const fixture *fx, const char *rel)
{
	char hex[RP_SHA256_HEXLEN + 1], old[RP_SHA256_HEXLEN + 1], key[600];
	size_t len;
	char *man, *at;

	snprintf(key, sizeof key, "  %s\n", rel);
	man = get_file(fx, "manifest-sha256.txt", &len);
	at = strstr(man, key);
	assert_non_null(at);
	assert_true(at - man >= RP_SHA256_HEXLEN);
	memcpy(old, at - RP_SHA256_HEXLEN, RP_SHA256_HEXLEN);
	old[RP_SHA256_HEXLEN] = '\0';
	free(man);
	file_sha_hex(fx, rel, hex);
	edit_file(fx, "manifest-sha256.txt", old, hex);
	refresh_tagmanifest(fx);
}

/* Edits a payload file and brings manifest, Payload-Oxum and tag manifest
 * up to date: only the content changes. */
static void edit_payload(const fixture *fx, const char *rel, const char *old, const char *new_text)
{
	unsigned long long bytes, nfiles;
	char old_line[100], new_line[100];
	size_t len;
	char *info, *at;

	edit_file(fx, rel, old, new_text);
	info = get_file(fx, "bag-info.txt", &len);
	at = strstr(info, "Payload-Oxum: ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "Payload-Oxum: %llu.%llu", &bytes, &nfiles), 2);
	free(info);
	snprintf(old_line, sizeof old_line, "Payload-Oxum: %llu.%llu\n", bytes, nfiles);
	bytes = bytes + strlen(new_text) - strlen(old);
	snprintf(new_line, sizeof new_line, "Payload-Oxum: %llu.%llu\n", bytes, nfiles);
	edit_file(fx, "bag-info.txt", old_line, new_line);
	update_manifest_digest(fx, rel);
}

/* ---- the table ---- */

typedef struct cell {
	const char *v;   /* NULL: SQL NULL */
	size_t n;
} cell;

#define NCOLS 3
#define NROWS 4

/* items(id integer, name text, data binary) */
static const cell table_rows[NROWS][NCOLS] = {
	{ { "1", 1 }, { "Widget", 6 }, { "\x00\xff", 2 } },
	{ { "2", 1 }, { "", 0 }, { NULL, 0 } },
	{ { "3", 1 }, { NULL, 0 }, { "", 0 } },
	{ { "4", 1 }, { "a,b \"q\"", 7 }, { "A", 1 } },
};

/* The same rows as revpack writes them. */
static const char good_csv[] =
	"id,name,data\r\n"
	"1,Widget,\\x00ff\r\n"
	"2,\"\",\r\n"
	"3,,\\x\r\n"
	"4,\"a,b \"\"q\"\"\",\\x41\r\n";

static const char good_csv_excel_fr[] =
	"\xEF\xBB\xBF"
	"id;name;data\r\n"
	"1;Widget;\\x00ff\r\n"
	"2;\"\";\r\n"
	"3;;\\x\r\n"
	"4;\"a,b \"\"q\"\"\";\\x41\r\n";

static void table_digest(char out[RP_SHA256_HEXLEN + 1])
{
	rp_rowhash h;
	rp_digest d;
	uint8_t row[RP_SHA256_LEN];
	size_t r, c;

	assert_int_equal(rp_rowhash_init(&h), 0);
	rp_digest_init(&d);
	for (r = 0; r < NROWS; r++) {
		assert_int_equal(rp_rowhash_begin(&h), 0);
		for (c = 0; c < NCOLS; c++) {
			const cell *x = &table_rows[r][c];
			if (x->v)
				assert_int_equal(rp_rowhash_value(&h, x->v, x->n), 0);
			else
				assert_int_equal(rp_rowhash_null(&h), 0);
		}
		assert_int_equal(rp_rowhash_end(&h, row), 0);
		rp_digest_add(&d, row);
	}
	rp_rowhash_free(&h);
	rp_digest_hex(&d, out);
}

/* ---- building a package ---- */

typedef struct bag_spec {
	const char *csv;             /* the table's CSV (default: good_csv) */
	const char *rows;            /* @rows (default: "4") */
	const char *oxum;            /* Payload-Oxum (default: the true one) */
	bool no_oxum;
	bool excel_fr;
	bool inventory_bytes_off;    /* inventory gives a wrong size for the logo */
} bag_spec;

#define LOGO_SIZE ((size_t)3 << 19) /* 1.5 MiB: more than one read */
#define LOGO "data/media/site/logo.png"
#define CSV "data/database/shop/csv/items.csv"
#define DUMP "data/database/shop/dump.sql"
#define PERCENT "data/media/site/100%.txt"
#define INVENTORY "data/inventory.xml"

typedef struct pfile {
	const char *path;
	char *data;
	size_t len;
} pfile;

static void build_bag(fixture *fx, const bag_spec *spec)
{
	static const char dump[] = "CREATE TABLE items (id int PRIMARY KEY, name varchar(40), data blob);\n";
	static const char percent[] = "one hundred percent\n";
	const char *csv = spec->csv ? spec->csv : spec->excel_fr ? good_csv_excel_fr : good_csv;
	char hex[RP_SHA256_HEXLEN + 1], digest[RP_SHA256_HEXLEN + 1];
	rp_buf inv = RP_BUF_INIT, man = RP_BUF_INIT, info = RP_BUF_INIT;
	pfile files[5];
	uint64_t total = 0;
	size_t i, nfiles = 0;
	char *logo;

	assert_int_equal(mkdir(fx->pkg, 0755), 0);
	logo = malloc(LOGO_SIZE);
	assert_non_null(logo);
	for (i = 0; i < LOGO_SIZE; i++)
		logo[i] = (char)((i * 31 + 7) & 0xff);

	files[nfiles++] = (pfile){ DUMP, strdup(dump), strlen(dump) };
	files[nfiles++] = (pfile){ CSV, strdup(csv), strlen(csv) };
	files[nfiles++] = (pfile){ LOGO, logo, LOGO_SIZE };
	files[nfiles++] = (pfile){ PERCENT, strdup(percent), strlen(percent) };
	for (i = 0; i < nfiles; i++)
		put_file(fx, files[i].path, files[i].data, files[i].len);

	table_digest(digest);
	assert_int_equal(rp_buf_printf(&inv,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<inventory xmlns=\"urn:revpack:inventory:1\" version=\"1\">\n"
		"  <package>\n"
		"    <externalIdentifier>shop-export-1</externalIdentifier>\n"
		"    <created>2024-05-01T10:00:00Z</created>\n"
		"    <tool name=\"revpack\" version=\"0.1.0\"/>\n"
		"    <digestAlgorithm>revpack-rowsum-sha256-1</digestAlgorithm>\n"
		"    <csv dialect=\"%s\"/>\n"
		"  </package>\n"
		"  <source name=\"shop\" kind=\"mysql\">\n"
		"    <server product=\"MariaDB\" version=\"10.11.6\" database=\"shop\"/>\n"
		"    <snapshot method=\"consistent-snapshot\" isolation=\"REPEATABLE READ\""
		" started=\"2024-05-01T10:00:00Z\"/>\n"
		"    <restore tool=\"mysql\">mysql NEWDB &lt; dump.sql</restore>\n"
		"    <file role=\"sql\" path=\"" DUMP "\"/>\n"
		"    <table name=\"items\" fileStem=\"items\" engine=\"InnoDB\" inSnapshot=\"true\""
		" rows=\"%s\" digest=\"%s\">\n"
		"      <column position=\"1\" name=\"id\" type=\"int(11)\" class=\"integer\" nullable=\"false\"/>\n"
		"      <column position=\"2\" name=\"name\" type=\"varchar(40)\" class=\"text\" nullable=\"true\""
		" charset=\"utf8mb4\" collation=\"utf8mb4_general_ci\"/>\n"
		"      <column position=\"3\" name=\"data\" type=\"blob\" class=\"binary\" nullable=\"true\"/>\n"
		"      <primaryKey><column>id</column></primaryKey>\n"
		"      <file role=\"csv\" path=\"" CSV "\"/>\n"
		"    </table>\n"
		"  </source>\n"
		"  <files>\n",
		spec->excel_fr ? "excel-fr" : "rfc4180", spec->rows ? spec->rows : "4", digest), 0);
	for (i = 0; i < nfiles; i++) {
		size_t bytes = files[i].len;
		if (spec->inventory_bytes_off && !strcmp(files[i].path, LOGO))
			bytes++;
		sha_hex(files[i].data, files[i].len, hex);
		assert_int_equal(rp_buf_printf(&inv, "    <file path=\"%s\" bytes=\"%zu\" sha256=\"%s\"/>\n",
		                               files[i].path, bytes, hex), 0);
	}
	assert_int_equal(rp_buf_puts(&inv, "  </files>\n</inventory>\n"), 0);
	files[nfiles++] = (pfile){ INVENTORY, rp_buf_detach(&inv), 0 };
	files[nfiles - 1].len = strlen(files[nfiles - 1].data);
	put_file(fx, INVENTORY, files[nfiles - 1].data, files[nfiles - 1].len);

	for (i = 0; i < nfiles; i++) {
		sha_hex(files[i].data, files[i].len, hex);
		assert_int_equal(rp_buf_printf(&man, "%s  ", hex), 0);
		assert_int_equal(rp_manifest_path_encode(&man, files[i].path), 0);
		assert_int_equal(rp_buf_putc(&man, '\n'), 0);
		total += files[i].len;
		free(files[i].data);
	}
	put_file(fx, "manifest-sha256.txt", man.data, man.len);
	put_text(fx, "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");

	assert_int_equal(rp_buf_puts(&info,
		"Source-Organization: Example Hosting\n"
		"External-Description: Reversibility test package\n"
		"  for the yearly exit test\n"
		"External-Identifier: shop-export-1\n"
		"Bagging-Date: 2024-05-01\n"), 0);
	if (spec->oxum)
		assert_int_equal(rp_buf_printf(&info, "Payload-Oxum: %s\n", spec->oxum), 0);
	else if (!spec->no_oxum)
		assert_int_equal(rp_buf_printf(&info, "Payload-Oxum: %llu.%zu\n",
		                               (unsigned long long)total, nfiles), 0);
	put_file(fx, "bag-info.txt", info.data, info.len);
	refresh_tagmanifest(fx);
	rp_buf_free(&man);
	rp_buf_free(&info);
}

static void build_default(fixture *fx)
{
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	build_bag(fx, &spec);
}

/* ---- running verify ---- */

static void dump_problems(const fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->nproblems; i++)
		print_message("  problem: [%s] %s\n", fx->paths[i], fx->messages[i]);
}

static size_t verify_path(fixture *fx, const char *package, rp_verify_result *res)
{
	rp_verify_opts opts = { capture, progress, fx, capture_note };
	int rc;

	clear_problems(fx);
	fx->nprogress = 0;
	rc = rp_verify(package, &opts, res);
	if (rc != 0)
		print_message("rp_verify failed: %s\n", rp_error_message());
	assert_int_equal(rc, 0);
	assert_int_equal(res->problems, fx->nproblems);
	return fx->nproblems;
}

static size_t verify(fixture *fx, rp_verify_result *res)
{
	return verify_path(fx, fx->pkg, res);
}

/* A problem naming path whose message holds every word given (NULL-ended). */
static bool has_problem(const fixture *fx, const char *path, ...)
{
	size_t i;

	for (i = 0; i < fx->nproblems; i++) {
		va_list ap;
		const char *w;
		bool all = true;

		if (strcmp(fx->paths[i], path) != 0)
			continue;
		va_start(ap, path);
		while ((w = va_arg(ap, const char *)) != NULL)
			all = all && strstr(fx->messages[i], w) != NULL;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

#define assert_problem(fx, path, ...)                                  \
	do {                                                               \
		if (!has_problem((fx), (path), __VA_ARGS__, (const char *)NULL)) { \
			print_message("expected a problem on %s\n", (path));       \
			dump_problems(fx);                                         \
			fail();                                                    \
		}                                                              \
	} while (0)

#define assert_problems(fx, n)                                         \
	do {                                                               \
		if ((fx)->nproblems != (size_t)(n)) {                          \
			print_message("expected %zu problems\n", (size_t)(n));     \
			dump_problems(fx);                                         \
			fail();                                                    \
		}                                                              \
	} while (0)

/* ---- a valid package ---- */

static void test_valid_package(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char identity[RP_SHA256_HEXLEN + 1];
	size_t len;
	char *data;

	build_default(fx);
	verify(fx, &res);
	assert_problems(fx, 0);

	file_sha_hex(fx, "tagmanifest-sha256.txt", identity);
	assert_string_equal(res.identity, identity);
	assert_non_null(res.external_identifier);
	assert_string_equal(res.external_identifier, "shop-export-1");
	assert_int_equal(res.payload_files, 5);
	data = get_file(fx, INVENTORY, &len);
	free(data);
	assert_int_equal(res.payload_bytes,
	                 LOGO_SIZE + strlen(good_csv) + len + strlen("one hundred percent\n") +
	                 strlen("CREATE TABLE items (id int PRIMARY KEY, name varchar(40), data blob);\n"));
	assert_int_equal(res.tables_checked, 1);
	assert_int_equal(res.rows_checked, NROWS);
	assert_int_equal(fx->nprogress, 5);
	rp_verify_result_free(&res);
	assert_null(res.external_identifier);
}

/* CRLF tag files, upper-case hex, tabs and CRLF in the manifest are
 * accepted; so is an empty folder in the payload. */
static void test_valid_variants(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	rp_buf b = RP_BUF_INIT;
	char path[1024];
	size_t len, i;
	char *man, *line, *nl;

	build_default(fx);
	put_text(fx, "bagit.txt", "BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n");
	man = get_file(fx, "manifest-sha256.txt", &len);
	for (line = man; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		/* "<hex>  <path>\n" becomes "<HEX>\t \t<path>\r\n" */
		for (i = 0; i < RP_SHA256_HEXLEN; i++)
			if (line[i] >= 'a' && line[i] <= 'f')
				line[i] = (char)(line[i] - 'a' + 'A');
		assert_int_equal(rp_buf_put(&b, line, RP_SHA256_HEXLEN), 0);
		assert_int_equal(rp_buf_puts(&b, "\t \t"), 0);
		assert_int_equal(rp_buf_put(&b, line + RP_SHA256_HEXLEN + 2,
		                            (size_t)(nl - line) - RP_SHA256_HEXLEN - 2), 0);
		assert_int_equal(rp_buf_puts(&b, "\r\n"), 0);
	}
	put_file(fx, "manifest-sha256.txt", b.data, b.len);
	rp_buf_free(&b);
	free(man);
	full_path(fx, "data/media/empty", path, sizeof path);
	assert_int_equal(mkdir(path, 0755), 0);
	refresh_tagmanifest(fx);

	verify(fx, &res);
	assert_problems(fx, 0);
	assert_int_equal(res.tables_checked, 1);
	rp_verify_result_free(&res);
}

static void test_valid_excel_fr(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.excel_fr = true;
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problems(fx, 0);
	assert_int_equal(res.tables_checked, 1);
	assert_int_equal(res.rows_checked, NROWS);
	rp_verify_result_free(&res);
}

/* ---- package-level failures ---- */

static void test_not_a_package(void **state)
{
	fixture *fx = *state;
	rp_verify_opts opts = { capture, NULL, fx, NULL };
	rp_verify_result res;
	char file[600];

	rp_error_clear();
	assert_int_equal(rp_verify(fx->pkg, &opts, &res), -1); /* does not exist yet */
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), fx->pkg));

	snprintf(file, sizeof file, "%s/plain", fx->root);
	close(open(file, O_WRONLY | O_CREAT, 0644));
	rp_error_clear();
	assert_int_equal(rp_verify(file, &opts, &res), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), "not a folder"));
	assert_int_equal(fx->nproblems, 0);
}

static void test_missing_bagit(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char path[1024];

	build_default(fx);
	full_path(fx, "bagit.txt", path, sizeof path);
	assert_int_equal(unlink(path), 0);
	verify(fx, &res);
	assert_problem(fx, "bagit.txt", "missing");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_bad_bagit(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	put_text(fx, "bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n");
	refresh_tagmanifest(fx);
	verify(fx, &res);
	assert_problem(fx, "bagit.txt", "BagIt 1.0 declaration");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_top_level_extra(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	put_text(fx, "notes.txt", "not in any manifest\n");
	put_text(fx, "extra/more.txt", "nor this\n");
	verify(fx, &res);
	assert_problem(fx, "notes.txt", "not covered by the tag manifest");
	assert_problem(fx, "extra/more.txt", "not covered by the tag manifest");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);
}

/* ---- payload manifest ---- */

static void test_payload_byte_changed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	size_t len;
	char *data;

	build_default(fx);
	data = get_file(fx, LOGO, &len);
	data[(1 << 20) + 5] ^= 0x01; /* in the second 1 MiB read */
	put_file(fx, LOGO, data, len);
	free(data);
	verify(fx, &res);
	assert_problem(fx, LOGO, "SHA-256", "manifest-sha256.txt");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_file_removed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char path[1024];

	build_default(fx);
	full_path(fx, DUMP, path, sizeof path);
	assert_int_equal(unlink(path), 0);
	verify(fx, &res);
	assert_problem(fx, DUMP, "listed in manifest-sha256.txt", "does not exist");
	assert_problem(fx, "bag-info.txt", "Payload-Oxum");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);
}

static void test_unlisted_file(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	put_text(fx, "data/media/site/extra.txt", "smuggled in\n");
	verify(fx, &res);
	assert_problem(fx, "data/media/site/extra.txt", "not listed");
	assert_problem(fx, "bag-info.txt", "Payload-Oxum");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);
}

/* One problem, not one per payload file. */
static void test_manifest_missing(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char path[1024];

	build_default(fx);
	full_path(fx, "manifest-sha256.txt", path, sizeof path);
	assert_int_equal(unlink(path), 0);
	verify(fx, &res);
	assert_problem(fx, "manifest-sha256.txt", "missing");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_manifest_dotdot_path(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char hex[RP_SHA256_HEXLEN + 1], line[200];

	build_default(fx);
	sha_hex("x", 1, hex);
	snprintf(line, sizeof line, "%s  data/../x\n", hex);
	append_text(fx, "manifest-sha256.txt", line);
	refresh_tagmanifest(fx);
	verify(fx, &res);
	assert_problem(fx, "manifest-sha256.txt", "line 6", "unsafe path", "data/../x", "..");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_manifest_absolute_path(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char hex[RP_SHA256_HEXLEN + 1], line[200];

	build_default(fx);
	sha_hex("root:x:0:0", 10, hex);
	snprintf(line, sizeof line, "%s  /etc/passwd\n", hex);
	append_text(fx, "manifest-sha256.txt", line);
	refresh_tagmanifest(fx);
	verify(fx, &res);
	assert_problem(fx, "manifest-sha256.txt", "line 6", "unsafe path", "/etc/passwd", "absolute");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

/* A path that is not UTF-8 (a name in a legacy code page), even of a file
 * that is there with its digest: the ZIP form refuses such names too. */
static void test_manifest_path_not_utf8(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char hex[RP_SHA256_HEXLEN + 1], line[200];

	build_default(fx);
	put_text(fx, "data/media/site/\xe9t\xe9.txt", "x");
	sha_hex("x", 1, hex);
	snprintf(line, sizeof line, "%s  data/media/site/\xe9t\xe9.txt\n", hex);
	append_text(fx, "manifest-sha256.txt", line);
	refresh_tagmanifest(fx);
	verify(fx, &res);
	assert_problem(fx, "manifest-sha256.txt", "line 6", "not valid UTF-8");
	assert_problem(fx, "bag-info.txt", "Payload-Oxum");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);
}

static void test_manifest_duplicate_and_malformed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	size_t len;
	char *man, *nl;

	build_default(fx);
	man = get_file(fx, "manifest-sha256.txt", &len);
	nl = strchr(man, '\n');
	assert_non_null(nl);
	nl[1] = '\0';
	append_text(fx, "manifest-sha256.txt", man);            /* line 6: line 1 again */
	append_text(fx, "manifest-sha256.txt", "deadbeef  data/x\n"); /* line 7 */
	append_text(fx, "manifest-sha256.txt", "0123\n");       /* line 8 */
	free(man);
	refresh_tagmanifest(fx);
	verify(fx, &res);
	assert_problem(fx, "manifest-sha256.txt", "line 6", "duplicate", "first on line 1");
	assert_problem(fx, "manifest-sha256.txt", "line 7", "malformed");
	assert_problem(fx, "manifest-sha256.txt", "line 8", "malformed");
	assert_problems(fx, 3);
	rp_verify_result_free(&res);
}

static void test_symlink_outside(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char outside[600], secret[700], link[1024], hex[RP_SHA256_HEXLEN + 1], line[300];
	FILE *f;

	build_default(fx);
	snprintf(outside, sizeof outside, "%s/outside", fx->root);
	assert_int_equal(mkdir(outside, 0755), 0);
	snprintf(secret, sizeof secret, "%s/secret.txt", outside);
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("secret", f);
	fclose(f);

	/* A file link, listed with the target's digest: following it would
	 * make the digest match. */
	full_path(fx, "data/media/site/link.txt", link, sizeof link);
	assert_int_equal(symlink(secret, link), 0);
	sha_hex("secret", 6, hex);
	snprintf(line, sizeof line, "%s  data/media/site/link.txt\n", hex);
	append_text(fx, "manifest-sha256.txt", line);
	/* A folder link: walking into it would report outside/secret.txt. */
	full_path(fx, "data/media/elsewhere", link, sizeof link);
	assert_int_equal(symlink(outside, link), 0);
	refresh_tagmanifest(fx);
	assert_int_equal(chmod(secret, 0), 0);

	verify(fx, &res);
	assert_problem(fx, "data/media/site/link.txt", "symbolic link");
	assert_problem(fx, "data/media/elsewhere", "symbolic link");
	assert_problems(fx, 2); /* no digest problem, nothing under elsewhere/, Oxum unchanged */
	assert_int_equal(chmod(secret, 0644), 0);
	rp_verify_result_free(&res);
}

static void test_fifo(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char path[1024], hex[RP_SHA256_HEXLEN + 1], line[300];

	build_default(fx);
	full_path(fx, "data/pipe", path, sizeof path);
	assert_int_equal(mkfifo(path, 0644), 0);
	full_path(fx, "data/media/listed-pipe", path, sizeof path);
	assert_int_equal(mkfifo(path, 0644), 0);
	sha_hex("", 0, hex);
	snprintf(line, sizeof line, "%s  data/media/listed-pipe\n", hex);
	append_text(fx, "manifest-sha256.txt", line);
	refresh_tagmanifest(fx);

	alarm(30); /* opening a FIFO for reading would block: fail instead of hanging */
	verify(fx, &res);
	alarm(0);
	assert_problem(fx, "data/pipe", "FIFO");
	assert_problem(fx, "data/media/listed-pipe", "FIFO");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);
}

/* ---- tag manifest and bag-info.txt ---- */

static void test_tagmanifest_mismatch(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	append_text(fx, "bag-info.txt", "Contact-Name: Someone Else\n");
	verify(fx, &res);
	assert_problem(fx, "bag-info.txt", "SHA-256", "tagmanifest-sha256.txt says");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_tagmanifest_missing_entry(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char hex[RP_SHA256_HEXLEN + 1], text[400];
	char identity[RP_SHA256_HEXLEN + 1];
	size_t len;
	char *tm;

	build_default(fx);
	file_sha_hex(fx, "bagit.txt", hex);
	{
		char hex2[RP_SHA256_HEXLEN + 1];
		file_sha_hex(fx, "manifest-sha256.txt", hex2);
		snprintf(text, sizeof text, "%s  bagit.txt\n%s  manifest-sha256.txt\n", hex, hex2);
	}
	put_text(fx, "tagmanifest-sha256.txt", text);
	verify(fx, &res);
	assert_problem(fx, "tagmanifest-sha256.txt", "does not list bag-info.txt");
	assert_problems(fx, 1);
	tm = get_file(fx, "tagmanifest-sha256.txt", &len);
	sha_hex(tm, len, identity);
	free(tm);
	assert_string_equal(res.identity, identity);
	rp_verify_result_free(&res);
}

static void test_payload_oxum_wrong(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.oxum = "1234.5";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, "bag-info.txt", "Payload-Oxum is 1234.5");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_payload_oxum_missing(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.no_oxum = true;
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, "bag-info.txt", "no Payload-Oxum");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

/* ---- inventory ---- */

static void test_inventory_schema(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;
	size_t i;

	memset(&spec, 0, sizeof spec);
	spec.rows = "many";
	build_bag(fx, &spec);
	verify(fx, &res);
	/* The table element is on line 15. */
	assert_problem(fx, INVENTORY, "line 15", "not valid against the inventory schema", "rows");
	for (i = 0; i < fx->nproblems; i++)
		assert_string_equal(fx->paths[i], INVENTORY);
	rp_verify_result_free(&res);
}

static void test_inventory_not_well_formed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	edit_payload(fx, INVENTORY, "</files>", "</filez>");
	verify(fx, &res);
	assert_problem(fx, INVENTORY, "line 28", "not well-formed XML", "mismatch");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_inventory_doctype(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	/* An external entity pointing at a file outside the package. */
	edit_payload(fx, INVENTORY, "<inventory ",
	          "<!DOCTYPE inventory [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<inventory ");
	edit_payload(fx, INVENTORY, "shop-export-1", "&x;");
	verify(fx, &res);
	assert_problem(fx, INVENTORY, "DOCTYPE");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_inventory_disagrees_with_manifest(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.inventory_bytes_off = true;
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, INVENTORY, "gives 1572865 bytes for " LOGO, "1572864");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

/* ---- table CSV ---- */

static void test_csv_changed_cell(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Wodget,\\x00ff\r\n"
	           "2,\"\",\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "table items", "content digest is", "data/inventory.xml says");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

/* NULL and the empty string differ: the digest sees it. */
static void test_csv_null_for_empty(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,,\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "content digest");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_csv_missing_field(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,\"\"\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "record 3", "has 2 fields, expected 3");
	assert_problems(fx, 1); /* reading stopped: no row count or digest problem */
	assert_int_equal(res.tables_checked, 0);
	rp_verify_result_free(&res);
}

static void test_csv_extra_row(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,\"\",\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n"
	           "5,extra,\\x00\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "holds 5 rows", "says 4");
	assert_problem(fx, CSV, "content digest");
	assert_problems(fx, 2);
	assert_int_equal(res.rows_checked, 5);
	rp_verify_result_free(&res);
}

static void test_csv_header_mismatch(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,title,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,\"\",\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "header", "field 2 is \"title\", expected \"name\"");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_csv_bad_binary_cell(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,\"\",not-hex\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_problem(fx, CSV, "record 3", "column \"data\"");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_csv_malformed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Widget,\\x00ff\r\n"
	           "2,\"unterminated,\r\n";
	build_bag(fx, &spec);
	verify(fx, &res);
	assert_int_equal(fx->nproblems, 1);
	assert_string_equal(fx->paths[0], CSV);
	/* the path is said once, before the message */
	assert_string_equal(fx->messages[0], "record 3, field 2: unterminated quoted field");
	assert_int_equal(res.tables_checked, 0);
	rp_verify_result_free(&res);
}

/* ---- the ZIP form ---- */

static const char *const bag_files[] = {
	"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
	DUMP, CSV, LOGO, PERCENT, INVENTORY,
};

/* Zips the package folder into fx->zip under top/: the logo stored unless
 * deflate_all, the rest deflated; plus an entry extra (with "hello"), when
 * given. */
static void make_zip(fixture *fx, const char *top, const char *extra, bool deflate_all)
{
	char path[1024], name[1024];
	zip_t *za;
	int err = 0;

	unlink(fx->zip);
	za = zip_open(fx->zip, ZIP_CREATE | ZIP_EXCL, &err);
	assert_non_null(za);
	for (size_t i = 0; i < sizeof bag_files / sizeof *bag_files; i++) {
		zip_source_t *src;
		zip_int64_t idx;
		full_path(fx, bag_files[i], path, sizeof path);
		snprintf(name, sizeof name, "%s/%s", top, bag_files[i]);
		src = zip_source_file(za, path, 0, -1);
		assert_non_null(src);
		idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
		                 !strcmp(bag_files[i], LOGO) && !deflate_all ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0), 0);
	}
	if (extra) {
		zip_source_t *src = zip_source_buffer(za, "hello\n", 6, 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, extra, src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
}

/* Payload files are hashed by several threads: the problems still come
 * in the manifest's order, run after run, in the folder and in the ZIP
 * (each thread through its own libzip handle). */
static void test_payload_problems_in_order(void **state)
{
	fixture *fx = *state;
	static const char *const tampered[] = { LOGO, DUMP, PERCENT };
	static const char *const listed[] = { LOGO, DUMP, "data/media/site/100%25.txt" }; /* RFC 8493 */
	const char *expected[3];
	rp_verify_result res;
	char *manifest, *line;
	size_t len, n = 0;

	build_default(fx);
	manifest = get_file(fx, "manifest-sha256.txt", &len);
	for (line = manifest; line && *line && n < 3; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		for (size_t k = 0; k < 3; k++)
			if (!strncmp(line + RP_SHA256_HEXLEN + 2, listed[k], strlen(listed[k])) &&
			    line[RP_SHA256_HEXLEN + 2 + strlen(listed[k])] == '\n')
				expected[n++] = tampered[k];
	free(manifest);
	assert_int_equal(n, 3);
	for (size_t k = 0; k < 3; k++) { /* one byte changed, the size kept */
		char *d = get_file(fx, tampered[k], &len);
		d[len - 1] ^= 0x20;
		put_file(fx, tampered[k], d, len);
		free(d);
	}
	make_zip(fx, "pkg", NULL, false);
	for (int round = 0; round < 20; round++) {
		verify_path(fx, round % 2 ? fx->zip : fx->pkg, &res);
		assert_problems(fx, 3);
		for (size_t k = 0; k < 3; k++) {
			assert_string_equal(fx->paths[k] + (round % 2 ? strlen("pkg.zip:pkg/") : 0), expected[k]);
			assert_non_null(strstr(fx->messages[k], "SHA-256"));
		}
		rp_verify_result_free(&res);
	}
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *d;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	d = malloc((size_t)st.st_size + 1);
	assert_non_null(d);
	assert_int_equal(fread(d, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return d;
}

static void write_all(const char *path, const void *d, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Where entry name's local and central headers lie in the archive d. */
static void find_headers(const uint8_t *d, size_t len, const char *name, size_t *local, size_t *central)
{
	size_t n = strlen(name);

	*local = *central = SIZE_MAX;
	for (size_t p = 46; p + n <= len; p++) {
		if (memcmp(d + p, name, n) != 0)
			continue;
		if (*local == SIZE_MAX && rd32(d + p - 30) == 0x04034b50 && (size_t)(d[p - 4] | d[p - 3] << 8) == n)
			*local = p - 30;
		else if (rd32(d + p - 46) == 0x02014b50 && (size_t)(d[p - 18] | d[p - 17] << 8) == n)
			*central = p - 46;
	}
	assert_true(*local != SIZE_MAX && *central != SIZE_MAX);
}

static bool has_note(const fixture *fx, const char *path, const char *word)
{
	for (size_t i = 0; i < fx->nnotes; i++)
		if (!strcmp(fx->note_paths[i], path) && strstr(fx->notes[i], word))
			return true;
	return false;
}

static void write_sidecar(const fixture *fx, const char *line)
{
	char path[400];

	snprintf(path, sizeof path, "%s.sha256", fx->zip);
	write_all(path, line, strlen(line));
}

static void test_zip_valid(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char identity[RP_SHA256_HEXLEN + 1];

	build_default(fx);
	verify(fx, &res);
	assert_problems(fx, 0);
	memcpy(identity, res.identity, sizeof identity);
	assert_false(res.zip);
	rp_verify_result_free(&res);

	make_zip(fx, "pkg", NULL, false);
	verify_path(fx, fx->zip, &res);
	assert_problems(fx, 0);
	assert_true(res.zip);
	assert_string_equal(res.identity, identity); /* the same identity as the folder */
	assert_string_equal(res.external_identifier, "shop-export-1");
	assert_int_equal(res.payload_files, 5);
	assert_int_equal(res.tables_checked, 1);
	assert_int_equal(res.rows_checked, NROWS);
	assert_string_equal(res.archive_sha256, ""); /* no sidecar: not hashed */
	assert_true(has_note(fx, "pkg.zip.sha256", "absent"));
	assert_int_equal(fx->nnotes, 1);
	assert_true(fx->nprogress > 0);
	rp_verify_result_free(&res);
}

static void test_zip_sidecar(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	char hex[RP_SHA256_HEXLEN + 1], line[200], path[400];
	size_t len;
	uint8_t *d;

	build_default(fx);
	make_zip(fx, "pkg", NULL, false);
	d = read_all(fx->zip, &len);
	sha_hex(d, len, hex);
	free(d);

	snprintf(line, sizeof line, "%s  pkg.zip\n", hex);
	write_sidecar(fx, line);
	verify_path(fx, fx->zip, &res);
	assert_problems(fx, 0);
	assert_int_equal(fx->nnotes, 0);
	assert_true(res.sidecar_match);
	assert_string_equal(res.archive_sha256, hex);
	rp_verify_result_free(&res);

	line[0] = line[0] == '0' ? '1' : '0'; /* another digest */
	write_sidecar(fx, line);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip.sha256", "the archive is not the one its sidecar describes");
	assert_problems(fx, 1);
	assert_false(res.sidecar_match);
	rp_verify_result_free(&res);

	snprintf(line, sizeof line, "%s  other.zip\n", hex);
	write_sidecar(fx, line);
	verify_path(fx, fx->zip, &res);
	assert_problems(fx, 0);
	assert_true(has_note(fx, "pkg.zip.sha256", "names \"other.zip\""));
	assert_true(res.sidecar_match);
	rp_verify_result_free(&res);

	for (size_t i = 0; i < RP_SHA256_HEXLEN; i++)
		hex[i] = hex[i] >= 'a' ? (char)(hex[i] - 'a' + 'A') : hex[i];
	snprintf(line, sizeof line, "%s  pkg.zip\n", hex); /* sha256sum writes lower case */
	write_sidecar(fx, line);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip.sha256", "is not one line");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);

	snprintf(path, sizeof path, "%s.sha256", fx->zip);
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip.sha256", "symbolic link");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

/* The checks of the folder form run inside the archive, and name the
 * entry. */
static void test_zip_payload_changed(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	bag_spec spec;
	size_t len;
	char *data;

	build_default(fx);
	data = get_file(fx, LOGO, &len);
	data[(1 << 20) + 5] ^= 0x01;
	put_file(fx, LOGO, data, len);
	free(data);
	make_zip(fx, "pkg", NULL, false);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:pkg/" LOGO, "SHA-256", "manifest-sha256.txt");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);

	/* Manifests right, content wrong: only the content digest can tell. */
	memset(&spec, 0, sizeof spec);
	spec.csv = "id,name,data\r\n"
	           "1,Wodget,\\x00ff\r\n"
	           "2,\"\",\r\n"
	           "3,,\\x\r\n"
	           "4,\"a,b \"\"q\"\"\",\\x41\r\n";
	assert_int_equal(rp_remove_tree(fx->pkg), 0);
	build_bag(fx, &spec);
	make_zip(fx, "pkg", NULL, false);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:pkg/" CSV, "table items", "content digest is");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

static void test_zip_entries_outside(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;

	build_default(fx);
	make_zip(fx, "pkg", "elsewhere.txt", false);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:elsewhere.txt", "outside the top folder \"pkg/\"");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);

	make_zip(fx, "pkg", "pkg/data/extra.txt", false);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:pkg/data/extra.txt", "not listed in manifest-sha256.txt");
	assert_problem(fx, "pkg.zip:pkg/bag-info.txt", "Payload-Oxum");
	assert_problems(fx, 2);
	rp_verify_result_free(&res);

	/* A renamed archive: its top folder keeps the old name. */
	make_zip(fx, "old-name", NULL, false);
	verify_path(fx, fx->zip, &res);
	assert_problems(fx, 0);
	assert_true(has_note(fx, "pkg.zip", "top folder is \"old-name/\""));
	rp_verify_result_free(&res);
}

static void test_zip_crc(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	size_t len, local, central;
	uint8_t *d;

	build_default(fx);
	make_zip(fx, "pkg", NULL, false);
	d = read_all(fx->zip, &len);
	find_headers(d, len, "pkg/" CSV, &local, &central);
	wr32(d + local + 14, rd32(d + local + 14) ^ 1);
	wr32(d + central + 16, rd32(d + central + 16) ^ 1);
	write_all(fx->zip, d, len);
	free(d);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:pkg/" CSV, "CRC-32");
	assert_problems(fx, 1); /* said once, though the CSV is read twice */
	rp_verify_result_free(&res);
}

/* An entry that inflates to more than it declares is stopped at once. */
static void test_zip_bomb(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	size_t len, local, central;
	uint8_t *d;

	build_default(fx);
	make_zip(fx, "pkg", NULL, true); /* the 1.5 MiB logo deflated */
	d = read_all(fx->zip, &len);
	find_headers(d, len, "pkg/" LOGO, &local, &central);
	wr32(d + local + 22, 100);
	wr32(d + central + 24, 100);
	write_all(fx->zip, d, len);
	free(d);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip:pkg/" LOGO, "more than the 100 bytes", "stopped at byte 101");
	rp_verify_result_free(&res);
}

static void test_zip_truncated(void **state)
{
	fixture *fx = *state;
	rp_verify_result res;
	size_t len;
	uint8_t *d;

	build_default(fx);
	make_zip(fx, "pkg", NULL, false);
	d = read_all(fx->zip, &len);
	write_all(fx->zip, d, len / 2);
	free(d);
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip", "no end of central directory record", "truncated");
	assert_problems(fx, 1); /* nothing else: the content cannot be read */
	assert_string_equal(res.identity, "");
	rp_verify_result_free(&res);

	write_all(fx->zip, "not a zip at all", 16); /* named .zip: verified as one */
	verify_path(fx, fx->zip, &res);
	assert_problem(fx, "pkg.zip", "truncated, or not a ZIP archive");
	assert_problems(fx, 1);
	rp_verify_result_free(&res);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_package),
		T(test_valid_variants),
		T(test_valid_excel_fr),
		T(test_not_a_package),
		T(test_missing_bagit),
		T(test_bad_bagit),
		T(test_top_level_extra),
		T(test_payload_byte_changed),
		T(test_payload_problems_in_order),
		T(test_file_removed),
		T(test_unlisted_file),
		T(test_manifest_missing),
		T(test_manifest_dotdot_path),
		T(test_manifest_absolute_path),
		T(test_manifest_path_not_utf8),
		T(test_manifest_duplicate_and_malformed),
		T(test_symlink_outside),
		T(test_fifo),
		T(test_tagmanifest_mismatch),
		T(test_tagmanifest_missing_entry),
		T(test_payload_oxum_wrong),
		T(test_payload_oxum_missing),
		T(test_inventory_schema),
		T(test_inventory_not_well_formed),
		T(test_inventory_doctype),
		T(test_inventory_disagrees_with_manifest),
		T(test_csv_changed_cell),
		T(test_csv_null_for_empty),
		T(test_csv_missing_field),
		T(test_csv_extra_row),
		T(test_csv_header_mismatch),
		T(test_csv_bad_binary_cell),
		T(test_csv_malformed),
		T(test_zip_valid),
		T(test_zip_sidecar),
		T(test_zip_payload_changed),
		T(test_zip_entries_outside),
		T(test_zip_crc),
		T(test_zip_bomb),
		T(test_zip_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
