/* Unit tests: manifest paths, safe paths, safe names, name sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/path.h"
#include "revpack/text.h"

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* ---- manifest paths ---- */

static void test_manifest_encode(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_manifest_path_encode(&b, "data/plain name é.csv"), 0);
	assert_string_equal(b.data, "data/plain name é.csv");

	rp_buf_clear(&b);
	assert_int_equal(rp_manifest_path_encode(&b, "data/100%\r\nx%%.csv"), 0);
	assert_string_equal(b.data, "data/100%25%0D%0Ax%25%25.csv");
	assert_int_equal(b.len, strlen("data/100%25%0D%0Ax%25%25.csv"));

	/* Appends. */
	assert_int_equal(rp_manifest_path_encode(&b, "\n"), 0);
	assert_string_equal(b.data, "data/100%25%0D%0Ax%25%25.csv%0A");

	rp_buf_clear(&b);
	assert_int_equal(rp_manifest_path_encode(&b, ""), 0);
	assert_int_equal(b.len, 0);
	rp_buf_free(&b);
}

static void test_manifest_decode(void **state)
{
	rp_buf b = RP_BUF_INIT;
	const char *why = NULL;
	const char *s;

	(void)state;
	s = "data/100%25%0D%0Ax.csv";
	assert_int_equal(rp_manifest_path_decode(&b, s, strlen(s), &why), 0);
	assert_string_equal(b.data, "data/100%\r\nx.csv");

	/* Either hex case; out is cleared first. */
	s = "%0d%0a%0D%0A%25";
	assert_int_equal(rp_manifest_path_decode(&b, s, strlen(s), &why), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "\r\n\r\n%", 5);

	/* Only len bytes are read. */
	s = "data/a.csv%41";
	assert_int_equal(rp_manifest_path_decode(&b, s, 10, &why), 0);
	assert_string_equal(b.data, "data/a.csv");

	assert_int_equal(rp_manifest_path_decode(&b, "", 0, &why), 0);
	assert_int_equal(b.len, 0);
	rp_buf_free(&b);
}

static void expect_decode_error(const char *s)
{
	rp_buf b = RP_BUF_INIT;
	const char *why = NULL;

	assert_int_equal(rp_manifest_path_decode(&b, s, strlen(s), &why), -1);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	rp_buf_free(&b);
}

static void test_manifest_decode_rejects(void **state)
{
	(void)state;
	expect_decode_error("data/%41.csv");    /* only %25 %0A %0D */
	expect_decode_error("data/a.csv%");     /* trailing '%' */
	expect_decode_error("data/a.csv%2");    /* truncated */
	expect_decode_error("data/%2G");
	expect_decode_error("data/%%");
	expect_decode_error("data/%20x");
	expect_decode_error("data/%0Dx%0B");
	expect_decode_error("data/a\nb");       /* raw LF */
	expect_decode_error("data/a\r");        /* raw CR */
}

static void test_manifest_round_trip(void **state)
{
	const char *paths[] = {
		"data/x.csv", "%", "%%25", "\r\n", "a%0Ab", "data/é %0D\r.csv", "%25%",
	};
	rp_buf enc = RP_BUF_INIT, dec = RP_BUF_INIT;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof paths / sizeof *paths; i++) {
		rp_buf_clear(&enc);
		assert_int_equal(rp_manifest_path_encode(&enc, paths[i]), 0);
		assert_null(memchr(enc.data, '\n', enc.len));
		assert_null(memchr(enc.data, '\r', enc.len));
		assert_int_equal(rp_manifest_path_decode(&dec, enc.data, enc.len, &why), 0);
		assert_string_equal(dec.data, paths[i]);
	}
	rp_buf_free(&enc);
	rp_buf_free(&dec);
}

/* ---- safe paths ---- */

