/* Unit tests: CSV writer, streaming reader, cell decoding, round trips. */
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
#include "revpack/csv.h"
#include "revpack/error.h"
#include "revpack/out.h"

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

/* ---- writer helpers ---- */

/* An rp_out that appends to a buffer and counts the write calls. */
typedef struct counting_out {
	rp_buf buf;
	size_t calls;
	bool fail;
} counting_out;

static int counting_write(void *ctx, const void *data, size_t n)
{
	counting_out *c = ctx;

	c->calls++;
	if (c->fail)
		return rp_error_set(RP_E_IO, "disk full");
	return rp_buf_put(&c->buf, data, n);
}

static void reset(counting_out *c)
{
	rp_buf_clear(&c->buf);
	c->calls = 0;
}

#define EXPECT_BYTES(c, lit) do { \
		assert_int_equal((c)->buf.len, sizeof(lit) - 1); \
		if (sizeof(lit) > 1) \
			assert_memory_equal((c)->buf.data, lit, sizeof(lit) - 1); \
	} while (0)

/* ---- dialects ---- */

static void test_dialects(void **state)
{
	rp_csv_dialect d = RP_CSV_EXCEL_FR;

	(void)state;
	assert_int_equal(rp_csv_dialect_parse("rfc4180", &d), 0);
	assert_int_equal(d, RP_CSV_RFC4180);
	assert_int_equal(rp_csv_dialect_parse("excel-fr", &d), 0);
	assert_int_equal(d, RP_CSV_EXCEL_FR);
	assert_int_equal(rp_csv_dialect_parse("excel", &d), -1);
	assert_int_equal(rp_csv_dialect_parse("RFC4180", &d), -1);
	assert_int_equal(rp_csv_dialect_parse("", &d), -1);
	assert_int_equal(d, RP_CSV_EXCEL_FR);
	assert_int_equal(rp_csv_separator(RP_CSV_RFC4180), ',');
	assert_int_equal(rp_csv_separator(RP_CSV_EXCEL_FR), ';');
	assert_string_equal(rp_csv_dialect_name(RP_CSV_RFC4180), "rfc4180");
	assert_string_equal(rp_csv_dialect_name(RP_CSV_EXCEL_FR), "excel-fr");
}

/* ---- writer ---- */

static void test_write_bom(void **state)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };

	(void)state;
	assert_int_equal(rp_csv_write_bom(&o, RP_CSV_RFC4180), 0);
	assert_int_equal(c.buf.len, 0);
	assert_int_equal(rp_csv_write_bom(&o, RP_CSV_EXCEL_FR), 0);
	EXPECT_BYTES(&c, "\xef\xbb\xbf");
	rp_buf_free(&c.buf);
}

static void test_write_null_and_empty(void **state)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };

	(void)state;
	assert_int_equal(rp_csv_write_null(&o), 0);
	assert_int_equal(c.buf.len, 0);
	/* A NULL pointer is SQL NULL too, as in a MYSQL_ROW. */
	assert_int_equal(rp_csv_write_text(&o, NULL, 0, ','), 0);
	assert_int_equal(rp_csv_write_binary(&o, NULL, 0), 0);
	assert_int_equal(c.buf.len, 0);
	assert_int_equal(c.calls, 0);
	assert_int_equal(rp_csv_write_text(&o, NULL, 3, ','), -1);
	assert_int_equal(rp_error_kind(), RP_E_INTERNAL);

	assert_int_equal(rp_csv_write_text(&o, "", 0, ','), 0);
	EXPECT_BYTES(&c, "\"\"");
	reset(&c);
	assert_int_equal(rp_csv_write_name(&o, "", 0, ';'), 0);
	EXPECT_BYTES(&c, "\"\"");
	rp_buf_free(&c.buf);
}

