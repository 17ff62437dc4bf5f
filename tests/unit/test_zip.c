/* The zip writer and the zip form of a package. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/package.h"
#include "revpack/zip.h"
#include "revpack/ziprange.h"

#include "unit_util.h"

/* ---- STORED or DEFLATE ---- */

static void test_stored(void **state)
{
	static const char *const stored[] = {
		"a.jpg", "a.JPG", "a.Jpeg", "dir/x.png", "x.gif", "x.webp", "x.avif", "x.heic", "x.HEIF", "x.mp3", "x.m4a",
		"x.aac", "x.ogg", "x.oga", "x.opus", "x.flac", "x.mp4", "x.m4v", "x.mov", "x.avi", "x.mkv", "x.webm",
		"x.ogv", "x.wmv", "x.pdf", "x.zip", "x.tar.gz", "x.tgz", "x.bz2", "x.xz", "x.zst", "x.7z", "x.rar",
		"x.jar", "x.docx", "x.xlsx", "x.pptx", "x.odt", "x.ods", "x.odp", "x.epub", "x.woff", "x.woff2",
		"site/data/database/wp/wp.siard", "W.SIARD",
	};
	static const char *const deflated[] = {
		"dump.sql", "t.csv", "inventory.xml", "notes.txt", "manifest-sha256.txt", "README", "x.jpg.txt",
		"x.tar", "x.svg", "x.bmp", "x.doc", ".jpg", "dir.jpg/file", "x.", "x.jpgx", "x.pd",
	};

	(void)state;
	for (size_t i = 0; i < sizeof stored / sizeof *stored; i++)
		if (!rp_zip_stored(stored[i]))
			fail_msg("%s should be stored", stored[i]);
	for (size_t i = 0; i < sizeof deflated / sizeof *deflated; i++)
		if (rp_zip_stored(deflated[i]))
			fail_msg("%s should be deflated", deflated[i]);
}

/* ---- rp_zip_write with streams ---- */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/rp-test-zip-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rp_remove_tree(dir);
	return 0;
}

/* A stream of `size` bytes of a repeated letter; may fail at close. */
typedef struct mem {
	char letter;
	uint64_t size, pos;
	int close_rc;            /* what close returns */
	rp_file_info seen;       /* what close received */
	int opened, closed, aborted;
	time_t mtime;            /* 0: 1700000000 */
} mem;

static int mem_open(void *ctx, uint64_t *bytes, time_t *mtime)
{
	mem *m = ctx;
	m->pos = 0;
	m->opened++;
	*bytes = m->size;
	*mtime = m->mtime ? m->mtime : 1700000000;
	return 0;
}

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	mem *m = ctx;
	if (n > m->size - m->pos)
		n = (size_t)(m->size - m->pos);
	memset(buf, m->letter, n);
	m->pos += n;
	return (ssize_t)n;
}

static int mem_close(void *ctx, const rp_file_info *info)
{
	mem *m = ctx;
	m->seen = *info;
	m->closed++;
	if (m->close_rc == -1)
		rp_error_set(RP_E_IO, "mem stream failed");
	return m->close_rc;
}

static void mem_abort(void *ctx)
{
	((mem *)ctx)->aborted++;
}

static const rp_zip_stream_ops mem_ops = { mem_open, mem_read, mem_close, mem_abort };

static void letters_sha(char letter, size_t n, uint8_t out[RP_SHA256_LEN])
{
	char *buf = malloc(n ? n : 1);
	memset(buf, letter, n);
	assert_int_equal(rp_sha256_oneshot(buf, n, out), 0);
	free(buf);
}

/* Writes text into a new file at path. */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* SHA-256 and size of a whole file, read here independently. */
static void file_sha(const char *path, rp_file_info *info)
{
	FILE *f = fopen(path, "rb");
	unsigned char buf[65536];
	rp_sha256 h;
	size_t n;

	assert_non_null(f);
	memset(info, 0, sizeof *info);
	assert_int_equal(rp_sha256_init(&h), 0);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		assert_int_equal(rp_sha256_update(&h, buf, n), 0);
		info->bytes += n;
	}
	fclose(f);
	assert_int_equal(rp_sha256_final(&h, info->sha256), 0);
	rp_sha256_free(&h);
}

