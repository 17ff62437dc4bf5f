/* PostgreSQL COPY text: decoding what the server sends, encoding for dump.sql. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/pgcopy.h"

static void test_decode_fields_and_nulls(void **state)
{
	static const char line[] = "1\t\\N\t\ta\\tb\\nc\\\\d\\r\t\\\\N";
	rp_buf b = RP_BUF_INIT;
	rp_value v[5];
	(void)state;

	assert_int_equal(rp_pgcopy_decode(line, sizeof line - 1, &b, v, 5), 5);
	assert_int_equal(v[0].len, 1);
	assert_memory_equal(v[0].data, "1", 1);
	assert_null(v[1].data);
	assert_non_null(v[2].data); /* empty string, not NULL */
	assert_int_equal(v[2].len, 0);
	assert_int_equal(v[3].len, 8);
	assert_memory_equal(v[3].data, "a\tb\nc\\d\r", 8);
	/* the two characters \N as text arrive as \\N */
	assert_int_equal(v[4].len, 2);
	assert_memory_equal(v[4].data, "\\N", 2);
	rp_buf_free(&b);
}

static void test_decode_other_escapes(void **state)
{
	static const char line[] = "\\x41\\101\\b\\f\\v\\q";
	rp_buf b = RP_BUF_INIT;
	rp_value v[1];
	(void)state;

	assert_int_equal(rp_pgcopy_decode(line, sizeof line - 1, &b, v, 1), 1);
	assert_int_equal(v[0].len, 6);
	assert_memory_equal(v[0].data, "AA\b\f\vq", 6);
	rp_buf_free(&b);
}

static void test_decode_edge_cases(void **state)
{
	rp_buf b = RP_BUF_INIT;
	rp_value v[3];
	(void)state;

	/* a single empty field: one-column row holding '' */
	assert_int_equal(rp_pgcopy_decode("", 0, &b, v, 3), 1);
	assert_non_null(v[0].data);
	assert_int_equal(v[0].len, 0);
	/* a lone \N field */
	assert_int_equal(rp_pgcopy_decode("\\N", 2, &b, v, 3), 1);
	assert_null(v[0].data);
	/* \N followed by more text is not NULL */
	assert_int_equal(rp_pgcopy_decode("\\Nx", 3, &b, v, 3), 1);
	assert_non_null(v[0].data);
	/* a trailing backslash is malformed */
	assert_int_equal(rp_pgcopy_decode("ab\\", 3, &b, v, 3), -1);
	/* more fields than slots: counted, not written past the end */
	assert_int_equal(rp_pgcopy_decode("a\tb\tc\td", 7, &b, v, 3), 4);
	rp_buf_free(&b);
}

static void test_encode(void **state)
{
	rp_buf b = RP_BUF_INIT;
	rp_out o = rp_out_buf(&b);
	(void)state;

	assert_int_equal(rp_pgcopy_encode(&o, NULL, 0), 0);
	assert_string_equal(b.data, "\\N");
	rp_buf_clear(&b);
	assert_int_equal(rp_pgcopy_encode(&o, "a\tb\nc\\d\re\\N", 12), 0);
	assert_string_equal(b.data, "a\\tb\\nc\\\\d\\re\\\\N");
	rp_buf_clear(&b);
	assert_int_equal(rp_pgcopy_encode(&o, "", 0), 0);
	assert_int_equal(b.len, 0);
	rp_buf_free(&b);
}

static void test_round_trip_random(void **state)
{
	rp_buf enc = RP_BUF_INIT, dec = RP_BUF_INIT;
	rp_out o = rp_out_buf(&enc);
	char val[64];
	rp_value v[2];
	(void)state;

	srand(7);
	for (int iter = 0; iter < 500; iter++) {
		size_t n = (size_t)(rand() % 40);
		for (size_t i = 0; i < n; i++)
			val[i] = (char)(1 + rand() % 255); /* COPY text cannot carry NUL */
		rp_buf_clear(&enc);
		assert_int_equal(rp_pgcopy_encode(&o, val, n), 0);
		assert_int_equal(rp_buf_puts(&enc, "\t"), 0);
		assert_int_equal(rp_pgcopy_encode(&o, NULL, 0), 0);
		assert_null(memchr(enc.data, '\n', enc.len));
		assert_int_equal(rp_pgcopy_decode(enc.data, enc.len, &dec, v, 2), 2);
		assert_int_equal(v[0].len, n);
		assert_memory_equal(v[0].data, val, n);
		assert_null(v[1].data);
		/* in place, the same values */
		assert_int_equal(rp_pgcopy_decode_inplace(enc.data, enc.len, v, 2), 2);
		assert_int_equal(v[0].len, n);
		assert_memory_equal(v[0].data, val, n);
		assert_null(v[1].data);
	}
	rp_buf_free(&enc);
	rp_buf_free(&dec);
}

/* The one-pass encoder writes what the streaming one does, for values of
 * every length around its 16-byte blocks, the escaped bytes at every
 * position; in-place decoding gives the values back. */
static void test_encode_buf_matches(void **state)
{
	rp_buf a = RP_BUF_INIT, b = RP_BUF_INIT;
	rp_out o = rp_out_buf(&a);
	static const char specials[] = { '\\', '\t', '\n', '\r', 'x', '\x80', 'N' };
	char val[80];
	rp_value v[3];
	(void)state;

	srand(11);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rand() % 70);
		for (size_t i = 0; i < n; i++)
			val[i] = (char)(rand() % 4 ? 'a' + rand() % 26 : specials[(size_t)rand() % sizeof specials]);
		rp_buf_clear(&a);
		rp_buf_clear(&b);
		assert_int_equal(rp_pgcopy_encode(&o, val, n), 0);
		assert_int_equal(rp_buf_put(&a, "\t", 1), 0);
		assert_int_equal(rp_pgcopy_encode(&o, NULL, 0), 0);
		assert_int_equal(rp_buf_put(&a, "\t", 1), 0);
		assert_int_equal(rp_pgcopy_encode(&o, val, n / 2), 0);
		assert_int_equal(rp_pgcopy_encode_buf(&b, val, n), 0);
		assert_int_equal(rp_buf_put(&b, "\t", 1), 0);
		assert_int_equal(rp_pgcopy_encode_buf(&b, NULL, 0), 0);
		assert_int_equal(rp_buf_put(&b, "\t", 1), 0);
		assert_int_equal(rp_pgcopy_encode_buf(&b, val, n / 2), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		assert_int_equal(rp_pgcopy_decode_inplace(b.data, b.len, v, 3), 3);
		assert_int_equal(v[0].len, n);
		if (n)
			assert_memory_equal(v[0].data, val, n);
		assert_null(v[1].data);
		assert_int_equal(v[2].len, n / 2);
		if (n / 2)
			assert_memory_equal(v[2].data, val, n / 2);
	}
	rp_buf_free(&a);
	rp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields_and_nulls),
		cmocka_unit_test(test_decode_other_escapes),
		cmocka_unit_test(test_decode_edge_cases),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_encode_buf_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
