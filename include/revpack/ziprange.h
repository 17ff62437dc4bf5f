/*
 * Read-only libzip sources over a byte range of a file. The first is
 * seekable, over a file descriptor. It reads with pread(), so several sources (and threads) can
 * share one descriptor without a shared file position. verify opens a
 * package ZIP through it, and a .siard inside a package through the
 * entry's byte range of the outer file: nothing is extracted.
 */
#ifndef REVPACK_ZIPRANGE_H
#define REVPACK_ZIPRANGE_H

#include <stdbool.h>
#include <stdint.h>
#include <zip.h>

/*
 * *out: a source over the len bytes of fd from offset start (a shorter
 * file reads short). With own_fd the source takes fd over and closes it
 * when freed, also when this fails. An empty range is not accepted as an
 * empty archive by zip_open_from_source (it is "not a zip archive").
 * Returns 0, or -1 with rp_error set.
 */
int rp_zip_source_range(zip_source_t **out, int fd, bool own_fd, uint64_t start, uint64_t len);

/*
 * *out: a source over the len bytes from offset start of file name in
 * directory dirfd (which must stay open), to be added to an archive being
 * written: the file is opened only while libzip copies it (an archive of
 * many entries holds one descriptor at a time), read 1 MiB at a time
 * (libzip asks for 8 KiB), and front to back only (no seek). Returns 0, or
 * -1 with rp_error set.
 */
int rp_zip_source_file(zip_source_t **out, int dirfd, const char *name, uint64_t start, uint64_t len);

/*
 * rp_zip_source_file over all of a file that is still being written:
 * before each read, grow(ctx, loaded) waits until the file holds more than
 * the loaded bytes, or is complete, and returns how many it holds (the
 * source ends when that is all loaded), or -1 to fail the archive (libzip's
 * "cancelled"). libzip is not given a size: it writes a ZIP64 field into
 * the entry's local header.
 */
typedef int64_t (*rp_zip_grow_fn)(void *ctx, uint64_t loaded);
int rp_zip_source_growing(zip_source_t **out, int dirfd, const char *name, rp_zip_grow_fn grow, void *ctx);

#endif
