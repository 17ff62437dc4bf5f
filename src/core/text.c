/* UTF-8 validation and hexadecimal encoding. */
#include "revpack/text.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define UTF8_VECTOR 1
#endif

/* The high bit of each of the 8 bytes of a word: set when one is not ASCII. */
#define HIGH_BITS UINT64_C(0x8080808080808080)

size_t rp_utf8_next(const void *s, size_t avail, uint32_t *cp)
{
	const uint8_t *p = s;
	uint8_t c = p[0], lo = 0x80, hi = 0xBF;
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* RFC 3629 section 4: the second byte is narrowed after E0 (no
	 * overlong), ED (no surrogates), F0 (no overlong) and F4 (nothing above
	 * U+10FFFF); C0, C1 and F5..FF never start a sequence. */
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (avail < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3Fu);
	}
	*cp = v;
	return len;
}

size_t rp_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Bytes below 0x80 at the start of p[0..n). */
static size_t ascii_prefix(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint64_t word;

#if defined(__SSE2__)
	for (; n - i >= 16; i += 16) {
		int bits = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
		if (bits)
			return i + (size_t)__builtin_ctz((unsigned)bits);
	}
#endif
	for (; n - i >= sizeof word; i += sizeof word) {
		memcpy(&word, p + i, sizeof word);
		if (word & HIGH_BITS)
			break;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

#ifdef UTF8_VECTOR
/*
 * Sixteen bytes at a time with SSSE3 table lookups, after Keiser and
 * Lemire, "Validating UTF-8 in less than one instruction per byte"
 * (Software: Practice and Experience, 2021). Each byte is taken with the
 * one before it: three 16-entry tables, indexed by the high and low nibble
 * of the first and the high nibble of the second, give the errors the pair
 * may belong to; the pair is wrong when all three agree on one. Third and
 * fourth bytes of longer sequences are checked apart: they must be
 * continuations after a continuation (TWO_CONTS), and nothing else may be.
 */
enum {
	TOO_SHORT = 1 << 0,  /* a lead byte not followed by a continuation */
	TOO_LONG = 1 << 1,   /* a continuation after an ASCII byte */
	OVERLONG_3 = 1 << 2, /* E0 80..9F */
	TOO_LARGE = 1 << 3,  /* F4 90..BF, F5..FF */
	SURROGATE = 1 << 4,  /* ED A0..BF */
	OVERLONG_2 = 1 << 5, /* C0, C1 */
	TOO_LARGE_1000 = 1 << 6, /* F5..FF 80..8F */
	OVERLONG_4 = 1 << 6, /* F0 80..8F */
	TWO_CONTS = 1 << 7,  /* two continuations in a row */
	CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS
};

#define B(x) ((char)(x))

__attribute__((target("ssse3"))) static __m128i utf8_block_errors(__m128i in, __m128i prev)
{
	const __m128i nib = _mm_set1_epi8(0x0F);
	const __m128i first_high = _mm_setr_epi8(
		B(TOO_LONG), B(TOO_LONG), B(TOO_LONG), B(TOO_LONG), B(TOO_LONG), B(TOO_LONG), B(TOO_LONG),
		B(TOO_LONG), B(TWO_CONTS), B(TWO_CONTS), B(TWO_CONTS), B(TWO_CONTS), B(TOO_SHORT | OVERLONG_2),
		B(TOO_SHORT), B(TOO_SHORT | OVERLONG_3 | SURROGATE),
		B(TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4));
	const __m128i first_low = _mm_setr_epi8(
		B(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), B(CARRY | OVERLONG_2), B(CARRY), B(CARRY),
		B(CARRY | TOO_LARGE), B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000));
	const __m128i second_high = _mm_setr_epi8(
		B(TOO_SHORT), B(TOO_SHORT), B(TOO_SHORT), B(TOO_SHORT), B(TOO_SHORT), B(TOO_SHORT), B(TOO_SHORT),
		B(TOO_SHORT), B(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE), B(TOO_SHORT), B(TOO_SHORT),
		B(TOO_SHORT), B(TOO_SHORT));
	__m128i prev1 = _mm_alignr_epi8(in, prev, 15), prev2 = _mm_alignr_epi8(in, prev, 14),
	        prev3 = _mm_alignr_epi8(in, prev, 13);
	__m128i special = _mm_and_si128(
		_mm_and_si128(_mm_shuffle_epi8(first_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib)),
		              _mm_shuffle_epi8(first_low, _mm_and_si128(prev1, nib))),
		_mm_shuffle_epi8(second_high, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
	/* from E0 up two bytes back, or from F0 up three bytes back: the high
	 * bit set after the saturating subtraction */
	__m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8(B(0xE0 - 0x80))),
	        fourth = _mm_subs_epu8(prev3, _mm_set1_epi8(B(0xF0 - 0x80)));
	__m128i must_be_2nd_cont = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(B(0x80)));

	return _mm_xor_si128(must_be_2nd_cont, special);
}