static void expect_text(const char *v, size_t n, char sep, const char *want, size_t want_len)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };

	rp_buf one = RP_BUF_INIT;

	assert_int_equal(rp_csv_write_text(&o, v, n, sep), 0);
	assert_int_equal(c.buf.len, want_len);
	assert_memory_equal(c.buf.data, want, want_len);
	/* the writers' one-pass path gives the same bytes */
	assert_int_equal(rp_csv_append_cell(&one, v, n, false, sep), 0);
	assert_int_equal(one.len, want_len);
	if (want_len)
		assert_memory_equal(one.data, want, want_len);
	rp_buf_free(&one);
	rp_buf_free(&c.buf);
}

/* Separators, quotes, line ends and bad bytes on either side of the
 * 16-byte blocks the scanner reads. */
static void test_write_text_every_position(void **state)
{
	static const char *specials[] = { ",", ";", "\"", "\r", "\n", "\xc3\xa9", "\xff", "\x01" };
	(void)state;

	for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++)
		for (size_t pos = 0; pos < 38; pos++) {
			char in[40], want[128];
			size_t len = strlen(specials[k]), o = 0;
			bool quote = strchr(",\"\r\n", specials[k][0]) != NULL && specials[k][0] != ';';
			memset(in, 'b', sizeof in);
			memcpy(in + pos, specials[k], len);
			if ((unsigned char)specials[k][0] == 0xff) {
				want[o++] = '\\';
				want[o++] = 'x';
				for (size_t i = 0; i < sizeof in; i++) {
					want[o++] = "0123456789abcdef"[(unsigned char)in[i] >> 4];
					want[o++] = "0123456789abcdef"[(unsigned char)in[i] & 15];
				}
			} else {
				if (quote)
					want[o++] = '"';
				for (size_t i = 0; i < sizeof in; i++) {
					want[o++] = in[i];
					if (in[i] == '"')
						want[o++] = '"';
				}
				if (quote)
					want[o++] = '"';
			}
			expect_text(in, sizeof in, ',', want, o);
		}
}

#define TEXT(lit, sep, want) expect_text(lit, sizeof(lit) - 1, sep, want, sizeof(want) - 1)

static void test_write_text(void **state)
{
	(void)state;
	TEXT("hello world", ',', "hello world");
	TEXT("café", ',', "café");
	TEXT("a,b", ',', "\"a,b\"");
	TEXT("a,b", ';', "a,b");
	TEXT("a;b", ',', "a;b");
	TEXT("a;b", ';', "\"a;b\"");
	TEXT("say \"hi\"", ',', "\"say \"\"hi\"\"\"");
	TEXT("\"", ',', "\"\"\"\"");
	TEXT("\"\"", ';', "\"\"\"\"\"\"");
	TEXT("a\rb", ',', "\"a\rb\"");
	TEXT("a\nb", ',', "\"a\nb\"");
	TEXT("line1\r\nline2", ';', "\"line1\r\nline2\"");
	TEXT(" padded ", ',', " padded ");
	TEXT("NULL", ',', "NULL");
	TEXT("a\0b", ',', "a\0b");                 /* NUL is valid UTF-8 */
	/* U+FEFF at the start is quoted so it never looks like a BOM */
	TEXT("\xef\xbb\xbfx", ',', "\"\xef\xbb\xbfx\"");
	/* text starting with backslash-x is written as binary */
	TEXT("\\x41", ',', "\\x5c783431");
	TEXT("\\x", ',', "\\x5c78");
	TEXT("\\X41", ',', "\\X41");
	TEXT("\\", ',', "\\");
	TEXT("a\\x", ',', "a\\x");
	/* invalid UTF-8 is written as binary */
	TEXT("a\xff", ',', "\\x61ff");
	TEXT("\xc3", ';', "\\xc3");
	TEXT("\xed\xa0\x80,", ',', "\\xeda0802c");
	TEXT("\xc0\x80", ',', "\\xc080");
}

