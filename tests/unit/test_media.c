/* Media trees: the name mapping, the walk's policy, the copy's checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/media.h"
#include "revpack/package.h"
#include "revpack/path.h"

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* ---- the name mapping ---- */

static void expect_map(const char *in, size_t len, const char *out, bool mapped)
{
	rp_buf b = RP_BUF_INIT;
	bool m = !mapped;

	assert_int_equal(rp_media_name_map(&b, in, len, &m), 0);
	assert_int_equal(m, mapped);
	assert_int_equal(b.len, strlen(out));
	assert_memory_equal(b.data, out, b.len);
	rp_buf_free(&b);
}

static void test_kept_names(void **state)
{
	(void)state;
	expect_map("photo.jpg", 9, "photo.jpg", false);
	expect_map("Conditions générales 2024.pdf", strlen("Conditions générales 2024.pdf"),
	           "Conditions générales 2024.pdf", false);
	expect_map("l'équipe du siège.png", strlen("l'équipe du siège.png"), "l'équipe du siège.png", false);
	/* '%' and text that looks like an escape are kept in a UTF-8 name */
	expect_map("100%.txt", 8, "100%.txt", false);
	expect_map("a%FF.txt", 8, "a%FF.txt", false);
	/* TAB, LF and CR are characters XML carries (the manifest encodes CR, LF) */
	expect_map("new\nline\r\tx", 11, "new\nline\r\tx", false);
	expect_map("日本語 ~ :*?", strlen("日本語 ~ :*?"), "日本語 ~ :*?", false);
}

static void test_mapped_names(void **state)
{
	(void)state;
	expect_map("bad\xff.txt", 8, "bad%FF.txt", true);
	/* once mapped, '%' is escaped too, so the mapping reverses */
	expect_map("50%\xff", 4, "50%25%FF", true);
	expect_map("back\\slash", 10, "back%5Cslash", true);
	expect_map("\x01" "ctl", 4, "%01ctl", true);
	expect_map("esc\x1b[1m", 7, "esc%1B[1m", true);
	/* a mapped name escapes every control character, LF included */
	expect_map("a\n\xfe", 3, "a%0A%FE", true);
	/* a truncated sequence, a surrogate, an overlong form, U+FFFE */
	expect_map("\xc3" "\xa9\xc3", 3, "é%C3", true);
	expect_map("\xed\xa0\x80", 3, "%ED%A0%80", true);
	expect_map("\xc0\xaf", 2, "%C0%AF", true);
	expect_map("x\xef\xbf\xbe", 4, "x%EF%BF%BE", true);
	/* Latin-1 bytes of a name written on an old system */
	expect_map("caf\xe9.jpg", 8, "caf%E9.jpg", true);
}

static void test_unmap_errors(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_media_name_unmap(&b, "a%4", 3), -1);
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_unmap(&b, "a%zz", 4), -1);
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_unmap(&b, "%e9t%C3%A9", 10), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "\xe9t\xc3\xa9", 4);
	rp_buf_free(&b);
}

/* Random byte strings: a kept name is the name; a mapped one is XML-safe
 * UTF-8 without a backslash and decodes to the name. */
static void test_round_trip(void **state)
{
	rp_buf b = RP_BUF_INIT, back = RP_BUF_INIT;
	uint64_t seed = 0x1234abcdULL;
	char name[24];
	size_t kept = 0, mapped_n = 0;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + next_random(&seed) % sizeof name;
		bool mapped;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = next_random(&seed);
			/* mostly text, some high bytes and controls; never '/' or NUL */
			char c = (char)(r % 4 == 0 ? (int)(0x80 + r / 4 % 0x80) : r % 4 == 1 ? (int)(1 + r / 4 % 0x1f)
			                                                                    : (int)(0x20 + r / 4 % 0x5f));
			name[i] = c == '/' ? '%' : c;
		}
		rp_buf_clear(&b);
		rp_buf_clear(&back);
		assert_int_equal(rp_media_name_map(&b, name, len, &mapped), 0);
		if (!mapped) {
			kept++;
			assert_int_equal(b.len, len);
			assert_memory_equal(b.data, name, len);
			continue;
		}
		mapped_n++;
		assert_true(rp_xml_text_ok(b.data, b.len));
		assert_null(memchr(b.data, '\\', b.len));
		for (size_t i = 0; i < b.len; i++)
			assert_true((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7f);
		assert_int_equal(rp_media_name_unmap(&back, b.data, b.len), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.data, name, len);
	}
	assert_true(kept > 100);
	assert_true(mapped_n > 100);
	rp_buf_free(&b);
	rp_buf_free(&back);
}

