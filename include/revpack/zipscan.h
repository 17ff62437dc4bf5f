/*
 * A validating reader of a ZIP archive's structure, for verify only: the
 * end of central directory record, the ZIP64 end record and its locator,
 * the central directory and every local header (PKWARE APPNOTE 6.3, all
 * little-endian). It trusts no size or offset: every one is checked
 * against the archive's size and against the others before it is used.
 * It reads headers only (and 4 bytes after a data descriptor's data, to
 * see whether the descriptor has a signature), never entry data: libzip
 * reads the data later, once this scan has refused what must not be read.
 *
 * What it refuses, naming the entry (formats/bag.md, "The ZIP form"):
 * unsafe names (empty, absolute, drive letter, backslash, "." or ".."
 * component, empty component, NUL byte), names that are not UTF-8 without
 * the UTF-8 flag (bit 11), names flagged UTF-8 that are not, an Info-ZIP
 * Unicode Path field (0x7075) giving another name, duplicate names, an
 * entry under a name that is a file, symbolic links and other special
 * files (Unix mode in the external attributes), encryption (bit 0, bit 6,
 * method 99), compression other than stored (0) and deflate (8), stored
 * entries whose two sizes differ, folder entries holding data, malformed
 * or short ZIP64 extra fields, local headers that disagree with the
 * central directory (name, method, flags, CRC, sizes), entries that
 * overlap each other or the central directory, bytes before the central
 * directory that belong to no entry, entries beyond the end of the archive; and for the archive: no or a cut end record, bytes after
 * it, several disks, ZIP64 end records that are missing, misplaced or
 * disagree with the classic one, a central directory out of bounds, cut,
 * or holding another number of entries than the end records say. Notes
 * (not problems): names equal but for ASCII letter case, non-ASCII UTF-8
 * names without bit 11.
 */
#ifndef REVPACK_ZIPSCAN_H
#define REVPACK_ZIPSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads up to n bytes at offset into buf; *got < n only at the end of the
 * archive. Returns 0, or -1 with rp_error set (an I/O error). */
typedef int (*rp_zipscan_read_fn)(void *ctx, uint64_t offset, void *buf, size_t n, size_t *got);

/* A finding: problem or note; entry is the entry's shown name, NULL for
 * the archive as a whole. */
typedef void (*rp_zipscan_report_fn)(void *ctx, bool problem, const char *entry, const char *message);

typedef struct rp_zipscan_entry {
	char *name;              /* the central directory's name: raw bytes, NUL added */
	size_t name_len;
	char *shown;             /* for messages: bytes that are not UTF-8 (and NUL) as \xNN */
	uint16_t made_by, flags, method;
	uint32_t crc, external_attr;
	uint64_t comp_size, size; /* declared (ZIP64 values when given) */
	uint64_t local_offset;   /* the local header */
	uint64_t data_offset;    /* the first byte of data (0 when unknown) */
	uint64_t end;            /* one past the data and its descriptor (0 when unknown) */
	bool is_dir;             /* the name ends with '/' */
	bool refused;            /* a problem names it: its data must not be read */
} rp_zipscan_entry;

typedef struct rp_zipscan {
	rp_zipscan_entry *e;     /* in central directory order (libzip's index) */
	size_t n;
	uint64_t size;           /* of the archive */
	uint64_t cd_offset, cd_size;
	bool zip64;              /* a ZIP64 end record was found */
	bool unusable;           /* the central directory cannot be read: no entry is known */
	size_t problems, notes;
} rp_zipscan;

/*
 * Scans an archive of size bytes read through rd. Every finding goes to
 * report. Returns 0 when the scan ran (zs->problems says whether anything
 * was refused), -1 when it could not (rp_error set: I/O error, no memory).
 * zs must be freed with rp_zipscan_free in both cases.
 */
int rp_zipscan_read(rp_zipscan *zs, uint64_t size, rp_zipscan_read_fn rd, void *rdctx,
                    rp_zipscan_report_fn report, void *ctx);
void rp_zipscan_free(rp_zipscan *zs);

/* Reads for rp_zipscan_read from a file descriptor (ctx: an int *). */
int rp_zipscan_pread(void *ctx, uint64_t offset, void *buf, size_t n, size_t *got);

#endif
