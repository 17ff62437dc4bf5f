/*
 * SIARD value mappings and type mapping (siard.h, formats/siard.md): every
 * source value gets a text that XML 1.0 and the column's XML type accept,
 * and the text gives back exactly the source's bytes.
 */
#include "revpack/siard.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char hexdig[] = "0123456789abcdef";

const char *rp_siard_family_name(rp_siard_family f)
{
	switch (f) {
	case RP_SIARD_TEXT: return "text";
	case RP_SIARD_BINARY: return "binary";
	case RP_SIARD_BOOL_BIT: return "bit-boolean";
	case RP_SIARD_BOOL_PG: return "boolean";
	case RP_SIARD_INTEGER: return "integer";
	case RP_SIARD_DECIMAL: return "decimal";
	case RP_SIARD_REAL: return "real";
	case RP_SIARD_DOUBLE: return "double";
	case RP_SIARD_DATE: return "date";
	case RP_SIARD_TIME: return "time";
	case RP_SIARD_TIME_TZ: return "time-tz";
	case RP_SIARD_TIMESTAMP: return "timestamp";
	case RP_SIARD_TIMESTAMP_TZ: return "timestamp-tz";
	}
	return "text";
}

int rp_colclass_parse(const char *name, rp_colclass *out)
{
	static const rp_colclass all[] = { RP_CLASS_INTEGER, RP_CLASS_DECIMAL, RP_CLASS_FLOAT, RP_CLASS_TEXT,
		                           RP_CLASS_BINARY, RP_CLASS_TEMPORAL, RP_CLASS_BIT, RP_CLASS_OTHER };

	for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
		if (strcmp(name, rp_colclass_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* ---- UTF-8 ---- */

uint64_t rp_utf8_count(const void *s, size_t n)
{
	const uint8_t *p = s;
	uint64_t count = 0;

	for (size_t i = 0; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}

static int put_utf8(rp_buf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	return rp_buf_put(out, b, n);
}

/* ---- the string form ---- */

static int put_u(rp_buf *out, uint32_t cp)
{
	char e[6] = { '\\', 'u', hexdig[(cp >> 12) & 15], hexdig[(cp >> 8) & 15], hexdig[(cp >> 4) & 15],
		      hexdig[cp & 15] };
	return rp_buf_put(out, e, sizeof e);
}

/* A byte that goes out as it is, one character, when it does not follow a
 * space or is not one itself. */
static bool plain_byte(uint8_t c)
{
	return c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'' && c != '\\';
}

/* Set bits of a 16-bit mask (no library call where POPCNT is not assumed). */
static inline unsigned pop16(unsigned v)
{
	v = v - ((v >> 1) & 0x5555u);
	v = (v & 0x3333u) + ((v >> 2) & 0x3333u);
	v = (v + (v >> 4)) & 0x0F0Fu;
	return (v + (v >> 8)) & 0x1Fu;
}

/*
 * Bytes at the start of p[0..n) that go out as they are (p[0] does not
 * follow a space): plain bytes, no second space of a pair. With utf8 (the
 * text is known to be well-formed UTF-8) bytes from 0x80 up go out as they
 * are too, except the lead bytes C2 and EF, where U+0080..U+009F and
 * U+FFFE/U+FFFF start (looked at one by one by the caller), and *conts
 * receives how many of the span's bytes are continuation bytes, so that the
 * span holds k - *conts characters. Inlined with utf8 a constant.
 */
static inline __attribute__((always_inline)) size_t plain_span(const uint8_t *p, size_t n, bool utf8,
                                                               size_t *conts)
{
	size_t i = 0, c = 0;

#if defined(__SSE2__)
	const __m128i sp = _mm_set1_epi8(' '), del = _mm_set1_epi8(0x7F), amp = _mm_set1_epi8('&'),
	              lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'), quot = _mm_set1_epi8('"'),
	              apos = _mm_set1_epi8('\''), bsl = _mm_set1_epi8('\\'), c2 = _mm_set1_epi8((char)0xC2),
	              ef = _mm_set1_epi8((char)0xEF), top2 = _mm_set1_epi8((char)0xC0),
	              cont = _mm_set1_epi8((char)0x80);
	for (; n - i >= 17; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
		/* utf8: unsigned up to 0x1F; else signed below 0x20, which is also
		 * from 0x80 up */
		__m128i m = utf8 ? _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x)
		                 : _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
		unsigned bits, pairs, contbits = 0;
		m = _mm_or_si128(m, _mm_cmpeq_epi8(x, del));
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, amp), _mm_cmpeq_epi8(x, lt)));
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, gt), _mm_cmpeq_epi8(x, quot)));
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, apos), _mm_cmpeq_epi8(x, bsl)));
		if (utf8) {
			m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, c2), _mm_cmpeq_epi8(x, ef)));
			contbits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(x, top2), cont));
		}
		bits = (unsigned)_mm_movemask_epi8(m);
		/* bit j: p[j] and p[j + 1] are spaces, so p[j + 1] is escaped */
		pairs = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(y, sp)));
		bits |= pairs << 1;
		if (bits) {
			unsigned at = (unsigned)__builtin_ctz(bits);
			*conts = c + pop16(contbits & ((1u << at) - 1u));
			return i + at;
		}
		c += pop16(contbits);
	}
