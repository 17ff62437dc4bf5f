/* bghash: bytes fed in pieces of every size, for several contexts in turn,
 * give the digests of one-shot SHA-256. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/bghash.h"
#include "revpack/hash.h"

#define DATA_LEN ((size_t)5 * RP_BGHASH_BLOCKS * RP_BGHASH_BLOCK / 2 + 12345) /* wraps the ring twice */

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *d = malloc(n);

	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		d[i] = (uint8_t)(seed >> 16);
	}
	return d;
}

/* Pieces of 1 byte to more than a block, as a stream reader hands them. */
static size_t piece(size_t k)
{
	static const size_t sizes[] = { 1, 7, 8192, 65536, RP_BGHASH_BLOCK - 1, RP_BGHASH_BLOCK + 3, 3 };
	return sizes[k % (sizeof sizes / sizeof sizes[0])];
}

/* Feeds n bytes of d for h in pieces of every size, from piece k on. */
static void feed_all(rp_bghash *bh, rp_sha256 *h, const uint8_t *d, size_t n, size_t k)
{
	for (size_t off = 0; off < n;) {
		size_t m = piece(k++);
		if (m > n - off)
			m = n - off;
		assert_int_equal(rp_bghash_feed(bh, h, d + off, m), 0);
		off += m;
	}
}

static void test_one_context(void **state)
{
	uint8_t *d = pattern(DATA_LEN, 1), want[RP_SHA256_LEN], got[RP_SHA256_LEN];
	rp_sha256 h;
	rp_bghash *bh;

	(void)state;
	assert_int_equal(rp_sha256_oneshot(d, DATA_LEN, want), 0);
	assert_int_equal(rp_bghash_new(&bh), 0);
	assert_int_equal(rp_sha256_init(&h), 0);
	feed_all(bh, &h, d, DATA_LEN, 0);
	assert_int_equal(rp_bghash_wait(bh), 0);
	assert_int_equal(rp_sha256_final(&h, got), 0);
	assert_memory_equal(got, want, RP_SHA256_LEN);
	rp_sha256_free(&h);
	rp_bghash_free(bh);
	free(d);
}

/* Three streams one after the other on one hasher (as the zip writer does:
 * wait, final, next stream), an empty one among them; then a context
 * abandoned half-way and the hasher freed with data queued. */
static void test_streams_in_turn(void **state)
{
	static const size_t lens[] = { 3 * RP_BGHASH_BLOCK + 5, 0, 100 };
	rp_bghash *bh;

	(void)state;
	assert_int_equal(rp_bghash_new(&bh), 0);
	for (size_t s = 0; s < 3; s++) {
		uint8_t *d = pattern(lens[s] ? lens[s] : 1, (uint32_t)s + 7), want[RP_SHA256_LEN], got[RP_SHA256_LEN];
		rp_sha256 h;

		assert_int_equal(rp_sha256_oneshot(d, lens[s], want), 0);
		assert_int_equal(rp_sha256_init(&h), 0);
		feed_all(bh, &h, d, lens[s], s);
		assert_int_equal(rp_bghash_wait(bh), 0);
		assert_int_equal(rp_sha256_final(&h, got), 0);
		assert_memory_equal(got, want, RP_SHA256_LEN);
		rp_sha256_free(&h);
		free(d);
	}
	{
		uint8_t *d = pattern(DATA_LEN, 99);
		rp_sha256 h;
		assert_int_equal(rp_sha256_init(&h), 0);
		assert_int_equal(rp_bghash_feed(bh, &h, d, DATA_LEN / 2), 0);
		rp_bghash_free(bh); /* joins the thread: h is no longer used */
		rp_sha256_free(&h);
		free(d);
	}
}

/* Contexts interleaved piece by piece: each gets its own bytes in order. */
static void test_interleaved(void **state)
{
	uint8_t *a = pattern(DATA_LEN, 3), *b = pattern(DATA_LEN / 3, 4);
	uint8_t wa[RP_SHA256_LEN], wb[RP_SHA256_LEN], ga[RP_SHA256_LEN], gb[RP_SHA256_LEN];
	rp_sha256 ha, hb;
	rp_bghash *bh;
	size_t oa = 0, ob = 0, k = 0;

	(void)state;
	assert_int_equal(rp_sha256_oneshot(a, DATA_LEN, wa), 0);
	assert_int_equal(rp_sha256_oneshot(b, DATA_LEN / 3, wb), 0);
	assert_int_equal(rp_bghash_new(&bh), 0);
	assert_int_equal(rp_sha256_init(&ha), 0);
	assert_int_equal(rp_sha256_init(&hb), 0);
	while (oa < DATA_LEN || ob < DATA_LEN / 3) {
		size_t n = piece(k++);
		if (oa < DATA_LEN) {
			size_t m = n < DATA_LEN - oa ? n : DATA_LEN - oa;
			assert_int_equal(rp_bghash_feed(bh, &ha, a + oa, m), 0);
			oa += m;
		}
		if (ob < DATA_LEN / 3) {
			size_t m = n < DATA_LEN / 3 - ob ? n : DATA_LEN / 3 - ob;
			assert_int_equal(rp_bghash_feed(bh, &hb, b + ob, m), 0);
			ob += m;
		}
	}
	assert_int_equal(rp_bghash_wait(bh), 0);
	assert_int_equal(rp_sha256_final(&ha, ga), 0);
	assert_int_equal(rp_sha256_final(&hb, gb), 0);
	assert_memory_equal(ga, wa, RP_SHA256_LEN);
	assert_memory_equal(gb, wb, RP_SHA256_LEN);
	rp_sha256_free(&ha);
	rp_sha256_free(&hb);
	rp_bghash_free(bh);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_context),
		cmocka_unit_test(test_streams_in_turn),
		cmocka_unit_test(test_interleaved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
