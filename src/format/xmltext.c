/* Database text made fit for XML 1.0 (xmltext.h, formats/wxr.md). */
#include "revpack/xmltext.h"

#include <string.h>

#include "revpack/text.h"

/* Windows-1252 as MariaDB's latin1 reads it: 0x80-0x9F; the five bytes
 * Windows-1252 leaves undefined stay U+0081, U+008D, U+008F, U+0090, U+009D. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static int put_cp(rp_buf *out, uint32_t cp)
{
	char b[4];
	return rp_buf_put(out, b, rp_utf8_encode(cp, b));
}

static bool ctl_forbidden(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

/* Length of the leading run of s that XML takes as it is. ASCII from
 * 0x20 up (most of any text) goes by rp_span_plain's fast path. */
static size_t clean_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		i += rp_span_plain(p + i, n - i, "", 0);
		if (i >= n)
			break;
		if (p[i] < 0x80) {
			if (ctl_forbidden(p[i]))
				return i;
			i++;
			continue;
		}
		k = rp_utf8_next(p + i, n - i, &cp);
		if (k == 0 || cp == 0xFFFE || cp == 0xFFFF)
			return i;
		i += k;
	}
	return n;
}

bool rp_xml_clean(const char *s, size_t n)
{
	return clean_prefix((const unsigned char *)s, n) == n;
}

/* kind: 0 mapped only, 1 escaped as element text. */
static int map_any(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix, int kind)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t run = clean_prefix(p + i, n - i), k;
		uint32_t cp;

		if (kind == 1) {
			/* escape inside the clean run */
			size_t start = i, end = i + run;
			for (size_t j = start; j < end; j++) {
				const char *rep = p[j] == '&' ? "&amp;" : p[j] == '<' ? "&lt;" : p[j] == '>' ? "&gt;" : NULL;
				if (!rep)
					continue;
				if (rp_buf_put(out, s + start, j - start) < 0 || rp_buf_puts(out, rep) < 0)
					return -1;
				start = j + 1;
			}
			if (rp_buf_put(out, s + start, end - start) < 0)
				return -1;
		} else if (rp_buf_put(out, s + i, run) < 0) {
			return -1;
		}
		i += run;
		if (i >= n)
			break;
		if (p[i] < 0x80) {
			fix->controls++;
			if (put_cp(out, 0x2400u + p[i]) < 0)
				return -1;
			i++;
			continue;
		}
		k = rp_utf8_next(p + i, n - i, &cp);
		if (k) {
			/* U+FFFE or U+FFFF */
			fix->nonchars++;
			if (put_cp(out, 0xFFFD) < 0)
				return -1;
			i += k;
			continue;
		}
		fix->invalid++;
		if (put_cp(out, p[i] < 0xA0 ? cp1252_high[p[i] - 0x80] : p[i]) < 0)
			return -1;
		i++;
	}
	/* an empty value still leaves a (NUL-terminated) string */
	return rp_buf_put(out, "", 0);
}

int rp_xml_map(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix)
{
	return map_any(out, s, n, fix, 0);
}

int rp_xml_escape(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix)
{
	return map_any(out, s, n, fix, 1);
}

int rp_xml_cdata(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix)
{
	size_t from = out->len, at;

	if (rp_buf_puts(out, "<![CDATA[") < 0)
		return -1;
	from = out->len;
	if (rp_xml_map(out, s, n, fix) < 0)
		return -1;
	/* Split every "]]>" of the mapped text (mapping never makes or
	 * breaks one: it only replaces bytes that are not ']' or '>'). */
	at = from;
	for (;;) {
		char *hit = out->len - at >= 3 ? memmem(out->data + at, out->len - at, "]]>", 3) : NULL;
		size_t pos;
		if (!hit)
			break;
		pos = (size_t)(hit - out->data);
		/* "]]>" -> "]]]]><![CDATA[>": insert "]]><![CDATA[" after "]]" */
		if (rp_buf_grow(out, 12) < 0)
			return -1;
		memmove(out->data + pos + 2 + 12, out->data + pos + 2, out->len - pos - 2 + 1);
		memcpy(out->data + pos + 2, "]]><![CDATA[", 12);
		out->len += 12;
		at = pos + 2 + 12 + 1;
	}
	return rp_buf_puts(out, "]]>");
}
