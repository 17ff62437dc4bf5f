/* Unit tests: SIARD value mappings (round trips through a real XML parser),
 * type mapping, and the writer + verifier on a package built here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "revpack/buf.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/package.h"
#include "revpack/siard.h"
#include "revpack/source.h"
#include "revpack/text.h"
#include "revpack/writer.h"

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* Puts text inside <c>...</c>, parses it with libxml2 (it must be
 * well-formed XML 1.0) and returns the character data the parser gives. */
static void xml_roundtrip(const char *text, size_t n, rp_buf *parsed)
{
	rp_buf doc = RP_BUF_INIT;
	xmlDocPtr d;
	xmlChar *content;

	assert_int_equal(rp_buf_puts(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><c>"), 0);
	assert_int_equal(rp_buf_put(&doc, text, n), 0);
	assert_int_equal(rp_buf_puts(&doc, "</c>"), 0);
	d = xmlReadMemory(doc.data, (int)doc.len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR);
	if (!d)
		fail_msg("not well-formed XML: [%.*s]", (int)(n > 200 ? 200 : n), text);
	content = xmlNodeGetContent(xmlDocGetRootElement(d));
	rp_buf_clear(parsed);
	assert_int_equal(rp_buf_puts(parsed, (const char *)content), 0);
	xmlFree(content);
	xmlFreeDoc(d);
	rp_buf_free(&doc);
}

/* encode -> XML parser -> decode gives v back; returns whether typed. */
static bool roundtrip(rp_siard_family f, const void *v, size_t n, rp_buf *enc)
{
	rp_buf parsed = RP_BUF_INIT, back = RP_BUF_INIT;
	const char *why = NULL;
	bool typed;
	uint64_t chars;

	rp_buf_clear(enc);
	assert_int_equal(rp_siard_encode(enc, f, v, n, &typed, &chars), 0);
	assert_non_null(enc->data);
	/* Only characters XML 1.0 accepts, and never a raw CR. */
	assert_true(rp_utf8_valid(enc->data, enc->len));
	for (size_t i = 0; i < enc->len; i++) {
		unsigned char c = (unsigned char)enc->data[i];
		assert_true(c >= 0x20 || c == '\t' || c == '\n');
		assert_true(c != 0x7F);
	}
	assert_null(strstr(enc->data, "]]>"));
	xml_roundtrip(enc->data, enc->len, &parsed);
	assert_int_equal(rp_siard_decode(&back, f, parsed.data, parsed.len, &why), 0);
	if (back.len != n || (n && memcmp(back.data, v, n) != 0))
		fail_msg("family %s: value [%.*s] came back as [%.*s] (text [%s])", rp_siard_family_name(f),
		         (int)n, (const char *)v, (int)back.len, back.data ? back.data : "", enc->data);
	rp_buf_free(&parsed);
	rp_buf_free(&back);
	return typed;
}

/* The source model holds char *; the tests give it literals. */
#define MUT(s) ((char *)(uintptr_t)(s))

#define RT(f, lit, buf) roundtrip((f), (lit), sizeof(lit) - 1, (buf))

static void expect(rp_siard_family f, const char *v, bool typed, const char *text)
{
	rp_buf enc = RP_BUF_INIT;

	assert_int_equal(roundtrip(f, v, strlen(v), &enc), typed);
	if (text)
		assert_string_equal(enc.data, text);
	rp_buf_free(&enc);
}

static void test_text_escapes(void **state)
{
	rp_buf enc = RP_BUF_INIT;
	(void)state;

	expect(RP_SIARD_TEXT, "", true, "");
	expect(RP_SIARD_TEXT, "plain text", true, "plain text");
	expect(RP_SIARD_TEXT, "a]]>b", true, "a]]&gt;b");
	expect(RP_SIARD_TEXT, "<&>\"'", true, "&lt;&amp;&gt;&quot;&apos;");
	expect(RP_SIARD_TEXT, "back\\slash", true, "back\\u005cslash");
	expect(RP_SIARD_TEXT, "a  b   c", true, "a \\u0020b \\u0020\\u0020c");
	expect(RP_SIARD_TEXT, "cr\r\nlf\ttab", true, "cr&#13;\nlf\ttab");
	expect(RP_SIARD_TEXT, "\x01\x08\x0b\x0c\x1f\x7f", true, "\\u0001\\u0008\\u000b\\u000c\\u001f\\u007f");
	expect(RP_SIARD_TEXT, "c1 \xc2\x80\xc2\x9f end", true, "c1 \\u0080\\u009f end");
	expect(RP_SIARD_TEXT, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", true, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect(RP_SIARD_TEXT, "nonchar \xef\xbf\xbe\xef\xbf\xbf", true, "nonchar \\ufffe\\uffff");
	/* bytes that are not UTF-8: latin1, lone continuation, overlong, surrogate, truncated */
	expect(RP_SIARD_TEXT, "caf\xe9", true, "caf\\xe9");
	expect(RP_SIARD_TEXT, "\x80\xc0\xaf\xed\xa0\x80\xe2\x82", true,
	       "\\x80\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82");
	/* text that looks like an escape stays itself */
	expect(RP_SIARD_TEXT, "\\u0041 \\x41", true, "\\u005cu0041 \\u005cx41");
	/* NUL inside */
	assert_true(RT(RP_SIARD_TEXT, "a\0b", &enc));
	assert_string_equal(enc.data, "a\\u0000b");
	rp_buf_free(&enc);
}

/* A second space, markup and non-ASCII characters on either side of the
 * 16-byte blocks the scanner reads. */
static void test_text_escapes_every_position(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "  ", " \\u0020" }, { "   ", " \\u0020\\u0020" }, { "<", "&lt;" }, { "\\", "\\u005c" },
		{ "\x7f", "\\u007f" }, { "\xc3\xa9", "\xc3\xa9" }, { "\xc2\x85", "\\u0085" }, { "\xe9", "\\xe9" },
		{ "\r", "&#13;" },
	};
	(void)state;

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		for (size_t pos = 0; pos < 36; pos++) {
			char in[40], want[128];
			size_t len = strlen(cases[k].in);
			memset(in, 'z', sizeof in - 1);
			in[sizeof in - 1] = '\0';
			memcpy(in + pos, cases[k].in, len);
			snprintf(want, sizeof want, "%.*s%s%s", (int)pos, in, cases[k].out, in + pos + len);
			expect(RP_SIARD_TEXT, in, true, want);
		}
}

/* Well-formed UTF-8 takes a faster path than text with a bad byte: the
 * same string followed by one bad byte must come out the same, that byte's
 * escape apart, with the same count of characters. */
static void test_escape_paths_agree(void **state)
{
	static const char *const pieces[] = { "a", " ", "  ", "&", "<", "\t", "\r", "\n", "\\", "\x7f", "\x01",
		                              "\xc3\xa9", "\xc2\x80", "\xc2\x9f", "\xc2\xa0", "\xef\xbf\xbe",
		                              "\xef\xbf\xbf", "\xef\xbf\xbd", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		                              "assur\xc3\xa9s ", "'\"" };
	uint64_t rng = 0x0123456789abcdefULL;
	rp_buf fast = RP_BUF_INIT, slow = RP_BUF_INIT;
	char in[260];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, want;
		uint64_t c1 = 0, c2 = 0;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		want = (size_t)(rng % 200);
		while (len < want) {
			const char *piece;
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			piece = pieces[rng % (sizeof pieces / sizeof *pieces)];
			memcpy(in + len, piece, strlen(piece));
			len += strlen(piece);
		}
		assert_true(rp_utf8_valid(in, len));
		in[len] = (char)0xFF;
		rp_buf_clear(&fast);
		rp_buf_clear(&slow);
		assert_int_equal(rp_siard_escape(&fast, in, len, &c1), 0);
		assert_int_equal(rp_siard_escape(&slow, in, len + 1, &c2), 0);
		assert_int_equal(slow.len, fast.len + 4);
		assert_memory_equal(slow.data, fast.data, fast.len);
		assert_memory_equal(slow.data + fast.len, "\\xff", 4);
		assert_int_equal(c2, c1 + 4);
	}
	rp_buf_free(&fast);
	rp_buf_free(&slow);
}