static void test_path_is_safe(void **state)
{
	const char *accept[] = {
		"data/a b/é.csv", "a", "data/x.csv", "a/.b", "a/b..", "...", "a/..b/c",
		"%", "a~2",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof accept / sizeof *accept; i++) {
		why = NULL;
		assert_true(rp_path_is_safe(accept[i], strlen(accept[i]), &why));
	}
}

static void expect_unsafe(const char *p, size_t len, const char *reason_part)
{
	const char *why = NULL;

	assert_false(rp_path_is_safe(p, len, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, reason_part));
}

static void test_path_is_unsafe(void **state)
{
	(void)state;
	expect_unsafe("", 0, "empty");
	expect_unsafe("/x", 2, "absolute");
	expect_unsafe("/", 1, "absolute");
	expect_unsafe("a//b", 4, "empty path component");
	expect_unsafe("a/./b", 5, "'.'");
	expect_unsafe(".", 1, "'.'");
	expect_unsafe("../x", 4, "'..'");
	expect_unsafe("a/..", 4, "'..'");
	expect_unsafe("a\\b", 3, "backslash");
	/* control characters other than NUL are legal in file names (RFC 8493
	 * percent-encodes CR and LF in manifests) */
	assert_true(rp_path_is_safe("data/a\nb", 8, &(const char *){ NULL }));
	assert_true(rp_path_is_safe("data/a\x1f" "b", 8, &(const char *){ NULL }));
	expect_unsafe("a/b/", 4, "ends with '/'");
	expect_unsafe("a\0b", 3, "NUL");
	/* len is honoured: the NUL is outside */
	assert_true(rp_path_is_safe("ab\0", 2, &(const char *){ NULL }));
}

/* ---- safe names ---- */

/* The inverse documented in formats/names.md. Returns false on a malformed stem. */
static bool decode_stem(const char *stem, rp_buf *out)
{
	size_t i, n = strlen(stem);
	uint8_t byte;

	rp_buf_clear(out);
	if (strcmp(stem, "%") == 0)
		return rp_buf_put(out, "", 0) == 0;
	for (i = 0; i < n; i++) {
		if (stem[i] != '%') {
			rp_buf_putc(out, stem[i]);
			continue;
		}
		if (n - i < 3 || !strchr("0123456789ABCDEF", stem[i + 1]) ||
		    !strchr("0123456789ABCDEF", stem[i + 2]) ||
		    stem[i + 1] == '\0' || stem[i + 2] == '\0')
			return false;
		if (rp_hex_decode(&byte, stem + i + 1, 2) < 0)
			return false;
		rp_buf_put(out, &byte, 1);
		i += 2;
	}
	if (!out->data)
		rp_buf_put(out, "", 0);
	return true;
}

static void expect_stem(const char *name, size_t len, const char *want)
{
	rp_buf b = RP_BUF_INIT, back = RP_BUF_INIT;

	assert_int_equal(rp_safe_name(&b, name, len), 0);
	assert_string_equal(b.data, want);
	assert_true(decode_stem(b.data, &back));
	assert_int_equal(back.len, len);
	if (len)
		assert_memory_equal(back.data, name, len);
	rp_buf_free(&b);
	rp_buf_free(&back);
}

#define STEM(lit, want) expect_stem(lit, sizeof(lit) - 1, want)

