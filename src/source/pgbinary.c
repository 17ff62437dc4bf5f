/*
 * COPY binary format: tuples of big-endian field lengths and values
 * (PostgreSQL documentation, "COPY", "Binary Format"), and the text of the
 * binary values of a few built-in types, as their output functions write
 * it with DateStyle ISO and TimeZone UTC.
 *
 * Dates and times: PostgreSQL counts days (int32) and microseconds (int64)
 * from 2000-01-01 00:00:00 in the proleptic Gregorian calendar; the
 * extreme values stand for -infinity and infinity. Years up to 0 are
 * written as their BC number (year 0 is 1 BC) followed by " BC".
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "revpack/pgbinary.h"

static const struct {
	const char *name;
	rp_pgb_kind kind;
} kinds[] = {
	{ "text", RP_PGB_RAW },
	{ "character varying", RP_PGB_RAW },
	{ "character", RP_PGB_RAW },
	{ "name", RP_PGB_RAW },
	{ "json", RP_PGB_RAW },
	{ "bytea", RP_PGB_RAW },
	{ "jsonb", RP_PGB_JSONB },
	{ "boolean", RP_PGB_BOOL },
	{ "smallint", RP_PGB_INT2 },
	{ "integer", RP_PGB_INT4 },
	{ "bigint", RP_PGB_INT8 },
	{ "oid", RP_PGB_OID },
	{ "date", RP_PGB_DATE },
	{ "time without time zone", RP_PGB_TIME },
	{ "timestamp without time zone", RP_PGB_TIMESTAMP },
	{ "timestamp with time zone", RP_PGB_TIMESTAMPTZ },
	{ "uuid", RP_PGB_UUID },
};

rp_pgb_kind rp_pgb_kind_of(const char *base_type)
{
	if (!base_type)
		return RP_PGB_NONE;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(base_type, kinds[i].name) == 0)
			return kinds[i].kind;
	return RP_PGB_NONE;
}

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static const char signature[11] = "PGCOPY\n\377\r\n";   /* and its final NUL */

long rp_pgb_header(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t flags, ext;

	if (n < 19 || memcmp(p, signature, 11) != 0)
		return -1;
	flags = be32(u + 11);
	ext = be32(u + 15);
	/* bits 16-31 are critical: none is known to revpack (bit 16 would
	 * mean OIDs in the data) */
	if ((flags & 0xffff0000u) || ext > n - 19)
		return -1;
	return (long)(19 + ext);
}

