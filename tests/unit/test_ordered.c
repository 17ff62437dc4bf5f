/* Ordered sections: land in order, whatever order they are written and
 * ended in; a section whose turn comes while it is written hands over from
 * its scratch file to the file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/ordered.h"

/* n bytes of section idx: a pattern that tells sections and offsets apart */
static void fill(char *p, size_t n, size_t idx, size_t from)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + idx * 5 + (from + i) % 5);
}

static void test_order_and_hand_over(void **state)
{
	static char chunk[300000];
	static const size_t len[4] = { 300000, 900000, 10, 700000 };
	char dir[] = "/tmp/rp-test-ordered-XXXXXX";
	rp_buf main = RP_BUF_INIT;
	rp_ordered *ord;
	rp_section *sec[4];
	rp_out o[4];
	size_t written[4] = { 0 };
	int dirfd;
	struct stat st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	assert_int_equal(rp_ordered_new(&ord, rp_out_buf(&main), dirfd, "scratch", 4), 0);

	/* 0 goes straight to the file, 1 and 3 to scratch files */
	assert_int_equal(rp_ordered_begin(ord, 0, &sec[0], &o[0]), 0);
	assert_int_equal(rp_ordered_begin(ord, 1, &sec[1], &o[1]), 0);
	assert_int_equal(rp_ordered_begin(ord, 3, &sec[3], &o[3]), 0);
	assert_int_equal(fstatat(dirfd, "scratch/1.part", &st, 0), 0);
#define WRITE(i, n)                                                   \
	do {                                                          \
		fill(chunk, (n), (i), written[i]);                   \
		assert_int_equal(rp_out_write(&o[i], chunk, (n)), 0); \
		written[i] += (n);                                    \
	} while (0)
	WRITE(1, 300000);   /* into its scratch file */
	WRITE(3, 300000);
	WRITE(0, 300000);
	assert_int_equal(rp_ordered_end(ord, sec[0]), 0);
	assert_int_equal(main.len, 300000); /* 1 and 3 wait in scratch files */
	/* 1's turn came: its next flush appends its scratch file and goes on
	 * straight to the file */
	WRITE(1, 300000);
	assert_true(main.len >= 600000);
	assert_int_equal(fstatat(dirfd, "scratch/1.part", &st, 0), -1);
	assert_int_equal(fstatat(dirfd, "scratch/3.part", &st, 0), 0);
	WRITE(1, 300000);
	WRITE(3, 300000);
	WRITE(3, 100000);
	assert_int_equal(rp_ordered_end(ord, sec[3]), 0); /* waits for 2 */
	assert_int_equal(rp_ordered_end(ord, sec[1]), 0);
	assert_int_equal(main.len, 1200000); /* 3 still waits for 2 */
	assert_int_equal(rp_ordered_begin(ord, 2, &sec[2], &o[2]), 0);
	WRITE(2, 10);
	assert_int_equal(rp_ordered_end(ord, sec[2]), 0);
	assert_int_equal(main.len, 1900010);
	assert_int_equal(rp_ordered_finish(ord), 0);
	rp_ordered_free(ord);
#undef WRITE

	/* the bytes, in section order */
	{
		size_t off = 0;
		for (size_t i = 0; i < 4; i++) {
			char *want = malloc(len[i]);
			assert_int_equal(written[i], len[i]);
			fill(want, len[i], i, 0);
			assert_memory_equal(main.data + off, want, len[i]);
			free(want);
			off += len[i];
		}
		assert_int_equal(main.len, off);
	}
	/* no scratch file or folder left */
	assert_int_equal(fstatat(dirfd, "scratch", &st, 0), -1);
	close(dirfd);
	assert_int_equal(rmdir(dir), 0);
	rp_buf_free(&main);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_hand_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