static void test_safe_name_examples(void **state)
{
	(void)state;
	STEM("customers", "customers");
	STEM("Order Lines 2024", "Order Lines 2024");
	STEM("a_b-c.d", "a_b-c.d");
	STEM("café", "café");
	STEM("日本語", "日本語");
	STEM("\xf0\x9f\x98\x80 emoji", "\xf0\x9f\x98\x80 emoji");
	STEM("a/b", "a%2Fb");
	STEM("a\\b", "a%5Cb");
	STEM("..", "%2E%2E");
	STEM(".", "%2E");
	STEM(".hidden", "%2Ehidden");
	STEM("trailing.", "trailing%2E");
	STEM("trailing ", "trailing%20");
	STEM(" leading space", " leading space");
	STEM("a..b", "a..b");
	STEM(". .", "%2E %2E");
	STEM("con:x", "con%3Ax");
	STEM("%", "%25");
	STEM("100%", "100%25");
	STEM("~", "%7E");
	STEM("x~2", "x%7E2");
	STEM("a*b?c\"d<e>f|g", "a%2Ab%3Fc%22d%3Ce%3Ef%7Cg");
	STEM("tab\there", "tab%09here");
	STEM("nl\r\n", "nl%0D%0A");
	STEM("del\x7f", "del%7F");
	STEM("\0", "%00");
	STEM("a\0b", "a%00b");
	/* invalid UTF-8: each offending byte on its own */
	STEM("a\xff", "a%FF");
	STEM("\xc3", "%C3");
	STEM("\xc3\xa9\xa9", "é%A9");
	STEM("\xc0\x80", "%C0%80");
	STEM("\xed\xa0\x80", "%ED%A0%80");
	STEM("\xf4\x90\x80\x80", "%F4%90%80%80");
	STEM("\xe2\x82" "x", "%E2%82x");
	/* the empty name */
	STEM("", "%");
}

static void test_safe_name_appends(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_buf_puts(&b, "data/"), 0);
	assert_int_equal(rp_safe_name(&b, "a:b", 3), 0);
	assert_int_equal(rp_buf_puts(&b, ".csv"), 0);
	assert_string_equal(b.data, "data/a%3Ab.csv");
	rp_buf_free(&b);
}

static void check_stem_shape(const rp_buf *stem)
{
	rp_buf path = RP_BUF_INIT;
	const char *why = NULL;
	size_t i;

	assert_true(stem->len > 0);
	assert_null(strchr(stem->data, '~'));
	assert_true(rp_utf8_valid(stem->data, stem->len));
	if (strcmp(stem->data, "%") != 0) {
		assert_true(stem->data[0] != '.');
		assert_true(stem->data[stem->len - 1] != '.');
		assert_true(stem->data[stem->len - 1] != ' ');
		for (i = 0; i < stem->len; i++) {
			if (stem->data[i] != '%')
				continue;
			/* Every '%' starts %XX with upper-case hex. */
			assert_true(i + 2 < stem->len);
			assert_non_null(strchr("0123456789ABCDEF", stem->data[i + 1]));
			assert_non_null(strchr("0123456789ABCDEF", stem->data[i + 2]));
		}
	}
	rp_buf_puts(&path, "data/");
	rp_buf_put(&path, stem->data, stem->len);
	rp_buf_puts(&path, ".csv");
	assert_true(rp_path_is_safe(path.data, path.len, &why));
	rp_buf_free(&path);
}

/* decode(encode(x)) == x over random byte strings. */
static void test_safe_name_property(void **state)
{
	static const char *pieces[] = {
		"a", "Z", "0", "_", "-", ".", " ", "%", "~", "/", "\\", ":", "\"",
		"\x01", "\x7f", "\r", "\n", "\0", "é", "€", "\xf0\x9f\x98\x80",
		"\xc3", "\x80", "\xed\xa0\x80", "\xff", "\xc0\x80", "%25", "..",
	};
	uint64_t rng = 20240601;
	rp_buf name = RP_BUF_INIT, stem = RP_BUF_INIT, back = RP_BUF_INIT;
	size_t iter, k, parts, len;
	const char *piece;

	(void)state;
	for (iter = 0; iter < 500; iter++) {
		rp_buf_clear(&name);
		parts = (size_t)(next_random(&rng) % 12);
		for (k = 0; k < parts; k++) {
			uint64_t r = next_random(&rng);
			if (r & 1) {
				uint8_t byte = (uint8_t)(r >> 8);
				rp_buf_put(&name, &byte, 1);
				continue;
			}
			piece = pieces[(r >> 8) % (sizeof pieces / sizeof *pieces)];
			/* "\0" is one byte, the rest are C strings. */
			len = piece[0] == '\0' ? 1 : strlen(piece);
			rp_buf_put(&name, piece, len);
		}
		rp_buf_clear(&stem);
		assert_int_equal(rp_safe_name(&stem, name.data ? name.data : "", name.len), 0);
		check_stem_shape(&stem);
		assert_true(decode_stem(stem.data, &back));
		assert_int_equal(back.len, name.len);
		if (name.len)
			assert_memory_equal(back.data, name.data, name.len);
		/* Only the empty name gives the stem "%". */
		assert_int_equal(strcmp(stem.data, "%") == 0, name.len == 0);
	}
	rp_buf_free(&name);
	rp_buf_free(&stem);
	rp_buf_free(&back);
}