#endif
	for (; i < n; i++) {
		uint8_t b = p[i];
		if (b >= 0x80 ? !utf8 || b == 0xC2 || b == 0xEF
		              : !plain_byte(b) || (b == ' ' && i > 0 && p[i - 1] == ' '))
			break;
		c += (b & 0xC0) == 0x80;
	}
	*conts = c;
	return i;
}

int rp_siard_escape(rp_buf *out, const void *v, size_t n, uint64_t *chars)
{
	const uint8_t *p = v;
	size_t i = 0, run = 0; /* bytes of p[run..i) go out as they are */
	uint64_t count = 0;
	bool after_space = false;
	/* at the first byte from 0x80 up, one vector pass checks the rest:
	 * when it is UTF-8, the spans go through letters with accents instead
	 * of stopping at each (ASCII text is read once) */
	int utf8 = -1;

	/* Make sure out->data is non-NULL even for an empty value. */
	if (rp_buf_grow(out, n + 1) < 0)
		return -1;
	while (i < n) {
		uint8_t c;
		const char *ent = NULL;
		uint32_t cp;
		size_t len = 1;
		int esc = 0; /* 1: \u escape of cp; 2: \x escape of the byte */

		if (!(p[i] == ' ' && after_space)) {
			size_t conts, k = utf8 > 0 ? plain_span(p + i, n - i, true, &conts)
			                           : plain_span(p + i, n - i, false, &conts);
			if (k) {
				count += k - conts;
				i += k;
				after_space = p[i - 1] == ' ';
				if (i == n)
					break;
			}
		}
		/* p[i] is not plain, or is a second space: no second scan to
		 * find that out */
		c = p[i];
		cp = c;
		after_space = c == ' ';
		if (c < 0x80) {
			switch (c) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&apos;"; break;
			case '\r': ent = "&#13;"; break;
			case '\t':
			case '\n':
				count++;
				i++;
				continue;
			default:
				esc = 1; /* controls, DEL, backslash, a second space */
				break;
			}
		} else {
			if (utf8 < 0)
				utf8 = rp_utf8_valid(p + i, n - i);
			len = rp_utf8_seq(p + i, n - i, &cp);
			if (len == 0) {
				len = 1;
				esc = 2;
			} else if (cp <= 0x9F || cp == 0xFFFE || cp == 0xFFFF) {
				esc = 1;
			} else {
				count++;
				i += len;
				continue;
			}
		}
		if (rp_buf_put(out, p + run, i - run) < 0)
			return -1;
		if (ent) {
			if (rp_buf_puts(out, ent) < 0)
				return -1;
			count++;
		} else if (esc == 1) {
			if (put_u(out, cp) < 0)
				return -1;
			count++;
		} else {
			char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };
			if (rp_buf_put(out, e, 4) < 0)
				return -1;
			count += 4;
		}
		i += len;
		run = i;
	}
	if (rp_buf_put(out, p + run, n - run) < 0)
		return -1;
	if (chars)
		*chars = count;
	return 0;
}

