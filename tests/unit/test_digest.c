/* Content digest: the definition in formats/digest.md, checked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/digest.h"
#include "revpack/hash.h"

/* Row hash computed independently of rp_rowhash: build the byte string. */
static void manual_row(const char *const *vals, const size_t *lens, size_t n, uint8_t out[32])
{
	uint8_t buf[1024];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (!vals[i]) {
			buf[o++] = 0x00;
		} else {
			buf[o++] = 0x01;
			for (int k = 7; k >= 0; k--)
				buf[o++] = (uint8_t)((uint64_t)lens[i] >> (8 * k));
			memcpy(buf + o, vals[i], lens[i]);
			o += lens[i];
		}
	}
	assert_int_equal(rp_sha256_oneshot(buf, o, out), 0);
}

static void row_of(rp_rowhash *h, const char *const *vals, const size_t *lens, size_t n, uint8_t out[32])
{
	assert_int_equal(rp_rowhash_begin(h), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vals[i] ? rp_rowhash_value(h, vals[i], lens[i]) : rp_rowhash_null(h), 0);
	assert_int_equal(rp_rowhash_end(h, out), 0);
}

static void test_row_hash_matches_definition(void **state)
{
	const char *vals[] = { "1", NULL, "", "h\xc3\xa9llo" };
	const size_t lens[] = { 1, 0, 0, 6 };
	uint8_t a[32], b[32];
	rp_rowhash h;
	(void)state;

	assert_int_equal(rp_rowhash_init(&h), 0);
	row_of(&h, vals, lens, 4, a);
	manual_row(vals, lens, 4, b);
	assert_memory_equal(a, b, 32);
	/* reuse of the contexts gives the same answer */
	row_of(&h, vals, lens, 4, a);
	assert_memory_equal(a, b, 32);
	rp_rowhash_free(&h);
}

static void test_null_differs_from_empty(void **state)
{
	const char *v1[] = { NULL };
	const char *v2[] = { "" };
	const size_t l[] = { 0 };
	uint8_t a[32], b[32];
	rp_rowhash h;
	(void)state;

	assert_int_equal(rp_rowhash_init(&h), 0);
	row_of(&h, v1, l, 1, a);
	row_of(&h, v2, l, 1, b);
	assert_memory_not_equal(a, b, 32);
	rp_rowhash_free(&h);
}

static void test_cell_boundaries_matter(void **state)
{
	/* ("ab","c") and ("a","bc") must differ: each cell is hashed alone. */
	const char *v1[] = { "ab", "c" };
	const size_t l1[] = { 2, 1 };
	const char *v2[] = { "a", "bc" };
	const size_t l2[] = { 1, 2 };
	uint8_t a[32], b[32];
	rp_rowhash h;
	(void)state;

	assert_int_equal(rp_rowhash_init(&h), 0);
	row_of(&h, v1, l1, 2, a);
	row_of(&h, v2, l2, 2, b);
	assert_memory_not_equal(a, b, 32);
	rp_rowhash_free(&h);
}

static void test_streamed_value_equals_whole(void **state)
{
	uint8_t a[32], b[32];
	rp_rowhash h;
	(void)state;

	assert_int_equal(rp_rowhash_init(&h), 0);
	assert_int_equal(rp_rowhash_begin(&h), 0);
	assert_int_equal(rp_rowhash_value(&h, "hello world", 11), 0);
	assert_int_equal(rp_rowhash_end(&h, a), 0);
	assert_int_equal(rp_rowhash_begin(&h), 0);
	assert_int_equal(rp_rowhash_value_begin(&h, 11), 0);
	assert_int_equal(rp_rowhash_value_update(&h, "hello", 5), 0);
	assert_int_equal(rp_rowhash_value_update(&h, " world", 6), 0);
	assert_int_equal(rp_rowhash_value_end(&h), 0);
	assert_int_equal(rp_rowhash_end(&h, b), 0);
	assert_memory_equal(a, b, 32);
	/* pieces that do not add up to the declared length are refused */
	assert_int_equal(rp_rowhash_begin(&h), 0);
	assert_int_equal(rp_rowhash_value_begin(&h, 3), 0);
	assert_int_equal(rp_rowhash_value_update(&h, "abcd", 4), -1);
	assert_int_equal(rp_rowhash_begin(&h), 0);
	assert_int_equal(rp_rowhash_value_begin(&h, 3), 0);
	assert_int_equal(rp_rowhash_value_update(&h, "ab", 2), 0);
	assert_int_equal(rp_rowhash_value_end(&h), -1);
	rp_rowhash_free(&h);
}

/* Rows mixing NULLs, short values (gathered before they are hashed) and
 * long ones (hashed where they are), whole and in pieces, over more than
 * the gathering buffer: the same bytes as the definition. */