#undef B

/* n >= 16. The end is padded with NUL bytes, then one block of them
 * follows: a sequence cut short at the end is TOO_SHORT there. */
__attribute__((target("ssse3"))) static bool utf8_valid_vector(const uint8_t *p, size_t n)
{
	__m128i prev = _mm_setzero_si128(), err = _mm_setzero_si128(), in;
	uint8_t last[16] = { 0 };
	size_t i = 0;

	for (; n - i >= 16; i += 16) {
		in = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		/* ASCII after ASCII: nothing to check */
		if (_mm_movemask_epi8(_mm_or_si128(in, prev)) != 0)
			err = _mm_or_si128(err, utf8_block_errors(in, prev));
		prev = in;
	}
	memcpy(last, p + i, n - i);
	in = _mm_loadu_si128((const __m128i *)(const void *)last);
	err = _mm_or_si128(err, utf8_block_errors(in, prev));
	err = _mm_or_si128(err, utf8_block_errors(_mm_setzero_si128(), in));
	return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) == 0xFFFF;
}
#endif

bool rp_utf8_valid(const void *s, size_t n)
{
	const uint8_t *p = s;
	size_t i = 0, len;
	uint64_t word;
	uint32_t cp;

#ifdef UTF8_VECTOR
	if (n >= 16 && __builtin_cpu_supports("ssse3"))
		return utf8_valid_vector(p, n);
#endif

	while (i < n) {
		if (p[i] < 0x80) {
			i += ascii_prefix(p + i, n - i);
			continue;
		}
		/* Skip ASCII eight bytes at a time. */
		if (n - i >= sizeof word) {
			memcpy(&word, p + i, sizeof word);
			if ((word & HIGH_BITS) == 0) {
				i += sizeof word;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* two bytes (Latin letters with accents): no call */
		if (p[i] >= 0xC2 && p[i] <= 0xDF && n - i >= 2 && (p[i + 1] & 0xC0) == 0x80) {
			i += 2;
			continue;
		}
		len = rp_utf8_next(p + i, n - i, &cp);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

bool rp_ascii_only(const void *s, size_t n)
{
	return ascii_prefix(s, n) == n;
}

/* The spans below: stop bytes, and with plain also controls and bytes
 * from 0x80 up, end them. */
static size_t span(const uint8_t *p, size_t n, const char *stop, size_t nstop, bool plain)
{
	size_t i = 0;

	if (nstop > 8)
		nstop = 8;
#if defined(__SSE2__)
	if (n >= 16) {
		__m128i lim = _mm_set1_epi8(plain ? 0x20 : -128), v[8];
		for (size_t j = 0; j < nstop; j++)
			v[j] = _mm_set1_epi8(stop[j]);
		for (; n - i >= 16; i += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			/* signed: below 0x20, or from 0x80 up (nothing is below -128) */
			__m128i m = _mm_cmplt_epi8(x, lim);
			int bits;
			for (size_t j = 0; j < nstop; j++)
				m = _mm_or_si128(m, _mm_cmpeq_epi8(x, v[j]));
			bits = _mm_movemask_epi8(m);
			if (bits)
				return i + (size_t)__builtin_ctz((unsigned)bits);
		}
	}
#endif
	for (; i < n; i++) {
		uint8_t c = p[i];
		if (plain && (c < 0x20 || c >= 0x80))
			return i;
		for (size_t j = 0; j < nstop; j++)
			if (c == (uint8_t)stop[j])
				return i;
	}
	return n;
}

size_t rp_span_plain(const void *s, size_t n, const char *stop, size_t nstop)
{
	return span(s, n, stop, nstop, true);
}

size_t rp_span_not(const void *s, size_t n, const char *stop, size_t nstop)
{
	return span(s, n, stop, nstop, false);
}

/* "00" "01" ... "ff": two digits per byte value. */
static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void rp_hex_encode(char *out, const void *in, size_t n)
{
	const uint8_t *p = in;
	size_t i = 0;

#if defined(__SSE2__)
	/* 16 bytes at a time: each nibble n becomes '0' + n, plus 39 more
	 * when n > 9 ('a' - '0' - 10), high nibble first. */
	const __m128i low4 = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero_ch = _mm_set1_epi8('0'),
	              gap = _mm_set1_epi8('a' - '0' - 10);
	for (; n - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low4);
		__m128i lo = _mm_and_si128(v, low4);
		hi = _mm_add_epi8(_mm_add_epi8(hi, zero_ch), _mm_and_si128(_mm_cmpgt_epi8(hi, nine), gap));
		lo = _mm_add_epi8(_mm_add_epi8(lo, zero_ch), _mm_and_si128(_mm_cmpgt_epi8(lo, nine), gap));
		_mm_storeu_si128((__m128i *)(out + 2 * i), _mm_unpacklo_epi8(hi, lo));
		_mm_storeu_si128((__m128i *)(out + 2 * i + 16), _mm_unpackhi_epi8(hi, lo));
	}
#endif
	for (; i < n; i++)
		memcpy(out + 2 * i, hex_pairs + 2 * p[i], 2);
}

int rp_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One more than the value of each hex digit (either case); 0 for every
 * other byte. */
static const uint8_t hex_values[256] = {
	['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int rp_hex_decode(uint8_t *out, const char *in, size_t n)
{
	const uint8_t *p = (const uint8_t *)in;
	bool bad = false;

	size_t i = 0;

	if (n % 2)
		return -1;
#if defined(__SSE2__)
	/* 32 digits at a time; a byte that is no hex digit fails the whole. */
	{
		const __m128i zero_ch = _mm_set1_epi8('0'), lower_a = _mm_set1_epi8('a'), case_bit = _mm_set1_epi8(0x20),
		              ten = _mm_set1_epi8(10), six = _mm_set1_epi8(6), minus1 = _mm_set1_epi8(-1),
		              high4 = _mm_set1_epi16(0x00f0);
		for (; n - i >= 32; i += 32) {
			__m128i half[2];
			for (int h = 0; h < 2; h++) {
				__m128i c = _mm_loadu_si128((const __m128i *)(p + i + 16 * h));
				/* as signed bytes: a digit gives 0..9, a letter a-f/A-F 0..5;
				 * bytes above 0x7f come out negative or too large */
				__m128i d = _mm_sub_epi8(c, zero_ch);
				__m128i l = _mm_sub_epi8(_mm_or_si128(c, case_bit), lower_a);
				__m128i is_d = _mm_and_si128(_mm_cmpgt_epi8(ten, d), _mm_cmpgt_epi8(d, minus1));
				__m128i is_l = _mm_and_si128(_mm_cmpgt_epi8(six, l), _mm_cmpgt_epi8(l, minus1));
				__m128i v;
				if (_mm_movemask_epi8(_mm_or_si128(is_d, is_l)) != 0xffff)
					return -1;
				v = _mm_or_si128(_mm_and_si128(is_d, d), _mm_and_si128(is_l, _mm_add_epi8(l, ten)));
				/* each 16-bit lane holds (high digit, low digit): one byte */
				half[h] = _mm_or_si128(_mm_and_si128(_mm_slli_epi16(v, 4), high4), _mm_srli_epi16(v, 8));
			}
			_mm_storeu_si128((__m128i *)(out + i / 2), _mm_packus_epi16(half[0], half[1]));
		}
	}
#endif
	for (; i < n; i += 2) {
		unsigned hi = hex_values[p[i]], lo = hex_values[p[i + 1]];
		bad |= hi == 0 || lo == 0;
		out[i / 2] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return bad ? -1 : 0;
}
