/*
 * Content digests: a per-table fingerprint that does not depend on the
 * format (formats/digest.md is the specification).
 *
 *   cell item  = 0x00                                  for NULL
 *              = 0x01 || length (8 bytes, big-endian) || value bytes
 *   row hash   = SHA-256(cell item 1 || ... || cell item n)
 *   digest     = sum of all row hashes, each read as a 256-bit big-endian
 *                unsigned integer, modulo 2^256
 *
 * Order and chunking do not matter, duplicate rows count, NULL differs from
 * the empty string. Values are the source's bytes as they are (text in the
 * column's own character set, numbers and dates in the server's text form
 * under the session settings revpack pins).
 */
#ifndef REVPACK_DIGEST_H
#define REVPACK_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "revpack/hash.h"

#define RP_DIGEST_ALGORITHM "revpack-rowsum-sha256-1"

typedef struct rp_digest {
	uint8_t sum[RP_SHA256_LEN]; /* big-endian */
	uint64_t rows;
} rp_digest;

void rp_digest_init(rp_digest *d);
void rp_digest_add(rp_digest *d, const uint8_t row_hash[RP_SHA256_LEN]);
void rp_digest_merge(rp_digest *d, const rp_digest *other);
void rp_digest_hex(const rp_digest *d, char out[RP_SHA256_HEXLEN + 1]);

/* Row hashing: one SHA-256 per row, its context reused across rows. The
 * cell items of small values are gathered in a buffer and hashed with one
 * update (a row of short values costs one SHA-256 update, not two per
 * cell); long values are hashed where they are. */
typedef struct rp_rowhash {
	rp_sha256 row;
	uint64_t left;   /* bytes still expected by a value given in pieces */
	uint8_t *pend;   /* cell items not yet given to SHA-256 */
	size_t npend;
} rp_rowhash;

int rp_rowhash_init(rp_rowhash *h);
void rp_rowhash_free(rp_rowhash *h);
int rp_rowhash_begin(rp_rowhash *h);
int rp_rowhash_null(rp_rowhash *h);
int rp_rowhash_value(rp_rowhash *h, const void *data, size_t n);
/* For values that arrive in pieces: the total length comes first. A value
 * whose pieces do not add up to it is an error (RP_E_INVALID). */
int rp_rowhash_value_begin(rp_rowhash *h, uint64_t len);
int rp_rowhash_value_update(rp_rowhash *h, const void *data, size_t n);
int rp_rowhash_value_end(rp_rowhash *h);
int rp_rowhash_end(rp_rowhash *h, uint8_t out[RP_SHA256_LEN]);

#endif
