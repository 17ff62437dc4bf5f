/*
 * PostgreSQL COPY text format (the format of COPY ... TO STDOUT without
 * options): fields separated by tab, rows ended by newline, NULL as \N,
 * and backslash escapes for backslash, tab, newline, carriage return and
 * the other characters COPY documents.
 */
#ifndef REVPACK_PGCOPY_H
#define REVPACK_PGCOPY_H

#include <stddef.h>

#include "revpack/buf.h"
#include "revpack/out.h"
#include "revpack/source.h"

/*
 * Splits and unescapes one COPY row (without its final newline) into
 * values[0..n). Unescaped bytes go to buf (reused between rows); values
 * point into it, NULL fields have data == NULL. Returns the number of
 * fields found, or -1 on a malformed escape (no rp_error set).
 */
int rp_pgcopy_decode(const char *line, size_t len, rp_buf *buf, rp_value *values, size_t n);
/* The same, unescaping in place: values point into line (no second copy of
 * a large row). */
int rp_pgcopy_decode_inplace(char *line, size_t len, rp_value *values, size_t n);

/* Writes one value escaped for COPY text (\\, \t, \n, \r, and \N for NULL). */
int rp_pgcopy_encode(const rp_out *o, const char *data, size_t len);
/* The same appended to b, in one pass (for values that fit in memory). */
int rp_pgcopy_encode_buf(rp_buf *b, const char *data, size_t len);

#endif
