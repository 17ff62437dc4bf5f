/* The bag builder: layout, manifests, identity, atomic appearance. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/inventory.h"
#include "revpack/package.h"
#include "revpack/verify.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/rp-test-pkg-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rp_remove_tree(dir);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static size_t count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void add_file(rp_package *pkg, const char *rel, const char *content)
{
	rp_sink *s;
	assert_int_equal(rp_package_open(pkg, rel, &s), 0);
	assert_int_equal(rp_sink_puts(s, content), 0);
	assert_int_equal(rp_package_commit(pkg, s), 0);
}

static void problem(void *ctx, const char *path, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "unexpected problem: %s: %s\n", path, msg);
}

static void test_bag_layout_and_identity(void **state)
{
	char out[128], p[256];
	rp_package *pkg;
	rp_label labels[] = { { "Source-Organization", "Mutuelle Exemple" },
		              { "External-Description", "line one\nline two" } };
	char identity[65], hex[65];
	uint8_t d[32];
	size_t len;
	char *txt;
	rp_inventory inv;
	rp_verify_opts vo = { problem, NULL, NULL, NULL };
	rp_verify_result vr;
	(void)state;

	snprintf(out, sizeof out, "%s/pkg", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	/* nothing visible under the final name while writing */
	assert_int_equal(access(out, F_OK), -1);
	add_file(pkg, "database/x/dump.sql", "SELECT 1;\n");
	add_file(pkg, "odd/100% sure\nnew line.txt", "abc");
	memset(&inv, 0, sizeof inv);
	inv.external_id = "urn:uuid:00000000-0000-4000-8000-000000000000";
	inv.created = 0;
	assert_int_equal(rp_inventory_write(pkg, &inv), 0);
	assert_int_equal(rp_package_finish(pkg, labels, 2, identity), 0);
	/* only the package appeared: no temporary folder left beside it */
	assert_int_equal(count_entries(dir), 1);

	snprintf(p, sizeof p, "%s/bagit.txt", out);
	txt = slurp(p, &len);
	assert_string_equal(txt, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
	free(txt);

	snprintf(p, sizeof p, "%s/manifest-sha256.txt", out);
	txt = slurp(p, &len);
	assert_int_equal(rp_sha256_oneshot("abc", 3, d), 0);
	rp_sha256_hex(d, hex);
	assert_non_null(strstr(txt, hex));
	assert_non_null(strstr(txt, "  data/odd/100%25 sure%0Anew line.txt\n"));
	assert_non_null(strstr(txt, "  data/database/x/dump.sql\n"));
	assert_non_null(strstr(txt, "  data/inventory.xml\n"));
	free(txt);

	snprintf(p, sizeof p, "%s/bag-info.txt", out);
	txt = slurp(p, &len);
	assert_non_null(strstr(txt, "Source-Organization: Mutuelle Exemple\n"));
	assert_non_null(strstr(txt, "External-Description: line one\n  line two\n"));
	assert_non_null(strstr(txt, "Payload-Oxum: "));
	assert_non_null(strstr(txt, "Bagging-Date: "));
	free(txt);

	snprintf(p, sizeof p, "%s/tagmanifest-sha256.txt", out);
	txt = slurp(p, &len);
	assert_int_equal(rp_sha256_oneshot(txt, len, d), 0);
	rp_sha256_hex(d, hex);
	assert_string_equal(hex, identity);
	assert_non_null(strstr(txt, "  bagit.txt\n"));
	assert_non_null(strstr(txt, "  bag-info.txt\n"));
	assert_non_null(strstr(txt, "  manifest-sha256.txt\n"));
	free(txt);

	/* what the builder wrote, verify accepts */
	assert_int_equal(rp_verify(out, &vo, &vr), 0);
	assert_int_equal(vr.problems, 0);
	assert_string_equal(vr.identity, identity);
	assert_int_equal(vr.payload_files, 3);
	rp_verify_result_free(&vr);
}

static void test_existing_output_refused_and_untouched(void **state)
{
	char out[128], p[256];
	rp_package *pkg = NULL;
	FILE *f;
	(void)state;

	snprintf(out, sizeof out, "%s/exists", dir);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(p, sizeof p, "%s/keep.txt", out);
	f = fopen(p, "w");
	fputs("keep", f);
	fclose(f);
	assert_int_equal(rp_package_create(&pkg, out), -1);
	assert_int_equal(rp_error_kind(), RP_E_USAGE);
	assert_null(pkg);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(count_entries(out), 1);
}

static void test_abort_removes_everything(void **state)
{
	char out[128];
	rp_package *pkg;
	size_t before = count_entries(dir);
	(void)state;

	snprintf(out, sizeof out, "%s/aborted", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	add_file(pkg, "a/b/c.txt", "x");
	assert_int_equal(count_entries(dir), before + 1); /* the hidden temporary */
	rp_package_abort(pkg);
	assert_int_equal(count_entries(dir), before);
	assert_int_equal(access(out, F_OK), -1);
}

/* A tree whose paths, written beneath the hidden folder, are longer than
 * PATH_MAX once the folder's own path is put in front: still removed. */
static void test_abort_removes_a_deep_tree(void **state)
{
	char out[256], rel[4096];
	rp_package *pkg;
	size_t before = count_entries(dir), len = 0;
	(void)state;

	snprintf(out, sizeof out, "%s/deep-%060d", dir, 0);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	for (int i = 0; i < 20; i++) {
		memset(rel + len, 'a' + i, 200);
		len += 200;
		rel[len++] = '/';
	}
	strcpy(rel + len, "f.txt");
	assert_true(strlen(rp_package_root_path(pkg)) + strlen("/data/") + len > 4096);
	add_file(pkg, rel, "deep");
	rp_package_abort(pkg);
	assert_int_equal(count_entries(dir), before);
}

static void test_target_appearing_meanwhile_is_not_replaced(void **state)
{
	char out[128], identity[65];
	rp_package *pkg;
	rp_inventory inv;
	(void)state;

	snprintf(out, sizeof out, "%s/race", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	memset(&inv, 0, sizeof inv);
	inv.external_id = "x";
	assert_int_equal(rp_inventory_write(pkg, &inv), 0);
	assert_int_equal(mkdir(out, 0755), 0); /* someone else creates it */
	assert_int_equal(rp_package_finish(pkg, NULL, 0, identity), -1);
	assert_non_null(strstr(rp_error_message(), "appeared"));
	assert_int_equal(count_entries(out), 0); /* theirs, untouched and empty */
	rmdir(out);
}

static void test_human_size(void **state)
{
	char b[32];
	(void)state;
	rp_human_size(999, b, sizeof b);
	assert_string_equal(b, "999 bytes");
	rp_human_size(1500000, b, sizeof b);
	assert_string_equal(b, "1.5 MB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bag_layout_and_identity),
		cmocka_unit_test(test_existing_output_refused_and_untouched),
		cmocka_unit_test(test_abort_removes_everything),
		cmocka_unit_test(test_abort_removes_a_deep_tree),
		cmocka_unit_test(test_target_appearing_meanwhile_is_not_replaced),
		cmocka_unit_test(test_human_size),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