static void test_decode_malformed(void **state)
{
	rp_buf out = RP_BUF_INIT;
	const char *why = NULL;
	(void)state;

	assert_int_equal(rp_siard_decode(&out, RP_SIARD_TEXT, "a\\q", 3, &why), -1);
	assert_non_null(why);
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_TEXT, "a\\u12", 5, &why), -1);
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_TEXT, "\\ud800", 6, &why), -1);
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_TEXT, "\\xg1", 4, &why), -1);
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_BINARY, "abc", 3, &why), -1);
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_BINARY, "zz", 2, &why), -1);
	rp_buf_clear(&out);
	/* either hex case, and \u in upper case */
	assert_int_equal(rp_siard_decode(&out, RP_SIARD_TEXT, "\\u00E9\\xE9", 10, &why), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "\xc3\xa9\xe9", 3);
	rp_buf_free(&out);
}

static void test_random_bytes(void **state)
{
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	rp_buf enc = RP_BUF_INIT;
	static const rp_siard_family fams[] = { RP_SIARD_TEXT, RP_SIARD_BINARY, RP_SIARD_INTEGER,
		                                 RP_SIARD_DOUBLE, RP_SIARD_DATE, RP_SIARD_TIMESTAMP,
		                                 RP_SIARD_TIMESTAMP_TZ, RP_SIARD_BOOL_BIT, RP_SIARD_BOOL_PG };
	(void)state;

	for (int round = 0; round < 3000; round++) {
		char v[64];
		size_t n = (size_t)(next_random(&seed) % sizeof v);
		for (size_t i = 0; i < n; i++) {
			uint64_t r = next_random(&seed);
			/* Bias towards the interesting bytes. */
			v[i] = (char)(r % 4 == 0 ? (uint64_t)(unsigned char)" \\&<>\r\n\t"[(r >> 8) % 8] : (r % 4 == 1 ? (r >> 8) % 0x20 : r >> 16));
		}
		roundtrip(fams[(size_t)round % (sizeof fams / sizeof fams[0])], v, n, &enc);
	}
	rp_buf_free(&enc);
}

