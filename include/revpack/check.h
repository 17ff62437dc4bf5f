/*
 * Digests computed from a live source: the same per-table digest as the
 * export records, read from a database (the source itself, or a scratch
 * database the SQL was restored into). `check` builds on it.
 */
#ifndef REVPACK_CHECK_H
#define REVPACK_CHECK_H

#include "revpack/source.h"

typedef void (*rp_table_digest_fn)(void *ctx, const rp_source *src, const rp_table *t);

/* Connects, takes a snapshot, and digests every selected table, calling
 * fn once per table in name order. */
int rp_digest_source(rp_source *src, const rp_filter *filter, rp_table_digest_fn fn, void *ctx);

#endif
