/* MySQL literals and identifiers in dump.sql (formats/sql.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/text.h"
#include "revpack/writer.h"

static char out[4096];

static const char *lit(rp_colclass cls, const char *charset, const char *data, size_t len)
{
	rp_buf b = RP_BUF_INIT;
	rp_out o = rp_out_buf(&b);
	rp_buf one = RP_BUF_INIT;
	rp_column c;

	memset(&c, 0, sizeof c);
	c.cls = cls;
	c.charset = (char *)(uintptr_t)charset;
	assert_int_equal(rp_mysql_literal(&o, &c, data, len), 0);
	/* the one-pass path writes the same bytes */
	assert_int_equal(rp_mysql_literal_buf(&one, &c, data, len), 0);
	assert_int_equal(one.len, b.len);
	if (b.len)
		assert_memory_equal(one.data, b.data, b.len);
	rp_buf_free(&one);
	assert_true(b.len < sizeof out);
	memcpy(out, b.data ? b.data : "", b.len + 1);
	rp_buf_free(&b);
	return out;
}

/* Escapes and non-ASCII bytes on either side of the 16-byte blocks the
 * scanner reads: every position of a 40-byte value. */
static void test_escapes_at_every_position(void **state)
{
	static const struct {
		const char *in;
		size_t inlen;
		const char *esc;
		const char *charset;
		bool hex;
	} cases[] = {
		{ "'", 1, "\\'", "utf8mb4", false },
		{ "\0", 1, "\\0", "utf8mb4", false },
		{ "\032", 1, "\\Z", "utf8mb4", false },
		{ "\\", 1, "\\\\", "utf8mb4", false },
		{ "\t", 1, "\t", "utf8mb4", false },
		{ "\xc3\xa9", 2, "\xc3\xa9", "utf8mb4", false },
		{ "\xe2\x80\x99", 3, "\xe2\x80\x99", "utf8mb4", false },
		{ "\xe9", 1, NULL, "utf8mb4", true },
		{ "\xc3\xa9", 2, NULL, "latin1", true },
	};
	(void)state;

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		for (size_t pos = 0; pos + cases[k].inlen <= 40; pos++) {
			char in[48], want[128];
			size_t o = 0;
			memset(in, 'a', 40);
			memcpy(in + pos, cases[k].in, cases[k].inlen);
			if (cases[k].hex) {
				static const char hexd[] = "0123456789abcdef";
				want[o++] = 'X';
				want[o++] = '\'';
				for (size_t i = 0; i < 40; i++) {
					want[o++] = hexd[(unsigned char)in[i] >> 4];
					want[o++] = hexd[(unsigned char)in[i] & 15];
				}
			} else {
				want[o++] = '\'';
				memcpy(want + o, in, pos);
				o += pos;
				memcpy(want + o, cases[k].esc, strlen(cases[k].esc));
				o += strlen(cases[k].esc);
				memcpy(want + o, in + pos + cases[k].inlen, 40 - pos - cases[k].inlen);
				o += 40 - pos - cases[k].inlen;
			}
			want[o++] = '\'';
			want[o] = '\0';
			assert_string_equal(lit(RP_CLASS_TEXT, cases[k].charset, in, 40), want);
		}
}

/* Random values of 0 to 99 bytes mixing plain text, the escaped bytes,
 * UTF-8 sequences and bytes that are not UTF-8, against the rules written
 * plainly: valid UTF-8 is quoted with \0 \n \r \Z \\ \' \" escaped,
 * anything else is hex. */