static void test_write_streams(void **state)
{
	char path[128], file[128];
	mem a = { 'a', 100000, 0, 0, { 0, { 0 } }, 0, 0, 0, 0 }, b = { 'b', 0, 0, 0, { 0, { 0 } }, 0, 0, 0, 0 };
	rp_zip_entry e[3];
	rp_zip_opts zo = { "test.zip", NULL };
	uint8_t d[RP_SHA256_LEN];
	size_t skipped = 99;
	rp_file_info zinfo, whole;
	struct stat fst;
	zip_t *za;
	zip_stat_t st;
	int err;

	(void)state;
	snprintf(path, sizeof path, "%s/out.zip", dir);
	snprintf(file, sizeof file, "%s/plain.csv", dir);
	put_file(file, "a,b\r\n1,2\r\n");
	memset(e, 0, sizeof e);
	e[0].name = "top/data/plain.csv";
	e[0].file = file;
	e[1].name = "top/data/été.JPG";
	e[1].ops = &mem_ops;
	e[1].ctx = &a;
	e[2].name = "top/data/empty.txt";
	e[2].ops = &mem_ops;
	e[2].ctx = &b;
	assert_int_equal(rp_zip_write(path, e, 3, &zo, &skipped, &zinfo), 0);
	/* close received what libzip read, hashed */
	assert_int_equal(a.closed, 1);
	assert_int_equal(a.seen.bytes, 100000);
	letters_sha('a', 100000, d);
	assert_memory_equal(a.seen.sha256, d, RP_SHA256_LEN);
	assert_int_equal(b.seen.bytes, 0);
	letters_sha('b', 0, d);
	assert_memory_equal(b.seen.sha256, d, RP_SHA256_LEN);
	/* the archive, hashed while written: what its bytes give; owner-only */
	file_sha(path, &whole);
	assert_int_equal(zinfo.bytes, whole.bytes);
	assert_memory_equal(zinfo.sha256, whole.sha256, RP_SHA256_LEN);
	assert_int_equal(stat(path, &fst), 0);
	assert_int_equal(fst.st_mode & 0777, 0600);

	za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 3);
	/* index order is list order; names stay UTF-8 */
	assert_string_equal(zip_get_name(za, 1, ZIP_FL_ENC_RAW), "top/data/été.JPG");
	assert_int_equal(zip_stat_index(za, 0, 0, &st), 0);
	assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
	assert_int_equal(zip_stat_index(za, 1, 0, &st), 0);
	assert_int_equal(st.comp_method, ZIP_CM_STORE);
	assert_int_equal(st.size, 100000);
	assert_int_equal(st.comp_size, 100000);
	zip_close(za);
}

/* Dates the MS-DOS date of a ZIP entry cannot hold (before 1980, after
 * 2107) are held to its ends, not wrapped; dates within it are kept. */
static void test_write_dates(void **state)
{
	char path[128], file[128];
	mem a = { 'a', 10, 0, 0, { 0, { 0 } }, 0, 0, 0, 7258118400 };   /* 2200-01-01 */
	mem b = { 'b', 10, 0, 0, { 0, { 0 } }, 0, 0, 0, -1009843200 };  /* 1938-01-01 */
	mem c = { 'c', 10, 0, 0, { 0, { 0 } }, 0, 0, 0, 1700000000 };
	rp_zip_entry e[4];
	rp_zip_opts zo = { "dates.zip", NULL };
	size_t skipped;
	rp_file_info zinfo;
	const time_t want[4] = { 4354819198, 315532800, 1700000000, 4354819198 };
	zip_stat_t st;
	zip_t *za;
	int err;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(path, sizeof path, "%s/dates.zip", dir);
	snprintf(file, sizeof file, "%s/dated.txt", dir);
	put_file(file, "x");
	memset(e, 0, sizeof e);
	e[0] = (rp_zip_entry){ .name = "t/a", .ops = &mem_ops, .ctx = &a };
	e[1] = (rp_zip_entry){ .name = "t/b", .ops = &mem_ops, .ctx = &b };
	e[2] = (rp_zip_entry){ .name = "t/c", .ops = &mem_ops, .ctx = &c };
	e[3] = (rp_zip_entry){ .name = "t/dated.txt", .file = file, .mtime = 7258118400 };
	assert_int_equal(rp_zip_write(path, e, 4, &zo, &skipped, &zinfo), 0);
	za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	for (zip_uint64_t i = 0; i < 4; i++) {
		assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
		assert_true(st.valid & ZIP_STAT_MTIME);
		assert_int_equal((long long)st.mtime, (long long)want[i]);
	}
	zip_close(za);
	unlink(path);
	unlink(file);
}