static void test_suffix(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_media_name_suffixed(&b, "photo%FF.jpg", 2), 0);
	assert_string_equal(b.data, "photo%FF~2.jpg");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, "archive%FF.tar.gz", 3), 0);
	assert_string_equal(b.data, "archive%FF.tar~3.gz");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, ".hidden%FF", 2), 0);
	assert_string_equal(b.data, ".hidden%FF~2");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, "noext%01", 12), 0);
	assert_string_equal(b.data, "noext%01~12");
	rp_buf_free(&b);
}

/* ---- the walk ---- */

/* readdir, failing with EIO once readdir_left entries were given (-1:
 * never), as a failing disk or network file system does. */
static int readdir_left = -1;

struct dirent *readdir(DIR *d)
{
	static struct dirent *(*real)(DIR *);
	void *sym;

	if (!real) {
		sym = dlsym(RTLD_NEXT, "readdir");
		memcpy(&real, &sym, sizeof real);
	}
	if (readdir_left == 0) {
		errno = EIO;
		return NULL;
	}
	if (readdir_left > 0)
		readdir_left--;
	return real(d);
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/rp-test-media-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("REVPACK_TEST_MEDIA_GROW");
	rp_remove_tree(dir);
	return 0;
}

static void put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/tree/%s", dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void sub(const char *rel)
{
	char path[512];

	snprintf(path, sizeof path, "%s/tree/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A tree with every kind of entry the policy names. */
static void make_tree(void)
{
	char path[512], other[512];

	sub("");
	put("a%FF.txt", "literal");       /* a UTF-8 name that looks like a mapped one */
	put("a\xff.txt", "latin");        /* maps to a%FF.txt: taken, so a%FF~2.txt */
	put("b.txt", "bee");
	sub("d");
	sub("d/empty");
	sub("d/only-link");
	put("d/z.png", "png-ish");
	snprintf(path, sizeof path, "%s/tree/d/only-link/up", dir);
	assert_int_equal(symlink("../../b.txt", path), 0);
	snprintf(path, sizeof path, "%s/tree/escape", dir);
	assert_int_equal(symlink("../../../etc/passwd", path), 0);
	snprintf(path, sizeof path, "%s/tree/abs-in", dir);
	snprintf(other, sizeof other, "%s/tree/d/z.png", dir);
	assert_int_equal(symlink(other, path), 0);
	snprintf(path, sizeof path, "%s/tree/abs-out", dir);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	snprintf(path, sizeof path, "%s/tree/b.txt", dir);
	snprintf(other, sizeof other, "%s/tree/d/hard.txt", dir);
	assert_int_equal(link(path, other), 0);
}

static const rp_media_entry *find(const rp_media *m, const char *src)
{
	size_t n;
	const rp_media_entry *e = rp_media_entries(m, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].src, src))
			return &e[i];
	fail_msg("no entry %s", src);
	abort(); /* fail_msg does not return */
}

static rp_media *scan(bool skip, int expect)
{
	char root[256];
	rp_media_spec spec = { "up", root };
	rp_media_opts opts;
	rp_media *m = NULL;

	memset(&opts, 0, sizeof opts);
	opts.skip_unreadable = skip;
	snprintf(root, sizeof root, "%s/tree", dir);
	assert_int_equal(rp_media_scan(&m, &spec, &opts), expect);
	return m;
}

