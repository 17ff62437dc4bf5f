/* Growable byte buffer. */
#include "revpack/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/out.h"

int rp_buf_grow(rp_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return rp_error_nomem();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = rp_realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int rp_buf_put(rp_buf *b, const void *data, size_t len)
{
	if (rp_buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int rp_buf_puts(rp_buf *b, const char *s)
{
	return rp_buf_put(b, s, strlen(s));
}

int rp_buf_putc(rp_buf *b, char c)
{
	return rp_buf_put(b, &c, 1);
}

int rp_buf_printf(rp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return rp_error_set(RP_E_INTERNAL, "cannot format a string");
	if (rp_buf_grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void rp_buf_clear(rp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void rp_buf_free(rp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *rp_buf_detach(rp_buf *b)
{
	char *p = b->data;
	if (!p)
		p = rp_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

static int buf_out_write(void *ctx, const void *data, size_t n)
{
	return rp_buf_put(ctx, data, n);
}

int rp_out_drain(const rp_out *o, rp_buf *b)
{
	int rc = rp_out_write(o, b->data, b->len);

	rp_buf_clear(b);
	return rc;
}

rp_out rp_out_buf(rp_buf *b)
{
	rp_out o = { buf_out_write, b };
	return o;
}