/* A stream that asks to be left out: RP_ZIP_RETRY with its index, nothing
 * left at the path; a stream error keeps the stream's message. */
static void test_write_skip_and_fail(void **state)
{
	char path[128];
	mem a = { 'a', 10, 0, 0, { 0, { 0 } }, 0, 0, 0, 0 }, b = { 'b', 70000, 0, RP_ZIP_SKIP, { 0, { 0 } }, 0, 0, 0, 0 };
	mem c = { 'c', 10, 0, 0, { 0, { 0 } }, 0, 0, 0, 0 };
	rp_zip_entry e[3];
	rp_zip_opts zo = { "test.zip", NULL };
	size_t skipped = 99;
	rp_file_info zinfo;
	struct stat st;

	(void)state;
	snprintf(path, sizeof path, "%s/out.zip", dir);
	memset(e, 0, sizeof e);
	e[0].name = "t/a.txt";
	e[0].ops = &mem_ops;
	e[0].ctx = &a;
	e[1].name = "t/b.txt";
	e[1].ops = &mem_ops;
	e[1].ctx = &b;
	e[2].name = "t/c.txt";
	e[2].ops = &mem_ops;
	e[2].ctx = &c;
	assert_int_equal(rp_zip_write(path, e, 3, &zo, &skipped, &zinfo), RP_ZIP_RETRY);
	assert_int_equal(skipped, 1);
	assert_int_equal(c.opened, 0); /* libzip stopped at b */
	assert_int_equal(stat(path, &st), -1);

	b.close_rc = -1;
	rp_error_clear();
	assert_int_equal(rp_zip_write(path, e, 3, &zo, &skipped, &zinfo), -1);
	assert_string_equal(rp_error_message(), "mem stream failed");
	assert_int_equal(stat(path, &st), -1);
}

/* Interrupted (SIGINT, SIGTERM) while libzip copies a file: it stops. */
static void test_write_interrupted(void **state)
{
	char path[128], file[128];
	volatile sig_atomic_t flag = 1;
	rp_zip_entry e;
	rp_zip_opts zo = { "test.zip", &flag };
	size_t skipped;
	rp_file_info zinfo;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/out.zip", dir);
	snprintf(file, sizeof file, "%s/big.sql", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fprintf(f, "INSERT INTO t VALUES (%d);\n", i);
	fclose(f);
	memset(&e, 0, sizeof e);
	e.name = "t/big.sql";
	e.file = file;
	rp_error_clear();
	assert_int_equal(rp_zip_write(path, &e, 1, &zo, &skipped, &zinfo), -1);
	assert_int_equal(rp_error_kind(), RP_E_INTERRUPTED);
	assert_int_equal(stat(path, &st), -1);
	flag = 0;
	assert_int_equal(rp_zip_write(path, &e, 1, &zo, &skipped, &zinfo), 0);
	/* no entry: libzip would write no file, and say nothing */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rp_zip_write(path, &e, 0, &zo, &skipped, &zinfo), -1);
	assert_string_equal(rp_error_message(), "test.zip: an archive needs at least one entry");
	assert_int_equal(stat(path, &st), -1);
}

/* ---- the package's zip form ---- */

static const char *const late_paths[] = { "inventory.xml" };

static int write_late(rp_package *pkg, void *ctx)
{
	rp_sink *s;
	int *calls = ctx;

	(*calls)++;
	if (rp_package_open(pkg, "inventory.xml", &s) < 0)
		return -1;
	rp_sink_puts(s, "<inventory/>\n");
	return rp_package_commit(pkg, s);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 4096);
	assert_non_null(f);
	assert_true(fread(buf, 1, 4095, f) > 0);
	fclose(f);
	return buf;
}