static void test_temporal(void **state)
{
	(void)state;
	expect(RP_SIARD_TIMESTAMP, "2024-03-01 10:00:00", true, "2024-03-01T10:00:00Z");
	expect(RP_SIARD_TIMESTAMP, "2024-02-29 23:59:59.123", true, "2024-02-29T23:59:59.123Z");
	expect(RP_SIARD_TIMESTAMP, "0001-01-01 00:00:00", true, "0001-01-01T00:00:00Z");
	expect(RP_SIARD_TIMESTAMP, "9999-12-31 23:59:59.999999", true, "9999-12-31T23:59:59.999999Z");
	/* MySQL zero dates and invalid dates: the string form */
	expect(RP_SIARD_TIMESTAMP, "0000-00-00 00:00:00", false, "0000-00-00 00:00:00");
	expect(RP_SIARD_TIMESTAMP, "2024-00-10 00:00:00", false, NULL);
	expect(RP_SIARD_TIMESTAMP, "2023-02-29 00:00:00", false, NULL);
	expect(RP_SIARD_TIMESTAMP, "2024-04-31 00:00:00", false, NULL);
	/* a string form that would read as a typed form is escaped */
	expect(RP_SIARD_TIMESTAMP, "2024-03-01T10:00:00Z", false, "\\u0032024-03-01T10:00:00Z");
	expect(RP_SIARD_DATE, "2024-02-29", true, "2024-02-29Z");
	expect(RP_SIARD_DATE, "0000-00-00", false, "0000-00-00");
	expect(RP_SIARD_DATE, "2024-02-29Z", false, "\\u0032024-02-29Z");
	expect(RP_SIARD_TIME, "23:59:59.50", true, "23:59:59.50Z");
	expect(RP_SIARD_TIME, "-838:59:59", false, "-838:59:59");
	expect(RP_SIARD_TIME, "24:00:00", false, "24:00:00");
	expect(RP_SIARD_TIME, "100:00:00", false, NULL);
	/* PostgreSQL */
	expect(RP_SIARD_TIMESTAMP_TZ, "2024-03-01 10:00:00+00", true, "2024-03-01T10:00:00Z");
	expect(RP_SIARD_TIMESTAMP_TZ, "2024-03-01 10:00:00.5+00", true, "2024-03-01T10:00:00.5Z");
	expect(RP_SIARD_TIMESTAMP_TZ, "2024-03-01 10:00:00+02", false, NULL);
	expect(RP_SIARD_TIMESTAMP_TZ, "infinity", false, "infinity");
	expect(RP_SIARD_TIMESTAMP_TZ, "-infinity", false, "-infinity");
	expect(RP_SIARD_TIMESTAMP_TZ, "0044-03-15 10:00:00+00 BC", false, NULL);
	expect(RP_SIARD_TIMESTAMP, "10000-01-01 00:00:00", false, NULL);
	expect(RP_SIARD_DATE, "5874897-12-31", false, NULL);
	expect(RP_SIARD_TIME_TZ, "10:00:00+00", true, "10:00:00Z");
	expect(RP_SIARD_TIME_TZ, "10:00:00+05:30", false, NULL);
}

static void test_numbers(void **state)
{
	rp_buf enc = RP_BUF_INIT;
	(void)state;

	expect(RP_SIARD_INTEGER, "123", true, "123");
	expect(RP_SIARD_INTEGER, "-9223372036854775808", true, NULL);
	expect(RP_SIARD_INTEGER, "18446744073709551615", true, NULL);
	expect(RP_SIARD_INTEGER, "0012", true, "0012"); /* ZEROFILL keeps its zeros */
	expect(RP_SIARD_DECIMAL, "-12345678901234.000001", true, NULL);
	expect(RP_SIARD_DECIMAL, "NaN", false, "NaN");
	expect(RP_SIARD_DECIMAL, "Infinity", false, "Infinity");
	expect(RP_SIARD_DOUBLE, "NaN", true, "NaN");
	expect(RP_SIARD_DOUBLE, "Infinity", true, "INF");
	expect(RP_SIARD_DOUBLE, "-Infinity", true, "-INF");
	expect(RP_SIARD_DOUBLE, "-1.5e-300", true, "-1.5e-300");
	expect(RP_SIARD_DOUBLE, "1e+300", true, "1e+300");
	expect(RP_SIARD_REAL, "3.14159", true, "3.14159");
	/* a literal INF is not Infinity: escaped so that it stays INF */
	expect(RP_SIARD_DOUBLE, "INF", false, "\\u0049NF");
	expect(RP_SIARD_INTEGER, "12 ", false, "12 ");
	/* A huge decimal */
	{
		char big[70001];
		memset(big, '9', sizeof big - 1);
		big[0] = '-';
		big[sizeof big - 1] = '\0';
		assert_true(roundtrip(RP_SIARD_DECIMAL, big, strlen(big), &enc));
	}
	rp_buf_free(&enc);
}

