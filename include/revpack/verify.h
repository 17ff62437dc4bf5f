/*
 * revpack verify: proves a package intact without its source.
 *
 * Checks (formats/bag.md and formats/inventory.md describe what is expected):
 *  - bagit.txt is exactly the BagIt 1.0 declaration;
 *  - manifest-sha256.txt: well-formed lines, paths safe and under data/,
 *    percent-encoding per RFC 8493, no duplicate; every listed file present,
 *    regular, with the listed SHA-256; every file under data/ listed;
 *  - tagmanifest-sha256.txt: covers bagit.txt, bag-info.txt and
 *    manifest-sha256.txt with matching digests;
 *  - bag-info.txt: well-formed labels, Payload-Oxum equal to the payload;
 *  - data/inventory.xml: valid against the inventory schema compiled into
 *    revpack; every file it lists has the manifest's size and digest;
 *  - every table's CSV: parses, header names equal the inventory's columns,
 *    every record has that many fields, the record count equals the
 *    inventory's row count, and the digest recomputed from the cells equals
 *    the inventory's digest;
 *  - every source's .siard (formats/siard.md), read in place from the ZIP:
 *    structure, metadata.xml against the official schema compiled in, each
 *    table against the XSD inside the archive, row counts, and the digest
 *    recomputed from the SIARD rows against the inventory's;
 *  - every WordPress site's WXR: well-formed, the inventory's number of items;
 *  - every friendly CSV (formats/friendly-csv.md): parses in the package's
 *    dialect, every record has the inventory's number of columns, the rows
 *    are as many as the inventory says, and no cell starts with a character
 *    that makes a spreadsheet read it as a formula.
 * Nothing outside the package is opened; no symbolic link is followed; no
 * special file is opened.
 *
 * The package is a folder or a ZIP archive (NAME.zip holding the bag under
 * NAME/, formats/bag.md "The ZIP form"), read in place: nothing is
 * extracted or written, and nothing but the archive and NAME.zip.sha256
 * beside it is read. The same checks run on the entries, streamed; the
 * archive's structure is checked first (zipscan.h) and every hostile or
 * damaged entry is a problem naming "NAME.zip:entry"; the archive's
 * SHA-256 is compared with its sidecar when there is one.
 */
#ifndef REVPACK_VERIFY_H
#define REVPACK_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/hash.h"

/* One problem found: path is the file at fault, relative to the package
 * root ("" for the package as a whole); message says what is wrong. */
typedef void (*rp_problem_fn)(void *ctx, const char *path, const char *message);
/* Progress: a file is being checked (may be NULL). */
typedef void (*rp_verify_progress_fn)(void *ctx, const char *path, uint64_t files_done,
                                      uint64_t files_total, uint64_t bytes_done);

/* A note: something worth knowing that does not make the package invalid
 * (path as for problems). */
typedef void (*rp_note_fn)(void *ctx, const char *path, const char *message);

typedef struct rp_verify_opts {
	rp_problem_fn problem;
	rp_verify_progress_fn progress;
	void *ctx;
	rp_note_fn note;                      /* may be NULL */
} rp_verify_opts;

typedef struct rp_verify_result {
	char identity[RP_SHA256_HEXLEN + 1];  /* SHA-256 of tagmanifest-sha256.txt, "" if absent */
	char *external_identifier;            /* from bag-info.txt, or NULL */
	bool zip;                             /* the package was a ZIP archive */
	char archive_sha256[RP_SHA256_HEXLEN + 1]; /* ZIP: its SHA-256 when its sidecar was
	                                       * there to compare with, else "" */
	bool sidecar_match;                   /* ZIP: equal to the sidecar's */
	uint64_t payload_files;
	uint64_t payload_bytes;
	uint64_t tables_checked;
	uint64_t rows_checked;
	uint64_t wxr_items;                   /* items of well-formed WXR files */
	uint64_t friendly_rows;               /* rows of friendly CSV files that check out */
	size_t problems;
} rp_verify_result;

/* Returns 0 when verification ran to the end (result->problems says whether
 * the package is valid), -1 when it could not run (rp_error set: the
 * package cannot be opened, is neither a folder nor a ZIP archive, I/O
 * error, out of memory). A ZIP is told by its name (.zip) or its first
 * bytes; one that cannot be read as an archive at all (truncated) is a
 * problem, not an error. */
int rp_verify(const char *package, const rp_verify_opts *opts, rp_verify_result *result);
void rp_verify_result_free(rp_verify_result *result);

#endif
