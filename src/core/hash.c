/* SHA-256 via OpenSSL EVP. The EVP_MD is fetched once per process. */
#include "revpack/hash.h"

#include <openssl/evp.h>
#include <pthread.h>

#include "revpack/error.h"
#include "revpack/text.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_md(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md(void)
{
	pthread_once(&sha256_once, fetch_md);
	return sha256_md;
}

int rp_sha256_init(rp_sha256 *h)
{
	EVP_MD_CTX *ctx;

	h->ctx = NULL;
	if (!md())
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: SHA-256 is not available");
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return rp_error_nomem();
	if (EVP_DigestInit_ex2(ctx, md(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: cannot start SHA-256");
	}
	h->ctx = ctx;
	return 0;
}

int rp_sha256_reset(rp_sha256 *h)
{
	if (EVP_DigestInit_ex2(h->ctx, NULL, NULL) != 1)
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: cannot restart SHA-256");
	return 0;
}

int rp_sha256_update(rp_sha256 *h, const void *data, size_t n)
{
	if (n && EVP_DigestUpdate(h->ctx, data, n) != 1)
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: SHA-256 update failed");
	return 0;
}

int rp_sha256_final(rp_sha256 *h, uint8_t out[RP_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != RP_SHA256_LEN)
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: SHA-256 final failed");
	return 0;
}

void rp_sha256_free(rp_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int rp_sha256_oneshot(const void *data, size_t n, uint8_t out[RP_SHA256_LEN])
{
	unsigned int len = 0;

	if (!md())
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: SHA-256 is not available");
	if (EVP_Digest(data, n, out, &len, md(), NULL) != 1 || len != RP_SHA256_LEN)
		return rp_error_set(RP_E_INTERNAL, "OpenSSL: SHA-256 failed");
	return 0;
}

void rp_sha256_hex(const uint8_t d[RP_SHA256_LEN], char out[RP_SHA256_HEXLEN + 1])
{
	rp_hex_encode(out, d, RP_SHA256_LEN);
	out[RP_SHA256_HEXLEN] = '\0';
}

int rp_sha256_from_hex(uint8_t d[RP_SHA256_LEN], const char *hex, size_t len)
{
	if (len != RP_SHA256_HEXLEN)
		return -1;
	return rp_hex_decode(d, hex, len);
}