static void test_write_binary(void **state)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };
	const uint8_t bytes[] = { 0x00, 0xff, 0x2c, 0x22, 0x0a };
	uint8_t *big;
	size_t i;

	(void)state;
	assert_int_equal(rp_csv_write_binary(&o, bytes, sizeof bytes), 0);
	EXPECT_BYTES(&c, "\\x00ff2c220a");
	assert_int_equal(c.calls, 1);
	reset(&c);
	assert_int_equal(rp_csv_write_binary(&o, bytes, 0), 0);
	EXPECT_BYTES(&c, "\\x");

	/* Large values go out in chunks, not byte by byte. */
	big = malloc(10000);
	assert_non_null(big);
	for (i = 0; i < 10000; i++)
		big[i] = (uint8_t)(i * 31);
	reset(&c);
	assert_int_equal(rp_csv_write_binary(&o, big, 10000), 0);
	assert_int_equal(c.buf.len, 2 + 20000);
	assert_memory_equal(c.buf.data, "\\x001f3e5d", 10);
	assert_memory_equal(c.buf.data + 2 + 2 * 9999, "d1", 2);  /* 9999*31 = 0x4bad1 */
	assert_in_range(c.calls, 2, 10);
	free(big);
	rp_buf_free(&c.buf);
}

static void test_write_runs(void **state)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };
	char text[1000];

	(void)state;
	memset(text, 'a', sizeof text);
	assert_int_equal(rp_csv_write_text(&o, text, sizeof text, ','), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.buf.len, sizeof text);

	/* Quoted: opening quote, run with its quote, doubling quote, rest, closing quote. */
	text[500] = '"';
	reset(&c);
	assert_int_equal(rp_csv_write_text(&o, text, sizeof text, ','), 0);
	assert_int_equal(c.calls, 5);
	assert_int_equal(c.buf.len, sizeof text + 3);
	assert_memory_equal(c.buf.data + 500, "a\"\"a", 4);

	/* An error from the destination is passed on. */
	c.fail = true;
	assert_int_equal(rp_csv_write_text(&o, "x", 1, ','), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_int_equal(rp_csv_write_binary(&o, "x", 1), -1);
	assert_int_equal(rp_csv_write_name(&o, "a,b", 3, ','), -1);
	assert_int_equal(rp_csv_write_bom(&o, RP_CSV_EXCEL_FR), -1);
	rp_buf_free(&c.buf);
}

static void test_write_name(void **state)
{
	counting_out c = { RP_BUF_INIT, 0, false };
	rp_out o = { counting_write, &c };

	(void)state;
	assert_int_equal(rp_csv_write_name(&o, "id", 2, ','), 0);
	EXPECT_BYTES(&c, "id");
	reset(&c);
	/* never hex, even when it starts with \x */
	assert_int_equal(rp_csv_write_name(&o, "\\x41", 4, ','), 0);
	EXPECT_BYTES(&c, "\\x41");
	reset(&c);
	assert_int_equal(rp_csv_write_name(&o, "prix; \"TTC\"", 11, ';'), 0);
	EXPECT_BYTES(&c, "\"prix; \"\"TTC\"\"\"");
	rp_buf_free(&c.buf);
}

/* ---- reader helpers ---- */

typedef struct source {
	const char *data;
	size_t len, pos;
	int mode;          /* 0: as much as asked; 1: 1-3 bytes per call */
	unsigned step;
	size_t max_asked;
	size_t calls;
	bool fail_at_end;  /* return -1 instead of 0 at the end */
} source;

static ssize_t source_read(void *ctx, void *buf, size_t n)
{
	source *s = ctx;
	size_t take = s->len - s->pos;

	s->calls++;
	if (n > s->max_asked)
		s->max_asked = n;
	if (take == 0 && s->fail_at_end)
		return rp_error_set(RP_E_IO, "device unplugged");
	if (s->mode == 1) {
		size_t lim = 1 + s->step++ % 3;
		if (take > lim)
			take = lim;
	}
	if (take > n)
		take = n;
	memcpy(buf, s->data + s->pos, take);
	s->pos += take;
	return (ssize_t)take;
}

/*
 * Reads everything and renders it: each field as U(...) or Q(...) by
 * quoting, records ended by "\n". Returns the reader's last result.
 */