static void test_random_values_against_the_rules(void **state)
{
	static const char *const pieces[] = { "a", "b", "Z", " ", "'", "\"", "\\", "\n", "\r", "\t", "\032",
		                              "\0", "\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xe9",
		                              "\xc3", "\x80", "\x7f", "\x01" };
	static const size_t plen[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 1, 1, 1, 1, 1 };
	uint32_t seed = 7;
	(void)state;

	for (int round = 0; round < 20000; round++) {
		char in[120], want[300];
		size_t n = 0, o = 0, target;
		seed = seed * 1103515245u + 12345u;
		target = (seed >> 16) % 100;
		while (n < target) {
			size_t k;
			seed = seed * 1103515245u + 12345u;
			/* mostly plain letters, as text is */
			k = (seed >> 16) % 40;
			if (k >= sizeof pieces / sizeof pieces[0])
				k = 0;
			if (n + plen[k] > sizeof in)
				break;
			memcpy(in + n, pieces[k], plen[k]);
			n += plen[k];
		}
		if (rp_utf8_valid(in, n)) {
			want[o++] = '\'';
			for (size_t i = 0; i < n; i++) {
				const char *e = NULL;
				switch (in[i]) {
				case '\0': e = "\\0"; break;
				case '\n': e = "\\n"; break;
				case '\r': e = "\\r"; break;
				case '\032': e = "\\Z"; break;
				case '\\': e = "\\\\"; break;
				case '\'': e = "\\'"; break;
				case '"': e = "\\\""; break;
				default: break;
				}
				if (e) {
					memcpy(want + o, e, 2);
					o += 2;
				} else {
					want[o++] = in[i];
				}
			}
			want[o++] = '\'';
		} else {
			want[o++] = 'X';
			want[o++] = '\'';
			rp_hex_encode(want + o, in, n);
			o += 2 * n;
			want[o++] = '\'';
		}
		lit(RP_CLASS_TEXT, "utf8mb4", in, n);
		if (strlen(out) != o || memcmp(out, want, o) != 0)
			fail_msg("round %d: %zu bytes escaped wrongly", round, n);
	}
}

static void test_null(void **state)
{
	(void)state;
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb4", NULL, 0), "NULL");
	assert_string_equal(lit(RP_CLASS_BINARY, NULL, NULL, 0), "NULL");
	assert_string_equal(lit(RP_CLASS_INTEGER, NULL, NULL, 0), "NULL");
}

static void test_empty_string_is_quoted(void **state)
{
	(void)state;
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb4", "", 0), "''");
	assert_string_equal(lit(RP_CLASS_BINARY, NULL, "", 0), "X''");
}

static void test_escapes(void **state)
{
	static const char in[] = "a\0b\nc\rd\032e\\f'g\"h\ti";
	(void)state;
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb4", in, sizeof in - 1),
	                    "'a\\0b\\nc\\rd\\Ze\\\\f\\'g\\\"h\ti'");
}

static void test_crlf_never_raw(void **state)
{
	const char *r;
	(void)state;
	r = lit(RP_CLASS_TEXT, "utf8mb4", "l1\r\nl2", 6);
	assert_null(strchr(r, '\r'));
	assert_null(strchr(r, '\n'));
	assert_string_equal(r, "'l1\\r\\nl2'");
}

static void test_numbers_bare(void **state)
{
	(void)state;
	assert_string_equal(lit(RP_CLASS_INTEGER, NULL, "-42", 3), "-42");
	assert_string_equal(lit(RP_CLASS_DECIMAL, NULL, "3.14", 4), "3.14");
	assert_string_equal(lit(RP_CLASS_FLOAT, NULL, "1e300", 5), "1e300");
	/* something unexpected in a numeric column is quoted, never bare */
	assert_string_equal(lit(RP_CLASS_FLOAT, NULL, "1;DROP", 6), "'1;DROP'");
	assert_string_equal(lit(RP_CLASS_INTEGER, NULL, "", 0), "''");
}

static void test_binary_hex(void **state)
{
	(void)state;
	assert_string_equal(lit(RP_CLASS_BINARY, NULL, "\x00\xff\x0d\x0a", 4), "X'00ff0d0a'");
	assert_string_equal(lit(RP_CLASS_BIT, NULL, "\x05", 1), "X'05'");
}

