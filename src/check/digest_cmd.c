/* Per-table digests of a live source (see check.h). */
#include "revpack/check.h"

#include <string.h>

#include "revpack/digest.h"
#include "revpack/error.h"

typedef struct dctx {
	rp_rowhash hash;
	rp_table *table;
} dctx;

static int on_row(void *ctx, const rp_value *v, size_t n)
{
	dctx *d = ctx;
	uint8_t h[RP_SHA256_LEN];

	if (rp_rowhash_begin(&d->hash) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((v[i].data ? rp_rowhash_value(&d->hash, v[i].data, v[i].len) : rp_rowhash_null(&d->hash)) < 0)
			return -1;
	if (rp_rowhash_end(&d->hash, h) < 0)
		return -1;
	rp_digest_add(&d->table->digest, h);
	return 0;
}

int rp_digest_source(rp_source *src, const rp_filter *filter, rp_table_digest_fn fn, void *ctx)
{
	rp_schema sc;
	dctx d;
	int rc = -1;

	memset(&sc, 0, sizeof sc);
	if (rp_rowhash_init(&d.hash) < 0)
		return -1;
	if (src->ops->connect(src) < 0 || src->ops->begin_snapshot(src) < 0 ||
	    src->ops->load_schema(src, filter, &sc) < 0)
		goto out;
	for (size_t i = 0; i < sc.ntables; i++) {
		d.table = &sc.tables[i];
		rp_digest_init(&d.table->digest);
		if (src->ops->stream_rows(src, d.table, 0, on_row, &d) < 0)
			goto out;
		fn(ctx, src, d.table);
	}
	rc = src->ops->end(src);
out:
	if (rc < 0)
		src->ops->end(src);
	rp_schema_free(&sc);
	rp_rowhash_free(&d.hash);
	return rc;
}