static int render(const char *in, size_t len, rp_csv_dialect d, int mode, rp_buf *out)
{
	source s = { in, len, 0, mode, 0, 0, 0, false };
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	size_t n, i;
	uint64_t records = 0;
	int rc;

	rp_buf_clear(out);
	rp_buf_puts(out, "");
	assert_int_equal(rp_csv_reader_new(&r, source_read, &s, d, "data/t.csv"), 0);
	while ((rc = rp_csv_read_record(r, &f, &n)) == 1) {
		assert_true(n >= 1);
		for (i = 0; i < n; i++) {
			rp_buf_puts(out, f[i].quoted ? "Q(" : "U(");
			rp_buf_put(out, f[i].data, f[i].len);
			rp_buf_puts(out, ")");
		}
		rp_buf_puts(out, "\n");
		assert_int_equal(rp_csv_reader_record_no(r), ++records);
	}
	if (rc == 0) {
		/* The end is sticky. */
		assert_int_equal(rp_csv_read_record(r, &f, &n), 0);
		assert_int_equal(n, 0);
	}
	assert_true(s.max_asked <= 64 * 1024);
	rp_csv_reader_free(r);
	return rc;
}

static void expect_read(const char *in, size_t len, rp_csv_dialect d, const char *want)
{
	rp_buf out = RP_BUF_INIT;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		assert_int_equal(render(in, len, d, mode, &out), 0);
		assert_string_equal(out.data, want);
	}
	rp_buf_free(&out);
}

#define READ(lit, d, want) expect_read(lit, sizeof(lit) - 1, d, want)

static void test_read_well_formed(void **state)
{
	(void)state;
	READ("", RP_CSV_RFC4180, "");
	READ("a,b\r\nc,d\r\n", RP_CSV_RFC4180, "U(a)U(b)\nU(c)U(d)\n");
	READ("\"x\r\ny\",\"\"\"q\"\"\"\r\n", RP_CSV_RFC4180, "Q(x\r\ny)Q(\"q\")\n");
	READ(",,\r\n", RP_CSV_RFC4180, "U()U()U()\n");
	READ("\r\n\r\n", RP_CSV_RFC4180, "U()\nU()\n");
	READ("\"\"\r\n", RP_CSV_RFC4180, "Q()\n");
	READ("\"\",,\"\"\r\n", RP_CSV_RFC4180, "Q()U()Q()\n");
	READ("\"a,b\",c\r\n", RP_CSV_RFC4180, "Q(a,b)U(c)\n");
	READ("a;b,c\r\n", RP_CSV_RFC4180, "U(a;b)U(c)\n");
	READ("\"\"\"\"\r\n", RP_CSV_RFC4180, "Q(\")\n");
	READ("\"a\rb\nc\"\r\n", RP_CSV_RFC4180, "Q(a\rb\nc)\n");
	READ("\\x00ff,\xc3\xa9\r\n", RP_CSV_RFC4180, "U(\\x00ff)U(\xc3\xa9)\n");
	/* excel-fr: BOM required and skipped; ';' separates, ',' is plain */
	READ("\xef\xbb\xbf" "a;b,c\r\n", RP_CSV_EXCEL_FR, "U(a)U(b,c)\n");
	READ("\xef\xbb\xbf", RP_CSV_EXCEL_FR, "");
	READ("\xef\xbb\xbf\"\xef\xbb\xbf\";x\r\n", RP_CSV_EXCEL_FR, "Q(\xef\xbb\xbf)U(x)\n");
	/* rfc4180: a quoted field starting with U+FEFF is not a BOM */
	READ("\"\xef\xbb\xbf\"\r\n", RP_CSV_RFC4180, "Q(\xef\xbb\xbf)\n");
}