/* Decimal digits of v, written backwards ending at end; returns the start. */
static char *digits_back(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static int put_signed(char *out, int64_t v)
{
	char tmp[24], *end = tmp + sizeof tmp, *s;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t len;

	s = digits_back(end, mag);
	if (v < 0)
		*--s = '-';
	len = (size_t)(end - s);
	memcpy(out, s, len);
	return (int)len;
}

/* v as at least width digits, zero-padded. */
static char *put_padded(char *o, uint64_t v, int width)
{
	char tmp[24], *end = tmp + sizeof tmp, *s = digits_back(end, v);

	while (end - s < width)
		*--s = '0';
	memcpy(o, s, (size_t)(end - s));
	return o + (end - s);
}

static char *put2(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
	return o + 2;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * Civil date of a day count from 2000-01-01. The count is moved to start
 * on 0000-03-01 so that the leap day ends each year; a 400-year cycle has
 * 146097 days, a 100-year one 36524 (but the fourth 36525), a 4-year one
 * 1461; a year from March has its months in runs of 153 days per five
 * months.
 */
static void civil(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 730425;   /* days from 0000-03-01 to 2000-01-01 */
	int64_t cycle = floor_div(z, 146097);
	int64_t d = z - cycle * 146097;   /* 0 .. 146096 */
	int64_t y = (d - d / 1460 + d / 36524 - d / 146096) / 365;   /* year of the cycle, from March */
	int64_t yday = d - (365 * y + y / 4 - y / 100);   /* 0 .. 365, from March 1 */
	int64_t m5 = (5 * yday + 2) / 153;   /* month from March, 0 .. 11 */

	*day = (unsigned)(yday - (153 * m5 + 2) / 5 + 1);
	*month = (unsigned)(m5 < 10 ? m5 + 3 : m5 - 9);
	*year = y + cycle * 400 + (*month <= 2);
}

static char *put_date(char *o, int64_t days, bool *bc)
{
	int64_t year;
	unsigned month, day;

	civil(days, &year, &month, &day);
	*bc = year <= 0;
	o = put_padded(o, (uint64_t)(year <= 0 ? 1 - year : year), 4);
	*o++ = '-';
	o = put2(o, month);
	*o++ = '-';
	return put2(o, day);
}

/* HH:MM:SS and the fraction without its trailing zeros (none if 0). */
static char *put_time(char *o, uint64_t usec)
{
	uint64_t sec = usec / 1000000, frac = usec % 1000000;

	o = put_padded(o, sec / 3600, 2);
	*o++ = ':';
	o = put2(o, (unsigned)(sec / 60 % 60));
	*o++ = ':';
	o = put2(o, (unsigned)(sec % 60));
	if (frac) {
		int width = 6;
		while (frac % 10 == 0) {
			frac /= 10;
			width--;
		}
		*o++ = '.';
		o = put_padded(o, frac, width);
	}
	return o;
}

static int put_word(char *out, const char *w)
{
	size_t n = strlen(w);
	memcpy(out, w, n);
	return (int)n;
}

/* The range PostgreSQL accepts (IS_VALID_DATE, IS_VALID_TIMESTAMP): from
 * 4714-11-24 BC to 5874897-12-31 for dates, to 294276-12-31 24:00:00 (not
 * included) for timestamps, in days and microseconds from 2000-01-01. A
 * server never sends a value outside it but the infinities; a stream that
 * does is malformed, and would otherwise print a date no server prints. */
#define DATE_MIN (-INT32_C(2451545))
#define DATE_END INT32_C(2145031949)
#define TIMESTAMP_MIN (-INT64_C(211813488000000000))
#define TIMESTAMP_END INT64_C(9223371331200000000)

static int put_timestamp(char *out, int64_t us, bool tz)
{
	const int64_t day_us = INT64_C(86400000000);
	int64_t days;
	char *o = out;
	bool bc;

	if (us == INT64_MIN)
		return put_word(out, "-infinity");
	if (us == INT64_MAX)
		return put_word(out, "infinity");
	if (us < TIMESTAMP_MIN || us >= TIMESTAMP_END)
		return -1;
	days = floor_div(us, day_us);
	o = put_date(o, days, &bc);
	*o++ = ' ';
	o = put_time(o, (uint64_t)(us - days * day_us));
	if (tz) {
		memcpy(o, "+00", 3);
		o += 3;
	}
	if (bc) {
		memcpy(o, " BC", 3);
		o += 3;
	}
	return (int)(o - out);
}

int rp_pgb_text(rp_pgb_kind k, const unsigned char *p, size_t n, char out[RP_PGB_TEXT_MAX])
{
	static const char hex[] = "0123456789abcdef";

	switch (k) {
	case RP_PGB_BOOL:
		if (n != 1)
			return -1;
		out[0] = p[0] ? 't' : 'f';
		return 1;
	case RP_PGB_INT2:
		return n == 2 ? put_signed(out, (int16_t)be16(p)) : -1;
	case RP_PGB_INT4:
		return n == 4 ? put_signed(out, (int32_t)be32(p)) : -1;
	case RP_PGB_INT8:
		return n == 8 ? put_signed(out, (int64_t)be64(p)) : -1;
	case RP_PGB_OID:
		return n == 4 ? put_signed(out, (int64_t)be32(p)) : -1;
	case RP_PGB_DATE: {
		int32_t d;
		bool bc;
		char *o;
		if (n != 4)
			return -1;
		d = (int32_t)be32(p);
		if (d == INT32_MIN)
			return put_word(out, "-infinity");
		if (d == INT32_MAX)
			return put_word(out, "infinity");
		if (d < DATE_MIN || d >= DATE_END)
			return -1;
		o = put_date(out, d, &bc);
		if (bc) {
			memcpy(o, " BC", 3);
			o += 3;
		}
		return (int)(o - out);
	}
	case RP_PGB_TIME: {
		uint64_t us;
		if (n != 8)
			return -1;
		us = be64(p);
		if (us > UINT64_C(86400000000))
			return -1;
		return (int)(put_time(out, us) - out);
	}
	case RP_PGB_TIMESTAMP:
	case RP_PGB_TIMESTAMPTZ:
		return n == 8 ? put_timestamp(out, (int64_t)be64(p), k == RP_PGB_TIMESTAMPTZ) : -1;
	case RP_PGB_UUID: {
		char *o = out;
		if (n != 16)
			return -1;
		for (size_t i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				*o++ = '-';
			*o++ = hex[p[i] >> 4];
			*o++ = hex[p[i] & 15];
		}
		return 36;
	}
	case RP_PGB_NONE:
	case RP_PGB_RAW:
	case RP_PGB_JSONB:
		break;
	}
	return -1;
}

int rp_pgb_tuple(const char *p, size_t n, const rp_pgb_kind *kinds_of, size_t ncols, rp_value *values,
                 char (*scratch)[RP_PGB_TEXT_MAX], const char **why)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t at = 2;
	int16_t nf;

	if (n < 2) {
		*why = "a message shorter than a field count";
		return -1;
	}
	nf = (int16_t)be16(u);
	if (nf == -1) {
		if (n != 2) {
			*why = "bytes after the end-of-data marker";
			return -1;
		}
		return 0;
	}
	if (nf < 0 || (size_t)nf != ncols) {
		*why = "a tuple with the wrong number of fields";
		return -1;
	}
	for (size_t i = 0; i < ncols; i++) {
		int32_t len;
		if (n - at < 4) {
			*why = "a field length cut short";
			return -1;
		}
		len = (int32_t)be32(u + at);
		at += 4;
		if (len == -1) {
			values[i].data = NULL;
			values[i].len = 0;
			continue;
		}
		if (len < 0 || (size_t)len > n - at) {
			*why = "a field longer than its message";
			return -1;
		}
		if (kinds_of[i] == RP_PGB_RAW) {
			values[i].data = p + at;
			values[i].len = (size_t)len;
		} else if (kinds_of[i] == RP_PGB_JSONB) {
			if (len < 1 || u[at] != 1) {
				*why = "a jsonb value of an unknown version";
				return -1;
			}
			values[i].data = p + at + 1;
			values[i].len = (size_t)len - 1;
		} else {
			int k = rp_pgb_text(kinds_of[i], u + at, (size_t)len, scratch[i]);
			if (k < 0) {
				*why = "a value of the wrong size for its type, or out of its range";
				return -1;
			}
			values[i].data = scratch[i];
			values[i].len = (size_t)k;
		}
		at += (size_t)len;
	}
	if (at != n) {
		*why = "bytes after the last field";
		return -1;
	}
	return 1;
}

int rp_pgb_message(rp_pgb_stream *st, const char *p, size_t n, const rp_pgb_kind *kinds_of, size_t ncols,
                   rp_value *values, char (*scratch)[RP_PGB_TEXT_MAX], const char **why)
{
	int r;

	if (st->ended) {
		*why = "data after the end-of-data marker";
		return -1;
	}
	if (!st->header) {
		long h = rp_pgb_header(p, n);
		if (h < 0) {
			*why = "no COPY binary header";
			return -1;
		}
		st->header = true;
		p += h;
		n -= (size_t)h;
		if (n == 0)
			return 0;
	}
	r = rp_pgb_tuple(p, n, kinds_of, ncols, values, scratch, why);
	if (r == 0)
		st->ended = true;
	return r;
}

int rp_pgb_end(const rp_pgb_stream *st, const char **why)
{
	if (!st->header) {
		*why = "no COPY binary header";
		return -1;
	}
	if (!st->ended) {
		*why = "no end-of-data marker: the stream stopped early";
		return -1;
	}
	return 0;
}