static void test_gathered_and_long_values(void **state)
{
	static const size_t sizes[] = { 0, 1, 9, 63, 64, 65, 2047, 2048, 2049, 5000, 8191, 8192, 8193, 70000 };
	size_t n = sizeof sizes / sizeof sizes[0], total = 0, o = 0;
	unsigned char *vals, *all;
	uint8_t a[32], b[32];
	rp_rowhash h;
	(void)state;

	for (size_t i = 0; i < n; i++)
		total += 2 * (sizes[i] + 9) + 1;
	vals = malloc(70000);
	all = malloc(total);
	assert_non_null(vals);
	assert_non_null(all);
	for (size_t i = 0; i < 70000; i++)
		vals[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(rp_rowhash_init(&h), 0);
	for (int round = 0; round < 2; round++) {
		o = 0;
		assert_int_equal(rp_rowhash_begin(&h), 0);
		for (size_t i = 0; i < n; i++) {
			/* each size twice: whole, then in pieces of 1000 bytes; a NULL between */
			assert_int_equal(rp_rowhash_value(&h, vals, sizes[i]), 0);
			assert_int_equal(rp_rowhash_value_begin(&h, sizes[i]), 0);
			for (size_t off = 0; off < sizes[i]; off += 1000)
				assert_int_equal(rp_rowhash_value_update(&h, vals + off,
				                                         sizes[i] - off < 1000 ? sizes[i] - off : 1000), 0);
			assert_int_equal(rp_rowhash_value_end(&h), 0);
			assert_int_equal(rp_rowhash_null(&h), 0);
			for (int twice = 0; twice < 2; twice++) {
				all[o++] = 0x01;
				for (int k = 7; k >= 0; k--)
					all[o++] = (uint8_t)((uint64_t)sizes[i] >> (8 * k));
				memcpy(all + o, vals, sizes[i]);
				o += sizes[i];
			}
			all[o++] = 0x00;
		}
		assert_int_equal(rp_rowhash_end(&h, a), 0);
		assert_int_equal(o, total);
		assert_int_equal(rp_sha256_oneshot(all, o, b), 0);
		assert_memory_equal(a, b, 32);
	}
	rp_rowhash_free(&h);
	free(vals);
	free(all);
}

static void test_sum_is_order_independent_and_counts_duplicates(void **state)
{
	uint8_t r1[32], r2[32], r3[32];
	rp_digest d1, d2, d3, part;
	char h1[65], h2[65], h3[65];
	(void)state;

	assert_int_equal(rp_sha256_oneshot("a", 1, r1), 0);
	assert_int_equal(rp_sha256_oneshot("b", 1, r2), 0);
	assert_int_equal(rp_sha256_oneshot("c", 1, r3), 0);
	rp_digest_init(&d1);
	rp_digest_add(&d1, r1);
	rp_digest_add(&d1, r2);
	rp_digest_add(&d1, r3);
	rp_digest_init(&d2);
	rp_digest_add(&d2, r3);
	rp_digest_add(&d2, r1);
	rp_digest_add(&d2, r2);
	rp_digest_hex(&d1, h1);
	rp_digest_hex(&d2, h2);
	assert_string_equal(h1, h2);
	assert_int_equal(d1.rows, 3);
	/* chunked: two partial digests merged */
	rp_digest_init(&d3);
	rp_digest_add(&d3, r2);
	rp_digest_init(&part);
	rp_digest_add(&part, r3);
	rp_digest_add(&part, r1);
	rp_digest_merge(&d3, &part);
	rp_digest_hex(&d3, h3);
	assert_string_equal(h1, h3);
	assert_int_equal(d3.rows, 3);
	/* a duplicate row changes the digest */
	rp_digest_add(&d2, r1);
	rp_digest_hex(&d2, h2);
	assert_string_not_equal(h1, h2);
}

static void test_sum_carries_modulo_2_256(void **state)
{
	uint8_t ff[32], one[32];
	rp_digest d;
	char hex[65];
	(void)state;

	memset(ff, 0xff, 32);
	memset(one, 0, 32);
	one[31] = 1;
	rp_digest_init(&d);
	rp_digest_add(&d, ff);
	rp_digest_add(&d, one);
	rp_digest_hex(&d, hex);
	assert_string_equal(hex, "0000000000000000000000000000000000000000000000000000000000000000");
	rp_digest_add(&d, ff);
	rp_digest_add(&d, ff);
	rp_digest_hex(&d, hex);
	assert_string_equal(hex, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe");
}

static void test_empty_table_digest_is_zero(void **state)
{
	rp_digest d;
	char hex[65];
	(void)state;

	rp_digest_init(&d);
	rp_digest_hex(&d, hex);
	assert_string_equal(hex, "0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(d.rows, 0);
}

static void test_known_vector(void **state)
{
	/* One row ("1", NULL): SHA-256(01 0000000000000001 31 00), computed
	 * with coreutils: printf '\x01\0\0\0\0\0\0\0\x011\x00' | sha256sum */
	const char *vals[] = { "1", NULL };
	const size_t lens[] = { 1, 0 };
	uint8_t h[32];
	char hex[65];
	rp_rowhash rh;
	(void)state;

	assert_int_equal(rp_rowhash_init(&rh), 0);
	row_of(&rh, vals, lens, 2, h);
	rp_sha256_hex(h, hex);
	assert_string_equal(hex, "cbc3684541dff2f5b20353569aaa2358f2d21003506b68aa0a210622eaac28f2");
	rp_rowhash_free(&rh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_hash_matches_definition),
		cmocka_unit_test(test_null_differs_from_empty),
		cmocka_unit_test(test_cell_boundaries_matter),
		cmocka_unit_test(test_streamed_value_equals_whole),
		cmocka_unit_test(test_gathered_and_long_values),
		cmocka_unit_test(test_sum_is_order_independent_and_counts_duplicates),
		cmocka_unit_test(test_sum_carries_modulo_2_256),
		cmocka_unit_test(test_empty_table_digest_is_zero),
		cmocka_unit_test(test_known_vector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