static void test_read_nul_and_record_numbers(void **state)
{
	const char in[] = "a\0b,\"\0\"\r\nx\r\n";
	source s = { in, sizeof in - 1, 0, 1, 0, 0, 0, false };
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	size_t n;

	(void)state;
	assert_int_equal(rp_csv_reader_new(&r, source_read, &s, RP_CSV_RFC4180, "t.csv"), 0);
	assert_int_equal(rp_csv_reader_record_no(r), 0);
	assert_int_equal(rp_csv_read_record(r, &f, &n), 1);
	assert_int_equal(rp_csv_reader_record_no(r), 1);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].len, 3);
	assert_memory_equal(f[0].data, "a\0b", 3);
	assert_false(f[0].quoted);
	assert_int_equal(f[1].len, 1);
	assert_int_equal(f[1].data[0], '\0');
	assert_true(f[1].quoted);
	assert_int_equal(rp_csv_read_record(r, &f, &n), 1);
	assert_int_equal(rp_csv_reader_record_no(r), 2);
	assert_int_equal(n, 1);
	assert_memory_equal(f[0].data, "x", 1);
	assert_int_equal(rp_csv_read_record(r, &f, &n), 0);
	assert_int_equal(rp_csv_reader_record_no(r), 2);
	rp_csv_reader_free(r);
	rp_csv_reader_free(NULL);
}

/* A record far larger than one read chunk, with quotes and CRLF at chunk edges. */
static void test_read_across_chunks(void **state)
{
	const size_t chunk = 64 * 1024;
	rp_buf in = RP_BUF_INIT, want = RP_BUF_INIT, got = RP_BUF_INIT;
	size_t i, shift, field_len;
	int mode;

	(void)state;
	for (shift = 0; shift < 6; shift++) {
		rp_buf_clear(&in);
		rp_buf_clear(&want);
		/* Record 1: an unquoted field ending just around the chunk edge. */
		field_len = chunk - 4 + shift;
		for (i = 0; i < field_len; i++)
			rp_buf_putc(&in, (char)('a' + i % 26));
		rp_buf_puts(&in, ",\"q\"\"x\r\n\"\r\n");
		rp_buf_puts(&want, "U(");
		rp_buf_put(&want, in.data, field_len);
		rp_buf_puts(&want, ")Q(q\"x\r\n)\n");
		/* Record 2: a quoted field of 200000 bytes full of doubled quotes. */
		rp_buf_puts(&in, "\"");
		rp_buf_puts(&want, "Q(");
		for (i = 0; i < 100000; i++) {
			rp_buf_puts(&in, i % 1000 == 999 ? "\"\"" : "z");
			rp_buf_puts(&want, i % 1000 == 999 ? "\"" : "z");
		}
		rp_buf_puts(&in, "\",end\r\n");
		rp_buf_puts(&want, ")U(end)\n");

		for (mode = 0; mode < 2; mode++) {
			assert_int_equal(render(in.data, in.len, RP_CSV_RFC4180, mode, &got), 0);
			assert_int_equal(got.len, want.len);
			assert_memory_equal(got.data, want.data, want.len);
		}
	}
	rp_buf_free(&in);
	rp_buf_free(&want);
	rp_buf_free(&got);
}

