/* Order-independent table digests (see digest.h, formats/digest.md). */
#include "revpack/digest.h"

#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"

/* Cell items up to this size are gathered; the buffer holds a few of
 * them (a row of short values is hashed with one update). */
#define PEND_SIZE 8192u
#define PEND_VALUE_MAX 2048u

void rp_digest_init(rp_digest *d)
{
	memset(d, 0, sizeof *d);
}

static uint64_t be64(const uint8_t *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
#else
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
#endif
}

static void put_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
#else
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
#endif
}

/* acc += v modulo 2^256, both big-endian: four 64-bit limbs. */
static void add256(uint8_t acc[RP_SHA256_LEN], const uint8_t v[RP_SHA256_LEN])
{
	uint64_t carry = 0;

	for (int i = RP_SHA256_LEN - 8; i >= 0; i -= 8) {
		uint64_t a = be64(acc + i), b = be64(v + i);
		uint64_t s = a + b;
		uint64_t c = s < a;
		s += carry;
		c += s < carry;
		put_be64(acc + i, s);
		carry = c;
	}
}

void rp_digest_add(rp_digest *d, const uint8_t row_hash[RP_SHA256_LEN])
{
	add256(d->sum, row_hash);
	d->rows++;
}

void rp_digest_merge(rp_digest *d, const rp_digest *other)
{
	add256(d->sum, other->sum);
	d->rows += other->rows;
}

void rp_digest_hex(const rp_digest *d, char out[RP_SHA256_HEXLEN + 1])
{
	rp_sha256_hex(d->sum, out);
}

int rp_rowhash_init(rp_rowhash *h)
{
	h->left = 0;
	h->npend = 0;
	h->row.ctx = NULL;
	if (!(h->pend = rp_malloc(PEND_SIZE)))
		return -1;
	if (rp_sha256_init(&h->row) < 0) {
		free(h->pend);
		h->pend = NULL;
		return -1;
	}
	return 0;
}

void rp_rowhash_free(rp_rowhash *h)
{
	rp_sha256_free(&h->row);
	free(h->pend);
	h->pend = NULL;
}

/* Hands the gathered cell items to SHA-256. */
static int flush_pend(rp_rowhash *h)
{
	int rc = rp_sha256_update(&h->row, h->pend, h->npend);
	h->npend = 0;
	return rc;
}

int rp_rowhash_begin(rp_rowhash *h)
{
	h->left = 0;
	h->npend = 0;
	return rp_sha256_reset(&h->row);
}

int rp_rowhash_null(rp_rowhash *h)
{
	if (h->npend == PEND_SIZE && flush_pend(h) < 0)
		return -1;
	h->pend[h->npend++] = 0x00;
	return 0;
}

/* Appends the 9-byte head of a value of len bytes to the gathered items. */
static int put_head(rp_rowhash *h, uint64_t len)
{
	if (PEND_SIZE - h->npend < 9 && flush_pend(h) < 0)
		return -1;
	h->pend[h->npend] = 0x01;
	put_be64(h->pend + h->npend + 1, len);
	h->npend += 9;
	return 0;
}

int rp_rowhash_value_begin(rp_rowhash *h, uint64_t len)
{
	h->left = len;
	return put_head(h, len);
}

int rp_rowhash_value_update(rp_rowhash *h, const void *data, size_t n)
{
	if (n > h->left)
		return rp_error_set(RP_E_INVALID, "a value is longer than its declared length");
	h->left -= n;
	if (h->npend && flush_pend(h) < 0)
		return -1;
	return rp_sha256_update(&h->row, data, n);
}

int rp_rowhash_value_end(rp_rowhash *h)
{
	if (h->left)
		return rp_error_set(RP_E_INVALID, "a value is shorter than its declared length");
	return 0;
}

int rp_rowhash_value(rp_rowhash *h, const void *data, size_t n)
{
	h->left = 0;
	if (put_head(h, n) < 0)
		return -1;
	if (n <= PEND_VALUE_MAX) {
		if (PEND_SIZE - h->npend < n && flush_pend(h) < 0)
			return -1;
		if (n)
			memcpy(h->pend + h->npend, data, n);
		h->npend += n;
		return 0;
	}
	if (flush_pend(h) < 0)
		return -1;
	return rp_sha256_update(&h->row, data, n);
}

int rp_rowhash_end(rp_rowhash *h, uint8_t out[RP_SHA256_LEN])
{
	if (h->npend && flush_pend(h) < 0)
		return -1;
	return rp_sha256_final(&h->row, out);
}
