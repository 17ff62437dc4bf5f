/*
 * Sinks: the only way revpack's bytes reach disk.
 *
 * A sink writes to a temporary name beside its target (".<name>.rp-tmp"),
 * hashes every byte with SHA-256 as it goes, and keeps the first error
 * (sticky: later writes fail with the same message). rp_sink_commit flushes,
 * fsyncs and renames into place and hands back the size and digest, so no
 * file is ever read back to hash it; rp_sink_abort unlinks the temporary.
 */
#ifndef REVPACK_SINK_H
#define REVPACK_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "revpack/hash.h"
#include "revpack/out.h"

typedef struct rp_sink rp_sink;

typedef struct rp_file_info {
	uint64_t bytes;
	uint8_t sha256[RP_SHA256_LEN];
} rp_file_info;

/* relpath is relative to dirfd; its parent folder must exist. The target
 * must not exist. display is the name used in error messages (for example
 * the path inside the package); NULL means relpath. */
int rp_sink_open(rp_sink **out, int dirfd, const char *relpath, const char *display);

/*
 * For many files written inside a folder that appears only as a whole (the
 * package's temporary folder): the file is created under its own name
 * (O_EXCL, no temporary name, so no name can clash with another file's
 * temporary) and rp_sink_commit does not fsync it. Whoever owns the folder
 * syncs the file system once (syncfs) before the folder appears. Abort
 * unlinks the file.
 */
int rp_sink_open_bulk(rp_sink **out, int dirfd, const char *relpath, const char *display);

int rp_sink_write(rp_sink *s, const void *data, size_t n);
int rp_sink_puts(rp_sink *s, const char *str);
/* An rp_out writing into the sink. */
rp_out rp_sink_out(rp_sink *s);
/* Bytes accepted so far. */
uint64_t rp_sink_bytes(const rp_sink *s);
const char *rp_sink_path(const rp_sink *s);

/* Flush, fsync, rename into place; frees s in every case. On failure the
 * temporary file is removed. */
int rp_sink_commit(rp_sink *s, rp_file_info *info);
/* Remove the temporary file and free s. NULL is fine. */
void rp_sink_abort(rp_sink *s);

#endif
