/*
 * Ordered output: sections of one file (the tables and key ranges of
 * dump.sql, the key ranges of one table's CSV or SIARD XML) written by
 * several threads, landing in order whatever order they finish in.
 *
 * The section of the next table in order, when no other section is being
 * written straight to the file, goes straight into it (a sequential export
 * never copies anything); any other section goes to a scratch file in the
 * package's temporary tree and is appended, in order, as soon as every
 * section before it is in. A section whose turn comes while it is still
 * being written hands over: what its scratch file holds is appended then,
 * and the rest goes straight to the file (with two connections reading
 * the ranges of one table, about half of each range is copied, not all).
 */
#ifndef REVPACK_ORDERED_H
#define REVPACK_ORDERED_H

#include <stddef.h>
#include <stdint.h>

#include "revpack/out.h"

typedef struct rp_ordered rp_ordered;
typedef struct rp_section rp_section;

/* main is where sections are appended (the file behind it stays the
 * caller's); dirfd/dir is where scratch files go (created if missing, removed by
 * rp_ordered_free); n is the number of sections. */
int rp_ordered_new(rp_ordered **out, rp_out main, int dirfd, const char *dir, size_t n);
/* Opens section idx; *o receives where to write it. */
int rp_ordered_begin(rp_ordered *ord, size_t idx, rp_section **sec, rp_out *o);
/* Bytes written to the section so far. */
uint64_t rp_section_bytes(const rp_section *sec);
/* Closes a section (appending whatever is now in order). A section that
 * fails here, or is aborted, is not appended and neither is anything after
 * it; its scratch file is removed. */
int rp_ordered_end(rp_ordered *ord, rp_section *sec);
/* Drops a section that will not be finished. */
void rp_ordered_abort(rp_ordered *ord, rp_section *sec);
/* After every section ended: checks that all were appended (fails naming
 * the first section that failed or never arrived). */
int rp_ordered_finish(rp_ordered *ord);
void rp_ordered_free(rp_ordered *ord);

#endif
