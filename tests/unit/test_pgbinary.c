/* PostgreSQL COPY binary: tuples, the header, and the text of binary values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/pgbinary.h"

static const char *text_of(rp_pgb_kind k, const void *p, size_t n)
{
	static char out[RP_PGB_TEXT_MAX + 1];
	int len = rp_pgb_text(k, p, n, out);

	if (len < 0)
		return NULL;
	assert_true(len <= RP_PGB_TEXT_MAX);
	out[len] = '\0';
	return out;
}

static void be(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

static const char *int_text(rp_pgb_kind k, int64_t v, size_t n)
{
	unsigned char b[8];
	be(b, (uint64_t)v, n);
	return text_of(k, b, n);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(rp_pgb_kind_of("bigint"), RP_PGB_INT8);
	assert_int_equal(rp_pgb_kind_of("timestamp with time zone"), RP_PGB_TIMESTAMPTZ);
	assert_int_equal(rp_pgb_kind_of("character varying"), RP_PGB_RAW);
	assert_int_equal(rp_pgb_kind_of("bytea"), RP_PGB_RAW);
	assert_int_equal(rp_pgb_kind_of("jsonb"), RP_PGB_JSONB);
	/* types whose text revpack does not build from their binary form */
	assert_int_equal(rp_pgb_kind_of("numeric"), RP_PGB_NONE);
	assert_int_equal(rp_pgb_kind_of("double precision"), RP_PGB_NONE);
	assert_int_equal(rp_pgb_kind_of("integer[]"), RP_PGB_NONE);
	assert_int_equal(rp_pgb_kind_of("time with time zone"), RP_PGB_NONE);
	assert_int_equal(rp_pgb_kind_of("public.uuid"), RP_PGB_NONE);
	assert_int_equal(rp_pgb_kind_of(NULL), RP_PGB_NONE);
}

static void test_integers(void **state)
{
	(void)state;
	assert_string_equal(int_text(RP_PGB_INT2, -32768, 2), "-32768");
	assert_string_equal(int_text(RP_PGB_INT2, 32767, 2), "32767");
	assert_string_equal(int_text(RP_PGB_INT4, INT32_MIN, 4), "-2147483648");
	assert_string_equal(int_text(RP_PGB_INT4, 0, 4), "0");
	assert_string_equal(int_text(RP_PGB_INT8, INT64_MIN, 8), "-9223372036854775808");
	assert_string_equal(int_text(RP_PGB_INT8, INT64_MAX, 8), "9223372036854775807");
	assert_string_equal(int_text(RP_PGB_INT8, -1, 8), "-1");
	assert_string_equal(int_text(RP_PGB_OID, 4294967295, 4), "4294967295");
	assert_string_equal(text_of(RP_PGB_BOOL, "\1", 1), "t");
	assert_string_equal(text_of(RP_PGB_BOOL, "\0", 1), "f");
	/* a size that is not the type's */
	assert_null(int_text(RP_PGB_INT4, 1, 2));
	assert_null(int_text(RP_PGB_INT8, 1, 4));
	assert_null(text_of(RP_PGB_BOOL, "\1\1", 2));
	assert_null(text_of(RP_PGB_RAW, "a", 1));
}

static void test_uuid(void **state)
{
	static const unsigned char u[16] = { 0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
	                                     0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11 };
	(void)state;
	assert_string_equal(text_of(RP_PGB_UUID, u, 16), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	assert_null(text_of(RP_PGB_UUID, u, 15));
}

static const char *date_text(int32_t d)
{
	return int_text(RP_PGB_DATE, d, 4);
}

static const char *ts_text(rp_pgb_kind k, int64_t us)
{
	return int_text(k, us, 8);
}

static void test_dates_and_times(void **state)
{
	const int64_t day = INT64_C(86400000000);
	(void)state;
	assert_string_equal(date_text(0), "2000-01-01");
	assert_string_equal(date_text(-1), "1999-12-31");
	assert_string_equal(date_text(-10957), "1970-01-01");
	assert_string_equal(date_text(59), "2000-02-29");
	assert_string_equal(date_text(-2451545), "4714-11-24 BC");   /* Julian day 0 */
	assert_string_equal(date_text(-730119), "0001-01-01");
	assert_string_equal(date_text(-730120), "0001-12-31 BC");
	assert_string_equal(date_text(2147483493 - 2451545), "5874897-12-31");
	assert_string_equal(date_text(INT32_MIN), "-infinity");
	assert_string_equal(date_text(INT32_MAX), "infinity");

	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, 0), "2000-01-01 00:00:00");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMPTZ, 0), "2000-01-01 00:00:00+00");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, -1), "1999-12-31 23:59:59.999999");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMPTZ, -day / 2), "1999-12-31 12:00:00+00");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, 1500000), "2000-01-01 00:00:01.5");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, 10), "2000-01-01 00:00:00.00001");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMPTZ, -2451545 * day), "4714-11-24 00:00:00+00 BC");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, -730120 * day + 3723000001), "0001-12-31 01:02:03.000001 BC");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, INT64_C(9223371331200000000) - 1),
	                    "294276-12-31 23:59:59.999999");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMPTZ, INT64_MIN), "-infinity");
	assert_string_equal(ts_text(RP_PGB_TIMESTAMP, INT64_MAX), "infinity");

	assert_string_equal(ts_text(RP_PGB_TIME, 0), "00:00:00");
	assert_string_equal(ts_text(RP_PGB_TIME, day), "24:00:00");
	assert_string_equal(ts_text(RP_PGB_TIME, day - 1), "23:59:59.999999");
	assert_string_equal(ts_text(RP_PGB_TIME, 45296120000), "12:34:56.12");
	assert_null(ts_text(RP_PGB_TIME, day + 1));
	assert_null(ts_text(RP_PGB_TIME, -1));
}