static void test_package_zip(void **state)
{
	char out[128], side[128], hex[RP_SHA256_HEXLEN + 1];
	mem a = { 'a', 5000, 0, 0, { 0, { 0 } }, 0, 0, 0, 0 }, b = { 'b', 7, 0, RP_ZIP_SKIP, { 0, { 0 } }, 0, 0, 0, 0 };
	rp_package *pkg;
	rp_package_summary sum;
	rp_sink *s;
	rp_file_info zi;
	struct stat st;
	char *line;
	int calls = 0, err;
	zip_t *za;
	rp_label labels[] = { { "External-Identifier", "urn:uuid:test" } };

	(void)state;
	snprintf(out, sizeof out, "%s/site.zip", dir);
	snprintf(side, sizeof side, "%s/site.zip.sha256", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	assert_true(rp_package_is_zip(pkg));
	assert_int_equal(rp_package_open(pkg, "database/x/dump.sql", &s), 0);
	assert_int_equal(rp_sink_puts(s, "CREATE TABLE t (a int);\n"), 0);
	assert_int_equal(rp_package_commit(pkg, s), 0);
	assert_int_equal(rp_package_add_stream(pkg, "media/m/a.jpg", &mem_ops, &a), 0);
	assert_int_equal(rp_package_add_stream(pkg, "media/m/b.jpg", &mem_ops, &b), 0);
	assert_int_equal(rp_package_defer(pkg, late_paths, 1, write_late, &calls, NULL), 0);
	assert_int_equal(rp_package_complete(pkg, labels, 1, &sum), 0);
	/* b asked to be left out: the archive was written twice, the late file
	 * once (b failed before it) */
	assert_int_equal(b.opened, 1);
	assert_int_equal(a.opened, 2);
	assert_int_equal(calls, 1);
	assert_int_equal(sum.files, 3); /* dump.sql, a.jpg, inventory.xml */
	assert_int_equal(sum.payload_bytes, strlen("CREATE TABLE t (a int);\n") + 5000 + strlen("<inventory/>\n"));

	/* owner-only, with the sidecar sha256sum reads */
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(side, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	file_sha(out, &zi);
	rp_sha256_hex(zi.sha256, hex);
	assert_string_equal(hex, sum.archive_sha256);
	line = slurp(side);
	assert_int_equal(strlen(line), 64 + 2 + strlen("site.zip") + 1);
	assert_memory_equal(line, hex, 64);
	assert_string_equal(line + 64, "  site.zip\n");
	free(line);

	za = zip_open(out, ZIP_RDONLY | ZIP_CHECKCONS, &err);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 7);
	assert_string_equal(zip_get_name(za, 0, 0), "site/bagit.txt");
	assert_string_equal(zip_get_name(za, 1, 0), "site/data/database/x/dump.sql");
	assert_string_equal(zip_get_name(za, 2, 0), "site/data/media/m/a.jpg");
	assert_string_equal(zip_get_name(za, 3, 0), "site/data/inventory.xml");
	assert_string_equal(zip_get_name(za, 4, 0), "site/manifest-sha256.txt");
	assert_string_equal(zip_get_name(za, 5, 0), "site/bag-info.txt");
	assert_string_equal(zip_get_name(za, 6, 0), "site/tagmanifest-sha256.txt");
	assert_true(zip_name_locate(za, "site/data/media/m/b.jpg", 0) < 0);
	zip_close(za);
	/* nothing else was left beside it */
	snprintf(side, sizeof side, "ls -A %s | grep -v -x -e site.zip -e site.zip.sha256", dir);
	assert_int_not_equal(system(side), 0);

	/* never overwritten: the zip or its sidecar existing is refused */
	rp_error_clear();
	assert_int_equal(rp_package_create(&pkg, out), -1);
	assert_int_equal(rp_error_kind(), RP_E_USAGE);
	assert_int_equal(unlink(out), 0);
	assert_int_equal(rp_package_create(&pkg, out), -1);
	assert_non_null(strstr(rp_error_message(), "site.zip.sha256 already exists"));
	/* a name without a folder name */
	snprintf(out, sizeof out, "%s/.zip", dir);
	assert_int_equal(rp_package_create(&pkg, out), -1);
	assert_int_equal(rp_error_kind(), RP_E_USAGE);
}

/* A failed stream leaves nothing that looks like a package. */
static void test_package_zip_failure(void **state)
{
	char out[128], cmd[256];
	mem a = { 'a', 5000, 0, -1, { 0, { 0 } }, 0, 0, 0, 0 };
	rp_package *pkg;
	rp_package_summary sum;

	(void)state;
	snprintf(out, sizeof out, "%s/fail.zip", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	assert_int_equal(rp_package_add_stream(pkg, "media/m/a.jpg", &mem_ops, &a), 0);
	assert_int_equal(rp_package_complete(pkg, NULL, 0, &sum), -1);
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", dir);
	assert_int_equal(system(cmd), 0);
}

/* Closes arc, and checks that the size and SHA-256 it gives are the
 * file's. */
static void close_and_check(rp_zip_archive *arc, const char *path, rp_file_info *info)
{
	rp_file_info mine;

	assert_int_equal(rp_zip_archive_close(arc, info), 0);
	file_sha(path, &mine);
	assert_int_equal(info->bytes, mine.bytes);
	assert_memory_equal(info->sha256, mine.sha256, RP_SHA256_LEN);
}

/* rp_zip_source_file: ranges of a file across its 1 MiB reads, written
 * through an archive and read back by libzip; a file gone by the time the
 * archive is written fails it, and no archive is left. */
static void test_source_file(void **state)
{
	const size_t total = (3u << 20) + 12345;
	unsigned char *data = malloc(total), *back = malloc(total);
	static const struct { uint64_t off, len; } r[] = {
		{ 0, 0 }, /* the whole file, below */
		{ 0, 1 },
		{ 1, (1u << 20) },              /* ends one byte past a read */
		{ (1u << 20) - 3, (2u << 20) + 7 },
		{ 5, (3u << 20) + 12340 },      /* to the last byte */
	};
	char path[600];
	int dfd, fd;
	zip_t *za;
	rp_zip_archive *arc;
	rp_file_info info;

	(void)state;
	assert_non_null(data);
	assert_non_null(back);
	for (size_t i = 0; i < total; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	snprintf(path, sizeof path, "%s/staged", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, total), (ssize_t)total);
	close(fd);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);

	snprintf(path, sizeof path, "%s/a.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "a.zip"), 0);
	for (size_t k = 0; k < sizeof r / sizeof *r; k++) {
		zip_source_t *src;
		char name[16];
		uint64_t len = r[k].len ? r[k].len : total;
		snprintf(name, sizeof name, "e%zu", k);
		assert_int_equal(rp_zip_source_file(&src, dfd, "staged", r[k].off, len), 0);
		assert_true(zip_file_add(za, name, src, 0) >= 0);
		assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)k, k % 2 ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 1), 0);
	}
	close_and_check(arc, path, &info);

	za = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, NULL);
	assert_non_null(za);
	for (size_t k = 0; k < sizeof r / sizeof *r; k++) {
		uint64_t len = r[k].len ? r[k].len : total;
		zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)k, 0);
		zip_int64_t got, at = 0;
		assert_non_null(zf);
		while ((got = zip_fread(zf, back + at, total - (size_t)at)) > 0)
			at += got;
		assert_int_equal(got, 0);
		assert_int_equal((uint64_t)at, len);
		assert_memory_equal(back, data + r[k].off, (size_t)len);
		zip_fclose(zf);
	}
	zip_close(za);

	/* the staged file is gone when libzip comes to copy it */
	snprintf(path, sizeof path, "%s/b.zip", dir); /* kept until the close */
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "b.zip"), 0);
	{
		zip_source_t *src;
		assert_int_equal(rp_zip_source_file(&src, dfd, "staged", 0, total), 0);
		assert_true(zip_file_add(za, "gone", src, 0) >= 0);
	}
	assert_int_equal(unlinkat(dfd, "staged", 0), 0);
	assert_int_equal(rp_zip_archive_close(arc, &info), -1);
	assert_non_null(strstr(rp_error_message(), "b.zip"));
	assert_int_equal(access(path, F_OK), -1);

	/* shorter than the range said: an error, not a shorter entry */
	fd = openat(dfd, "short", O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, 5000), 5000);
	close(fd);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "b.zip"), 0);
	{
		zip_source_t *src;
		assert_int_equal(rp_zip_source_file(&src, dfd, "short", 1000, 4001), 0);
		assert_true(zip_file_add(za, "short", src, 0) >= 0);
	}
	assert_int_equal(rp_zip_archive_close(arc, &info), -1);
	assert_int_equal(access(path, F_OK), -1);
	close(dfd);
	free(data);
	free(back);
}