static void test_booleans_binary(void **state)
{
	rp_buf enc = RP_BUF_INIT;
	(void)state;

	assert_true(RT(RP_SIARD_BOOL_BIT, "\x01", &enc));
	assert_string_equal(enc.data, "true");
	assert_true(RT(RP_SIARD_BOOL_BIT, "\0", &enc));
	assert_string_equal(enc.data, "false");
	assert_false(RT(RP_SIARD_BOOL_BIT, "\x02", &enc));
	expect(RP_SIARD_BOOL_PG, "t", true, "true");
	expect(RP_SIARD_BOOL_PG, "f", true, "false");
	expect(RP_SIARD_BOOL_PG, "true", false, "\\u0074rue");
	assert_true(RT(RP_SIARD_BINARY, "\0\x01\xff", &enc));
	assert_string_equal(enc.data, "0001FF");
	assert_true(RT(RP_SIARD_BINARY, "", &enc));
	assert_string_equal(enc.data, "");
	rp_buf_free(&enc);
}

static void test_huge_value(void **state)
{
	size_t n = 24u << 20;
	char *v = malloc(n);
	rp_buf enc = RP_BUF_INIT, back = RP_BUF_INIT;
	const char *why;
	bool typed;
	uint64_t chars;
	(void)state;

	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = (char)("ab\\ \x01\xe9\r<"[i % 8]);
	assert_int_equal(rp_siard_encode(&enc, RP_SIARD_TEXT, v, n, &typed, &chars), 0);
	/* The parser resolves &#13; and the entities: do the same here. */
	{
		rp_buf parsed = RP_BUF_INIT;
		xml_roundtrip(enc.data, enc.len, &parsed);
		assert_int_equal(rp_siard_decode(&back, RP_SIARD_TEXT, parsed.data, parsed.len, &why), 0);
		rp_buf_free(&parsed);
	}
	assert_int_equal(back.len, n);
	assert_memory_equal(back.data, v, n);
	free(v);
	rp_buf_free(&enc);
	rp_buf_free(&back);
}

static void test_types(void **state)
{
	rp_column c;
	rp_siard_coltype t;
	(void)state;

	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_TEMPORAL, "datetime(3)"), RP_SIARD_TIMESTAMP);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_TEMPORAL, "year(4)"), RP_SIARD_INTEGER);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_BIT, "bit(1)"), RP_SIARD_BOOL_BIT);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_BIT, "bit(3)"), RP_SIARD_BINARY);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_INTEGER, "bigint(20) unsigned zerofill"), RP_SIARD_INTEGER);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_FLOAT, "float"), RP_SIARD_REAL);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_TEXT, "enum('a','b')"), RP_SIARD_TEXT);
	assert_int_equal(rp_siard_family_of("mysql", RP_CLASS_BINARY, "point"), RP_SIARD_BINARY);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_TEMPORAL, "timestamp(3) with time zone"),
	                 RP_SIARD_TIMESTAMP_TZ);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_TEMPORAL, "timestamp without time zone"),
	                 RP_SIARD_TIMESTAMP);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_INTEGER, "integer[]"), RP_SIARD_TEXT);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_OTHER, "boolean"), RP_SIARD_BOOL_PG);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_BINARY, "bytea"), RP_SIARD_BINARY);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_TEMPORAL, "interval"), RP_SIARD_TEXT);
	assert_int_equal(rp_siard_family_of("pgsql", RP_CLASS_DECIMAL, "numeric(10,2)"), RP_SIARD_DECIMAL);

	memset(&c, 0, sizeof c);
	c.length = -1;
	c.precision = c.scale = -1;
	c.type = MUT("bigint(20) unsigned");
	c.cls = RP_CLASS_INTEGER;
	c.is_unsigned = true;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "DECIMAL(20)");
	assert_string_equal(t.xstype, "xs:integer");
	c.is_unsigned = false;
	c.type = MUT("decimal(20,6)");
	c.cls = RP_CLASS_DECIMAL;
	c.precision = 20;
	c.scale = 6;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "DECIMAL(20, 6)");
	c.type = MUT("numeric(9,-3)");
	c.precision = 9;
	c.scale = 2045; /* what PostgreSQL 16 reports for a negative scale */
	rp_siard_column_type("pgsql", &c, &t);
	assert_string_equal(t.sqltype, "DECIMAL");
	c.type = MUT("datetime");
	c.cls = RP_CLASS_TEMPORAL;
	c.precision = 0;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "TIMESTAMP(0)");
	assert_string_equal(t.xstype, "dateTimeType");
	c.type = MUT("time");
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "TIME");
	c.type = MUT("varchar(255)");
	c.cls = RP_CLASS_TEXT;
	c.length = 255;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "VARCHAR(255)");
	assert_false(t.lob);
	c.type = MUT("longtext");
	c.length = 4294967295LL;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "CLOB");
	assert_true(t.lob);
	c.type = MUT("longblob");
	c.cls = RP_CLASS_BINARY;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "BLOB");
	assert_true(t.binary_lob);
	c.type = MUT("bit(1)");
	c.cls = RP_CLASS_BIT;
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "BOOLEAN");
	c.type = MUT("bit(12)");
	rp_siard_column_type("mysql", &c, &t);
	assert_string_equal(t.sqltype, "BINARY(2)");
	c.type = MUT("timestamp(3) with time zone");
	c.cls = RP_CLASS_TEMPORAL;
	c.precision = 3;
	rp_siard_column_type("pgsql", &c, &t);
	assert_string_equal(t.sqltype, "TIMESTAMP WITH TIME ZONE(3)");
	c.type = MUT("character varying(20)");
	c.cls = RP_CLASS_TEXT;
	c.length = 20;
	rp_siard_column_type("pgsql", &c, &t);
	assert_string_equal(t.sqltype, "VARCHAR(20)");
	c.type = MUT("text");
	c.length = -1;
	rp_siard_column_type("pgsql", &c, &t);
	assert_string_equal(t.sqltype, "CLOB");

	assert_true(rp_siard_fsname_ok("table12.xml", 11));
	assert_false(rp_siard_fsname_ok("2.2", 3));
	assert_false(rp_siard_fsname_ok("a.b.c", 5));
	assert_false(rp_siard_fsname_ok("a-b", 3));
}

