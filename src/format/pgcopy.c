/* PostgreSQL COPY text format: decoding and encoding (see pgcopy.h). */
#include "revpack/pgcopy.h"

#include <stdbool.h>
#include <string.h>

#include "revpack/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bytes before the first tab or backslash of p[0..n). Inlined where it is
 * used: one call per field cost more than the scan of a short field. */
static inline size_t to_tab_or_backslash(const char *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i tab = _mm_set1_epi8('\t'), bs = _mm_set1_epi8('\\');
	for (; n - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, bs)));
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
	}
#endif
	while (i < n && p[i] != '\t' && p[i] != '\\')
		i++;
	return i;
}

static int octal(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/* Unescapes line into dst, which may be line itself: unescaping never
 * makes a field longer, so what is written never passes what is read.
 * *out receives the bytes written. */
static int decode_into(char *dst, size_t *out, const char *line, size_t len, rp_value *values, size_t n)
{
	size_t nf = 0, i = 0, o = 0;

	for (;;) {
		size_t start = o;
		bool is_null = i + 2 <= len && line[i] == '\\' && line[i + 1] == 'N' &&
		               (i + 2 == len || line[i + 2] == '\t');

		if (is_null) {
			i += 2;
		} else {
			while (i < len && line[i] != '\t') {
				char c;
				/* a run with neither tab nor backslash goes as it is
				 * (in place, it stays where it is until the first
				 * escape) */
				size_t k = to_tab_or_backslash(line + i, len - i);
				if (dst + o != line + i)
					memmove(dst + o, line + i, k);
				o += k;
				i += k;
				if (i >= len || line[i] == '\t')
					break;
				c = line[i++];
				if (c == '\\') {
					if (i >= len)
						return -1;
					c = line[i++];
					switch (c) {
					case 'b': c = '\b'; break;
					case 'f': c = '\f'; break;
					case 'n': c = '\n'; break;
					case 'r': c = '\r'; break;
					case 't': c = '\t'; break;
					case 'v': c = '\v'; break;
					case 'x': {
						int v = 0, d = 0;
						while (d < 2 && i < len && rp_hex_value(line[i]) >= 0) {
							v = v * 16 + rp_hex_value(line[i++]);
							d++;
						}
						if (d == 0)
							return -1;
						c = (char)v;
						break;
					}
					default:
						if (octal(c) >= 0) {
							int v = octal(c), d = 1;
							while (d < 3 && i < len && octal(line[i]) >= 0) {
								v = v * 8 + octal(line[i++]);
								d++;
							}
							c = (char)v;
						}
						/* any other escaped character stands for itself */
						break;
					}
				}
				dst[o++] = c;
			}
		}
		if (nf < n) {
			values[nf].data = is_null ? NULL : dst + start;
			values[nf].len = is_null ? 0 : o - start;
		}
		nf++;
		if (i >= len)
			break;
		i++; /* the tab */
	}
	*out = o;
	return (int)nf;
}

int rp_pgcopy_decode(const char *line, size_t len, rp_buf *buf, rp_value *values, size_t n)
{
	int nf;

	/* Growing once means buf->data does not move while values point
	 * into it. */
	rp_buf_clear(buf);
	if (rp_buf_grow(buf, len) < 0)
		return -1;
	nf = decode_into(buf->data, &buf->len, line, len, values, n);
	buf->data[buf->len] = '\0';
	return nf;
}

int rp_pgcopy_decode_inplace(char *line, size_t len, rp_value *values, size_t n)
{
	size_t o;

	return decode_into(line, &o, line, len, values, n);
}

int rp_pgcopy_encode_buf(rp_buf *b, const char *data, size_t len)
{
	const uint8_t *p = (const uint8_t *)data;
	size_t i = 0, o;
	char *d;

	if (!data)
		return rp_buf_put(b, "\\N", 2);
	if (rp_buf_grow(b, 2 * len + 1) < 0)
		return -1;
	d = b->data + b->len;
	o = 0;
#if defined(__SSE2__)
	{
		/* 16 bytes stored whole, the output advanced to the first byte to
		 * escape (a store always fits: o <= 2i and i + 16 <= len) */
		const __m128i bs = _mm_set1_epi8('\\'), tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n'),
		              cr = _mm_set1_epi8('\r');
		while (len - i >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, bs), _mm_cmpeq_epi8(x, tab)),
			                         _mm_or_si128(_mm_cmpeq_epi8(x, nl), _mm_cmpeq_epi8(x, cr)));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);
			size_t k;
			_mm_storeu_si128((__m128i *)(void *)(d + o), x);
			if (!bits) {
				i += 16;
				o += 16;
				continue;
			}
			k = (size_t)__builtin_ctz(bits);
			i += k;
			o += k;
			d[o++] = '\\';
			d[o++] = p[i] == '\\' ? '\\' : p[i] == '\t' ? 't' : p[i] == '\n' ? 'n' : 'r';
			i++;
		}
	}
#endif
	for (; i < len; i++) {
		switch (p[i]) {
		case '\\': d[o++] = '\\'; d[o++] = '\\'; break;
		case '\t': d[o++] = '\\'; d[o++] = 't'; break;
		case '\n': d[o++] = '\\'; d[o++] = 'n'; break;
		case '\r': d[o++] = '\\'; d[o++] = 'r'; break;
		default: d[o++] = (char)p[i]; break;
		}
	}
	b->len += o;
	b->data[b->len] = '\0';
	return 0;
}

int rp_pgcopy_encode(const rp_out *o, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	if (!data)
		return rp_out_write(o, "\\N", 2);
	while (p < end) {
		size_t k = rp_span_not(p, (size_t)(end - p), "\\\t\n\r", 4);
		const char *esc;
		if (rp_out_write(o, p, k) < 0)
			return -1;
		p += k;
		if (p == end)
			break;
		switch (*p) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		default: esc = "\\r"; break;
		}
		if (rp_out_write(o, esc, 2) < 0)
			return -1;
		p++;
	}
	return 0;
}
