/* Media file names: kept when UTF-8, otherwise mapped reversibly. */
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

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* ---- the name mapping ---- */

static void expect_map(const char *in, size_t len, const char *out, bool mapped)
{
	rp_buf b = RP_BUF_INIT;
	bool m = !mapped;

	assert_int_equal(rp_media_name_map(&b, in, len, &m), 0);
	assert_int_equal(m, mapped);
	assert_int_equal(b.len, strlen(out));
	assert_memory_equal(b.data, out, b.len);
	rp_buf_free(&b);
}

static void test_kept_names(void **state)
{
	(void)state;
	expect_map("photo.jpg", 9, "photo.jpg", false);
	expect_map("Conditions générales 2024.pdf", strlen("Conditions générales 2024.pdf"),
	           "Conditions générales 2024.pdf", false);
	expect_map("l'équipe du siège.png", strlen("l'équipe du siège.png"), "l'équipe du siège.png", false);
	/* '%' and text that looks like an escape are kept in a UTF-8 name */
	expect_map("100%.txt", 8, "100%.txt", false);
	expect_map("a%FF.txt", 8, "a%FF.txt", false);
	/* TAB, LF and CR are characters XML carries (the manifest encodes CR, LF) */
	expect_map("new\nline\r\tx", 11, "new\nline\r\tx", false);
	expect_map("日本語 ~ :*?", strlen("日本語 ~ :*?"), "日本語 ~ :*?", false);
}

static void test_mapped_names(void **state)
{
	(void)state;
	expect_map("bad\xff.txt", 8, "bad%FF.txt", true);
	/* once mapped, '%' is escaped too, so the mapping reverses */
	expect_map("50%\xff", 4, "50%25%FF", true);
	expect_map("back\\slash", 10, "back%5Cslash", true);
	expect_map("\x01" "ctl", 4, "%01ctl", true);
	expect_map("esc\x1b[1m", 7, "esc%1B[1m", true);
	/* a mapped name escapes every control character, LF included */
	expect_map("a\n\xfe", 3, "a%0A%FE", true);
	/* a truncated sequence, a surrogate, an overlong form, U+FFFE */
	expect_map("\xc3" "\xa9\xc3", 3, "é%C3", true);
	expect_map("\xed\xa0\x80", 3, "%ED%A0%80", true);
	expect_map("\xc0\xaf", 2, "%C0%AF", true);
	expect_map("x\xef\xbf\xbe", 4, "x%EF%BF%BE", true);
	/* Latin-1 bytes of a name written on an old system */
	expect_map("caf\xe9.jpg", 8, "caf%E9.jpg", true);
}

static void test_unmap_errors(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_media_name_unmap(&b, "a%4", 3), -1);
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_unmap(&b, "a%zz", 4), -1);
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_unmap(&b, "%e9t%C3%A9", 10), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "\xe9t\xc3\xa9", 4);
	rp_buf_free(&b);
}

/* Random byte strings: a kept name is the name; a mapped one is XML-safe
 * UTF-8 without a backslash and decodes to the name. */
static void test_round_trip(void **state)
{
	rp_buf b = RP_BUF_INIT, back = RP_BUF_INIT;
	uint64_t seed = 0x1234abcdULL;
	char name[24];
	size_t kept = 0, mapped_n = 0;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + next_random(&seed) % sizeof name;
		bool mapped;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = next_random(&seed);
			/* mostly text, some high bytes and controls; never '/' or NUL */
			char c = (char)(r % 4 == 0 ? (int)(0x80 + r / 4 % 0x80) : r % 4 == 1 ? (int)(1 + r / 4 % 0x1f)
			                                                                    : (int)(0x20 + r / 4 % 0x5f));
			name[i] = c == '/' ? '%' : c;
		}
		rp_buf_clear(&b);
		rp_buf_clear(&back);
		assert_int_equal(rp_media_name_map(&b, name, len, &mapped), 0);
		if (!mapped) {
			kept++;
			assert_int_equal(b.len, len);
			assert_memory_equal(b.data, name, len);
			continue;
		}
		mapped_n++;
		assert_true(rp_xml_text_ok(b.data, b.len));
		assert_null(memchr(b.data, '\\', b.len));
		for (size_t i = 0; i < b.len; i++)
			assert_true((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7f);
		assert_int_equal(rp_media_name_unmap(&back, b.data, b.len), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.data, name, len);
	}
	assert_true(kept > 100);
	assert_true(mapped_n > 100);
	rp_buf_free(&b);
	rp_buf_free(&back);
}

static void test_suffix(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_media_name_suffixed(&b, "photo%FF.jpg", 2), 0);
	assert_string_equal(b.data, "photo%FF~2.jpg");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, "archive%FF.tar.gz", 3), 0);
	assert_string_equal(b.data, "archive%FF.tar~3.gz");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, ".hidden%FF", 2), 0);
	assert_string_equal(b.data, ".hidden%FF~2");
	rp_buf_clear(&b);
	assert_int_equal(rp_media_name_suffixed(&b, "noext%01", 12), 0);
	assert_string_equal(b.data, "noext%01~12");
	rp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_names),
		cmocka_unit_test(test_mapped_names),
		cmocka_unit_test(test_unmap_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_suffix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