/* ---- the writer and the verifier on a package built here ---- */

static const rp_source_ops fake_ops = { .kind = "mysql" };

typedef struct problems {
	size_t n;
	char last[2048];
	char all[16384];
} problems;

static void on_problem(void *ctx, const char *path, const char *message)
{
	problems *p = ctx;
	p->n++;
	snprintf(p->last, sizeof p->last, "%s: %s", path, message);
	if (strlen(p->all) + strlen(p->last) + 2 < sizeof p->all) {
		strcat(p->all, p->last);
		strcat(p->all, "\n");
	}
}

typedef struct fixture {
	char dir[64];
	rp_source src;
	rp_schema sc;
	rp_column cols[7];
	rp_writer_env env;
	rp_package *pkg;
} fixture;

static bool make_fixture_fs(fixture *fx, const char *tmpfs_size);

static void make_fixture(fixture *fx)
{
	make_fixture_fs(fx, NULL);
}

/* With tmpfs_size, the package lives on a tmpfs of that size (false when
 * one cannot be mounted: not root, no permission). */
static bool make_fixture_fs(fixture *fx, const char *tmpfs_size)
{
	static const struct { const char *name, *type; rp_colclass cls; long long len; int prec; bool nullable; } defs[] = {
		{ "id", "int(11)", RP_CLASS_INTEGER, -1, 10, false },
		{ "at", "datetime", RP_CLASS_TEMPORAL, -1, 0, true },
		{ "body", "longtext", RP_CLASS_TEXT, 4294967295LL, -1, true },
		{ "img", "longblob", RP_CLASS_BINARY, 4294967295LL, -1, true },
		{ "flag", "bit(1)", RP_CLASS_BIT, -1, 1, true },
		{ "x", "double", RP_CLASS_FLOAT, -1, 22, true },
		{ "name", "varchar(3)", RP_CLASS_TEXT, 3, -1, true },
	};

	memset(fx, 0, sizeof *fx);
	strcpy(fx->dir, "/tmp/rp-test-siard-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	if (tmpfs_size) {
		char cmd[200];
		snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=%s tmpfs %s 2>/dev/null", tmpfs_size, fx->dir);
		if (getuid() != 0 || system(cmd) != 0) {
			rmdir(fx->dir);
			return false;
		}
	}
	fx->src.ops = &fake_ops;
	fx->src.name = MUT("db");
	fx->src.info.product = MUT("MariaDB");
	fx->src.info.version = MUT("10.11");
	fx->src.info.database = MUT("shop");
	fx->src.info.user = MUT("u@h");
	fx->src.info.host = MUT("127.0.0.1");
	fx->src.info.port = 3306;
	fx->src.info.snapshot_started = 1700000000;
	for (size_t i = 0; i < 7; i++) {
		rp_column *c = &fx->cols[i];
		c->name = MUT(defs[i].name);
		c->type = MUT(defs[i].type);
		c->cls = defs[i].cls;
		c->length = defs[i].len;
		c->precision = defs[i].prec;
		c->scale = -1;
		c->nullable = defs[i].nullable;
	}
	fx->sc.tables = calloc(2, sizeof *fx->sc.tables);
	assert_non_null(fx->sc.tables);
	fx->sc.ntables = 2;
	fx->sc.tables[0].name = MUT("items");
	fx->sc.tables[0].display = MUT("items");
	fx->sc.tables[0].cols = fx->cols;
	fx->sc.tables[0].ncols = 7;
	fx->sc.tables[1].name = MUT("empty");
	fx->sc.tables[1].display = MUT("empty");
	fx->sc.tables[1].cols = fx->cols;
	fx->sc.tables[1].ncols = 1;
	{
		char out[128];
		snprintf(out, sizeof out, "%s/pkg", fx->dir);
		assert_int_equal(rp_package_create(&fx->pkg, out), 0);
	}
	fx->env.pkg = fx->pkg;
	fx->env.src = &fx->src;
	fx->env.schema = &fx->sc;
	fx->env.dir = "database/db";
	return true;
}

