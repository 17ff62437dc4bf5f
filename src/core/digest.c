/* Order-independent table digests (see digest.h, formats/digest.md). */
#include "revpack/digest.h"

#include <string.h>

#include "revpack/error.h"

void rp_digest_init(rp_digest *d)
{
	memset(d, 0, sizeof *d);
}

static void add256(uint8_t acc[RP_SHA256_LEN], const uint8_t v[RP_SHA256_LEN])
{
	unsigned carry = 0;

	for (int i = RP_SHA256_LEN - 1; i >= 0; i--) {
		unsigned s = (unsigned)acc[i] + v[i] + carry;
		acc[i] = (uint8_t)s;
		carry = s >> 8;
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
	return rp_sha256_init(&h->row);
}

void rp_rowhash_free(rp_rowhash *h)
{
	rp_sha256_free(&h->row);
}

int rp_rowhash_begin(rp_rowhash *h)
{
	h->left = 0;
	return rp_sha256_reset(&h->row);
}

int rp_rowhash_null(rp_rowhash *h)
{
	static const uint8_t tag = 0x00;
	return rp_sha256_update(&h->row, &tag, 1);
}

int rp_rowhash_value_begin(rp_rowhash *h, uint64_t len)
{
	uint8_t head[9];

	head[0] = 0x01;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (uint8_t)(len >> (56 - 8 * i));
	h->left = len;
	return rp_sha256_update(&h->row, head, sizeof head);
}

int rp_rowhash_value_update(rp_rowhash *h, const void *data, size_t n)
{
	if (n > h->left)
		return rp_error_set(RP_E_INVALID, "a value is longer than its declared length");
	h->left -= n;
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
	if (rp_rowhash_value_begin(h, n) < 0)
		return -1;
	h->left = 0;
	return rp_sha256_update(&h->row, data, n);
}

int rp_rowhash_end(rp_rowhash *h, uint8_t out[RP_SHA256_LEN])
{
	return rp_sha256_final(&h->row, out);
}
