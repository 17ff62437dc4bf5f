/*
 * A growable byte buffer. Used for building small strings (names, SQL
 * statements, XML fragments); the hot paths write into sinks directly.
 */
#ifndef REVPACK_BUF_H
#define REVPACK_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct rp_buf {
	char *data;   /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
} rp_buf;

#define RP_BUF_INIT { NULL, 0, 0 }

int rp_buf_grow(rp_buf *b, size_t extra);
int rp_buf_put(rp_buf *b, const void *data, size_t len);
int rp_buf_puts(rp_buf *b, const char *s);
int rp_buf_putc(rp_buf *b, char c);
int rp_buf_printf(rp_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void rp_buf_clear(rp_buf *b);  /* len = 0, keeps memory */
void rp_buf_free(rp_buf *b);
/* Hand the string over to the caller (who frees it); the buffer is reset. */
char *rp_buf_detach(rp_buf *b);

#endif
