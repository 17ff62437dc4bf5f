/*
 * Where verify reads a package from: a folder (store_dir.c) or a ZIP
 * archive (store_zip.c). The checks of verify.c know only this interface:
 * they open files by their path in the package, read them, and list what
 * the package holds.
 *
 * Paths are relative to the package root, with '/' separators ("bagit.txt",
 * "data/inventory.xml"); "" is the package itself.
 */
#ifndef REVPACK_CHECK_STORE_H
#define REVPACK_CHECK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zip.h>

#include "revpack/verify.h"

typedef enum rp_store_kind {
	RP_STORE_FILE,   /* a regular file: it can be opened */
	RP_STORE_DIR,    /* a folder */
	RP_STORE_OTHER   /* anything else (a link, a FIFO...): never opened */
} rp_store_kind;

typedef struct rp_store_item {
	const char *path;
	rp_store_kind kind;
	uint64_t size;       /* RP_STORE_FILE: its size */
	const char *what;    /* RP_STORE_OTHER: "is a symbolic link", ... */
} rp_store_item;

/* Called for every item of the package; returns 0, or -1 to stop (error). */
typedef int (*rp_store_list_fn)(void *ctx, const rp_store_item *item);

/* What a store reports itself (a damaged ZIP entry, an unreadable folder):
 * shown is the name the user sees (store->ops->shown's form). */
typedef struct rp_store_report {
	void (*problem)(void *ctx, const char *shown, const char *message);
	void (*note)(void *ctx, const char *shown, const char *message);
	void *ctx;
} rp_store_report;

typedef struct rp_store rp_store;
typedef struct rp_store_file rp_store_file;

typedef struct rp_store_ops {
	/*
	 * Opens the regular file path. 1: *out is open. 0: the package is at
	 * fault and *why says how ("does not exist", "is a symbolic link"...),
	 * or *why is NULL when the store already reported it (a refused or
	 * damaged ZIP entry): say nothing more. -1: error (rp_error set).
	 * slot: 0, or one of the slots prepared by slots(): files opened in
	 * different slots may be opened, read and closed by different threads
	 * at the same time (one thread per slot).
	 */
	int (*open)(rp_store *s, size_t slot, const char *path, rp_store_file **out, const char **why);
	/* Prepares slots 0..n-1 for open (a ZIP: one libzip handle each).
	 * 0, or -1 (rp_error set). */
	int (*slots)(rp_store *s, size_t n);
	/* Bytes read, 0 at the end; -1 error (rp_error set); -2 the file is
	 * damaged, which the store reported: stop reading it. */
	int64_t (*read)(rp_store_file *f, void *buf, size_t n);
	void (*close)(rp_store_file *f);
	/* Calls fn for every item of the package (files, folders, others),
	 * recursively, in no particular order, following nothing. */
	int (*list)(rp_store *s, rp_store_list_fn fn, void *ctx);
	/*
	 * A read-only ZIP source over the .siard file path, for the SIARD deep
	 * check (the caller frees it, or hands it to rp_siard_verify). 1: *src
	 * set. 0: cannot be checked: *why says why, or is NULL when the store
	 * already said so. -1: error.
	 */
	int (*siard)(rp_store *s, const char *path, zip_source_t **src, const char **why);
	/* The name a path has in messages (valid until the next call). */
	const char *(*shown)(rp_store *s, const char *path);
	/* After every check: what the store checks about itself as a whole (a
	 * ZIP's SHA-256 against its sidecar), into res. 0, or -1 (rp_error). */
	int (*finish)(rp_store *s, rp_verify_result *res);
	void (*free)(rp_store *s);
} rp_store_ops;

struct rp_store {
	const rp_store_ops *ops;
	rp_store_report report;
	bool unreadable;     /* nothing can be read (the store said why): only finish() runs */
};

/* A package folder, opened as rootfd (taken over: closed by free). */
int rp_store_dir_new(rp_store **out, int rootfd, const rp_store_report *report);

/*
 * A package ZIP (store_zip.c), open as fd (taken over: closed by free, or
 * here when no store is made) and named path; size from fstat. Scans its
 * structure (zipscan.h), reports every refusal, checks the top folder,
 * starts hashing the whole archive in a second thread when a sidecar
 * path.sha256 is there to compare with, and opens it with libzip. 0: *out
 * is the store, marked unreadable when the archive cannot be read as a
 * package (the reasons were reported). -1: error (rp_error set).
 */
int rp_store_zip_new(rp_store **out, int fd, const char *path, uint64_t size,
                     const rp_store_report *report);

#endif