static void test_text_charsets(void **state)
{
	(void)state;
	/* UTF-8 text in a UTF-8 column: as it is */
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb4", "\xc3\xa9t\xc3\xa9", 5), "'\xc3\xa9t\xc3\xa9'");
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb3", "\xc3\xa9", 2), "'\xc3\xa9'");
	/* invalid UTF-8 in a UTF-8 column: hex keeps the bytes */
	assert_string_equal(lit(RP_CLASS_TEXT, "utf8mb4", "\xe9", 1), "X'e9'");
	/* latin1 column: ASCII as text, anything else as hex (byte-exact) */
	assert_string_equal(lit(RP_CLASS_TEXT, "latin1", "plain", 5), "'plain'");
	assert_string_equal(lit(RP_CLASS_TEXT, "latin1", "\xc3\xa9", 2), "X'c3a9'");
	assert_string_equal(lit(RP_CLASS_TEXT, "latin1", "\xe9", 1), "X'e9'");
	/* sets whose ASCII bytes are not ASCII text: always hex */
	assert_string_equal(lit(RP_CLASS_TEXT, "utf16", "\0A\0B", 4), "X'00410042'");
	assert_string_equal(lit(RP_CLASS_TEXT, "utf16le", "A\0", 2), "X'4100'");
	assert_string_equal(lit(RP_CLASS_TEXT, "ucs2", "\0x", 2), "X'0078'");
	assert_string_equal(lit(RP_CLASS_TEXT, "utf32", "\0\0\0x", 4), "X'00000078'");
	assert_string_equal(lit(RP_CLASS_TEXT, "swe7", "[", 1), "X'5b'");
	assert_string_equal(lit(RP_CLASS_TEXT, "sjis", "a\\b", 3), "X'615c62'");
	assert_string_equal(lit(RP_CLASS_TEXT, "cp932", "a\\b", 3), "'a\\\\b'");
	/* dates are text */
	assert_string_equal(lit(RP_CLASS_TEMPORAL, NULL, "0000-00-00 00:00:00", 19), "'0000-00-00 00:00:00'");
}

static void test_long_binary_is_chunked_correctly(void **state)
{
	char in[3000];
	rp_buf b = RP_BUF_INIT;
	rp_out o = rp_out_buf(&b);
	rp_column c;
	(void)state;

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (char)(i * 7);
	memset(&c, 0, sizeof c);
	c.cls = RP_CLASS_BINARY;
	assert_int_equal(rp_mysql_literal(&o, &c, in, sizeof in), 0);
	assert_int_equal(b.len, 2 * sizeof in + 3);
	assert_memory_equal(b.data, "X'", 2);
	assert_int_equal(b.data[b.len - 1], '\'');
	/* byte 2047 (index in the second chunk boundary region) */
	{
		char expect[3];
		static const char hexd[] = "0123456789abcdef";
		unsigned char v = (unsigned char)in[2047];
		expect[0] = hexd[v >> 4];
		expect[1] = hexd[v & 15];
		expect[2] = 0;
		assert_memory_equal(b.data + 2 + 2 * 2047, expect, 2);
	}
	rp_buf_free(&b);
}

static void test_ident(void **state)
{
	rp_buf b = RP_BUF_INIT;
	rp_out o = rp_out_buf(&b);
	(void)state;

	assert_int_equal(rp_mysql_ident(&o, "odd`name`"), 0);
	assert_string_equal(b.data, "`odd``name```");
	rp_buf_clear(&b);
	assert_int_equal(rp_mysql_ident(&o, "table \xc3\xa9"), 0);
	assert_string_equal(b.data, "`table \xc3\xa9`");
	rp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_escapes_at_every_position),
		cmocka_unit_test(test_random_values_against_the_rules),
		cmocka_unit_test(test_empty_string_is_quoted),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_crlf_never_raw),
		cmocka_unit_test(test_numbers_bare),
		cmocka_unit_test(test_binary_hex),
		cmocka_unit_test(test_text_charsets),
		cmocka_unit_test(test_long_binary_is_chunked_correctly),
		cmocka_unit_test(test_ident),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
