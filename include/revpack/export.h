/*
 * revpack export: sources -> writers -> hashed atomic sinks -> bag.
 */
#ifndef REVPACK_EXPORT_H
#define REVPACK_EXPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/csv.h"
#include "revpack/lang.h"
#include "revpack/hash.h"
#include "revpack/media.h"
#include "revpack/source.h"

typedef struct rp_progress {
	const char *source;
	const char *table;        /* NULL between tables */
	size_t table_no, ntables; /* 1-based index within the source */
	uint64_t table_rows;
	uint64_t total_rows;
	uint64_t total_bytes;     /* value bytes read from the sources */
	int done;                 /* 1 on the last call for a table */
} rp_progress;

/* Formats to write (--formats); 0 means all. */
enum {
	RP_FORMAT_SQL = 1 << 0,
	RP_FORMAT_CSV = 1 << 1,
	RP_FORMAT_SIARD = 1 << 2,
	RP_FORMAT_WXR = 1 << 3,    /* WordPress sites' content (content.h) */
	RP_FORMAT_ALL = RP_FORMAT_SQL | RP_FORMAT_CSV | RP_FORMAT_SIARD | RP_FORMAT_WXR
};

/* Parses "sql,csv,siard,wxr" (any non-empty subset) into *out; -1 otherwise. */
int rp_formats_parse(const char *list, unsigned *out);

typedef struct rp_export_opts {
	const char *out_path;          /* a folder, or a ZIP when it ends in .zip */
	unsigned formats;              /* RP_FORMAT_* bits; 0 = all */
	size_t jobs;                   /* connections per source; 0 or 1: one */
	const char *organization;      /* Source-Organization, may be NULL */
	rp_csv_dialect dialect;
	rp_lang lang;                  /* of the guide and the friendly CSV headers */
	rp_source **sources;           /* ownership stays with the caller */
	size_t nsources;
	rp_filter filter;
	void (*warn)(void *ctx, const char *source, const char *message);
	void (*progress)(void *ctx, const rp_progress *p);
	void *ctx;
	volatile sig_atomic_t *interrupted; /* set by a signal handler */
	const rp_media_spec *media;    /* --media NAME=DIR, in order */
	size_t nmedia;
	bool skip_unreadable;          /* --skip-unreadable: leave out and record */
	void (*media_progress)(void *ctx, const rp_media_progress *p);
} rp_export_opts;

typedef struct rp_export_result {
	char identity[RP_SHA256_HEXLEN + 1];
	char external_id[64];
	uint64_t tables;
	uint64_t rows;
	uint64_t files;
	uint64_t payload_bytes;
	uint64_t media_files, media_bytes, media_skipped;
	char archive_sha256[RP_SHA256_HEXLEN + 1]; /* the .zip's; "" for a folder */
} rp_export_result;

/* Returns 0 when the package is in place; -1 otherwise (rp_error set,
 * nothing left behind). */
int rp_export(const rp_export_opts *opts, rp_export_result *result);

#endif