static void free_fixture(fixture *fx)
{
	for (size_t i = 0; i < fx->env.nfiles; i++)
		free(fx->env.files[i].path);
	free(fx->env.files);
	rp_package_abort(fx->pkg);
	free(fx->sc.tables);
	rp_remove_tree(fx->dir);
}

/* content/schema0/table0/lob<col>/lob_<sha256 of the value>.<ext> */
static void lob_name(char *out, size_t len, int col, const char *v, size_t n, const char *ext)
{
	uint8_t d[RP_SHA256_LEN];
	char hex[RP_SHA256_HEXLEN + 1];

	assert_int_equal(rp_sha256_oneshot(v, n, d), 0);
	rp_sha256_hex(d, hex);
	snprintf(out, len, "content/schema0/table0/lob%d/lob_%s.%s", col, hex, ext);
}

static void add_row(rp_writer *w, void *tc, rp_table *t, rp_rowhash *rh, const rp_value *v)
{
	uint8_t h[RP_SHA256_LEN];

	assert_int_equal(rp_rowhash_begin(rh), 0);
	for (size_t i = 0; i < t->ncols; i++)
		assert_int_equal(v[i].data ? rp_rowhash_value(rh, v[i].data, v[i].len) : rp_rowhash_null(rh), 0);
	assert_int_equal(rp_rowhash_end(rh, h), 0);
	rp_digest_add(&t->digest, h);
	assert_int_equal(w->ops->row(w, tc, t, v, t->ncols), 0);
}

static size_t verify_siard(fixture *fx, const char *siard_abs, const char *digest_override, problems *p)
{
	rp_siard_vcol vc[7];
	rp_siard_vtable vt[2];
	rp_siard_verify_args a;
	rp_siard_vresult res;
	char hex[2][RP_SHA256_HEXLEN + 1];

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < 7; i++) {
		vc[i].name = fx->cols[i].name;
		vc[i].cls = rp_colclass_name(fx->cols[i].cls);
		vc[i].type = fx->cols[i].type;
	}
	for (size_t i = 0; i < 2; i++) {
		memset(&vt[i], 0, sizeof vt[i]);
		vt[i].name = fx->sc.tables[i].name;
		vt[i].cols = vc;
		vt[i].ncols = fx->sc.tables[i].ncols;
		vt[i].rows = fx->sc.tables[i].digest.rows;
		vt[i].rows_ok = true;
		rp_digest_hex(&fx->sc.tables[i].digest, hex[i]);
		vt[i].digest = i == 0 && digest_override ? digest_override : hex[i];
		vt[i].digest_ok = true;
	}
	memset(&a, 0, sizeof a);
	a.path = "data/database/db/db.siard";
	a.fd = open(siard_abs, O_RDONLY | O_CLOEXEC);
	assert_true(a.fd >= 0);
	a.kind = "mysql";
	a.tables = vt;
	a.ntables = 2;
	a.problem = on_problem;
	a.ctx = p;
	assert_int_equal(rp_siard_verify(&a, &res), 0);
	return p->n;
}

