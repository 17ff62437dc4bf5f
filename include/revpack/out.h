/*
 * A byte destination: encoders write through this so they can target a
 * sink (file, hashed), a memory buffer (tests) or anything else.
 */
#ifndef REVPACK_OUT_H
#define REVPACK_OUT_H

#include <stddef.h>

typedef struct rp_out {
	/* Write n bytes; return 0 or -1 with rp_error set. */
	int (*write)(void *ctx, const void *data, size_t n);
	void *ctx;
} rp_out;

static inline int rp_out_write(const rp_out *o, const void *data, size_t n)
{
	return n ? o->write(o->ctx, data, n) : 0;
}

/* An rp_out that appends to an rp_buf (see buf.h). */
struct rp_buf;
rp_out rp_out_buf(struct rp_buf *b);
/* Writes what b holds to o and empties b (on failure too). */
int rp_out_drain(const rp_out *o, struct rp_buf *b);

#endif
