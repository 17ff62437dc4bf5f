/*
 * Writing a package as one ZIP with libzip (formats/bag.md, "The zip form").
 *
 * rp_zip_write() builds an archive from a list of entries, in list order
 * (libzip writes entries in index order at zip_close()). An entry is either
 * a file on disk, added as it is (zip_source_file), or a stream read through
 * callbacks while zip_close() runs: its bytes are counted and hashed with
 * SHA-256 as libzip reads them (on another core, bghash.h), and the stream's close callback receives the
 * size and digest before libzip sees the end of the entry, so that a stream
 * can still fail the entry (a file that changed while it was read).
 *
 * Every entry's size is known before its data are written (a stream gives
 * it when opened), so libzip writes ZIP64 fields exactly where needed, and
 * the archive holds more than 65,535 entries when asked to. Names are
 * flagged UTF-8. Entries are STORED when rp_zip_stored() says so (already
 * compressed types, and .siard, which must stay readable in place),
 * DEFLATEd otherwise; nothing else is used.
 */
#ifndef REVPACK_ZIP_H
#define REVPACK_ZIP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "revpack/sink.h"

/* Returned by a stream callback: the entry is to be left out (the stream's
 * owner has recorded why); rp_zip_write() then fails with RP_ZIP_RETRY and
 * the caller writes the archive again without it. */
#define RP_ZIP_SKIP (-2)
#define RP_ZIP_RETRY (-2)

typedef struct rp_zip_stream_ops {
	/* Opens the entry: *bytes is exactly how many bytes read() will give
	 * and *mtime the time to record. 0, -1 (rp_error set) or RP_ZIP_SKIP. */
	int (*open)(void *ctx, uint64_t *bytes, time_t *mtime);
	/* Up to n bytes (never past the size open() gave); 0 only at the end.
	 * -1 (rp_error set) or RP_ZIP_SKIP. */
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	/* Every byte was read: info holds their size and SHA-256. Checks that
	 * the source did not change and records what it needs. 0, -1 or
	 * RP_ZIP_SKIP. */
	int (*close)(void *ctx, const rp_file_info *info);
	/* Reading stopped before close (an error elsewhere). May be NULL. */
	void (*abort)(void *ctx);
} rp_zip_stream_ops;

typedef struct rp_zip_entry {
	const char *name;                 /* inside the archive, UTF-8, '/'-separated */
	const char *file;                 /* a file added as it is, or NULL */
	const rp_zip_stream_ops *ops;     /* otherwise a stream */
	void *ctx;
	time_t mtime;                     /* for a file */
} rp_zip_entry;

typedef struct rp_zip_opts {
	const char *display;              /* the archive's name in messages */
	volatile sig_atomic_t *interrupted;
} rp_zip_opts;

/*
 * Writes the n entries to a new archive at path (which must not exist; it
 * is created mode 0600 and fsynced before this returns), and gives its size
 * and SHA-256 in *archive: the archive is hashed while it is written, by a
 * second thread reading behind the writer. Returns 0; -1 (rp_error set); or
 * RP_ZIP_RETRY when a stream asked to be left out, with *skipped its index.
 * On failure nothing is left at path.
 */
int rp_zip_write(const char *path, const rp_zip_entry *e, size_t n, const rp_zip_opts *opts,
                 size_t *skipped, rp_file_info *archive);

/*
 * An archive the caller fills itself with libzip calls (zip_file_add, ...),
 * written at rp_zip_archive_close() through the same output as
 * rp_zip_write(): 1 MiB writes, early write-back, hashed by a second thread
 * while it is written, fsynced. path must not exist; it is created mode 0600.
 * display names the archive in messages.
 */
typedef struct rp_zip_archive rp_zip_archive;
struct zip;
int rp_zip_archive_open(rp_zip_archive **a, struct zip **za, const char *path, const char *display);
/*
 * An archive can also be written in sessions, each adding entries after
 * those of the sessions before: rp_zip_archive_commit() writes what was
 * added (zip_close(); the archive stays open, its entries are not read
 * again), rp_zip_archive_continue() gives a new zip_t on it for the next
 * entries (libzip keeps, by cloning, every byte up to the central
 * directory, which the next session writes again). On failure of either,
 * the archive is gone; a must still be closed or discarded.
 */
int rp_zip_archive_commit(rp_zip_archive *a);
int rp_zip_archive_continue(rp_zip_archive *a, struct zip **za);
/* From now on, every session's writing stops (libzip's error
 * ZIP_ER_CANCELLED, reported as an interruption) as soon as stop(ctx)
 * returns non-zero; it is asked every few KiB written. */
void rp_zip_archive_set_stop(rp_zip_archive *a, int (*stop)(void *ctx), void *ctx);
/* zip_close() of the last session; *info receives the archive's size and
 * SHA-256. Frees a in every case; on failure nothing is left at path. */
int rp_zip_archive_close(rp_zip_archive *a, rp_file_info *info);
/* Drops the archive unwritten (NULL is fine). */
void rp_zip_archive_discard(rp_zip_archive *a);

/* True when an entry of this name is STORED rather than DEFLATEd: its
 * extension (after the last '.' of the last component, any case) is one of
 * the already-compressed types of formats/bag.md, or siard. */
bool rp_zip_stored(const char *name);


#endif
