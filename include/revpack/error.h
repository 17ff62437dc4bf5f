/*
 * revpack error reporting.
 *
 * Functions return int: 0 on success, -1 on error. The failing function
 * records one message (and a kind) with rp_error_set*(); callers propagate
 * the -1 untouched and only the CLI reads and prints the message. The
 * record is thread-local so parallel workers do not clobber each other.
 */
#ifndef REVPACK_ERROR_H
#define REVPACK_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum rp_errkind {
	RP_E_NONE = 0,
	RP_E_USAGE,       /* bad arguments: exit 2 */
	RP_E_INVALID,     /* the data or package is wrong: exit 1 where it is a finding */
	RP_E_IO,          /* file system: exit 3 */
	RP_E_DB,          /* database server: exit 3 */
	RP_E_NOMEM,       /* exit 3 */
	RP_E_INTERRUPTED, /* signal: exit 3 */
	RP_E_INTERNAL     /* a bug or a library failure: exit 3 */
} rp_errkind;

#if defined(__GNUC__)
#define RP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RP_PRINTF(a, b)
#endif

/* Record an error; always returns -1 so callers can `return rp_error_set(...)`. */
int rp_error_set(rp_errkind kind, const char *fmt, ...) RP_PRINTF(2, 3);
/* Same, appending ": strerror(errnum)". */
int rp_error_set_errno(rp_errkind kind, int errnum, const char *fmt, ...) RP_PRINTF(3, 4);
/* Record an out-of-memory error. */
int rp_error_nomem(void);

const char *rp_error_message(void);
rp_errkind rp_error_kind(void);
void rp_error_clear(void);

/* Exit code for an error kind (design.md: 1 findings, 2 usage, 3 could not run). */
int rp_error_exit_code(rp_errkind kind);

/* Allocation helpers that record RP_E_NOMEM on failure. */
void *rp_malloc(size_t n);
void *rp_calloc(size_t n, size_t size);
void *rp_realloc(void *p, size_t n);
char *rp_strdup(const char *s);
char *rp_strndup(const char *s, size_t n);
char *rp_sprintf(const char *fmt, ...) RP_PRINTF(1, 2);
char *rp_vsprintf(const char *fmt, va_list ap) RP_PRINTF(1, 0);

#endif