/* Adds name holding n bytes of letter from a libzip buffer source. */
static void add_letters(zip_t *za, const char *name, char letter, size_t n, bool deflate, char **keep)
{
	char *buf = malloc(n ? n : 1);
	zip_source_t *src;
	zip_int64_t idx;

	assert_non_null(buf);
	memset(buf, letter, n);
	src = zip_source_buffer(za, buf, n, 0);
	assert_non_null(src);
	idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
	assert_true(idx >= 0);
	assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 1), 0);
	assert_int_equal(zip_file_set_mtime(za, (zip_uint64_t)idx, 1700000000, 0), 0);
	*keep = buf; /* libzip reads it at close */
}

/* An archive written in sessions: every entry reads back, the sessions'
 * central directories are gone but the last, and the SHA-256 taken while
 * writing is the file's. */
static void test_archive_sessions(void **state)
{
	static const struct { const char *name; char letter; size_t n; bool deflate; int session; } e[] = {
		{ "header/a.txt", 'a', 100, true, 0 },
		{ "header/empty", 'e', 0, false, 0 },
		{ "content/big.xml", 'b', (3u << 20) + 77, false, 1 },
		{ "content/big.xsd", 'c', 5000, true, 2 },
		{ "header/meta.xml", 'd', (1u << 20) - 1, true, 2 },
	};
	const size_t n = sizeof e / sizeof *e;
	char path[600], *keep[10] = { NULL };
	rp_zip_archive *arc;
	rp_file_info info;
	zip_t *za;

	(void)state;
	snprintf(path, sizeof path, "%s/s.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "s.zip"), 0);
	for (int session = 0; session < 3; session++) {
		if (session > 0)
			assert_int_equal(rp_zip_archive_continue(arc, &za), 0);
		for (size_t i = 0; i < n; i++)
			if (e[i].session == session)
				add_letters(za, e[i].name, e[i].letter, e[i].n, e[i].deflate, &keep[i]);
		if (session < 2)
			assert_int_equal(rp_zip_archive_commit(arc), 0);
	}
	close_and_check(arc, path, &info);

	za = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, NULL);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)n);
	for (size_t i = 0; i < n; i++) {
		zip_stat_t st;
		zip_file_t *zf;
		char *back = malloc(e[i].n + 1);
		zip_int64_t got, at = 0;
		assert_int_equal(zip_stat_index(za, (zip_uint64_t)i, 0, &st), 0);
		assert_string_equal(st.name, e[i].name);
		assert_int_equal(st.comp_method, e[i].deflate && e[i].n ? ZIP_CM_DEFLATE : ZIP_CM_STORE);
		zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		assert_non_null(zf);
		while ((got = zip_fread(zf, back + at, e[i].n + 1 - (size_t)at)) > 0)
			at += got;
		assert_int_equal(got, 0);
		assert_int_equal((size_t)at, e[i].n);
		for (size_t k = 0; k < e[i].n; k++)
			if (back[k] != e[i].letter)
				fail_msg("%s: byte %zu", e[i].name, k);
		zip_fclose(zf);
		free(back);
	}
	zip_close(za);

	/* the same entries in one session: the same bytes (where the sessions
	 * end does not show in the archive) */
	{
		char one[600];
		rp_file_info single;
		snprintf(one, sizeof one, "%s/one.zip", dir);
		assert_int_equal(rp_zip_archive_open(&arc, &za, one, "one.zip"), 0);
		for (size_t i = 0; i < n; i++) {
			char *k2 = NULL;
			add_letters(za, e[i].name, e[i].letter, e[i].n, e[i].deflate, &k2);
			free(keep[i]);
			keep[i] = k2;
		}
		assert_int_equal(rp_zip_archive_close(arc, &single), 0);
		assert_int_equal(single.bytes, info.bytes);
		assert_memory_equal(single.sha256, info.sha256, RP_SHA256_LEN);
	}

	/* a last session that adds nothing still finishes the archive */
	snprintf(path, sizeof path, "%s/t.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "t.zip"), 0);
	add_letters(za, "one", 'x', 10, false, &keep[5]);
	assert_int_equal(rp_zip_archive_commit(arc), 0);
	assert_int_equal(rp_zip_archive_continue(arc, &za), 0);
	close_and_check(arc, path, &info);
	za = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, NULL);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 1);
	zip_close(za);

	/* closed right after a commit, no session continued: finished */
	snprintf(path, sizeof path, "%s/v.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "v.zip"), 0);
	add_letters(za, "one", 'v', 10, false, &keep[8]);
	assert_int_equal(rp_zip_archive_commit(arc), 0);
	assert_int_equal(rp_zip_archive_commit(arc), -1); /* twice: no session is open */
	assert_string_equal(rp_error_message(), "v.zip: no session is open");
	close_and_check(arc, path, &info);
	za = zip_open(path, ZIP_CHECKCONS | ZIP_RDONLY, NULL);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 1);
	zip_close(za);

	/* a later session that changes an entry of an earlier one cannot keep
	 * what was written: it fails, leaving no file and no descriptor */
	{
		int fds = open_fds();
		snprintf(path, sizeof path, "%s/w.zip", dir);
		assert_int_equal(rp_zip_archive_open(&arc, &za, path, "w.zip"), 0);
		add_letters(za, "one", 'w', 10, false, &keep[9]);
		assert_int_equal(rp_zip_archive_commit(arc), 0);
		assert_int_equal(rp_zip_archive_continue(arc, &za), 0);
		assert_int_equal(zip_file_set_mtime(za, 0, 1600000000, 0), 0);
		assert_int_equal(rp_zip_archive_commit(arc), -1);
		rp_zip_archive_discard(arc);
		assert_int_equal(access(path, F_OK), -1);
		assert_int_equal(open_fds(), fds);
	}

	/* dropped between two sessions, or in the middle of one: no file */
	snprintf(path, sizeof path, "%s/u.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "u.zip"), 0);
	add_letters(za, "one", 'y', 10, false, &keep[6]);
	assert_int_equal(rp_zip_archive_commit(arc), 0);
	assert_int_equal(access(path, F_OK), 0);
	rp_zip_archive_discard(arc);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "u.zip"), 0);
	add_letters(za, "one", 'z', 10, false, &keep[7]);
	assert_int_equal(rp_zip_archive_commit(arc), 0);
	assert_int_equal(rp_zip_archive_continue(arc, &za), 0);
	rp_zip_archive_discard(arc);
	assert_int_equal(access(path, F_OK), -1);
	for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
		free(keep[i]);
}