static void test_read_chunk_size(void **state)
{
	rp_buf in = RP_BUF_INIT;
	source s = { NULL, 0, 0, 0, 0, 0, 0, false };
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	size_t n, i, records = 0;
	int rc;

	(void)state;
	for (i = 0; i < 50000; i++)
		rp_buf_printf(&in, "%zu,\"row %zu\"\r\n", i, i);
	s.data = in.data;
	s.len = in.len;
	assert_int_equal(rp_csv_reader_new(&r, source_read, &s, RP_CSV_RFC4180, "big.csv"), 0);
	while ((rc = rp_csv_read_record(r, &f, &n)) == 1) {
		assert_int_equal(n, 2);
		records++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(records, 50000);
	assert_int_equal(s.max_asked, 64 * 1024);
	/* roughly one call per 64 KiB, plus the end */
	assert_in_range(s.calls, in.len / (64 * 1024), in.len / (64 * 1024) + 3);
	rp_csv_reader_free(r);
	rp_buf_free(&in);
}

/* Reads until an error; checks it is RP_E_INVALID naming file and record. */
static void expect_malformed(const char *in, size_t len, rp_csv_dialect d,
                             unsigned record, const char *problem)
{
	char needle[64];
	int mode;

	for (mode = 0; mode < 2; mode++) {
		source s = { in, len, 0, mode, 0, 0, 0, false };
		rp_csv_reader *r = NULL;
		const rp_csv_field *f;
		size_t n;
		unsigned good = 0;
		int rc;

		rp_error_clear();
		assert_int_equal(rp_csv_reader_new(&r, source_read, &s, d, "data/bad.csv"), 0);
		while ((rc = rp_csv_read_record(r, &f, &n)) == 1)
			good++;
		assert_int_equal(rc, -1);
		assert_int_equal(good, record - 1);
		assert_int_equal(rp_error_kind(), RP_E_INVALID);
		snprintf(needle, sizeof needle, "record %u", record);
		assert_non_null(strstr(rp_error_message(), needle));
		assert_non_null(strstr(rp_error_message(), "data/bad.csv"));
		assert_non_null(strstr(rp_error_message(), problem));
		/* Further calls keep failing. */
		assert_int_equal(rp_csv_read_record(r, &f, &n), -1);
		rp_csv_reader_free(r);
	}
}

#define BAD(lit, d, rec, problem) expect_malformed(lit, sizeof(lit) - 1, d, rec, problem)

static void test_read_malformed(void **state)
{
	(void)state;
	BAD("a,b\r\nc,d\"e\r\n", RP_CSV_RFC4180, 2, "quote inside an unquoted field");
	BAD("x\"\r\n", RP_CSV_RFC4180, 1, "quote inside an unquoted field");
	BAD("a\r\n\"abc", RP_CSV_RFC4180, 2, "unterminated quoted field");
	BAD("a\r\n\"abc\"\"\r\n", RP_CSV_RFC4180, 2, "unterminated quoted field");
	BAD("\"a\"b,c\r\n", RP_CSV_RFC4180, 1, "text after a closing quote");
	BAD("h\r\n\"a\" ,c\r\n", RP_CSV_RFC4180, 2, "text after a closing quote");
	BAD("a,b\r\nc", RP_CSV_RFC4180, 2, "not ended by CRLF");
	BAD("a,b\r\nc,", RP_CSV_RFC4180, 2, "not ended by CRLF");
	BAD("\"a\"", RP_CSV_RFC4180, 1, "not ended by CRLF");
	BAD("a\nb\r\n", RP_CSV_RFC4180, 1, "bare LF");
	BAD("h\r\nh\r\n\"a\"\n", RP_CSV_RFC4180, 3, "bare LF");
	BAD("a,b\n", RP_CSV_RFC4180, 1, "bare LF");
	BAD("\n", RP_CSV_RFC4180, 1, "bare LF");
	BAD("a\rb\r\n", RP_CSV_RFC4180, 1, "bare CR");
	BAD("ok\r\na\r", RP_CSV_RFC4180, 2, "bare CR");
	BAD("\r\r\n", RP_CSV_RFC4180, 1, "bare CR");
	/* BOM rules */
	BAD("\xef\xbb\xbf" "a,b\r\n", RP_CSV_RFC4180, 1, "byte order mark");
	BAD("a;b\r\n", RP_CSV_EXCEL_FR, 1, "byte order mark");
	BAD("", RP_CSV_EXCEL_FR, 1, "byte order mark");
	BAD("\xef\xbb", RP_CSV_EXCEL_FR, 1, "byte order mark");
	BAD("\xef\xbb\xbf" "a,\"b\r\n", RP_CSV_EXCEL_FR, 1, "quote inside an unquoted field");
}

static void test_read_error_from_callback(void **state)
{
	const char in[] = "a,b\r\nc";
	source s = { in, sizeof in - 1, 0, 0, 0, 0, 0, true };
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	size_t n;

	(void)state;
	assert_int_equal(rp_csv_reader_new(&r, source_read, &s, RP_CSV_RFC4180, "t.csv"), 0);
	assert_int_equal(rp_csv_read_record(r, &f, &n), 1);
	assert_int_equal(rp_csv_read_record(r, &f, &n), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_string_equal(rp_error_message(), "device unplugged");
	rp_csv_reader_free(r);
}

/* ---- decoding ---- */

static void test_decode_cell(void **state)
{
	rp_buf out = RP_BUF_INIT;
	rp_csv_field f;
	const char *why = NULL;
	bool is_null = true;

	(void)state;
	f = (rp_csv_field){ "", 0, false };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), 0);
	assert_true(is_null);
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), 0);
	assert_true(is_null);

	f = (rp_csv_field){ "", 0, true };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), 0);
	assert_false(is_null);
	assert_int_equal(out.len, 0);

	f = (rp_csv_field){ "caf\xc3\xa9", 5, false };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), 0);
	assert_false(is_null);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "caf\xc3\xa9", 5);

	f = (rp_csv_field){ "\\x00fF7a", 8, false };
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "\x00\xff\x7a", 3);
	/* text columns decode \x too (invalid UTF-8 text) */
	f = (rp_csv_field){ "\\x61ff", 6, false };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), 0);
	assert_int_equal(out.len, 2);
	assert_memory_equal(out.data, "a\xff", 2);

	f = (rp_csv_field){ "\\x", 2, false };
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), 0);
	assert_false(is_null);
	assert_int_equal(out.len, 0);

	/* malformed */
	why = NULL;
	f = (rp_csv_field){ "\\x0", 3, false };
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), -1);
	assert_non_null(why);
	why = NULL;
	f = (rp_csv_field){ "\\xzz", 4, false };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), -1);
	assert_non_null(why);
	why = NULL;
	f = (rp_csv_field){ "abc", 3, false };
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), -1);
	assert_non_null(why);
	why = NULL;
	f = (rp_csv_field){ "", 0, true };
	assert_int_equal(rp_csv_decode_cell(&f, true, &out, &is_null, &why), -1);
	assert_non_null(why);

	/* out is cleared first */
	rp_buf_puts(&out, "stale");
	f = (rp_csv_field){ "new", 3, true };
	assert_int_equal(rp_csv_decode_cell(&f, false, &out, &is_null, &why), 0);
	assert_string_equal(out.data, "new");
	rp_buf_free(&out);
}

