/* UTF-8 validation and hexadecimal encoding. */
#include "revpack/text.h"

#include <string.h>

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

bool rp_utf8_valid(const void *s, size_t n)
{
	const uint8_t *p = s;
	size_t i = 0, len;
	uint64_t word;
	uint32_t cp;

	while (i < n) {
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
		len = rp_utf8_next(p + i, n - i, &cp);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

bool rp_ascii_only(const void *s, size_t n)
{
	const uint8_t *p = s;
	size_t i = 0;
	uint64_t word;

	for (; n - i >= sizeof word; i += sizeof word) {
		memcpy(&word, p + i, sizeof word);
		if (word & HIGH_BITS)
			return false;
	}
	for (; i < n; i++)
		if (p[i] & 0x80)
			return false;
	return true;
}

void rp_hex_encode(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0F];
	}
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

int rp_hex_decode(uint8_t *out, const char *in, size_t n)
{
	size_t i;
	int hi, lo;

	if (n % 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = rp_hex_value(in[i]);
		lo = rp_hex_value(in[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
