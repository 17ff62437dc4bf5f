/* SHA-256 in a second thread, fed through a ring of blocks (bghash.h). */
#include "revpack/bghash.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"

typedef struct block {
	rp_sha256 *h;
	size_t len;
	unsigned char *data;         /* RP_BGHASH_BLOCK bytes */
} block;

struct rp_bghash {
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* any change of what follows */
	block ring[RP_BGHASH_BLOCKS];
	size_t head;                 /* next block to hash */
	size_t filled;               /* blocks handed over, not yet hashed */
	size_t fill;                 /* the block being filled (ring index) */
	bool owned;                  /* the feeder holds ring[fill] (feeder only) */
	bool hashing;                /* the thread works on ring[head] */
	bool stop;
	bool failed;                 /* an update failed: err_* say why */
	rp_errkind err_kind;
	char err_msg[512];
	pthread_t thread;
	bool started;
};

static void *run(void *arg)
{
	rp_bghash *bh = arg;

	pthread_mutex_lock(&bh->mu);
	for (;;) {
		block *b;
		int rc;

		while (bh->filled == 0 && !bh->stop)
			pthread_cond_wait(&bh->cv, &bh->mu);
		if (bh->stop)
			break;
		b = &bh->ring[bh->head];
		bh->hashing = true;
		pthread_mutex_unlock(&bh->mu);
		rc = bh->failed ? 0 : rp_sha256_update(b->h, b->data, b->len);
		pthread_mutex_lock(&bh->mu);
		if (rc < 0 && !bh->failed) {
			bh->failed = true;
			bh->err_kind = rp_error_kind();
			snprintf(bh->err_msg, sizeof bh->err_msg, "%s", rp_error_message());
		}
		bh->hashing = false;
		b->len = 0;
		bh->head = (bh->head + 1) % RP_BGHASH_BLOCKS;
		bh->filled--;
		pthread_cond_broadcast(&bh->cv);
	}
	pthread_mutex_unlock(&bh->mu);
	return NULL;
}

int rp_bghash_new(rp_bghash **out)
{
	rp_bghash *bh = rp_calloc(1, sizeof *bh);
	int e;

	*out = NULL;
	if (!bh)
		return -1;
	for (size_t i = 0; i < RP_BGHASH_BLOCKS; i++)
		if (!(bh->ring[i].data = rp_malloc(RP_BGHASH_BLOCK)))
			goto fail;
	pthread_mutex_init(&bh->mu, NULL);
	pthread_cond_init(&bh->cv, NULL);
	if ((e = pthread_create(&bh->thread, NULL, run, bh)) != 0) {
		rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a hashing thread");
		pthread_cond_destroy(&bh->cv);
		pthread_mutex_destroy(&bh->mu);
		goto fail;
	}
	bh->started = true;
	*out = bh;
	return 0;
fail:
	for (size_t i = 0; i < RP_BGHASH_BLOCKS; i++)
		free(bh->ring[i].data);
	free(bh);
	return -1;
}

static int failed(rp_bghash *bh)
{
	return rp_error_set(bh->err_kind, "%s", bh->err_msg);
}

/* Hands the block being filled to the thread (the caller holds mu). */
static void hand_over(rp_bghash *bh)
{
	bh->owned = false;
	if (bh->ring[bh->fill].len == 0)
		return;
	bh->filled++;
	bh->fill = (bh->fill + 1) % RP_BGHASH_BLOCKS;
	pthread_cond_broadcast(&bh->cv);
}

int rp_bghash_feed(rp_bghash *bh, rp_sha256 *h, const void *data, size_t n)
{
	const unsigned char *p = data;
	block *cur = &bh->ring[bh->fill];

	/* The common case, without the lock: the bytes fit in the block this
	 * thread holds, for the same context. */
	if (bh->owned && cur->h == h && cur->len + n < RP_BGHASH_BLOCK) {
		memcpy(cur->data + cur->len, data, n);
		cur->len += n;
		return 0;
	}
	pthread_mutex_lock(&bh->mu);
	while (n > 0) {
		block *b = &bh->ring[bh->fill];
		size_t room;

		if (bh->failed) {
			pthread_mutex_unlock(&bh->mu);
			return failed(bh);
		}
		if (bh->filled == RP_BGHASH_BLOCKS) {
			/* every block is queued, the one to fill too: wait */
			pthread_cond_wait(&bh->cv, &bh->mu);
			continue;
		}
		if (b->len > 0 && b->h != h) {
			hand_over(bh); /* one context per block */
			continue;
		}
		b->h = h;
		bh->owned = true;
		room = RP_BGHASH_BLOCK - b->len;
		if (room > n)
			room = n;
		/* The thread never touches the block being filled: copy unlocked. */
		pthread_mutex_unlock(&bh->mu);
		memcpy(b->data + b->len, p, room);
		pthread_mutex_lock(&bh->mu);
		b->len += room;
		p += room;
		n -= room;
		if (b->len == RP_BGHASH_BLOCK)
			hand_over(bh);
	}
	pthread_mutex_unlock(&bh->mu);
	return 0;
}

int rp_bghash_wait(rp_bghash *bh)
{
	int rc = 0;

	pthread_mutex_lock(&bh->mu);
	hand_over(bh);
	while (bh->filled > 0 && !bh->failed)
		pthread_cond_wait(&bh->cv, &bh->mu);
	if (bh->failed)
		rc = failed(bh);
	pthread_mutex_unlock(&bh->mu);
	return rc;
}

void rp_bghash_free(rp_bghash *bh)
{
	if (!bh)
		return;
	if (bh->started) {
		pthread_mutex_lock(&bh->mu);
		bh->stop = true;
		pthread_cond_broadcast(&bh->cv);
		pthread_mutex_unlock(&bh->mu);
		pthread_join(bh->thread, NULL);
		pthread_cond_destroy(&bh->cv);
		pthread_mutex_destroy(&bh->mu);
	}
	for (size_t i = 0; i < RP_BGHASH_BLOCKS; i++)
		free(bh->ring[i].data);
	free(bh);
}
