/* Ordered sections: land in order, whatever order they are written and
 * ended in; a section whose turn comes while it is written hands over from
 * its scratch file to the file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
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

/* Threads take sections in order, as the export's connections take key
 * ranges, and write them in pieces of random sizes with pauses: whatever
 * the interleaving (hand-overs, scratch files copied while other sections
 * are written), the file holds every section in order. */
enum { NSEC = 40, NTHREADS = 4 };

typedef struct race {
	rp_ordered *ord;
	pthread_mutex_t mu;
	size_t next;
	size_t len[NSEC];
	unsigned seed;
	int failed;
} race;

static void *racer(void *arg)
{
	race *r = arg;
	char *piece = malloc(100000);
	unsigned seed;

	pthread_mutex_lock(&r->mu);
	seed = r->seed++;
	pthread_mutex_unlock(&r->mu);
	for (;;) {
		rp_section *sec;
		rp_out o;
		size_t idx, done = 0;

		pthread_mutex_lock(&r->mu);
		idx = r->next++;
		pthread_mutex_unlock(&r->mu);
		if (idx >= NSEC)
			break;
		if (rp_ordered_begin(r->ord, idx, &sec, &o) < 0) {
			r->failed = 1;
			break;
		}
		while (done < r->len[idx]) {
			size_t k = 1 + (size_t)rand_r(&seed) % 100000;
			if (k > r->len[idx] - done)
				k = r->len[idx] - done;
			fill(piece, k, idx, done);
			if (rp_out_write(&o, piece, k) < 0)
				r->failed = 1;
			done += k;
			if (rand_r(&seed) % 8 == 0)
				usleep(rand_r(&seed) % 200);
		}
		if (rp_ordered_end(r->ord, sec) < 0)
			r->failed = 1;
	}
	free(piece);
	return NULL;
}

static void test_threads_in_any_order(void **state)
{
	(void)state;
	for (unsigned round = 0; round < 12; round++) {
		char dir[] = "/tmp/rp-test-ordered-XXXXXX";
		rp_buf main = RP_BUF_INIT;
		pthread_t th[NTHREADS];
		race r;
		size_t off = 0;
		int dirfd;

		memset(&r, 0, sizeof r);
		pthread_mutex_init(&r.mu, NULL);
		r.seed = round * 7919u + 1;
		srand(round + 1);
		for (size_t i = 0; i < NSEC; i++)
			r.len[i] = (size_t)rand() % 3 == 0 ? (size_t)rand() % 1000 : (size_t)rand() % 900000;
		assert_non_null(mkdtemp(dir));
		dirfd = open(dir, O_RDONLY | O_DIRECTORY);
		assert_true(dirfd >= 0);
		assert_int_equal(rp_ordered_new(&r.ord, rp_out_buf(&main), dirfd, "scratch", NSEC), 0);
		for (int t = 0; t < NTHREADS; t++)
			assert_int_equal(pthread_create(&th[t], NULL, racer, &r), 0);
		for (int t = 0; t < NTHREADS; t++)
			pthread_join(th[t], NULL);
		assert_int_equal(r.failed, 0);
		assert_int_equal(rp_ordered_finish(r.ord), 0);
		rp_ordered_free(r.ord);
		for (size_t i = 0; i < NSEC; i++) {
			char *want = malloc(r.len[i] + 1);
			fill(want, r.len[i], i, 0);
			assert_true(off + r.len[i] <= main.len);
			assert_memory_equal(main.data + off, want, r.len[i]);
			free(want);
			off += r.len[i];
		}
		assert_int_equal(main.len, off);
		assert_int_equal(faccessat(dirfd, "scratch", F_OK, 0), -1);
		close(dirfd);
		assert_int_equal(rmdir(dir), 0);
		rp_buf_free(&main);
		pthread_mutex_destroy(&r.mu);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_hand_over),
		cmocka_unit_test(test_threads_in_any_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