/* ---- round trip ---- */

typedef struct cell {
	bool null;
	uint8_t bytes[48];
	size_t len;
} cell;

static void random_cell(uint64_t *rng, bool binary, cell *c)
{
	static const char *pieces[] = {
		"a", "Z", "9", " ", ",", ";", "\"", "\r", "\n", "\r\n", "\\", "\\x",
		"x", "é", "€", "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80",
		"\xef\xbb\xbf", "\t", "NULL",
	};
	uint64_t r = next_random(rng);
	size_t parts, k, plen;
	const char *piece;

	c->null = false;
	c->len = 0;
	switch (r % 8) {
	case 0:
		c->null = true;
		return;
	case 1:
		return;  /* empty string or empty binary */
	case 2:
		/* text that starts with \x */
		memcpy(c->bytes, "\\x", 2);
		c->len = 2;
		break;
	default:
		break;
	}
	parts = (size_t)((r >> 8) % 10);
	for (k = 0; k < parts; k++) {
		uint64_t q = next_random(rng);
		if (binary || (q & 7) == 0) {
			c->bytes[c->len++] = (uint8_t)(q >> 16);
			continue;
		}
		piece = pieces[(q >> 16) % (sizeof pieces / sizeof *pieces)];
		plen = strlen(piece);
		memcpy(c->bytes + c->len, piece, plen);
		c->len += plen;
	}
}

