/* Thread-local error record and checked allocation. */
#include "revpack/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char err_msg[1024];
static _Thread_local rp_errkind err_kind;

static void set_v(rp_errkind kind, const char *fmt, va_list ap)
{
	err_kind = kind;
	vsnprintf(err_msg, sizeof err_msg, fmt, ap);
}

int rp_error_set(rp_errkind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(kind, fmt, ap);
	va_end(ap);
	return -1;
}

int rp_error_set_errno(rp_errkind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	set_v(kind, fmt, ap);
	va_end(ap);
	len = strlen(err_msg);
	if (len + 2 < sizeof err_msg) {
		const char *why = strerror(errnum);
		size_t room = sizeof err_msg - len - 3;
		size_t wl = strlen(why);
		memcpy(err_msg + len, ": ", 2);
		if (wl > room)
			wl = room;
		memcpy(err_msg + len + 2, why, wl);
		err_msg[len + 2 + wl] = '\0';
	}
	return -1;
}

int rp_error_nomem(void)
{
	return rp_error_set(RP_E_NOMEM, "out of memory");
}

const char *rp_error_message(void)
{
	return err_kind == RP_E_NONE ? "no error" : err_msg;
}

rp_errkind rp_error_kind(void)
{
	return err_kind;
}

void rp_error_clear(void)
{
	err_kind = RP_E_NONE;
	err_msg[0] = '\0';
}

int rp_error_exit_code(rp_errkind kind)
{
	switch (kind) {
	case RP_E_NONE:
		return 0;
	case RP_E_INVALID:
		return 1;
	case RP_E_USAGE:
		return 2;
	case RP_E_IO:
	case RP_E_DB:
	case RP_E_NOMEM:
	case RP_E_INTERRUPTED:
	case RP_E_INTERNAL:
		break;
	}
	return 3;
}

void *rp_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		rp_error_nomem();
	return p;
}

void *rp_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		rp_error_nomem();
	return p;
}

void *rp_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		rp_error_nomem();
	return q;
}

char *rp_strndup(const char *s, size_t n)
{
	char *p = rp_malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *rp_strdup(const char *s)
{
	return rp_strndup(s, strlen(s));
}

char *rp_vsprintf(const char *fmt, va_list ap)
{
	va_list again;
	int n;
	char *p;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0) {
		va_end(again);
		rp_error_set(RP_E_INTERNAL, "cannot format a string");
		return NULL;
	}
	p = rp_malloc((size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, again);
	va_end(again);
	return p;
}

char *rp_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = rp_vsprintf(fmt, ap);
	va_end(ap);
	return p;
}