static void test_writer_and_verify(void **state)
{
	fixture fx;
	rp_writer *w = NULL;
	rp_rowhash rh;
	char siard[256], staging[256];
	static char big[5000];
	problems p;
	struct stat st;
	(void)state;

	make_fixture(&fx);
	setenv("REVPACK_TEST_SIARD_LOB_INLINE_MAX", "100", 1);
	memset(big, 'x', sizeof big);
	big[10] = '\0';
	big[11] = '\xe9'; /* not UTF-8: a .bin LOB file */
	assert_int_equal(rp_rowhash_init(&rh), 0);
	assert_int_equal(rp_siard_writer_new(&w, &fx.env), 0);
	assert_int_equal(w->ops->begin(w), 0);
	for (size_t ti = 0; ti < 2; ti++) {
		rp_table *t = &fx.sc.tables[ti];
		rp_digest_init(&t->digest);
		void *tc = NULL, *c0 = NULL, *c1 = NULL;
		/* table 0 in two key ranges, the second ending first */
		t->nchunks = ti == 0 ? 2 : 1;
		assert_int_equal(w->ops->table_begin(w, t, &tc), 0);
		assert_int_equal(w->ops->chunk_begin(w, tc, t, 0, &c0), 0);
		if (ti == 0) {
			assert_int_equal(w->ops->chunk_begin(w, tc, t, 1, &c1), 0);
			rp_value r1[7] = { { "1", 1 }, { "2024-03-01 10:00:00", 19 }, { "", 0 }, { "\0\x01", 2 },
				           { "\x01", 1 }, { "NaN", 3 }, { "a\\b", 3 } };
			rp_value r2[7] = { { "2", 1 }, { "0000-00-00 00:00:00", 19 }, { NULL, 0 }, { NULL, 0 },
				           { NULL, 0 }, { "-1.5e-300", 9 }, { "\xe9t\xe9", 3 } };
			rp_value r3[7] = { { "3", 1 }, { NULL, 0 }, { big, 300 }, { big, sizeof big },
				           { "\0", 1 }, { "1e300", 5 }, { "]]>", 3 } };
			rp_value r4[7] = { { "4", 1 }, { NULL, 0 }, { big + 100, 200 }, { NULL, 0 },
				           { NULL, 0 }, { NULL, 0 }, { "", 0 } };
			add_row(w, c0, t, &rh, r1);
			add_row(w, c0, t, &rh, r2);
			add_row(w, c1, t, &rh, r3);
			add_row(w, c1, t, &rh, r4);
			/* the same large value again: one file, named by both cells */
			rp_value r5[7] = { { "5", 1 }, { NULL, 0 }, { big + 100, 200 }, { NULL, 0 },
				           { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
			add_row(w, c1, t, &rh, r5);
			assert_int_equal(w->ops->chunk_end(w, tc, c1, t), 0);
		}
		assert_int_equal(w->ops->chunk_end(w, tc, c0, t), 0);
		assert_int_equal(w->ops->table_end(w, tc, t), 0);
	}
	assert_int_equal(w->ops->end(w), 0);
	snprintf(staging, sizeof staging, "%s/data/database/db/.siard-staging", rp_package_root_path(fx.pkg));
	assert_int_equal(lstat(staging, &st), -1); /* removed */
	assert_int_equal(fx.env.nfiles, 1);
	assert_string_equal(fx.env.files[0].role, "siard");
	assert_string_equal(fx.env.files[0].path, "data/database/db/db.siard");
	snprintf(siard, sizeof siard, "%s/data/database/db/db.siard", rp_package_root_path(fx.pkg));

	/* The ZIP: entries, compression, no encryption. */
	{
		int err = 0;
		zip_t *za = zip_open(siard, ZIP_RDONLY | ZIP_CHECKCONS, &err);
		/* large objects are named by their SHA-256 */
		char lob3bin[200], lob4bin[200], lob3txt[200];
		const char *const want[] = {
			"header/metadata.xml", "header/metadata.xsd", "header/siardversion/2.2/", "content/schema0/",
			"content/schema0/table0/table0.xml", "content/schema0/table0/table0.xsd",
			"content/schema0/table1/table1.xml", "content/schema0/table1/table1.xsd",
			lob3bin, lob4bin, lob3txt,
		};
		lob_name(lob3bin, sizeof lob3bin, 3, big, 300, "bin");
		lob_name(lob4bin, sizeof lob4bin, 4, big, sizeof big, "bin");
		lob_name(lob3txt, sizeof lob3txt, 3, big + 100, 200, "txt");
		assert_non_null(za);
		assert_int_equal(zip_get_num_entries(za, 0), sizeof want / sizeof want[0]);
		for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
			zip_stat_t zs;
			zip_int64_t idx = zip_name_locate(za, want[i], ZIP_FL_ENC_RAW);
			if (idx < 0)
				fail_msg("entry %s missing", want[i]);
			assert_int_equal(zip_stat_index(za, (zip_uint64_t)idx, 0, &zs), 0);
			assert_true(zs.comp_method == ZIP_CM_STORE || zs.comp_method == ZIP_CM_DEFLATE);
			assert_int_equal(zs.encryption_method, ZIP_EM_NONE);
		}
		/* metadata.xsd is the official schema, byte for byte */
		{
			zip_file_t *zf = zip_fopen(za, "header/metadata.xsd", 0);
			char *buf = malloc(rp_siard_metadata_xsd_len + 1);
			assert_non_null(zf);
			assert_int_equal(zip_fread(zf, buf, rp_siard_metadata_xsd_len + 1), (zip_int64_t)rp_siard_metadata_xsd_len);
			assert_memory_equal(buf, rp_siard_metadata_xsd, rp_siard_metadata_xsd_len);
			free(buf);
			zip_fclose(zf);
		}
		zip_discard(za);
	}

	/* verify accepts it; a wrong digest is a problem naming the entry */
	if (verify_siard(&fx, siard, NULL, &p) != 0)
		fail_msg("%zu problems:\n%s", p.n, p.all);
	assert_int_equal(verify_siard(&fx, siard, "0000000000000000000000000000000000000000000000000000000000000001", &p), 1);
	assert_non_null(strstr(p.last, "data/database/db/db.siard: content/schema0/table0/table0.xml: table items: content digest"));

	/* a changed byte in the archive is found */
	{
		FILE *f = fopen(siard, "r+b");
		long size;
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, size / 3, SEEK_SET);
		fputc(0x55 ^ fgetc(f), f);
		fclose(f);
		assert_true(verify_siard(&fx, siard, NULL, &p) > 0);
	}
	rp_rowhash_free(&rh);
	w->ops->free(w);
	unsetenv("REVPACK_TEST_SIARD_LOB_INLINE_MAX");
	free_fixture(&fx);
}