static int unescape(rp_buf *out, const char *s, size_t n, const char **why)
{
	size_t i = 0, run = 0;

	while (i < n) {
		if (s[i] != '\\') {
			i++;
			continue;
		}
		if (rp_buf_put(out, s + run, i - run) < 0)
			goto nomem;
		if (i + 1 < n && s[i + 1] == 'u' && i + 6 <= n) {
			int h[4];
			uint32_t cp = 0;
			for (int k = 0; k < 4; k++) {
				h[k] = rp_hex_value((unsigned char)s[i + 2 + (size_t)k]);
				if (h[k] < 0) {
					*why = "malformed escape: \\u must be followed by four hexadecimal digits";
					return -1;
				}
				cp = (cp << 4) | (uint32_t)h[k];
			}
			if (cp >= 0xD800 && cp <= 0xDFFF) {
				*why = "malformed escape: \\u of a surrogate code point";
				return -1;
			}
			if (put_utf8(out, cp) < 0)
				goto nomem;
			i += 6;
		} else if (i + 1 < n && s[i + 1] == 'x' && i + 4 <= n) {
			int hi = rp_hex_value((unsigned char)s[i + 2]), lo = rp_hex_value((unsigned char)s[i + 3]);
			char b;
			if (hi < 0 || lo < 0) {
				*why = "malformed escape: \\x must be followed by two hexadecimal digits";
				return -1;
			}
			b = (char)(hi << 4 | lo);
			if (rp_buf_put(out, &b, 1) < 0)
				goto nomem;
			i += 4;
		} else {
			*why = "malformed escape: a backslash must start \\uXXXX or \\xXX";
			return -1;
		}
		run = i;
	}
	if (rp_buf_put(out, s + run, n - run) < 0)
		goto nomem;
	return 0;
nomem:
	*why = "out of memory";
	return -1;
}

/* ---- typed forms ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static unsigned num(const char *s, size_t n)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* [+-]?[0-9]+ */
static bool is_integer(const char *s, size_t n)
{
	if (n && (s[0] == '+' || s[0] == '-')) {
		s++;
		n--;
	}
	return digits(s, n);
}

/* Length of the xs:decimal lexical at the start of s: [+-]?(d+(.d*)?|.d+) */
static size_t decimal_len(const char *s, size_t n)
{
	size_t i = 0, d1 = 0, d2 = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		i++;
		d1++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			d2++;
		}
	}
	return d1 + d2 ? i : 0;
}

static bool is_decimal(const char *s, size_t n)
{
	return n && decimal_len(s, n) == n;
}

/* xs:double numbers: decimal, then an optional exponent. */
static bool is_float_number(const char *s, size_t n)
{
	size_t i = decimal_len(s, n);

	if (!i)
		return false;
	if (i == n)
		return true;
	if (s[i] != 'e' && s[i] != 'E')
		return false;
	i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	return digits(s + i, n - i);
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* YYYY-MM-DD, a real date in years 0001-9999 (check) or only the shape. */
static bool date_ok(const char *s, bool check)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d;

	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	if (!check)
		return true;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap(y) ? 1u : 0u);
}