/* A stop flag read by rp_zip_archive_set_stop's hook. */
static int stop_when_set(void *ctx)
{
	return *(const int *)ctx;
}

/* Stopped while a session is written (an interruption, or the export
 * giving up): the session fails as interrupted, in the first session or
 * a later one, and no file is left. */
static void test_archive_stopped(void **state)
{
	char path[600], *keep[3] = { NULL };
	rp_zip_archive *arc;
	rp_file_info info;
	zip_t *za;
	int stop = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/stop.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "stop.zip"), 0);
	rp_zip_archive_set_stop(arc, stop_when_set, &stop);
	add_letters(za, "a", 'a', 300000, false, &keep[0]);
	assert_int_equal(rp_zip_archive_commit(arc), 0); /* not stopped: written */
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(rp_zip_archive_continue(arc, &za), 0);
	add_letters(za, "b", 'b', 300000, false, &keep[1]);
	stop = 1;
	assert_int_equal(rp_zip_archive_commit(arc), -1);
	assert_int_equal(rp_error_kind(), RP_E_INTERRUPTED);
	assert_string_equal(rp_error_message(), "interrupted while writing stop.zip");
	assert_int_equal(access(path, F_OK), -1);
	/* closing after the failure is allowed: it fails, and creates nothing */
	assert_int_equal(rp_zip_archive_close(arc, &info), -1);
	assert_string_equal(rp_error_message(), "stop.zip: the archive was not written");
	assert_int_equal(access(path, F_OK), -1);

	/* the first session, stopped at its close */
	assert_int_equal(rp_zip_archive_open(&arc, &za, path, "stop.zip"), 0);
	rp_zip_archive_set_stop(arc, stop_when_set, &stop);
	add_letters(za, "c", 'c', 300000, false, &keep[2]);
	assert_int_equal(rp_zip_archive_close(arc, &info), -1);
	assert_int_equal(rp_error_kind(), RP_E_INTERRUPTED);
	assert_int_equal(access(path, F_OK), -1);
	for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
		free(keep[i]);
}

