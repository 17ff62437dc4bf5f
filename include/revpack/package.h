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
 */
#ifndef REVPACK_PACKAGE_H
#define REVPACK_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "revpack/hash.h"
#include "revpack/sink.h"

typedef struct rp_package rp_package;

typedef struct rp_pkg_file {
	char *path;   /* relative to the bag root: data/... */
	rp_file_info info;
} rp_pkg_file;

typedef struct rp_label {
	const char *label;
	const char *value;
} rp_label;

/* Refuses (RP_E_USAGE) when path exists. */
int rp_package_create(rp_package **out, const char *path);

/* Opens data/<relpath> for writing (folders are created). relpath is
 * relative to data/. */
int rp_package_open(rp_package *pkg, const char *relpath, rp_sink **out);
/* Commits the sink and records the file in the payload manifest. */
int rp_package_commit(rp_package *pkg, rp_sink *sink);

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
/* Removes everything written and frees pkg. NULL is fine. */
void rp_package_abort(rp_package *pkg);

/* Human size for Bag-Size ("12.3 MB", decimal units). */
void rp_human_size(uint64_t bytes, char *out, size_t outlen);

#endif
