/*
 * SHA-256 through OpenSSL's EVP interface.
 */
#ifndef REVPACK_HASH_H
#define REVPACK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define RP_SHA256_LEN 32
#define RP_SHA256_HEXLEN 64

typedef struct rp_sha256 {
	void *ctx; /* EVP_MD_CTX */
} rp_sha256;

int rp_sha256_init(rp_sha256 *h);
/* Start a new digest on an initialised context (cheap: no allocation). */
int rp_sha256_reset(rp_sha256 *h);
int rp_sha256_update(rp_sha256 *h, const void *data, size_t n);
int rp_sha256_final(rp_sha256 *h, uint8_t out[RP_SHA256_LEN]);
void rp_sha256_free(rp_sha256 *h);

/* One-shot digest. */
int rp_sha256_oneshot(const void *data, size_t n, uint8_t out[RP_SHA256_LEN]);

/* Lower-case hex, NUL-terminated: out must hold 65 bytes. */
void rp_sha256_hex(const uint8_t d[RP_SHA256_LEN], char out[RP_SHA256_HEXLEN + 1]);
/* Parses 64 hex digits (either case); -1 when malformed (no rp_error). */
int rp_sha256_from_hex(uint8_t d[RP_SHA256_LEN], const char *hex, size_t len);

#endif