static void round_trip(rp_csv_dialect d, uint64_t seed)
{
	enum { NCOLS_MAX = 6, NROWS = 60 };
	static const char *names[NCOLS_MAX] = {
		"id", "Prix; \"TTC\", €", "\\xnot hex", "", "multi\r\nline", "b",
	};
	uint64_t rng = seed;
	cell *rows;
	bool binary[NCOLS_MAX];
	size_t ncols, row, col, n;
	char sep = rp_csv_separator(d);
	rp_buf file = RP_BUF_INIT, value = RP_BUF_INIT;
	rp_out o = rp_out_buf(&file);
	int mode;

	rows = calloc(NROWS * NCOLS_MAX, sizeof *rows);
	assert_non_null(rows);
	ncols = 1 + (size_t)(next_random(&rng) % NCOLS_MAX);
	for (col = 0; col < ncols; col++)
		binary[col] = next_random(&rng) % 3 == 0;

	/* Write: BOM, header, rows. */
	assert_int_equal(rp_csv_write_bom(&o, d), 0);
	for (col = 0; col < ncols; col++) {
		if (col)
			rp_buf_putc(&file, sep);
		assert_int_equal(rp_csv_write_name(&o, names[col], strlen(names[col]), sep), 0);
	}
	rp_buf_puts(&file, "\r\n");
	for (row = 0; row < NROWS; row++) {
		for (col = 0; col < ncols; col++) {
			cell *c = &rows[row * NCOLS_MAX + col];

			random_cell(&rng, binary[col], c);
			if (col)
				rp_buf_putc(&file, sep);
			if (c->null)
				assert_int_equal(rp_csv_write_null(&o), 0);
			else if (binary[col])
				assert_int_equal(rp_csv_write_binary(&o, c->bytes, c->len), 0);
			else
				assert_int_equal(rp_csv_write_text(&o, (const char *)c->bytes, c->len, sep), 0);
		}
		rp_buf_puts(&file, "\r\n");
	}

	/* Read back, whole chunks and then 1-3 bytes at a time. */
	for (mode = 0; mode < 2; mode++) {
		source s = { file.data, file.len, 0, mode, 0, 0, 0, false };
		rp_csv_reader *r = NULL;
		const rp_csv_field *f;
		const char *why;
		bool is_null;

		assert_int_equal(rp_csv_reader_new(&r, source_read, &s, d, "rt.csv"), 0);
		assert_int_equal(rp_csv_read_record(r, &f, &n), 1);
		assert_int_equal(n, ncols);
		for (col = 0; col < ncols; col++) {
			assert_int_equal(f[col].len, strlen(names[col]));
			assert_memory_equal(f[col].data, names[col], f[col].len);
		}
		for (row = 0; row < NROWS; row++) {
			assert_int_equal(rp_csv_read_record(r, &f, &n), 1);
			assert_int_equal(n, ncols);
			assert_int_equal(rp_csv_reader_record_no(r), row + 2);
			for (col = 0; col < ncols; col++) {
				const cell *c = &rows[row * NCOLS_MAX + col];

				why = NULL;
				assert_int_equal(rp_csv_decode_cell(&f[col], binary[col], &value,
				                                    &is_null, &why), 0);
				assert_int_equal(is_null, c->null);
				if (!c->null) {
					assert_int_equal(value.len, c->len);
					if (c->len)
						assert_memory_equal(value.data, c->bytes, c->len);
				}
			}
		}
		assert_int_equal(rp_csv_read_record(r, &f, &n), 0);
		rp_csv_reader_free(r);
	}
	free(rows);
	rp_buf_free(&file);
	rp_buf_free(&value);
}

static void test_round_trip_rfc4180(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 40; seed++)
		round_trip(RP_CSV_RFC4180, seed * 7777);
}

static void test_round_trip_excel_fr(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 40; seed++)
		round_trip(RP_CSV_EXCEL_FR, seed * 9191);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialects),
		cmocka_unit_test(test_write_bom),
		cmocka_unit_test(test_write_null_and_empty),
		cmocka_unit_test(test_write_text),
		cmocka_unit_test(test_write_text_every_position),
		cmocka_unit_test(test_write_binary),
		cmocka_unit_test(test_write_runs),
		cmocka_unit_test(test_write_name),
		cmocka_unit_test(test_read_well_formed),
		cmocka_unit_test(test_read_nul_and_record_numbers),
		cmocka_unit_test(test_read_across_chunks),
		cmocka_unit_test(test_read_chunk_size),
		cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_error_from_callback),
		cmocka_unit_test(test_decode_cell),
		cmocka_unit_test(test_round_trip_rfc4180),
		cmocka_unit_test(test_round_trip_excel_fr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