/* Just outside PostgreSQL's range (the server refuses these with "out of
 * range"; a stream carrying one is malformed): refused, not printed. The
 * most negative timestamps are the ones whose day count would overflow. */
static void test_out_of_range(void **state)
{
	const int64_t day = INT64_C(86400000000);
	(void)state;
	assert_null(date_text(-2451545 - 1));
	assert_null(date_text(2147483494 - 2451545));
	assert_null(date_text(INT32_MIN + 1));
	assert_null(date_text(INT32_MAX - 1));
	for (int k = RP_PGB_TIMESTAMP; k <= RP_PGB_TIMESTAMPTZ; k++) {
		assert_non_null(ts_text((rp_pgb_kind)k, -2451545 * day));
		assert_null(ts_text((rp_pgb_kind)k, -2451545 * day - 1));
		assert_null(ts_text((rp_pgb_kind)k, INT64_C(9223371331200000000)));
		assert_null(ts_text((rp_pgb_kind)k, INT64_MIN + 1));
		assert_null(ts_text((rp_pgb_kind)k, INT64_C(-9223372022400000000)));
		assert_null(ts_text((rp_pgb_kind)k, INT64_MAX - 1));
	}
}

/* Every day from Julian day 0 (4714-11-24 BC) to past the year 10000 against a calendar
 * walked one day at a time (Gregorian leap rule, year 0 = 1 BC). */
