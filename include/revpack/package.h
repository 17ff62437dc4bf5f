/*
 * Building a package: a BagIt 1.0 bag (RFC 8493, formats/bag.md) that
 * appears only when complete.
 *
 * rp_package_create makes a hidden temporary folder beside the target
 * (".<name>.rp-tmp-XXXXXX"); payload files are written through sinks and
 * recorded with their size and SHA-256 when committed; rp_package_finish
 * writes the tag files, fsyncs, and renames the folder into place, failing
 * if the target appeared in the meantime. rp_package_abort removes the
 * temporary folder.
 *
 * The zip form: when the target's name ends in ".zip" (any case), the
 * package is one ZIP archive holding the bag under one folder named like
 * the archive without ".zip", with "<target>.sha256" beside it. The
 * temporary folder then only stages the files revpack writes itself;
 * streams (rp_package_add_stream) are read straight into the archive while
 * it is written, and data/inventory.xml, which lists their digests, is
 * written after them (rp_package_defer). Both files appear only when
 * complete (no-replace renames), with mode 0600.
 */
#ifndef REVPACK_PACKAGE_H
#define REVPACK_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include <signal.h>
#include <stdbool.h>

#include "revpack/hash.h"
#include "revpack/sink.h"
#include "revpack/zip.h"

typedef struct rp_package rp_package;

typedef struct rp_pkg_file {
	char *path;   /* relative to the bag root: data/... */
	rp_file_info info;
} rp_pkg_file;

typedef struct rp_label {
	const char *label;
	const char *value;
} rp_label;

/* Refuses (RP_E_USAGE) when path exists (zip form: or path.sha256). */
int rp_package_create(rp_package **out, const char *path);

/* True when the package is written as a ZIP (the target ends in ".zip"). */
bool rp_package_is_zip(const rp_package *pkg);
/* True when a target of this name is written as a ZIP. */
bool rp_package_zip_name(const char *path);

/* Opens data/<relpath> for writing (folders are created). relpath is
 * relative to data/. */
int rp_package_open(rp_package *pkg, const char *relpath, rp_sink **out);
/* Commits the sink and records the file in the payload manifest. */
int rp_package_commit(rp_package *pkg, rp_sink *sink);
/* The same, handing back the file's size and SHA-256. */
int rp_package_commit_info(rp_package *pkg, rp_sink *sink, rp_file_info *info);

/*
 * Like rp_package_open, for many files (media): the file is created under
 * its own name and not synced one by one (rp_sink_open_bulk); the file
 * system is synced once before the package appears. Its folder must exist
 * (rp_package_mkdirs). Commit with rp_package_commit; safe from several
 * threads.
 */
int rp_package_open_bulk(rp_package *pkg, const char *relpath, rp_sink **out);

/*
 * Zip form only: a payload file read through ops while the archive is
 * written (relpath is relative to data/). The bytes are hashed as libzip
 * reads them; once ops->close accepts them the file is recorded like a
 * committed sink. A stream that returns RP_ZIP_SKIP is left out and the
 * archive is written again without it. ctx must live until the package is
 * finished or aborted.
 */
int rp_package_add_stream(rp_package *pkg, const char *relpath, const rp_zip_stream_ops *ops, void *ctx);

/*
 * Files that list what streams hold (data/inventory.xml, media.csv, the
 * guide): in the zip form the digests of streams are known only while the
 * archive is written, so write() is called once every stream has been
 * read, before the tag files are made, and must make exactly the files
 * named in paths (relative to data/, in the order they go into the
 * archive) through rp_package_open/rp_package_commit. In the folder form
 * write() is called at once. free_ctx (may be NULL) releases ctx when the
 * package is finished or aborted. One call per package.
 */
int rp_package_defer(rp_package *pkg, const char *const *paths, size_t npaths,
                     int (*write)(rp_package *pkg, void *ctx), void *ctx, void (*free_ctx)(void *ctx));
/* Where interruption is signalled while the archive is written (may be NULL). */
void rp_package_set_interrupt(rp_package *pkg, volatile sig_atomic_t *flag);
/* That flag (NULL if none), for writers that write an archive of their own. */
volatile sig_atomic_t *rp_package_interrupt(const rp_package *pkg);

/*
 * For files another library writes itself (libzip writes a ZIP at
 * zip_close): rp_package_root_path() is the temporary bag root, an absolute
 * or cwd-relative path to write under (data/<relpath>); once the file is
 * complete, rp_package_adopt() fsyncs it, computes its SHA-256 by reading it
 * once, and records it like a committed sink. Creating the folders first is
 * the caller's job (rp_package_mkdirs).
 */
const char *rp_package_root_path(const rp_package *pkg);
/* The temporary bag root as a folder descriptor (paths "data/..."). */
int rp_package_root_fd(const rp_package *pkg);
int rp_package_mkdirs(rp_package *pkg, const char *reldir);  /* relative to data/ */
int rp_package_adopt(rp_package *pkg, const char *relpath);   /* relative to data/ */
/* The same for a file whose writer already fsynced it and hashed every byte
 * it wrote (rp_zip_archive_close): recorded with that size and digest, not
 * read again. */
int rp_package_adopt_info(rp_package *pkg, const char *relpath, const rp_file_info *info);

const rp_pkg_file *rp_package_files(const rp_package *pkg, size_t *n);
const char *rp_package_path(const rp_package *pkg);

/*
 * Writes bagit.txt, manifest-sha256.txt, bag-info.txt (the labels given,
 * then Bagging-Date, Bag-Size and Payload-Oxum computed here) and
 * tagmanifest-sha256.txt; syncs; moves the bag into place. identity
 * receives the package identity (SHA-256 of tagmanifest-sha256.txt, hex).
 * The package is freed in every case; on failure nothing is left.
 */
int rp_package_finish(rp_package *pkg, const rp_label *labels, size_t nlabels,
                      char identity[RP_SHA256_HEXLEN + 1]);

typedef struct rp_package_summary {
	char identity[RP_SHA256_HEXLEN + 1];       /* SHA-256 of tagmanifest-sha256.txt */
	char archive_sha256[RP_SHA256_HEXLEN + 1]; /* of the .zip; "" for a folder */
	uint64_t files;                            /* payload files */
	uint64_t payload_bytes;
} rp_package_summary;

/* rp_package_finish, telling more. */
int rp_package_complete(rp_package *pkg, const rp_label *labels, size_t nlabels, rp_package_summary *sum);
/* Removes everything written and frees pkg. NULL is fine. */
void rp_package_abort(rp_package *pkg);

/* Human size for Bag-Size ("12.3 MB", decimal units). */
void rp_human_size(uint64_t bytes, char *out, size_t outlen);

#endif
