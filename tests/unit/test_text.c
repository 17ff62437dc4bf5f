/* Unit tests: UTF-8 validation, ASCII check, hexadecimal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "revpack/text.h"

/* Deterministic generator so that failures reproduce (xorshift64*). */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

#define VALID(lit) assert_true(rp_utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(rp_utf8_valid(lit, sizeof(lit) - 1))

static void test_utf8_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(rp_utf8_valid(NULL, 0));
	assert_true(rp_utf8_valid("", 0));
	VALID("hello, world");
	VALID("\x7f");
	VALID("0123456789abcdefghijklmnopqrstuvwxyz");
}

static void test_utf8_multibyte_valid(void **state)
{
	(void)state;
	VALID("\xc3\xa9");                 /* U+00E9 */
	VALID("\xc2\x80");                 /* U+0080, smallest 2-byte */
	VALID("\xdf\xbf");                 /* U+07FF */
	VALID("\xe0\xa0\x80");             /* U+0800, smallest 3-byte */
	VALID("\xe2\x82\xac");             /* U+20AC euro sign */
	VALID("\xed\x9f\xbf");             /* U+D7FF, just below surrogates */
	VALID("\xee\x80\x80");             /* U+E000, just above surrogates */
	VALID("\xef\xbf\xbf");             /* U+FFFF */
	VALID("\xf0\x90\x80\x80");         /* U+10000, smallest 4-byte */
	VALID("\xf0\x9f\x98\x80");         /* U+1F600 emoji */
	VALID("\xf4\x8f\xbf\xbf");         /* U+10FFFF, the maximum */
	VALID("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89!");
}

