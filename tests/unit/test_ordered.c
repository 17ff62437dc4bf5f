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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/ordered.h"

#include "unit_util.h"

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

/* An output that takes `room` bytes, then fails as a full disk would. */
typedef struct small_out {
	rp_buf buf;
	size_t room;
} small_out;

static int small_write(void *ctx, const void *p, size_t n)
{
	small_out *o = ctx;

	if (n > o->room)
		return rp_error_set(RP_E_IO, "no space left (test)");
	o->room -= n;
	return rp_buf_put(&o->buf, p, n);
}

/* A section that fails is not counted as written: no descriptor or scratch
 * file is left, nothing after it is appended, the error reported is the
 * one that happened, and rp_ordered_finish fails. */
static void test_failures(void **state)
{
	static char chunk[300000];
	char dir[] = "/tmp/rp-test-ordered-XXXXXX";
	small_out out = { RP_BUF_INIT, 1000 };
	rp_out main = { small_write, &out };
	rp_ordered *ord;
	rp_section *sec[3];
	rp_out o[3];
	struct rlimit old, lim;
	int dirfd, fds;
	(void)state;

	memset(chunk, 'x', sizeof chunk);
	assert_non_null(mkdtemp(dir));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);

	/* 1. Section 1's turn comes in its own end (section 0 ended first),
	 * and copying its scratch file into the output fails. */
	fds = open_fds();
	assert_int_equal(rp_ordered_new(&ord, main, dirfd, "s1", 2), 0);
	assert_int_equal(rp_ordered_begin(ord, 0, &sec[0], &o[0]), 0);
	assert_int_equal(rp_ordered_begin(ord, 1, &sec[1], &o[1]), 0);
	assert_int_equal(rp_out_write(&o[1], chunk, sizeof chunk), 0); /* 256 KiB on its scratch file */
	assert_int_equal(rp_out_write(&o[0], "hello", 5), 0);
	assert_int_equal(rp_ordered_end(ord, sec[0]), 0);
	assert_int_equal(rp_ordered_end(ord, sec[1]), -1);
	assert_string_equal(rp_error_message(), "no space left (test)");
	assert_int_equal(open_fds(), fds);
	assert_int_equal(faccessat(dirfd, "s1/1.part", F_OK, 0), -1);
	assert_int_equal(rp_ordered_finish(ord), -1);
	assert_string_equal(rp_error_message(), "section 1 of 2 failed");
	rp_ordered_free(ord);
	assert_int_equal(faccessat(dirfd, "s1", F_OK, 0), -1);

	/* 2. Section 1's last write into its scratch file fails (a file size
	 * limit): section 0 still lands, section 1 does not, finish fails. */
	out.buf.len = 0;
	out.room = (size_t)-1;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100000;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(rp_ordered_new(&ord, main, dirfd, "s2", 2), 0);
	assert_int_equal(rp_ordered_begin(ord, 0, &sec[0], &o[0]), 0);
	assert_int_equal(rp_ordered_begin(ord, 1, &sec[1], &o[1]), 0);
	assert_int_equal(rp_out_write(&o[1], chunk, 200000), 0); /* still in its buffer */
	assert_int_equal(rp_ordered_end(ord, sec[1]), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(faccessat(dirfd, "s2/1.part", F_OK, 0), -1);
	assert_int_equal(rp_out_write(&o[0], "hello", 5), 0);
	assert_int_equal(rp_ordered_end(ord, sec[0]), 0);
	assert_int_equal(out.buf.len, 5);
	assert_int_equal(rp_ordered_finish(ord), -1);
	assert_string_equal(rp_error_message(), "section 1 of 2 failed");
	rp_ordered_free(ord);
	assert_int_equal(faccessat(dirfd, "s2", F_OK, 0), -1);

	/* 3. Appending a finished scratch section fails: the error is that
	 * failure, and a later call does not replace it with "cannot open". */
	out.buf.len = 0;
	out.room = 500;
	assert_int_equal(rp_ordered_new(&ord, main, dirfd, "s3", 3), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(rp_ordered_begin(ord, i, &sec[i], &o[i]), 0);
	assert_int_equal(rp_out_write(&o[1], chunk, 1000), 0);
	assert_int_equal(rp_ordered_end(ord, sec[1]), 0);
	assert_int_equal(rp_out_write(&o[2], chunk, 10), 0);
	assert_int_equal(rp_ordered_end(ord, sec[2]), 0);
	assert_int_equal(rp_out_write(&o[0], "hello", 5), 0);
	assert_int_equal(rp_ordered_end(ord, sec[0]), -1);
	assert_string_equal(rp_error_message(), "no space left (test)");
	assert_int_equal(rp_ordered_finish(ord), -1);
	assert_string_equal(rp_error_message(), "section 1 of 3 failed");
	rp_ordered_free(ord);
	assert_int_equal(faccessat(dirfd, "s3", F_OK, 0), -1);

	rp_buf_free(&out.buf);
	close(dirfd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_hand_over),
		cmocka_unit_test(test_threads_in_any_order),
		cmocka_unit_test(test_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
