/* Order-independent table digests (see digest.h, formats/digest.md). */
#include "revpack/digest.h"

#include <string.h>

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
	if (rp_sha256_init(&h->row) < 0)
		return -1;
	if (rp_sha256_init(&h->cell) < 0) {
		rp_sha256_free(&h->row);
		return -1;
	}
	return 0;
}

void rp_rowhash_free(rp_rowhash *h)
{
	rp_sha256_free(&h->row);
	rp_sha256_free(&h->cell);
}

int rp_rowhash_begin(rp_rowhash *h)
{
	return rp_sha256_reset(&h->row);
}

int rp_rowhash_null(rp_rowhash *h)
{
	static const uint8_t tag = 0x00;
	return rp_sha256_update(&h->row, &tag, 1);
}

int rp_rowhash_value_begin(rp_rowhash *h)
{
	return rp_sha256_reset(&h->cell);
}

int rp_rowhash_value_update(rp_rowhash *h, const void *data, size_t n)
{
	return rp_sha256_update(&h->cell, data, n);
}

int rp_rowhash_value_end(rp_rowhash *h)
{
	uint8_t item[1 + RP_SHA256_LEN];

	item[0] = 0x01;
	if (rp_sha256_final(&h->cell, item + 1) < 0)
		return -1;
	return rp_sha256_update(&h->row, item, sizeof item);
}

int rp_rowhash_value(rp_rowhash *h, const void *data, size_t n)
{
	if (rp_rowhash_value_begin(h) < 0 || rp_rowhash_value_update(h, data, n) < 0)
		return -1;
	return rp_rowhash_value_end(h);
}

int rp_rowhash_end(rp_rowhash *h, uint8_t out[RP_SHA256_LEN])
{
	return rp_sha256_final(&h->row, out);
}