static void test_walk_policy(void **state)
{
	rp_media *m;
	const rp_media_entry *e, *all;
	size_t n;

	(void)state;
	make_tree();
	m = scan(false, 0);
	all = rp_media_entries(m, &n);
	/* byte order at every level, folders before what they hold */
	assert_string_equal(all[0].src, "");
	assert_string_equal(all[0].pkg, "data/media/up");
	assert_string_equal(all[1].src, "a%FF.txt");
	assert_string_equal(all[2].src, "abs-in");
	assert_string_equal(all[3].src, "abs-out");
	assert_string_equal(all[4].src, "a\xff.txt"); /* 0xFF sorts after 'b' */
	assert_string_equal(all[5].src, "b.txt");
	assert_int_equal(all[0].end, n);
	e = find(m, "a%FF.txt");
	assert_string_equal(e->pkg, "data/media/up/a%FF.txt");
	assert_false(e->mapped);
	e = find(m, "a\xff.txt");
	assert_string_equal(e->pkg, "data/media/up/a%FF~2.txt");
	assert_true(e->mapped);
	assert_int_equal(e->kind, RP_MEDIA_FILE);
	/* links: recorded with their target, never followed */
	e = find(m, "escape");
	assert_int_equal(e->kind, RP_MEDIA_SYMLINK);
	assert_string_equal(e->target, "../../../etc/passwd");
	assert_false(e->inside);
	assert_true(find(m, "d/only-link/up")->inside);
	assert_true(find(m, "abs-in")->inside);
	assert_false(find(m, "abs-out")->inside);
	/* nothing was walked through a link: no entry below "escape" */
	for (size_t i = 0; i < n; i++)
		assert_true(strncmp(all[i].src, "escape/", 7) != 0);
	e = find(m, "d");
	assert_int_equal(e->kind, RP_MEDIA_DIR);
	assert_true(e->end > (size_t)(e - all) + 4);
	rp_media_free(m);
}

/* Many mapped names in one folder whose package names sort the other way
 * round from the names themselves (those after \x01 are given first and
 * begin with "%01"; those after a space begin with a space): the walk stays
 * fast, and collisions still take the first free suffix in byte order. */
static void test_many_mapped_names(void **state)
{
	enum { N = 25000 };
	char name[64];
	struct timespec t0, t1;
	rp_media *m;
	(void)state;

	sub("");
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "\x01%05d", i);
		put(name, "");
		snprintf(name, sizeof name, " %05d\xff", i);
		put(name, "");
	}
	put("a%FF.txt", "kept");
	put("a%FF~2.txt", "kept too");
	put("a\xff.txt", "mapped");
	put("a\xff~2.txt", "mapped too");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = scan(false, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 8); /* seconds, even under a sanitizer; minutes when quadratic */
	assert_string_equal(find(m, "\x01" "00007")->pkg, "data/media/up/%0100007");
	assert_string_equal(find(m, " 00007\xff")->pkg, "data/media/up/ 00007%FF");
	assert_string_equal(find(m, "a%FF.txt")->pkg, "data/media/up/a%FF.txt");
	assert_string_equal(find(m, "a%FF~2.txt")->pkg, "data/media/up/a%FF~2.txt");
	assert_string_equal(find(m, "a\xff.txt")->pkg, "data/media/up/a%FF~3.txt");
	assert_string_equal(find(m, "a\xff~2.txt")->pkg, "data/media/up/a%FF~2~2.txt");
	rp_media_free(m);
}

/* The package being written, inside DIR, is neither walked nor recorded. */
static void test_walk_excludes_the_package(void **state)
{
	char root[256], path[512];
	rp_media_spec spec = { "up", root };
	rp_media_opts opts;
	rp_media *m = NULL;
	struct stat st;
	size_t n;
	const rp_media_entry *e;
	(void)state;

	sub("");
	sub(".out.rp-tmp-x");
	sub(".out.rp-tmp-x/data");
	put("a.txt", "a");
	snprintf(root, sizeof root, "%s/tree", dir);
	snprintf(path, sizeof path, "%s/.out.rp-tmp-x", root);
	assert_int_equal(stat(path, &st), 0);
	memset(&opts, 0, sizeof opts);
	opts.exclude = true;
	opts.exclude_dev = st.st_dev;
	opts.exclude_ino = st.st_ino;
	assert_int_equal(rp_media_scan(&m, &spec, &opts), 0);
	e = rp_media_entries(m, &n);
	assert_int_equal(n, 2);
	assert_string_equal(e[1].src, "a.txt");
	assert_int_equal(e[0].end, 2);
	rp_media_free(m);
}

/* A folder that fails to list after some of its names were read is named,
 * and the walk does not crash on the names it holds. */
static void test_walk_readdir_error(void **state)
{
	rp_media *m;
	(void)state;

	sub("");
	sub("sub");
	put("sub/a", "a");
	readdir_left = 3; /* ".", ".." and "sub", in any order; then EIO */
	m = scan(false, -1);
	readdir_left = -1;
	assert_null(m);
	assert_non_null(strstr(rp_error_message(), "/tree: folder cannot be read: Input/output error"));
}