/* hh:mm:ss(.d+)? of n bytes; check: 00-23, 00-59, 00-59. */
static bool time_ok(const char *s, size_t n, bool check)
{
	if (n < 8 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
		return false;
	if (n > 8 && (s[8] != '.' || !digits(s + 9, n - 9)))
		return false;
	if (!check)
		return true;
	return num(s, 2) <= 23 && num(s + 3, 2) <= 59 && num(s + 6, 2) <= 59;
}

/* YYYY-MM-DD<sep>hh:mm:ss(.d+)? */
static bool datetime_ok(const char *s, size_t n, char sep, bool check)
{
	return n >= 19 && date_ok(s, check) && s[10] == sep && time_ok(s + 11, n - 11, check);
}

/* Does text (the escaped form) look like a typed form of f? Decoding
 * treats such a text as typed. */
static bool typed_shape(rp_siard_family f, const char *s, size_t n)
{
	switch (f) {
	case RP_SIARD_TEXT:
	case RP_SIARD_BINARY:
		return false;
	case RP_SIARD_BOOL_BIT:
	case RP_SIARD_BOOL_PG:
		return eq(s, n, "true") || eq(s, n, "false");
	case RP_SIARD_INTEGER:
		return is_integer(s, n);
	case RP_SIARD_DECIMAL:
		return is_decimal(s, n);
	case RP_SIARD_REAL:
	case RP_SIARD_DOUBLE:
		return is_float_number(s, n) || eq(s, n, "INF") || eq(s, n, "-INF") || eq(s, n, "NaN");
	case RP_SIARD_DATE:
		return n == 11 && date_ok(s, false) && s[10] == 'Z';
	case RP_SIARD_TIME:
	case RP_SIARD_TIME_TZ:
		return n >= 9 && s[n - 1] == 'Z' && time_ok(s, n - 1, false);
	case RP_SIARD_TIMESTAMP:
	case RP_SIARD_TIMESTAMP_TZ:
		return n >= 20 && s[n - 1] == 'Z' && datetime_ok(s, n - 1, 'T', false);
	}
	return false;
}

/* Appends the typed form of v, or returns 0 when v has none. */
static int typed_encode(rp_buf *out, rp_siard_family f, const char *v, size_t n)
{
	size_t len = n;

	switch (f) {
	case RP_SIARD_TEXT:
	case RP_SIARD_BINARY:
		return 0;
	case RP_SIARD_BOOL_BIT:
		if (n == 1 && (v[0] == 0 || v[0] == 1))
			return rp_buf_puts(out, v[0] ? "true" : "false") < 0 ? -1 : 1;
		return 0;
	case RP_SIARD_BOOL_PG:
		if (eq(v, n, "t") || eq(v, n, "f"))
			return rp_buf_puts(out, v[0] == 't' ? "true" : "false") < 0 ? -1 : 1;
		return 0;
	case RP_SIARD_INTEGER:
		if (!is_integer(v, n))
			return 0;
		break;
	case RP_SIARD_DECIMAL:
		if (!is_decimal(v, n))
			return 0;
		break;
	case RP_SIARD_REAL:
	case RP_SIARD_DOUBLE:
		if (eq(v, n, "Infinity"))
			return rp_buf_puts(out, "INF") < 0 ? -1 : 1;
		if (eq(v, n, "-Infinity"))
			return rp_buf_puts(out, "-INF") < 0 ? -1 : 1;
		if (!eq(v, n, "NaN") && !is_float_number(v, n))
			return 0;
		break;
	case RP_SIARD_DATE:
		if (n != 10 || !date_ok(v, true))
			return 0;
		return rp_buf_put(out, v, n) < 0 || rp_buf_putc(out, 'Z') < 0 ? -1 : 1;
	case RP_SIARD_TIME_TZ:
		if (n < 3 || memcmp(v + n - 3, "+00", 3) != 0)
			return 0;
		len = n - 3;
		/* fall through */
	case RP_SIARD_TIME:
		if (!time_ok(v, len, true))
			return 0;
		return rp_buf_put(out, v, len) < 0 || rp_buf_putc(out, 'Z') < 0 ? -1 : 1;
	case RP_SIARD_TIMESTAMP_TZ:
		if (n < 3 || memcmp(v + n - 3, "+00", 3) != 0)
			return 0;
		len = n - 3;
		/* fall through */
	case RP_SIARD_TIMESTAMP:
		if (!datetime_ok(v, len, ' ', true))
			return 0;
		if (rp_buf_put(out, v, 10) < 0 || rp_buf_putc(out, 'T') < 0 || rp_buf_put(out, v + 11, len - 11) < 0 ||
		    rp_buf_putc(out, 'Z') < 0)
			return -1;
		return 1;
	}
	return rp_buf_put(out, v, n) < 0 ? -1 : 1;
}

static int typed_decode(rp_buf *out, rp_siard_family f, const char *s, size_t n)
{
	switch (f) {
	case RP_SIARD_BOOL_BIT:
		return rp_buf_putc(out, s[0] == 't' ? 1 : 0);
	case RP_SIARD_BOOL_PG:
		return rp_buf_putc(out, s[0] == 't' ? 't' : 'f');
	case RP_SIARD_REAL:
	case RP_SIARD_DOUBLE:
		if (eq(s, n, "INF"))
			return rp_buf_puts(out, "Infinity");
		if (eq(s, n, "-INF"))
			return rp_buf_puts(out, "-Infinity");
		return rp_buf_put(out, s, n);
	case RP_SIARD_DATE:
		return rp_buf_put(out, s, n - 1);
	case RP_SIARD_TIME:
		return rp_buf_put(out, s, n - 1);
	case RP_SIARD_TIME_TZ:
		return rp_buf_put(out, s, n - 1) < 0 ? -1 : rp_buf_puts(out, "+00");
	case RP_SIARD_TIMESTAMP:
	case RP_SIARD_TIMESTAMP_TZ:
		if (rp_buf_put(out, s, 10) < 0 || rp_buf_putc(out, ' ') < 0 || rp_buf_put(out, s + 11, n - 12) < 0)
			return -1;
		return f == RP_SIARD_TIMESTAMP_TZ ? rp_buf_puts(out, "+00") : 0;
	case RP_SIARD_TEXT:
	case RP_SIARD_BINARY:
	case RP_SIARD_INTEGER:
	case RP_SIARD_DECIMAL:
		break;
	}
	return rp_buf_put(out, s, n);
}

int rp_siard_encode(rp_buf *out, rp_siard_family f, const void *v, size_t n, bool *typed, uint64_t *chars)
{
	size_t start = out->len;
	int r;

	if (f == RP_SIARD_BINARY) {
		const uint8_t *p = v;
		char *d;
		if (rp_buf_grow(out, 2 * n + 1) < 0)
			return -1;
		d = out->data + out->len;
		for (size_t i = 0; i < n; i++) {
			d[2 * i] = "0123456789ABCDEF"[p[i] >> 4];
			d[2 * i + 1] = "0123456789ABCDEF"[p[i] & 15];
		}
		out->len += 2 * n;
		out->data[out->len] = '\0';
		*typed = true;
		if (chars)
			*chars = 2 * (uint64_t)n;
		return 0;
	}
	r = typed_encode(out, f, v, n);
	if (r < 0)
		return -1;
	if (r > 0) {
		*typed = true;
		if (chars)
			*chars = out->len - start;
		return 0;
	}
	/* Text has no other form: its string form is its natural one. */
	*typed = f == RP_SIARD_TEXT;
	if (rp_siard_escape(out, v, n, chars) < 0)
		return -1;
	if (typed_shape(f, out->data + start, out->len - start)) {
		/* The string form would read as a typed form: escape its first
		 * character (always ASCII here) so that it cannot. */
		const uint8_t *p = v;
		out->len = start;
		if (put_u(out, p[0]) < 0 || rp_siard_escape(out, p + 1, n - 1, chars) < 0)
			return -1;
		if (chars)
			*chars += 1;
	}
	return 0;
}

int rp_siard_decode(rp_buf *out, rp_siard_family f, const char *text, size_t n, const char **why)
{
	*why = NULL;
	if (f == RP_SIARD_BINARY) {
		size_t start = out->len;
		if (n % 2) {
			*why = "hexadecimal value of odd length";
			return -1;
		}
		if (rp_buf_grow(out, n / 2 + 1) < 0) {
			*why = "out of memory";
			return -1;
		}
		if (rp_hex_decode((uint8_t *)out->data + start, text, n) < 0) {
			*why = "not a hexadecimal value";
			return -1;
		}
		out->len += n / 2;
		out->data[out->len] = '\0';
		return 0;
	}
	if (typed_shape(f, text, n)) {
		if (typed_decode(out, f, text, n) < 0) {
			*why = "out of memory";
			return -1;
		}
		return 0;
	}
	if (rp_buf_grow(out, n + 1) < 0) {
		*why = "out of memory";
		return -1;
	}
	return unescape(out, text, n, why);
}

/* ---- families and SQL:2008 types ---- */

/* The type's words, lower case, without parenthesised parts, "unsigned"
 * and "zerofill"; *arg receives the first number in parentheses (-1). */
static void base_name(const char *type, char *out, size_t cap, long long *arg)
{
	size_t o = 0;
	int depth = 0;
	bool space = false;

	*arg = -1;
	for (const char *p = type ? type : ""; *p && o + 1 < cap; p++) {
		if (*p == '(') {
			if (depth++ == 0 && *arg < 0 && isdigit((unsigned char)p[1]))
				*arg = strtoll(p + 1, NULL, 10);
			continue;
		}
		if (*p == ')') {
			depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap) {
			out[o++] = ' ';
			space = false;
		}
		out[o++] = (char)tolower((unsigned char)*p);
	}
	out[o] = '\0';
	for (;;) {
		size_t len = strlen(out);
		if (len >= 9 && strcmp(out + len - 9, " unsigned") == 0)
			out[len - 9] = '\0';
		else if (len >= 9 && strcmp(out + len - 9, " zerofill") == 0)
			out[len - 9] = '\0';
		else if (len >= 7 && strcmp(out + len - 7, " signed") == 0)
			out[len - 7] = '\0';
		else
			break;
	}
}

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const my_int[] = { "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year", NULL };
static const char *const pg_int[] = { "smallint", "int2", "integer", "int", "int4", "bigint", "int8", "oid", NULL };

rp_siard_family rp_siard_family_of(const char *kind, rp_colclass cls, const char *type)
{
	char b[96];
	long long arg;
	bool pg = kind && strcmp(kind, "pgsql") == 0;

	base_name(type, b, sizeof b, &arg);
	if (pg) {
		size_t len = strlen(b);
		if (len >= 2 && strcmp(b + len - 2, "[]") == 0)
			return RP_SIARD_TEXT; /* arrays: their text form */
		if (cls == RP_CLASS_BINARY || strcmp(b, "bytea") == 0)
			return RP_SIARD_BINARY;
		if (in(b, pg_int))
			return RP_SIARD_INTEGER;
		if (!strcmp(b, "numeric") || !strcmp(b, "decimal"))
			return RP_SIARD_DECIMAL;
		if (!strcmp(b, "real") || !strcmp(b, "float4"))
			return RP_SIARD_REAL;
		if (!strcmp(b, "double precision") || !strcmp(b, "float8"))
			return RP_SIARD_DOUBLE;
		if (!strcmp(b, "boolean") || !strcmp(b, "bool"))
			return RP_SIARD_BOOL_PG;
		if (!strcmp(b, "date"))
			return RP_SIARD_DATE;
		if (!strcmp(b, "timestamp") || !strcmp(b, "timestamp without time zone"))
			return RP_SIARD_TIMESTAMP;
		if (!strcmp(b, "timestamp with time zone") || !strcmp(b, "timestamptz"))
			return RP_SIARD_TIMESTAMP_TZ;
		if (!strcmp(b, "time") || !strcmp(b, "time without time zone"))
			return RP_SIARD_TIME;
		if (!strcmp(b, "time with time zone") || !strcmp(b, "timetz"))
			return RP_SIARD_TIME_TZ;
		return RP_SIARD_TEXT;
	}
	if (cls == RP_CLASS_BIT)
		return arg == 1 ? RP_SIARD_BOOL_BIT : RP_SIARD_BINARY;
	if (rp_colclass_is_binary(cls))
		return RP_SIARD_BINARY;
	if (in(b, my_int))
		return RP_SIARD_INTEGER;
	if (!strcmp(b, "decimal") || !strcmp(b, "numeric") || !strcmp(b, "dec") || !strcmp(b, "fixed"))
		return RP_SIARD_DECIMAL;
	if (!strcmp(b, "float"))
		return RP_SIARD_REAL;
	if (!strcmp(b, "double") || !strcmp(b, "double precision") || !strcmp(b, "real"))
		return RP_SIARD_DOUBLE;
	if (!strcmp(b, "date"))
		return RP_SIARD_DATE;
	if (!strcmp(b, "datetime") || !strcmp(b, "timestamp"))
		return RP_SIARD_TIMESTAMP;
	if (!strcmp(b, "time"))
		return RP_SIARD_TIME;
	switch (cls) {
	case RP_CLASS_INTEGER: return RP_SIARD_INTEGER;
	case RP_CLASS_DECIMAL: return RP_SIARD_DECIMAL;
	case RP_CLASS_FLOAT: return RP_SIARD_DOUBLE;
	case RP_CLASS_TEXT:
	case RP_CLASS_BINARY:
	case RP_CLASS_TEMPORAL:
	case RP_CLASS_BIT:
	case RP_CLASS_OTHER:
		break;
	}
	return RP_SIARD_TEXT;
}

/* Longest CHAR/VARCHAR kept as such; longer or unbounded text is a CLOB. */
#define VARCHAR_MAX 65535

/* o gets type name, "name(a)" when a > 0 (or a == 0 and zero_ok), or
 * "name(a, b)" when b > 0 too. */
static void set(rp_siard_coltype *o, const char *xs, const char *name, long long a, long long b, bool zero_ok)
{
	if (a > 0 && b > 0)
		snprintf(o->sqltype, sizeof o->sqltype, "%s(%lld, %lld)", name, a, b);
	else if (a > 0 || (a == 0 && zero_ok))
		snprintf(o->sqltype, sizeof o->sqltype, "%s(%lld)", name, a);
	else
		snprintf(o->sqltype, sizeof o->sqltype, "%s", name);
	o->xstype = xs;
}

static void text_type(rp_siard_coltype *o, bool fixed, long long len)
{
	if (len < 0 || len > VARCHAR_MAX) {
		set(o, "clobType", "CLOB", -1, -1, false);
		o->lob = true;
		return;
	}
	if (len < 1)
		len = 1;
	o->maxchars = len;
	o->fixed = fixed;
	set(o, "xs:string", fixed ? "CHAR" : "VARCHAR", len, -1, false);
}

static void binary_type(rp_siard_coltype *o, bool fixed, long long len)
{
	if (len < 0 || len > VARCHAR_MAX) {
		set(o, "blobType", "BLOB", -1, -1, false);
		o->lob = o->binary_lob = true;
		return;
	}
	set(o, "xs:hexBinary", fixed ? "BINARY" : "VARBINARY", len < 1 ? 1 : len, -1, false);
}

void rp_siard_column_type(const char *kind, const rp_column *c, rp_siard_coltype *o)
{
	char b[96];
	long long arg;
	bool pg = kind && strcmp(kind, "pgsql") == 0;

	memset(o, 0, sizeof *o);
	o->maxchars = -1;
	o->family = rp_siard_family_of(kind, c->cls, c->type);
	base_name(c->type, b, sizeof b, &arg);
	switch (o->family) {
	case RP_SIARD_BOOL_BIT:
	case RP_SIARD_BOOL_PG:
		set(o, "xs:boolean", "BOOLEAN", -1, -1, false);
		return;
	case RP_SIARD_INTEGER:
		if (!pg && !strcmp(b, "bigint") && c->is_unsigned)
			set(o, "xs:integer", "DECIMAL", 20, -1, false);
		else if (!strcmp(b, "bigint") || !strcmp(b, "int8") || !strcmp(b, "oid") ||
		         (!pg && !strcmp(b, "int") && c->is_unsigned))
			set(o, "xs:integer", "BIGINT", -1, -1, false);
		else if (!strcmp(b, "tinyint") || !strcmp(b, "year") || !strcmp(b, "int2") ||
		         (!strcmp(b, "smallint") && !(c->is_unsigned && !pg)))
			set(o, "xs:integer", "SMALLINT", -1, -1, false);
		else
			set(o, "xs:integer", "INTEGER", -1, -1, false);
		return;
	case RP_SIARD_DECIMAL:
		/* A scale outside 0..precision (PostgreSQL's negative scales)
		 * has no SQL:2008 spelling: DECIMAL alone. */
		if (c->precision > 0 && (c->scale < 0 || c->scale > c->precision) && c->scale != -1)
			set(o, "xs:decimal", "DECIMAL", -1, -1, false);
		else
			set(o, "xs:decimal", "DECIMAL", c->precision, c->precision > 0 ? c->scale : -1, false);
		return;
	case RP_SIARD_REAL:
		set(o, "xs:float", "REAL", -1, -1, false);
		return;
	case RP_SIARD_DOUBLE:
		set(o, "xs:double", "DOUBLE PRECISION", -1, -1, false);
		return;
	case RP_SIARD_DATE:
		set(o, "dateType", "DATE", -1, -1, false);
		return;
	case RP_SIARD_TIME:
		set(o, "timeType", "TIME", c->precision, -1, false);
		return;
	case RP_SIARD_TIME_TZ:
		set(o, "timeType", "TIME WITH TIME ZONE", c->precision, -1, false);
		return;
	case RP_SIARD_TIMESTAMP:
		set(o, "dateTimeType", "TIMESTAMP", c->precision, -1, true);
		return;
	case RP_SIARD_TIMESTAMP_TZ:
		set(o, "dateTimeType", "TIMESTAMP WITH TIME ZONE", c->precision, -1, true);
		return;
	case RP_SIARD_BINARY:
		if (c->cls == RP_CLASS_BIT)
			binary_type(o, true, arg > 0 ? (arg + 7) / 8 : 1);
		else if (!strcmp(b, "binary"))
			binary_type(o, true, c->length > 0 ? c->length : arg);
		else if (!strcmp(b, "varbinary"))
			binary_type(o, false, c->length > 0 ? c->length : arg);
		else if (!strcmp(b, "tinyblob"))
			binary_type(o, false, 255);
		else
			binary_type(o, false, -1);
		return;
	case RP_SIARD_TEXT:
		break;
	}
	if (pg) {
		if (!strcmp(b, "character") || !strcmp(b, "char") || !strcmp(b, "bpchar"))
			text_type(o, true, c->length > 0 ? c->length : 1);
		else if (!strcmp(b, "character varying") || !strcmp(b, "varchar"))
			text_type(o, false, c->length > 0 ? c->length : -1);
		else if (!strcmp(b, "uuid"))
			text_type(o, false, 36);
		else
			text_type(o, false, -1);
		return;
	}
	if (!strcmp(b, "char"))
		text_type(o, true, c->length >= 0 ? c->length : arg);
	else if (!strcmp(b, "varchar"))
		text_type(o, false, c->length >= 0 ? c->length : arg);
	else if (!strcmp(b, "tinytext"))
		text_type(o, false, 255);
	else if (!strcmp(b, "enum") || !strcmp(b, "set"))
		text_type(o, false, c->length > 0 ? c->length : -1);
	else if (!strcmp(b, "inet4"))
		text_type(o, false, 15);
	else if (!strcmp(b, "inet6"))
		text_type(o, false, 39);
	else if (!strcmp(b, "uuid"))
		text_type(o, true, 36);
	else
		text_type(o, false, -1);
}

bool rp_siard_fsname_ok(const char *name, size_t n)
{
	bool dot = false;

	if (n == 0 || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = name[i];
		if (c == '.') {
			if (dot)
				return false;
			dot = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}