/* An export that fails half-way leaves no staging file behind. */
static void test_free_removes_staging(void **state)
{
	fixture fx;
	rp_writer *w = NULL;
	void *tc = NULL, *cc = NULL;
	char staging[256];
	struct stat st;
	rp_value r[7] = { { "1", 1 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	(void)state;

	make_fixture(&fx);
	assert_int_equal(rp_siard_writer_new(&w, &fx.env), 0);
	assert_int_equal(w->ops->begin(w), 0);
	assert_int_equal(w->ops->table_begin(w, &fx.sc.tables[0], &tc), 0);
	assert_int_equal(w->ops->chunk_begin(w, tc, &fx.sc.tables[0], 0, &cc), 0);
	assert_int_equal(w->ops->row(w, cc, &fx.sc.tables[0], r, 7), 0);
	snprintf(staging, sizeof staging, "%s/data/database/db/.siard-staging", rp_package_root_path(fx.pkg));
	assert_int_equal(lstat(staging, &st), 0);
	w->ops->chunk_abort(w, tc, cc);
	w->ops->table_abort(w, tc);
	w->ops->free(w);
	assert_int_equal(lstat(staging, &st), -1);
	free_fixture(&fx);
}

/* A full disk while staging: a clear error, and nothing left behind. */
static void test_disk_full(void **state)
{
	fixture fx;
	rp_writer *w = NULL;
	void *tc = NULL, *cc = NULL;
	static char body[60000];
	char staging[256], cmd[200];
	struct stat st;
	int rc = 0;
	(void)state;

	if (!make_fixture_fs(&fx, "512k"))
		skip();
	memset(body, 'y', sizeof body);
	assert_int_equal(rp_siard_writer_new(&w, &fx.env), 0);
	assert_int_equal(w->ops->begin(w), 0);
	assert_int_equal(w->ops->table_begin(w, &fx.sc.tables[0], &tc), 0);
	assert_int_equal(w->ops->chunk_begin(w, tc, &fx.sc.tables[0], 0, &cc), 0);
	for (int i = 0; i < 100 && rc == 0; i++) {
		rp_value r[7] = { { "1", 1 }, { NULL, 0 }, { body, sizeof body }, { NULL, 0 },
			          { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
		rc = w->ops->row(w, cc, &fx.sc.tables[0], r, 7);
	}
	if (rc == 0)
		rc = w->ops->chunk_end(w, tc, cc, &fx.sc.tables[0]);
	else
		w->ops->chunk_abort(w, tc, cc);
	if (rc == 0)
		rc = w->ops->table_end(w, tc, &fx.sc.tables[0]);
	else
		w->ops->table_abort(w, tc);
	assert_int_equal(rc, -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_non_null(strstr(rp_error_message(), "disk full while writing data/database/db/.siard-staging/"));
	snprintf(staging, sizeof staging, "%s/data/database/db/.siard-staging", rp_package_root_path(fx.pkg));
	w->ops->free(w);
	assert_int_equal(lstat(staging, &st), -1);
	rp_package_abort(fx.pkg);
	fx.pkg = NULL;
	snprintf(cmd, sizeof cmd, "umount %s", fx.dir);
	assert_int_equal(system(cmd), 0);
	free_fixture(&fx);
}

/* verify refuses what is not a ZIP, without crashing. */
static void test_verify_not_zip(void **state)
{
	char path[] = "/tmp/rp-test-siard-nz-XXXXXX";
	int fd = mkstemp(path);
	rp_siard_verify_args a;
	rp_siard_vresult res;
	problems p;
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a zip at all", 16), 16);
	memset(&a, 0, sizeof a);
	memset(&p, 0, sizeof p);
	a.path = "x.siard";
	a.fd = fd;
	a.kind = "mysql";
	a.problem = on_problem;
	a.ctx = &p;
	assert_int_equal(rp_siard_verify(&a, &res), 0);
	assert_int_equal(p.n, 1);
	assert_non_null(strstr(p.last, "not a readable ZIP archive"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_text_escapes_every_position),
		cmocka_unit_test(test_escape_paths_agree),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_temporal),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_booleans_binary),
		cmocka_unit_test(test_huge_value),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_writer_and_verify),
		cmocka_unit_test(test_free_removes_staging),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_verify_not_zip),
	};
	xmlInitParser();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