static void test_every_date(void **state)
{
	int y = -4713, m = 11, d = 24;
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	char want[40];
	(void)state;

	for (int32_t pd = -2451545; pd <= 3000000; pd++) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (y > 0)
			snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
		else
			snprintf(want, sizeof want, "%04d-%02d-%02d BC", 1 - y, m, d);
		if (strcmp(date_text(pd), want) != 0)
			fail_msg("day %d: got %s, want %s", (int)pd, date_text(pd), want);
		if (++d > mdays[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
}

static void test_header(void **state)
{
	unsigned char h[40] = "PGCOPY\n\377\r\n";
	(void)state;
	assert_int_equal(rp_pgb_header((char *)h, 19), 19);
	assert_int_equal(rp_pgb_header((char *)h, 25), 19);
	assert_int_equal(rp_pgb_header((char *)h, 18), -1);
	be(h + 15, 4, 4); /* a header extension of 4 bytes */
	assert_int_equal(rp_pgb_header((char *)h, 23), 23);
	assert_int_equal(rp_pgb_header((char *)h, 22), -1);
	be(h + 15, 0, 4);
	be(h + 11, 0x10000, 4); /* a critical flag (OIDs) */
	assert_int_equal(rp_pgb_header((char *)h, 19), -1);
	be(h + 11, 1, 4); /* a non-critical one */
	assert_int_equal(rp_pgb_header((char *)h, 19), 19);
	h[7] = 0x7f;
	assert_int_equal(rp_pgb_header((char *)h, 19), -1);
}

/* A tuple: int16 field count, then int32 length and bytes per field. */
static size_t put_field(unsigned char *m, size_t at, const void *p, int32_t len)
{
	be(m + at, (uint32_t)len, 4);
	if (len > 0)
		memcpy(m + at + 4, p, (size_t)len);
	return at + 4 + (len > 0 ? (size_t)len : 0);
}

static void test_tuples(void **state)
{
	const rp_pgb_kind k[4] = { RP_PGB_INT4, RP_PGB_RAW, RP_PGB_JSONB, RP_PGB_RAW };
	unsigned char m[200], i4[4];
	char scratch[4][RP_PGB_TEXT_MAX];
	rp_value v[4];
	const char *why = NULL;
	size_t n;
	(void)state;

	be(m, 4, 2);
	be(i4, (uint32_t)-42, 4);
	n = put_field(m, 2, i4, 4);
	n = put_field(m, n, "a\tb\\", 4);
	n = put_field(m, n, "\1{\"k\": 1}", 9);
	n = put_field(m, n, NULL, -1);
	assert_int_equal(rp_pgb_tuple((char *)m, n, k, 4, v, scratch, &why), 1);
	assert_int_equal(v[0].len, 3);
	assert_memory_equal(v[0].data, "-42", 3);
	assert_int_equal(v[1].len, 4);
	assert_memory_equal(v[1].data, "a\tb\\", 4);
	assert_int_equal(v[2].len, 8);
	assert_memory_equal(v[2].data, "{\"k\": 1}", 8);
	assert_null(v[3].data);

	/* malformed: cut anywhere, a byte too many, the wrong field count */
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(rp_pgb_tuple((char *)m, cut, k, 4, v, scratch, &why), -1);
	m[n] = 0;
	assert_int_equal(rp_pgb_tuple((char *)m, n + 1, k, 4, v, scratch, &why), -1);
	assert_string_equal(why, "bytes after the last field");
	assert_int_equal(rp_pgb_tuple((char *)m, n, k, 3, v, scratch, &why), -1);
	assert_string_equal(why, "a tuple with the wrong number of fields");
	/* an unknown jsonb version, an int4 of 3 bytes, a negative length */
	m[2 + 8 + 8 + 4] = 2;
	assert_int_equal(rp_pgb_tuple((char *)m, n, k, 4, v, scratch, &why), -1);
	assert_string_equal(why, "a jsonb value of an unknown version");
	be(m, 1, 2);
	be(m + 2, 3, 4);
	assert_int_equal(rp_pgb_tuple((char *)m, 9, k, 1, v, scratch, &why), -1);
	assert_string_equal(why, "a value of the wrong size for its type, or out of its range");
	be(m + 2, (uint32_t)-2, 4);
	assert_int_equal(rp_pgb_tuple((char *)m, 6, k, 1, v, scratch, &why), -1);

	/* the end-of-data marker, alone */
	be(m, 0xffff, 2);
	assert_int_equal(rp_pgb_tuple((char *)m, 2, k, 4, v, scratch, &why), 0);
	assert_int_equal(rp_pgb_tuple((char *)m, 3, k, 4, v, scratch, &why), -1);
}

/* A stream: the header in front of the first tuple, or alone; tuples;
 * the marker; nothing after it. When the server says the COPY is done,
 * the stream must have ended with its marker: cut before it (at a message
 * boundary) is an error, and so is a stream with no message at all. */
static void test_stream(void **state)
{
	const rp_pgb_kind k[1] = { RP_PGB_INT2 };
	unsigned char m[64] = "PGCOPY\n\377\r\n";
	char scratch[1][RP_PGB_TEXT_MAX];
	rp_value v[1];
	const char *why = NULL;
	rp_pgb_stream st = { false, false };
	(void)state;

	assert_int_equal(rp_pgb_end(&st, &why), -1);
	assert_string_equal(why, "no COPY binary header");
	/* header + tuple (7) */
	be(m + 19, 1, 2);
	be(m + 21, 2, 4);
	be(m + 25, 7, 2);
	assert_int_equal(rp_pgb_message(&st, (char *)m, 27, k, 1, v, scratch, &why), 1);
	assert_memory_equal(v[0].data, "7", 1);
	assert_int_equal(rp_pgb_end(&st, &why), -1);
	assert_string_equal(why, "no end-of-data marker: the stream stopped early");
	/* a tuple alone, then the marker */
	assert_int_equal(rp_pgb_message(&st, (char *)m + 19, 8, k, 1, v, scratch, &why), 1);
	be(m + 40, 0xffff, 2);
	assert_int_equal(rp_pgb_message(&st, (char *)m + 40, 2, k, 1, v, scratch, &why), 0);
	assert_true(st.ended);
	why = NULL;
	assert_int_equal(rp_pgb_end(&st, &why), 0);
	assert_null(why);
	/* anything after the marker is refused */
	assert_int_equal(rp_pgb_message(&st, (char *)m + 19, 8, k, 1, v, scratch, &why), -1);
	assert_string_equal(why, "data after the end-of-data marker");

	/* the header alone, then the marker: an empty table */
	memset(&st, 0, sizeof st);
	assert_int_equal(rp_pgb_message(&st, (char *)m, 19, k, 1, v, scratch, &why), 0);
	assert_false(st.ended);
	assert_int_equal(rp_pgb_message(&st, (char *)m + 40, 2, k, 1, v, scratch, &why), 0);
	assert_true(st.ended);

	/* a first message without the header */
	memset(&st, 0, sizeof st);
	assert_int_equal(rp_pgb_message(&st, (char *)m + 19, 8, k, 1, v, scratch, &why), -1);
	assert_string_equal(why, "no COPY binary header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_dates_and_times),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_every_date),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_tuples),
		cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