/* A file written a piece at a time while libzip reads it. */
typedef struct grower {
	int fd;
	uint64_t size, total;
	unsigned calls;
	bool cancel_at_second;
} grower;

static int64_t grow_more(void *ctx, uint64_t loaded)
{
	grower *g = ctx;
	unsigned char piece[700 * 1024];

	g->calls++;
	if (g->cancel_at_second && g->calls == 2)
		return -1;
	if (loaded < g->size)
		fail_msg("asked for more while %llu of %llu bytes were unread", (unsigned long long)loaded,
		         (unsigned long long)g->size);
	if (g->size < g->total) {
		size_t n = g->total - g->size < sizeof piece ? (size_t)(g->total - g->size) : sizeof piece;
		for (size_t i = 0; i < n; i++)
			piece[i] = (unsigned char)((g->size + i) * 7 >> 3);
		assert_int_equal(pwrite(g->fd, piece, n, (off_t)g->size), (ssize_t)n);
		g->size += n;
	}
	return (int64_t)g->size;
}

static void test_source_growing(void **state)
{
	char path[600], zpath[600];
	int dfd;
	grower g = { -1, 0, (2u << 20) + 999, 0, false };
	rp_zip_archive *arc;
	rp_file_info info;
	zip_source_t *src;
	zip_t *za;

	(void)state;
	snprintf(path, sizeof path, "%s/growing", dir);
	g.fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(g.fd >= 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	snprintf(zpath, sizeof zpath, "%s/g.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, zpath, "g.zip"), 0);
	assert_int_equal(rp_zip_source_growing(&src, dfd, "growing", grow_more, &g), 0);
	assert_true(zip_file_add(za, "rows.xml", src, 0) >= 0);
	assert_int_equal(zip_set_file_compression(za, 0, ZIP_CM_STORE, 0), 0);
	assert_int_equal(rp_zip_archive_close(arc, &info), 0);
	/* one call per piece, and one more that finds the file complete */
	assert_int_equal(g.calls, 4); /* 3 pieces of 700 KiB */
	za = zip_open(zpath, ZIP_CHECKCONS | ZIP_RDONLY, NULL);
	assert_non_null(za);
	{
		zip_file_t *zf = zip_fopen_index(za, 0, 0);
		unsigned char b[4096];
		zip_int64_t got;
		uint64_t at = 0;
		assert_non_null(zf);
		while ((got = zip_fread(zf, b, sizeof b)) > 0)
			for (zip_int64_t i = 0; i < got; i++, at++)
				if (b[i] != (unsigned char)(at * 7 >> 3))
					fail_msg("byte %llu", (unsigned long long)at);
		assert_int_equal(got, 0);
		assert_int_equal(at, g.total);
		zip_fclose(zf);
	}
	zip_close(za);

	/* the writer gives up: the archive fails and is gone */
	assert_int_equal(ftruncate(g.fd, 0), 0);
	g.size = 0;
	g.calls = 0;
	g.cancel_at_second = true;
	snprintf(zpath, sizeof zpath, "%s/h.zip", dir);
	assert_int_equal(rp_zip_archive_open(&arc, &za, zpath, "h.zip"), 0);
	assert_int_equal(rp_zip_source_growing(&src, dfd, "growing", grow_more, &g), 0);
	assert_true(zip_file_add(za, "rows.xml", src, 0) >= 0);
	assert_int_equal(rp_zip_archive_close(arc, &info), -1);
	assert_int_equal(access(zpath, F_OK), -1);
	close(g.fd);
	close(dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stored),
		cmocka_unit_test_setup_teardown(test_write_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_skip_and_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_package_zip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_package_zip_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_growing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
