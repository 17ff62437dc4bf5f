/* Sinks: hashed while written, atomic on commit, nothing left on abort. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/sink.h"

static char dir[64];
static int dirfd_;

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/rp-test-sink-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY);
	return dirfd_ < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dirfd_);
	rp_remove_tree(dir);
	return 0;
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_commit_hashes_and_renames(void **state)
{
	rp_sink *s;
	rp_file_info info;
	uint8_t expect[32];
	char *big = malloc(1 << 20);
	char path[128], *back;
	FILE *f;
	(void)state;

	for (size_t i = 0; i < (1u << 20); i++)
		big[i] = (char)(i % 251);
	assert_int_equal(rp_sink_open(&s, dirfd_, "a.bin", NULL), 0);
	/* small writes, one larger than the buffer, a large one into the empty
	 * buffer (not copied), small again, one that fits behind them, one
	 * that does not */
	static const size_t sizes[] = { 3, 1 << 20, 70000, 3, 100000, 200000 };
	size_t total = 0;
	char *want = malloc(2 << 20);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		const char *src = sizes[k] == 3 ? (k ? "xyz" : "abc") : sizes[k] < (1u << 20) ? big + k : big;
		assert_int_equal(rp_sink_write(s, src, sizes[k]), 0);
		memcpy(want + total, src, sizes[k]);
		total += sizes[k];
	}
	assert_int_equal(rp_sink_bytes(s), total);
	/* nothing under the final name before commit */
	snprintf(path, sizeof path, "%s/a.bin", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rp_sink_commit(s, &info), 0);
	assert_int_equal(info.bytes, total);

	back = malloc(info.bytes);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, info.bytes, f), info.bytes);
	fclose(f);
	assert_memory_equal(back, want, total);
	assert_int_equal(rp_sha256_oneshot(want, total, expect), 0);
	assert_memory_equal(info.sha256, expect, 32);
	free(want);
	assert_int_equal(entries(), 1); /* no temporary left */
	unlink(path);
	free(back);
	free(big);
}

static void test_abort_leaves_nothing(void **state)
{
	rp_sink *s;
	(void)state;

	assert_int_equal(rp_sink_open(&s, dirfd_, "b.txt", NULL), 0);
	assert_int_equal(rp_sink_puts(s, "partial"), 0);
	assert_int_equal(entries(), 1); /* the temporary */
	rp_sink_abort(s);
	assert_int_equal(entries(), 0);
}

static void test_existing_target_refused(void **state)
{
	rp_sink *s = NULL;
	char path[128];
	int fd;
	(void)state;

	snprintf(path, sizeof path, "%s/c.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(write(fd, "keep", 4) == 4);
	close(fd);
	assert_int_equal(rp_sink_open(&s, dirfd_, "c.txt", "data/c.txt"), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), "data/c.txt"));
	assert_null(s);
	unlink(path);
}

/* Bulk: written under its own name (a name that looks like another
 * file's temporary is fine), hashed, refused when it exists, removed on
 * abort. */
static void test_bulk(void **state)
{
	rp_sink *s, *t;
	rp_file_info info;
	uint8_t expect[32];
	struct stat st;
	char path[128];
	(void)state;

	assert_int_equal(rp_sink_open_bulk(&s, dirfd_, "d.jpg", "data/media/m/d.jpg"), 0);
	assert_int_equal(rp_sink_open_bulk(&t, dirfd_, ".d.jpg.rp-tmp", NULL), 0);
	assert_int_equal(rp_sink_puts(s, "jpeg bytes"), 0);
	assert_int_equal(entries(), 2); /* under their own names from the start */
	snprintf(path, sizeof path, "%s/d.jpg", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(rp_sink_commit(s, &info), 0);
	assert_int_equal(info.bytes, 10);
	assert_int_equal(rp_sha256_oneshot("jpeg bytes", 10, expect), 0);
	assert_memory_equal(info.sha256, expect, 32);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 10);
	rp_sink_abort(t);
	assert_int_equal(entries(), 1);
	rp_error_clear();
	assert_int_equal(rp_sink_open_bulk(&s, dirfd_, "d.jpg", "data/media/m/d.jpg"), -1);
	assert_non_null(strstr(rp_error_message(), "data/media/m/d.jpg already exists"));
	unlink(path);
}

static void test_disk_full_is_sticky(void **state)
{
	/* /dev/full as the folder is not possible; write through a sink whose
	 * folder is a small tmpfs when one can be mounted, else skip. */
	char mnt[64];
	char cmd[200];
	int mfd;
	rp_sink *s;
	rp_file_info info;
	char block[4096];
	int rc = 0;
	(void)state;

	strcpy(mnt, "/tmp/rp-test-full-XXXXXX");
	assert_non_null(mkdtemp(mnt));
	snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=64k tmpfs %s 2>/dev/null", mnt);
	if (getuid() != 0 || system(cmd) != 0) {
		rmdir(mnt);
		skip();
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY);
	assert_int_equal(rp_sink_open(&s, mfd, "big", "data/big"), 0);
	memset(block, 'x', sizeof block);
	for (int i = 0; i < 64 && rc == 0; i++)
		rc = rp_sink_write(s, block, sizeof block);
	if (rc == 0)
		rc = rp_sink_commit(s, &info);
	else {
		/* sticky: the next write fails too, and commit fails */
		assert_int_equal(rp_sink_write(s, "y", 1), -1);
		assert_int_equal(rp_sink_commit(s, &info), -1);
	}
	assert_int_equal(rc, -1);
	assert_non_null(strstr(rp_error_message(), "data/big"));
	/* nothing left on the full file system */
	assert_int_equal(faccessat(mfd, "big", F_OK, 0), -1);
	assert_int_equal(faccessat(mfd, ".big.rp-tmp", F_OK, 0), -1);
	close(mfd);
	snprintf(cmd, sizeof cmd, "umount %s", mnt);
	assert_int_equal(system(cmd), 0);
	rmdir(mnt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_hashes_and_renames),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_existing_target_refused),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_disk_full_is_sticky),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