static void test_utf8_invalid_forms(void **state)
{
	(void)state;
	INVALID("\xc0\x80");               /* overlong NUL */
	INVALID("\xc1\xbf");               /* overlong U+007F */
	INVALID("\xe0\x80\x80");           /* overlong 3-byte */
	INVALID("\xe0\x9f\xbf");           /* overlong U+07FF */
	INVALID("\xf0\x80\x80\x80");       /* overlong 4-byte */
	INVALID("\xf0\x8f\xbf\xbf");       /* overlong U+FFFF */
	INVALID("\xed\xa0\x80");           /* U+D800 surrogate */
	INVALID("\xed\xbf\xbf");           /* U+DFFF surrogate */
	INVALID("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 surrogate pair */
	INVALID("\xf4\x90\x80\x80");       /* U+110000, above the maximum */
	INVALID("\xf5\x80\x80\x80");
	INVALID("\xf8\x88\x80\x80\x80");   /* old 5-byte form */
	INVALID("\xfe");
	INVALID("\xff");
	INVALID("\x80");                   /* lone continuation */
	INVALID("a\xbf" "b");
	INVALID("\xc3\x28");               /* continuation expected */
	INVALID("\xe2\x28\xa1");
	INVALID("\xe2\x82\x28");
	INVALID("\xf0\x9f\x98\x28");
}

static void test_utf8_truncated(void **state)
{
	(void)state;
	INVALID("abc\xc3");
	INVALID("abc\xe2\x82");
	INVALID("abc\xe2");
	INVALID("abc\xf0\x9f\x98");
	INVALID("abc\xf0\x9f");
	INVALID("abc\xf0");
	/* Truncated in the middle, followed by ASCII. */
	INVALID("\xe2\x82" "abc");
	/* A valid sequence cut by the length given. */
	assert_false(rp_utf8_valid("\xf0\x9f\x98\x80", 3));
	assert_true(rp_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void test_utf8_nul_bytes(void **state)
{
	(void)state;
	VALID("\0");
	VALID("a\0b");
	VALID("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
	VALID("\xc3\xa9\0\xe2\x82\xac\0");
	INVALID("\xc3\0");                 /* NUL is not a continuation */
	INVALID("\0\0\0\0\0\0\0\0\xff");
}

/* One bad byte at every offset of a long ASCII run, at every alignment. */
static void test_utf8_fast_path_offsets(void **state)
{
	char buf[160];
	size_t shift, len = 100, off;

	(void)state;
	for (shift = 0; shift < 8; shift++) {
		char *s = buf + shift;

		memset(buf, 'a', sizeof buf);
		assert_true(rp_utf8_valid(s, len));
		for (off = 0; off < len; off++) {
			s[off] = (char)0x80;
			assert_false(rp_utf8_valid(s, len));
			s[off] = (char)0xff;
			assert_false(rp_utf8_valid(s, len));
			s[off] = 'a';
		}
		/* A valid 4-byte sequence anywhere, straddling word boundaries. */
		for (off = 0; off + 4 <= len; off++) {
			memcpy(s + off, "\xf0\x9f\x98\x80", 4);
			assert_true(rp_utf8_valid(s, len));
			memset(s + off, 'a', 4);
		}
		/* A lead byte as the very last byte. */
		s[len - 1] = (char)0xe2;
		assert_false(rp_utf8_valid(s, len));
		s[len - 1] = 'a';
		/* A surrogate just after an 8-byte ASCII block. */
		memcpy(s + 8, "\xed\xa0\x80", 3);
		assert_false(rp_utf8_valid(s, len));
		memset(s + 8, 'a', 3);
		assert_true(rp_utf8_valid(s, len));
	}
}

/* A validator written differently: decode code points, check the ranges. */
static bool reference_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			need = 1; cp = p[i] & 0x1fu; min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			need = 2; cp = p[i] & 0x0fu; min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			need = 3; cp = p[i] & 0x07u; min = 0x10000;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static void test_utf8_matches_reference(void **state)
{
	static const uint8_t pool[] = {
		'a', 'z', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
		0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf3,
		0xf4, 0xf5, 0xff
	};
	uint64_t rng = 0x5eed1234abcdULL;
	uint8_t buf[40];
	size_t iter, i, len;
	unsigned valid = 0;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		len = (size_t)(next_random(&rng) % sizeof buf);
		for (i = 0; i < len; i++) {
			uint64_t r = next_random(&rng);
			buf[i] = (r & 0x300) ? pool[(r >> 16) % sizeof pool] : (uint8_t)(r >> 32);
		}
		assert_int_equal(rp_utf8_valid(buf, len), reference_valid(buf, len));
		valid += reference_valid(buf, len);
	}
	/* The inputs exercised both answers. */
	assert_true(valid > 1000);
	assert_true(valid < 199000);
}

/* Inputs of 16 bytes and more take the 16-byte vector path: every sequence
 * of up to four bytes drawn from the bytes where the rules change, at every
 * offset around a block boundary, and at the very end. */
static void test_utf8_vector_sequences(void **state)
{
	static const uint8_t pool[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
		                        0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xf8, 0xff };
	/* around the first and second block boundaries, and near the end */
	static const size_t at[] = { 13, 14, 15, 16, 17, 29, 30, 31, 32, 33, 42, 43, 44 };
	const size_t np = sizeof pool;
	uint8_t buf[48];
	unsigned checked = 0, valid = 0;

	(void)state;
	for (size_t pi = 0; pi < sizeof at / sizeof *at; pi++) {
		size_t pos = at[pi];
		for (size_t a = 0; a < np; a++)
			for (size_t b = 0; b < np; b++)
				for (size_t c = 0; c < np; c++)
					for (size_t d = 0; d < np; d += (pool[a] >= 0xf0 ? 1 : np - 1)) {
						memset(buf, 'x', sizeof buf);
						buf[pos] = pool[a];
						buf[pos + 1] = pool[b];
						buf[pos + 2] = pool[c];
						buf[pos + 3] = pool[d];
						for (size_t end = pos + 1; end <= pos + 5 && end <= sizeof buf; end += 2) {
							bool want = reference_valid(buf, end);
							assert_int_equal(rp_utf8_valid(buf, end), want);
							assert_int_equal(rp_utf8_valid(buf, sizeof buf), reference_valid(buf, sizeof buf));
							checked++;
							valid += want;
						}
					}
	}
	assert_true(checked > 500000);
	assert_true(valid > 10000 && valid < checked - 10000);
}

/* Long text: valid UTF-8 of every length, then one byte changed anywhere. */
static void test_utf8_vector_text(void **state)
{
	static const char *const pieces[] = { "a", "assur\xc3\xa9 ", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\t",
		                              "\xef\xbf\xbd", "\xc2\x80", "\xf4\x8f\xbf\xbf" };
	uint64_t rng = 0xfeedfacecafeULL;
	uint8_t buf[300];
	unsigned changed_invalid = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, want = 16 + (size_t)(next_random(&rng) % 260);
		while (len < want) {
			const char *piece = pieces[next_random(&rng) % (sizeof pieces / sizeof *pieces)];
			size_t k = strlen(piece);
			if (len + k > sizeof buf)
				break;
			memcpy(buf + len, piece, k);
			len += k;
		}
		assert_true(rp_utf8_valid(buf, len));
		/* a cut in the middle of a sequence is caught at the end too */
		assert_int_equal(rp_utf8_valid(buf, len - 1), reference_valid(buf, len - 1));
		{
			size_t at = (size_t)(next_random(&rng) % len);
			uint8_t old = buf[at];
			buf[at] = (uint8_t)(next_random(&rng) >> 24);
			assert_int_equal(rp_utf8_valid(buf, len), reference_valid(buf, len));
			changed_invalid += !reference_valid(buf, len);
			buf[at] = old;
		}
	}
	assert_true(changed_invalid > 1000);
}

static void test_ascii_only(void **state)
{
	char buf[64];
	size_t off;

	(void)state;
	assert_true(rp_ascii_only(NULL, 0));
	assert_true(rp_ascii_only("plain text \x7f\x01", 13));
	assert_false(rp_ascii_only("caf\xc3\xa9", 5));
	memset(buf, 'x', sizeof buf);
	assert_true(rp_ascii_only(buf, sizeof buf));
	for (off = 0; off < sizeof buf; off++) {
		buf[off] = (char)0x80;
		assert_false(rp_ascii_only(buf, sizeof buf));
		assert_true(rp_ascii_only(buf, off));
		buf[off] = 'x';
	}
}

static void test_span_plain(void **state)
{
	static const unsigned char ends[] = { 0x00, 0x0a, 0x1f, 0x80, 0xc3, 0xff, '\'', '\\' };
	char buf[48];
	(void)state;

	assert_int_equal(rp_span_plain("", 0, "'", 1), 0);
	memset(buf, 'a', sizeof buf);
	for (size_t n = 0; n <= sizeof buf; n++)
		assert_int_equal(rp_span_plain(buf, n, "'\\", 2), n);
	/* 0x7f and the space are plain unless they are stop bytes */
	assert_int_equal(rp_span_plain("a b\x7f", 4, "'", 1), 4);
	assert_int_equal(rp_span_plain("a b\x7f", 4, "\x7f", 1), 3);
	for (size_t k = 0; k < sizeof ends; k++)
		for (size_t pos = 0; pos < sizeof buf; pos++) {
			memset(buf, 'a', sizeof buf);
			buf[pos] = (char)ends[k];
			assert_int_equal(rp_span_plain(buf, sizeof buf, "'\\", 2), pos);
			/* a byte after the end of the given length is never seen */
			assert_int_equal(rp_span_plain(buf, pos, "'\\", 2), pos);
		}
}

static void test_span_not(void **state)
{
	char buf[48];
	(void)state;

	memset(buf, 'a', sizeof buf);
	buf[3] = '\x01';
	buf[4] = (char)0xc3;
	for (size_t n = 0; n <= sizeof buf; n++)
		assert_int_equal(rp_span_not(buf, n, "\t\\", 2), n);
	for (size_t pos = 0; pos < sizeof buf; pos++) {
		char save = buf[pos];
		buf[pos] = '\\';
		assert_int_equal(rp_span_not(buf, sizeof buf, "\t\\", 2), pos);
		buf[pos] = '\t';
		assert_int_equal(rp_span_not(buf, sizeof buf, "\t\\", 2), pos);
		buf[pos] = save;
	}
}

/* rp_utf8_valid against rp_utf8_next one sequence at a time: every pair
 * and every triple with a lead byte from 0xC0 up, after ASCII of every
 * length around the 16-byte blocks. */
static bool valid_by_next(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		size_t len = rp_utf8_next(p + i, n - i, &cp);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

static void test_utf8_valid_every_pair(void **state)
{
	uint8_t buf[40];
	(void)state;

	for (size_t pre = 0; pre < 20; pre += 3) {
		memset(buf, 'a', sizeof buf);
		for (int a = 0x80; a < 256; a++)
			for (int b = 0; b < 256; b++) {
				buf[pre] = (uint8_t)a;
				buf[pre + 1] = (uint8_t)b;
				assert_int_equal(rp_utf8_valid(buf, pre + 2), valid_by_next(buf, pre + 2));
				{
					uint32_t c1 = 0, c2 = 0;
					size_t l1 = rp_utf8_next(buf + pre, 2, &c1), l2 = rp_utf8_seq(buf + pre, 2, &c2);
					assert_int_equal(l1, l2);
					if (l1)
						assert_int_equal(c1, c2);
				}
				assert_int_equal(rp_utf8_valid(buf, pre + 1), valid_by_next(buf, pre + 1));
				for (int c = 0x7f; c < 0xc1; c += 0x41) {
					buf[pre + 2] = (uint8_t)c;
					assert_int_equal(rp_utf8_valid(buf, pre + 3), valid_by_next(buf, pre + 3));
				}
				buf[pre + 2] = 'a';
			}
	}
}

static void test_hex_encode(void **state)
{
	const uint8_t in[] = { 0x00, 0xff, 0x10, 0xab, 0x09, 0xc3 };
	char out[16];

	(void)state;
	memset(out, '#', sizeof out);
	rp_hex_encode(out, in, sizeof in);
	assert_memory_equal(out, "00ff10ab09c3", 12);
	assert_int_equal(out[12], '#');  /* nothing written past 2*n */
	rp_hex_encode(out, in, 0);
	assert_int_equal(out[0], '0');
}

static void test_hex_decode(void **state)
{
	uint8_t out[8];
	const uint8_t want[] = { 0x00, 0xff, 0xab, 0x10 };

	(void)state;
	assert_int_equal(rp_hex_decode(out, "00FFaB10", 8), 0);
	assert_memory_equal(out, want, 4);
	assert_int_equal(rp_hex_decode(out, "", 0), 0);
	assert_int_equal(rp_hex_decode(out, "abc", 3), -1);   /* odd */
	assert_int_equal(rp_hex_decode(out, "0g", 2), -1);
	assert_int_equal(rp_hex_decode(out, "g0", 2), -1);
	assert_int_equal(rp_hex_decode(out, " 0", 2), -1);
	assert_int_equal(rp_hex_decode(out, "0x", 2), -1);
	assert_int_equal(rp_hex_decode(out, "00:1", 4), -1);
	assert_int_equal(rp_hex_decode(out, "0\0", 2), -1);
	/* Only n digits are read. */
	assert_int_equal(rp_hex_decode(out, "7fzz", 2), 0);
	assert_int_equal(out[0], 0x7f);
}

/* The vector paths (16 bytes, 32 digits at a time) against the plain
 * definition: every byte value, at every position of blocks and tails. */
static void test_hex_every_byte_every_position(void **state)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t in[100], back[50];
	char out[201], want[201];

	(void)state;
	for (size_t n = 0; n <= 100; n++) {
		for (int b = 0; b < 256; b++) {
			for (size_t i = 0; i < n; i++)
				in[i] = (uint8_t)(i * 37 + (size_t)b);
			memset(out, '#', sizeof out);
			rp_hex_encode(out, in, n);
			for (size_t i = 0; i < n; i++) {
				want[2 * i] = digits[in[i] >> 4];
				want[2 * i + 1] = digits[in[i] & 15];
			}
			assert_memory_equal(out, want, 2 * n);
			assert_int_equal(out[2 * n], '#');
		}
	}
	/* decoding: upper case too; one bad byte anywhere in 96 digits fails */
	for (size_t i = 0; i < 48; i++)
		in[i] = (uint8_t)(i * 53 + 7);
	rp_hex_encode(out, in, 48);
	for (size_t i = 0; i < 96; i += 3)
		if (out[i] >= 'a')
			out[i] = (char)(out[i] - 'a' + 'A');
	assert_int_equal(rp_hex_decode(back, out, 96), 0);
	assert_memory_equal(back, in, 48);
	for (size_t pos = 0; pos < 96; pos++) {
		char save = out[pos];
		for (int c = 0; c < 256; c++) {
			bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			out[pos] = (char)c;
			assert_int_equal(rp_hex_decode(back, out, 96), digit ? 0 : -1);
			if (digit) {
				int v = rp_hex_value(c);
				uint8_t b = (uint8_t)((pos % 2) ? ((in[pos / 2] & 0xf0) | v) : ((in[pos / 2] & 0x0f) | v << 4));
				assert_int_equal(back[pos / 2], b);
			}
		}
		out[pos] = save;
	}
}

static void test_hex_round_trip(void **state)
{
	uint8_t in[256], back[256];
	char hex[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)i;
	rp_hex_encode(hex, in, sizeof in);
	assert_memory_equal(hex, "000102", 6);
	assert_memory_equal(hex + 510, "ff", 2);
	assert_int_equal(rp_hex_decode(back, hex, sizeof hex), 0);
	assert_memory_equal(back, in, sizeof in);
}

/* rp_utf8_encode gives back what rp_utf8_next reads, for every length. */
static void test_utf8_encode(void **state)
{
	static const uint32_t cps[] = { 0x0, 0x41, 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC, 0x2400, 0xFFFD,
		                        0x10000, 0x1F6E1, 0x10FFFF };
	static const size_t lens[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4 };
	(void)state;
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		char b[4];
		uint32_t back = 0;
		size_t n = rp_utf8_encode(cps[i], b);
		assert_int_equal(n, lens[i]);
		assert_true(rp_utf8_valid(b, n));
		assert_int_equal(rp_utf8_next(b, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_utf8_ascii_and_empty),
		cmocka_unit_test(test_utf8_multibyte_valid),
		cmocka_unit_test(test_utf8_invalid_forms),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_utf8_nul_bytes),
		cmocka_unit_test(test_utf8_fast_path_offsets),
		cmocka_unit_test(test_utf8_matches_reference),
		cmocka_unit_test(test_utf8_vector_sequences),
		cmocka_unit_test(test_utf8_vector_text),
		cmocka_unit_test(test_ascii_only),
		cmocka_unit_test(test_span_plain),
		cmocka_unit_test(test_span_not),
		cmocka_unit_test(test_utf8_valid_every_pair),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hex_every_byte_every_position),
		cmocka_unit_test(test_hex_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
