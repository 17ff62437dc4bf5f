/*
 * SHA-256 in a second thread: the caller hands over bytes (copied into a
 * small ring of blocks) and goes on with its own work (compressing,
 * writing) while another core hashes them, in order.
 *
 *   rp_bghash *bh;
 *   rp_bghash_new(&bh);
 *   rp_bghash_feed(bh, &h, buf, n);   (any number of times, any contexts)
 *   rp_bghash_wait(bh);               (every byte fed is now in its context)
 *   rp_sha256_final(&h, out);
 *   rp_bghash_free(bh);
 *
 * One thread feeds and waits. Memory: a fixed ring (RP_BGHASH_BLOCKS x
 * RP_BGHASH_BLOCK bytes), whatever the amount of data.
 */
#ifndef REVPACK_BGHASH_H
#define REVPACK_BGHASH_H

#include <stddef.h>

#include "revpack/hash.h"

#define RP_BGHASH_BLOCKS 8
#define RP_BGHASH_BLOCK ((size_t)256 << 10)

typedef struct rp_bghash rp_bghash;

/* Starts the hashing thread. 0, or -1 (rp_error set). */
int rp_bghash_new(rp_bghash **out);
/* Queues n bytes for context h (copied; waits while the ring is full).
 * Bytes fed for one context are hashed in the order fed. 0, or -1 when
 * hashing failed earlier (rp_error set). */
int rp_bghash_feed(rp_bghash *bh, rp_sha256 *h, const void *data, size_t n);
/* Returns once everything fed is hashed: the contexts may then be read or
 * freed. 0, or -1 when an update failed (rp_error set). */
int rp_bghash_wait(rp_bghash *bh);
/* Drops what is queued and stops the thread. NULL is accepted. */
void rp_bghash_free(rp_bghash *bh);

#endif
