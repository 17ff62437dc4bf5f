/*
 * Byte-level text helpers: UTF-8 validation and hexadecimal.
 */
#ifndef REVPACK_TEXT_H
#define REVPACK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the n bytes are well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates U+D800..U+DFFF, nothing above U+10FFFF). NUL bytes are valid. */
bool rp_utf8_valid(const void *s, size_t n);

/* Decodes the character at s (avail bytes left) into *cp and returns its
 * length in bytes, or 0 when the bytes are not well-formed UTF-8 (RFC 3629,
 * as rp_utf8_valid). */
size_t rp_utf8_next(const void *s, size_t avail, uint32_t *cp);

/* rp_utf8_next, with the two-byte sequences (accented Latin letters, the
 * most common in the text revpack escapes) decoded inline. */
static inline size_t rp_utf8_seq(const void *s, size_t avail, uint32_t *cp)
{
	const uint8_t *p = (const uint8_t *)s;

	if (avail >= 2 && p[0] >= 0xC2 && p[0] <= 0xDF && (p[1] & 0xC0) == 0x80) {
		*cp = (uint32_t)(p[0] & 0x1F) << 6 | (uint32_t)(p[1] & 0x3F);
		return 2;
	}
	return rp_utf8_next(s, avail, cp);
}

/* Writes the UTF-8 bytes of code point cp (below U+110000) to out and
 * returns how many (1 to 4). */
size_t rp_utf8_encode(uint32_t cp, char out[4]);

/* True when every byte is below 0x80. */
bool rp_ascii_only(const void *s, size_t n);

/*
 * Length of the longest prefix of s[0..n) made of bytes from 0x20 to 0x7F
 * other than the nstop (at most 8) bytes of stop: a control byte, a byte
 * from 0x80 up or a stop byte ends it. The encoders' fast path: they copy
 * such a run as it is and look at the byte that ended it. 16 bytes at a
 * time where SSE2 is available.
 */
size_t rp_span_plain(const void *s, size_t n, const char *stop, size_t nstop);
/* Length of the longest prefix of s[0..n) holding none of the nstop (at
 * most 8) bytes of stop, whatever the other bytes are. */
size_t rp_span_not(const void *s, size_t n, const char *stop, size_t nstop);

/* Writes 2*n lower-case hex digits to out (no NUL added). */
void rp_hex_encode(char *out, const void *in, size_t n);

/* Value of one hex digit (either case), or -1. */
int rp_hex_value(int c);

/* Decodes n hex digits (either case) into n/2 bytes. Returns -1 (without
 * setting rp_error) when n is odd or a character is not a hex digit. */
int rp_hex_decode(uint8_t *out, const char *in, size_t n);

#endif