/* FIFOs, sockets and devices fail the walk, every one named; with
 * skip_unreadable they are recorded instead. */
static void test_walk_special(void **state)
{
	char path[512];
	rp_media *m;
	const rp_media_entry *e;

	(void)state;
	make_tree();
	snprintf(path, sizeof path, "%s/tree/pipe", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof path, "%s/tree/d/pipe2", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	rp_error_clear();
	m = scan(false, -1);
	assert_null(m);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), "2 paths cannot be exported"));
	assert_non_null(strstr(rp_error_message(), "/tree/pipe: is a FIFO"));
	assert_non_null(strstr(rp_error_message(), "/tree/d/pipe2: is a FIFO"));

	m = scan(true, 0);
	e = find(m, "pipe");
	assert_int_equal(e->kind, RP_MEDIA_SPECIAL);
	assert_non_null(e->skipped);
	assert_non_null(strstr(e->skipped, "FIFO"));
	rp_media_free(m);
}

static void sha_of(const char *s, uint8_t out[RP_SHA256_LEN])
{
	assert_int_equal(rp_sha256_oneshot(s, strlen(s), out), 0);
}

/* Copied into a folder package: digests, hard links, empty folders. */
static void test_copy(void **state)
{
	char out[256];
	rp_package *pkg;
	rp_media *m;
	const rp_media_entry *e;
	uint8_t d[RP_SHA256_LEN];
	uint64_t files, bytes, skipped;
	struct stat st;

	(void)state;
	make_tree();
	m = scan(false, 0);
	snprintf(out, sizeof out, "%s/pkg", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	assert_int_equal(rp_media_export(m, pkg), 0);
	e = find(m, "a\xff.txt");
	assert_true(e->exported);
	sha_of("latin", d);
	assert_memory_equal(e->sha256, d, RP_SHA256_LEN);
	assert_int_equal(e->bytes, 5);
	/* the second path of one inode names the first */
	e = find(m, "d/hard.txt");
	assert_true(e->same_as != SIZE_MAX);
	assert_string_equal(rp_media_entries(m, &files)[e->same_as].src, "b.txt");
	assert_true(find(m, "b.txt")->same_as == SIZE_MAX);
	assert_false(find(m, "d/empty")->has_files);
	assert_false(find(m, "d/only-link")->has_files);
	assert_true(find(m, "d")->has_files);
	rp_media_totals(m, &files, &bytes, &skipped);
	assert_int_equal(files, 5);
	assert_int_equal(bytes, strlen("literal") + strlen("latin") + 2 * strlen("bee") + strlen("png-ish"));
	assert_int_equal(skipped, 0);
	/* the file is in the package's temporary folder, under its mapped name;
	 * no folder without a file was made */
	snprintf(out, sizeof out, "%s/data/media/up/a%%FF~2.txt", rp_package_root_path(pkg));
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, 5);
	snprintf(out, sizeof out, "%s/data/media/up/d/empty", rp_package_root_path(pkg));
	assert_int_equal(stat(out, &st), -1);
	rp_package_abort(pkg);
	rp_media_free(m);
}

/* A file that grows while it is read fails the copy, naming it; with
 * skip_unreadable it is left out and recorded. */
static void test_changed_while_read(void **state)
{
	char out[256];
	rp_package *pkg;
	rp_media *m;
	const rp_media_entry *e;

	(void)state;
	make_tree();
	setenv("REVPACK_TEST_MEDIA_GROW", "z.png", 1);
	m = scan(false, 0);
	snprintf(out, sizeof out, "%s/pkg", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	rp_error_clear();
	assert_int_equal(rp_media_export(m, pkg), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), "/tree/d/z.png: changed while it was read"));
	rp_package_abort(pkg);
	rp_media_free(m);

	m = scan(true, 0);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	assert_int_equal(rp_media_export(m, pkg), 0);
	e = find(m, "d/z.png");
	assert_false(e->exported);
	assert_non_null(e->skipped);
	assert_non_null(strstr(e->skipped, "changed while it was read"));
	assert_true(find(m, "b.txt")->exported);
	rp_package_abort(pkg);
	rp_media_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_names),
		cmocka_unit_test(test_mapped_names),
		cmocka_unit_test(test_unmap_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test_setup_teardown(test_walk_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_special, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_readdir_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_excludes_the_package, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_mapped_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_while_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