/* ---- name sets ---- */

static void expect_add(rp_name_set *set, const char *stem, const char *want)
{
	rp_buf b = RP_BUF_INIT;

	assert_int_equal(rp_name_set_add(set, &b, stem), 0);
	assert_string_equal(b.data, want);
	rp_buf_free(&b);
}

static void test_name_set_collisions(void **state)
{
	rp_name_set set = { NULL, 0, 0 };

	(void)state;
	expect_add(&set, "Foo", "Foo");
	expect_add(&set, "foo", "foo~2");
	expect_add(&set, "FOO", "FOO~3");
	expect_add(&set, "bar", "bar");
	expect_add(&set, "fOo", "fOo~4");
	/* Non-ASCII letters are not folded. */
	expect_add(&set, "é", "é");
	expect_add(&set, "É", "É");
	assert_int_equal(set.n, 7);
	rp_name_set_free(&set);
	assert_null(set.names);
	assert_int_equal(set.n, 0);

	/* A suffixed name that is already taken is skipped. */
	expect_add(&set, "x~2", "x~2");
	expect_add(&set, "x", "x");
	expect_add(&set, "X", "X~3");
	expect_add(&set, "X~2", "X~2~2");
	rp_name_set_free(&set);
}

static void test_name_set_appends_and_scales(void **state)
{
	rp_name_set set = { NULL, 0, 0 };
	rp_buf b = RP_BUF_INIT;
	char stem[32];
	size_t i;

	(void)state;
	rp_buf_puts(&b, "data/");
	assert_int_equal(rp_name_set_add(&set, &b, "t"), 0);
	assert_string_equal(b.data, "data/t");

	for (i = 2; i <= 100; i++) {
		rp_buf_clear(&b);
		assert_int_equal(rp_name_set_add(&set, &b, (i % 2) ? "t" : "T"), 0);
		snprintf(stem, sizeof stem, "%s~%zu", (i % 2) ? "t" : "T", i);
		assert_string_equal(b.data, stem);
	}
	/* Many distinct names stay distinct and sorted look-ups find them. */
	for (i = 0; i < 1000; i++) {
		rp_buf_clear(&b);
		snprintf(stem, sizeof stem, "Table%zu", (i * 7919) % 1000);
		assert_int_equal(rp_name_set_add(&set, &b, stem), 0);
		assert_string_equal(b.data, stem);
	}
	rp_buf_clear(&b);
	assert_int_equal(rp_name_set_add(&set, &b, "TABLE500"), 0);
	assert_string_equal(b.data, "TABLE500~2");
	assert_int_equal(set.n, 1101);
	rp_name_set_free(&set);
	rp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_encode),
		cmocka_unit_test(test_manifest_decode),
		cmocka_unit_test(test_manifest_decode_rejects),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_path_is_safe),
		cmocka_unit_test(test_path_is_unsafe),
		cmocka_unit_test(test_safe_name_examples),
		cmocka_unit_test(test_safe_name_appends),
		cmocka_unit_test(test_safe_name_property),
		cmocka_unit_test(test_name_set_collisions),
		cmocka_unit_test(test_name_set_appends_and_scales),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
