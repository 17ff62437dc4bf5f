/*
 * Media trees (--media NAME=DIR): the files of a folder on the server,
 * exported as they are under data/media/NAME/ (formats/names.md, "Media
 * files"; docs/user-guide.md, "Media").
 *
 * rp_media_scan() walks DIR once, beneath a folder descriptor, never
 * following a symbolic link (openat, fstatat with AT_SYMLINK_NOFOLLOW,
 * O_NOFOLLOW), in byte order of the names at every level, and opens every
 * regular file once to be sure it can be read. What cannot be exported (a
 * file or folder that cannot be read, a FIFO, a socket, a device) is an
 * error listing every such path, unless skip_unreadable is set: then each
 * is left out, recorded, and reported through warn(). Symbolic links are
 * recorded with their target, never followed or copied; empty folders are
 * recorded; hard links are exported once per path and recorded.
 *
 * rp_media_export() then puts the files into the package, reading each
 * file once and hashing it while it is read: the folder form copies them
 * with several threads; the zip form registers one stream per file
 * (rp_package_add_stream), read while the archive is written. A file that
 * changes while it is read (size, modification or change time, inode,
 * bytes read against the size seen) is an error, or, with skip_unreadable,
 * left out and recorded.
 */
#ifndef REVPACK_MEDIA_H
#define REVPACK_MEDIA_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "revpack/hash.h"
#include "revpack/package.h"

typedef struct rp_media_spec {
	const char *name;   /* NAME: a source name (rp_source_name_valid) */
	const char *dir;    /* DIR as given */
} rp_media_spec;

typedef struct rp_media_progress {
	const char *name;
	uint64_t files_done, files;
	uint64_t bytes_done, bytes;
} rp_media_progress;

typedef struct rp_media_opts {
	bool skip_unreadable;
	size_t threads;     /* folder form: files copied at once (0: 2) */
	void (*warn)(void *ctx, const char *source, const char *message);
	void (*progress)(void *ctx, const rp_media_progress *p);
	void *ctx;
	volatile sig_atomic_t *interrupted;
	/* A folder never walked into nor recorded, wherever DIR holds it: the
	 * package being written, when OUT is inside DIR. */
	bool exclude;
	dev_t exclude_dev;
	ino_t exclude_ino;
} rp_media_opts;

typedef enum rp_media_kind {
	RP_MEDIA_DIR,
	RP_MEDIA_FILE,
	RP_MEDIA_SYMLINK,
	RP_MEDIA_SPECIAL    /* FIFO, socket, device: never exported */
} rp_media_kind;

typedef struct rp_media_entry {
	char *src;          /* path under DIR, the bytes the server has ("" for DIR itself) */
	char *pkg;          /* path in the package: data/media/NAME/... (UTF-8, XML-safe) */
	bool mapped;        /* some component of pkg is mapped (formats/names.md) */
	rp_media_kind kind;
	bool exported;      /* FILE: in the package */
	char *skipped;      /* why it was left out (--skip-unreadable), or NULL */
	uint64_t bytes;     /* FILE: size as read */
	int64_t mtime;      /* FILE: modification time (seconds, UTC) */
	dev_t dev;          /* FILE: as read */
	ino_t ino;
	uint8_t sha256[RP_SHA256_LEN];
	char *target;       /* SYMLINK: the target's bytes */
	bool inside;        /* SYMLINK: the target, read as text, stays inside DIR */
	size_t end;         /* DIR: index after its last descendant */
	bool has_files;     /* DIR: an exported file lies beneath (after rp_media_settle) */
	size_t same_as;     /* FILE: the first exported path with the same inode, or SIZE_MAX */
} rp_media_entry;

typedef struct rp_media rp_media;

/* Walks spec->dir (see above). Records RP_E_USAGE when DIR is not a folder
 * that can be opened, RP_E_IO listing the paths that cannot be exported. */
int rp_media_scan(rp_media **out, const rp_media_spec *spec, const rp_media_opts *opts);

/* Puts the files into pkg (folder: copies; zip: streams). m must live
 * until pkg is finished or aborted. */
int rp_media_export(rp_media *m, rp_package *pkg);

/* Once every file was read: computes has_files, same_as and the totals. */
int rp_media_settle(rp_media *m);

const char *rp_media_name(const rp_media *m);
const char *rp_media_dir(const rp_media *m);
/* data/media/NAME */
const char *rp_media_root(const rp_media *m);
const rp_media_entry *rp_media_entries(const rp_media *m, size_t *n);
/* Exported files and their bytes (after rp_media_settle). */
void rp_media_totals(const rp_media *m, uint64_t *files, uint64_t *bytes, uint64_t *skipped);

void rp_media_free(rp_media *m);

#endif
