/*
 * The ZIP structure scan of verify (zipscan.h). Layouts from the PKWARE
 * APPNOTE 6.3: end of central directory record (4.3.16), ZIP64 end record
 * (4.3.14) and its locator (4.3.15), central directory headers (4.3.12),
 * local headers (4.3.7), data descriptors (4.3.9), extra fields (4.5),
 * ZIP64 extra field (4.5.3), Info-ZIP Unicode Path field (4.6.9).
 *
 * Every multi-byte value is read with le16/le32/le64 from a buffer whose
 * length was checked first; every offset and size from the archive is
 * compared with the archive's size (and with the other structures)
 * before it is used, with overflow-free arithmetic (a > limit - b rather
 * than a + b > limit).
 */
#include "revpack/zipscan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/text.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOCATOR 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u

#define EOCD_LEN 22
#define Z64_LOCATOR_LEN 20
#define Z64_EOCD_LEN 56
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define MAX_COMMENT 65535
#define MAX_HEADER (LOCAL_LEN + 65535 + 65535)
#define WINDOW ((size_t)1 << 20)      /* central directory reads */

#define EF_ZIP64 0x0001
#define EF_UNICODE_PATH 0x7075

#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u
#define FLAG_STRONG 0x0040u
#define FLAG_UTF8 0x0800u
#define FLAGS_COMPARED (FLAG_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_STRONG | FLAG_UTF8)

#define METHOD_STORE 0
#define METHOD_DEFLATE 8
#define METHOD_AES 99

#define HOST_UNIX 3
#define HOST_DARWIN 19
#define MODE_TYPE 0170000u
#define MODE_REG 0100000u
#define MODE_DIR 0040000u
#define MODE_LNK 0120000u

#define MAX16 0xFFFFu
#define MAX32 0xFFFFFFFFu

typedef struct scan {
	rp_zipscan *zs;
	rp_zipscan_read_fn rd;
	void *rdctx;
	rp_zipscan_report_fn report;
	void *ctx;
	uint8_t *win;                /* WINDOW bytes of the central directory */
	uint64_t win_off;
	size_t win_len;
	uint8_t *buf;                /* MAX_HEADER bytes: the tail, a local header */
	size_t flagless;             /* non-ASCII UTF-8 names without bit 11 */
	size_t first_flagless;
} scan;

/* Facts about one entry that only the scan needs. */
typedef struct extra_info {
	bool range_known;            /* sizes and offset could be read */
	bool zip64;                  /* the entry's sizes need 64 bits */
} extra_info;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- findings ---- */

static void say(scan *s, bool problem, rp_zipscan_entry *e, const char *fmt, ...) RP_PRINTF(4, 5);

static void say(scan *s, bool problem, rp_zipscan_entry *e, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (problem) {
		s->zs->problems++;
		if (e)
			e->refused = true;
	} else {
		s->zs->notes++;
	}
	if (s->report)
		s->report(s->ctx, problem, e ? e->shown : NULL, msg);
}

/* The name for messages: well-formed UTF-8 as it is, every other byte
 * (and NUL) as \xNN. */
static char *shown_name(const char *name, size_t n)
{
	rp_buf b = RP_BUF_INIT;
	size_t i = 0;

	if (rp_buf_puts(&b, "") < 0)
		return NULL;
	while (i < n) {
		uint32_t cp;
		size_t k = name[i] ? rp_utf8_next(name + i, n - i, &cp) : 0;
		int rc = k ? rp_buf_put(&b, name + i, k) : rp_buf_printf(&b, "\\x%02x", (unsigned char)name[i]);
		if (rc < 0) {
			rp_buf_free(&b);
			return NULL;
		}
		i += k ? k : 1;
	}
	return rp_buf_detach(&b);
}

/* ---- reading ---- */

/* Reads n bytes at off: 1 read, 0 the archive ends before, -1 error. */
static int read_at(scan *s, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;

	if (off > s->zs->size || n > s->zs->size - off)
		return 0;
	if (s->rd(s->rdctx, off, buf, n, &got) < 0)
		return -1;
	return got == n ? 1 : 0;
}

/* *p: the n bytes at off, which must lie before lim; NULL when they do not
 * (the central directory is cut). 0, or -1 on error. */
static int window(scan *s, uint64_t off, size_t n, uint64_t lim, const uint8_t **p)
{
	size_t want = WINDOW, got = 0;

	*p = NULL;
	if (off > lim || n > lim - off)
		return 0;
	if (off >= s->win_off && n <= s->win_len && off - s->win_off <= s->win_len - n) {
		*p = s->win + (off - s->win_off);
		return 0;
	}
	if (lim - off < want)
		want = (size_t)(lim - off);
	if (s->rd(s->rdctx, off, s->win, want, &got) < 0)
		return -1;
	s->win_off = off;
	s->win_len = got;
	if (n <= got)
		*p = s->win;
	return 0;
}

/* ---- extra fields ---- */

/* Finds field id in the extra block x (len bytes): 1 found (*data,
 * *dlen), 0 absent, -1 malformed. Up to 3 zero bytes of padding at the end
 * are tolerated (some tools align data that way). */
static int extra_find(const uint8_t *x, size_t len, uint16_t id, const uint8_t **data, size_t *dlen)
{
	size_t i = 0;
	int found = 0;

	while (i < len) {
		uint16_t hid, hlen;
		if (len - i < 4) {
			for (; i < len; i++)
				if (x[i] != 0)
					return -1;
			break;
		}
		hid = le16(x + i);
		hlen = le16(x + i + 2);
		if (hlen > len - i - 4)
			return -1;
		if (hid == id && !found) {
			*data = x + i + 4;
			*dlen = hlen;
			found = 1;
		}
		i += 4 + (size_t)hlen;
	}
	return found;
}

/* ---- the end records ---- */

typedef struct ends {
	uint64_t entries, cd_size, cd_offset;
	uint64_t start;              /* first byte of the end records */
} ends;

/* Finds the end of central directory record in the archive's last
 * 65,557 bytes: the one whose comment ends exactly where the archive
 * ends. A record that does not (a cut comment, bytes after it, or the
 * record of an archive stored inside, seen because the end was cut) is
 * not trusted. 1 found, 0 reported (unusable), -1 error. */
static int find_eocd(scan *s, uint64_t *eocd, uint8_t rec[EOCD_LEN])
{
	uint64_t size = s->zs->size, base;
	size_t tail = size < EOCD_LEN + MAX_COMMENT ? (size_t)size : EOCD_LEN + MAX_COMMENT;
	size_t i, exact = SIZE_MAX, nearest = SIZE_MAX, skipped = 0;
	int rc;

	if (size < EOCD_LEN) {
		say(s, true, NULL, "only %" PRIu64 " bytes: truncated, or not a ZIP archive", size);
		return 0;
	}
	base = size - tail;
	rc = read_at(s, base, s->buf, tail);
	if (rc <= 0) {
		if (rc == 0)
			say(s, true, NULL, "shorter than its size while it was read: truncated");
		return rc;
	}
	for (i = tail - EOCD_LEN + 1; i-- > 0;) {
		size_t clen;
		if (le32(s->buf + i) != SIG_EOCD)
			continue;
		clen = le16(s->buf + i + 20);
		if (i + EOCD_LEN + clen == tail) {
			exact = i;
			break;
		}
		if (nearest == SIZE_MAX)
			nearest = i;
		skipped++;
	}
	if (exact == SIZE_MAX && nearest == SIZE_MAX) {
		say(s, true, NULL, "has no end of central directory record: truncated, or not a ZIP archive");
		return 0;
	}
	if (exact == SIZE_MAX) {
		size_t clen = le16(s->buf + nearest + 20), left = tail - nearest - EOCD_LEN;
		if (clen > left)
			say(s, true, NULL, "truncated: its end of central directory record's comment is cut "
			    "(%zu of its %zu bytes)", left, clen);
		else
			say(s, true, NULL, "truncated, or bytes were appended: the last end of central directory "
			    "signature is followed by %zu bytes that are not its comment", left - clen);
		return 0;
	}
	if (skipped > 0)
		say(s, true, NULL, "its comment holds another end of central directory signature: "
		    "tools may disagree on where the archive ends");
	*eocd = base + exact;
	memcpy(rec, s->buf + exact, EOCD_LEN);
	return 1;
}

/* Reads the ZIP64 locator and end record before the classic one and
 * reconciles the three values. 1 done, 0 reported (unusable), -1 error. */
static int read_zip64(scan *s, uint64_t eocd, const uint8_t rec[EOCD_LEN], ends *en)
{
	uint8_t loc[Z64_LOCATOR_LEN], z[Z64_EOCD_LEN];
	uint64_t locator = eocd - Z64_LOCATOR_LEN, zoff, rsize, v64[3];
	uint64_t v32[3] = { le16(rec + 10), le32(rec + 12), le32(rec + 16) };
	const uint64_t marker[3] = { MAX16, MAX32, MAX32 };
	static const char *const what[3] = { "entries", "bytes of central directory",
	                                     "as the central directory's offset" };
	int rc;

	rc = read_at(s, locator, loc, sizeof loc);
	if (rc <= 0) {
		if (rc == 0)
			say(s, true, NULL, "shorter than its size while it was read: truncated");
		return rc;
	}
	zoff = le64(loc + 8);
	if (le32(loc + 4) != 0 || le32(loc + 16) > 1) {
		say(s, true, NULL, "spans several disks (a split archive), which is not supported");
		return 0;
	}
	if (zoff > s->zs->size || Z64_EOCD_LEN > s->zs->size - zoff) {
		say(s, true, NULL, "its ZIP64 end record locator points beyond the end of the archive "
		    "(offset %" PRIu64 ")", zoff);
		return 0;
	}
	if (zoff > locator || Z64_EOCD_LEN > locator - zoff) {
		say(s, true, NULL, "its ZIP64 end record locator points at offset %" PRIu64
		    ", where no ZIP64 end record fits before the locator", zoff);
		return 0;
	}
	rc = read_at(s, zoff, z, sizeof z);
	if (rc <= 0) {
		if (rc == 0)
			say(s, true, NULL, "shorter than its size while it was read: truncated");
		return rc;
	}
	if (le32(z) != SIG_Z64_EOCD) {
		say(s, true, NULL, "no ZIP64 end record at offset %" PRIu64 ", where its locator points", zoff);
		return 0;
	}
	rsize = le64(z + 4);
	if (rsize < Z64_EOCD_LEN - 12 || rsize != locator - zoff - 12)
		say(s, true, NULL, "its ZIP64 end record says it is %" PRIu64 " bytes long, but its locator "
		    "follows %" PRIu64 " bytes after it", rsize, locator - zoff - 12);
	if (le32(z + 16) != 0 || le32(z + 20) != 0 || le64(z + 24) != le64(z + 32)) {
		say(s, true, NULL, "spans several disks (a split archive), which is not supported");
		return 0;
	}
	v64[0] = le64(z + 32);
	v64[1] = le64(z + 40);
	v64[2] = le64(z + 48);
	for (int k = 0; k < 3; k++)
		if (v32[k] != marker[k] && v32[k] != v64[k])
			say(s, true, NULL, "its ZIP64 end record gives %" PRIu64 " %s, its end of central "
			    "directory record %" PRIu64, v64[k], what[k], v32[k]);
	s->zs->zip64 = true;
	en->entries = v64[0];
	en->cd_size = v64[1];
	en->cd_offset = v64[2];
	en->start = zoff;
	return 1;
}

/* Finds and checks the end records: 1 ok, 0 reported (unusable), -1 error. */
static int read_ends(scan *s, ends *en)
{
	uint8_t rec[EOCD_LEN], loc[4];
	uint64_t eocd = 0, cd_end;
	int rc = find_eocd(s, &eocd, rec);

	if (rc <= 0)
		return rc;
	en->entries = le16(rec + 10);
	en->cd_size = le32(rec + 12);
	en->cd_offset = le32(rec + 16);
	en->start = eocd;
	if (eocd >= Z64_LOCATOR_LEN) {
		rc = read_at(s, eocd - Z64_LOCATOR_LEN, loc, sizeof loc);
		if (rc < 0)
			return -1;
		if (rc > 0 && le32(loc) == SIG_Z64_LOCATOR) {
			rc = read_zip64(s, eocd, rec, en);
			if (rc <= 0)
				return rc;
		}
	}
	if (!s->zs->zip64) {
		if (le16(rec + 4) != 0 || le16(rec + 6) != 0 || le16(rec + 8) != le16(rec + 10)) {
			say(s, true, NULL, "spans several disks (a split archive), which is not supported");
			return 0;
		}
		if (en->cd_size == MAX32 || en->cd_offset == MAX32) {
			say(s, true, NULL, "its end of central directory record asks for ZIP64 values "
			    "(0xFFFFFFFF), but there is no ZIP64 end record locator before it");
			return 0;
		}
	}
	if (en->cd_offset > s->zs->size || en->cd_size > s->zs->size - en->cd_offset) {
		say(s, true, NULL, "truncated: its central directory (%" PRIu64 " bytes at offset %" PRIu64
		    ") ends beyond the end of the archive (%" PRIu64 " bytes)", en->cd_size, en->cd_offset,
		    s->zs->size);
		return 0;
	}
	cd_end = en->cd_offset + en->cd_size;
	if (cd_end > en->start) {
		say(s, true, NULL, "its central directory (%" PRIu64 " bytes at offset %" PRIu64 ") runs into "
		    "the end records at offset %" PRIu64 ": it is cut, or its size or offset is wrong",
		    en->cd_size, en->cd_offset, en->start);
		return 0;
	}
	if (cd_end < en->start)
		say(s, true, NULL, "%" PRIu64 " unaccounted bytes lie between its central directory and "
		    "its end records", en->start - cd_end);
	s->zs->cd_offset = en->cd_offset;
	s->zs->cd_size = en->cd_size;
	return 1;
}

/* ---- the central directory ---- */

static const char *method_name(unsigned m)
{
	switch (m) {
	case 1: return "shrunk";
	case 6: return "imploded";
	case 9: return "deflate64";
	case 12: return "bzip2";
	case 14: return "LZMA";
	case 93: return "zstd";
	case 95: return "xz";
	case 96: return "JPEG";
	case 97: return "WavPack";
	case 98: return "PPMd";
	default: return "unknown";
	}
}

/* The ZIP64 extra field of a central header: replaces the values that are
 * 0xFFFFFFFF (0xFFFF for the disk) by the 64-bit ones, in the APPNOTE's
 * order. */
static void central_zip64(scan *s, rp_zipscan_entry *e, const uint8_t *x, size_t xlen, uint32_t disk,
                          extra_info *info)
{
	const uint8_t *z = NULL;
	size_t zlen = 0, need = 0, at = 0;
	bool u = e->size == MAX32, c = e->comp_size == MAX32, o = e->local_offset == MAX32;
	bool d = disk == MAX16;
	int rc = extra_find(x, xlen, EF_ZIP64, &z, &zlen);

	need = (u ? 8u : 0u) + (c ? 8u : 0u) + (o ? 8u : 0u) + (d ? 4u : 0u);
	info->range_known = true;
	if (rc < 0) {
		say(s, true, e, "its central directory extra field is malformed (a field runs past its end)");
		info->range_known = false;
		return;
	}
	if (need == 0)
		goto disk;
	if (rc == 0 || zlen < need) {
		say(s, true, e, "its ZIP64 extra field is %s: the central directory marks %zu bytes of "
		    "sizes and offset as given there (0xFFFFFFFF)", rc == 0 ? "missing" : "too short", need);
		info->range_known = false;
		return;
	}
	info->zip64 = true;
	if (u) {
		e->size = le64(z + at);
		at += 8;
	}
	if (c) {
		e->comp_size = le64(z + at);
		at += 8;
	}
	if (o) {
		e->local_offset = le64(z + at);
		at += 8;
	}
	if (d)
		disk = le32(z + at);
disk:
	if (disk != 0)
		say(s, true, e, "starts on disk %" PRIu32 " of a split archive, which is not supported", disk);
	if (e->size >= MAX32 || e->comp_size >= MAX32)
		info->zip64 = true;
}

/* The name: its encoding, the Unicode Path field, and whether it is safe
 * to extract anywhere. */
static void check_name(scan *s, rp_zipscan_entry *e, const uint8_t *x, size_t xlen)
{
	const char *name = e->name, *why = NULL;
	size_t n = e->name_len, key = e->is_dir ? n - 1 : n, start = 0;
	const uint8_t *u = NULL;
	size_t ulen = 0;
	bool ascii = rp_ascii_only(name, n), unicode_ok = false;

	if (memchr(name, '\0', n)) {
		say(s, true, e, "its name holds a NUL byte: tools would cut it there");
		return;
	}
	if (extra_find(x, xlen, EF_UNICODE_PATH, &u, &ulen) == 1) {
		if (ulen < 5 || u[0] != 1) {
			say(s, true, e, "its Info-ZIP Unicode Path field (0x7075) is malformed");
		} else if (le32(u + 1) == (uint32_t)crc32(0L, (const Bytef *)name, (uInt)n)) {
			/* Tools use this field's name instead of the header's. */
			if (ulen - 5 != n || memcmp(u + 5, name, n) != 0) {
				char *other = shown_name((const char *)u + 5, ulen - 5);
				say(s, true, e, "its Info-ZIP Unicode Path field (0x7075) names it \"%s\": tools "
				    "would extract it under that other name", other ? other : "?");
				free(other);
			} else {
				unicode_ok = true;
			}
		}
	}
	if (e->flags & FLAG_UTF8) {
		if (!rp_utf8_valid(name, n))
			say(s, true, e, "is flagged UTF-8 (bit 11), but its name is not valid UTF-8");
	} else if (!ascii && !unicode_ok) {
		if (rp_utf8_valid(name, n)) {
			if (s->flagless++ == 0)
				s->first_flagless = (size_t)(e - s->zs->e);
		} else {
			say(s, true, e, "its name is not UTF-8 and the UTF-8 flag (bit 11) is not set: a legacy "
			    "code page name, which tools decode differently; package names are UTF-8");
		}
	}
	if (key == 0)
		why = "has an empty name";
	else if (name[0] == '/')
		why = "is an absolute path: it would be extracted outside the folder it is extracted into";
	else if (key >= 2 && name[1] == ':' && ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
		why = "starts with a drive letter: Windows tools would extract it onto that drive";
	else if (memchr(name, '\\', n))
		why = "holds a backslash, which Windows tools take as a folder separator";
	for (size_t i = 0; !why && i <= key; i++) {
		if (i < key && name[i] != '/')
			continue;
		if (i == start)
			why = "has an empty path component (//)";
		else if (i - start == 2 && name[start] == '.' && name[start + 1] == '.')
			why = "has a .. component: it would be extracted outside the folder it is extracted into";
		else if (i - start == 1 && name[start] == '.')
			why = "has a . component";
		start = i + 1;
	}
	if (why)
		say(s, true, e, "%s", why);
}

/* The kind of file the external attributes say (Unix hosts only). */
static void check_kind(scan *s, rp_zipscan_entry *e)
{
	unsigned host = e->made_by >> 8, mode = e->external_attr >> 16, type = mode & MODE_TYPE;

	if (host != HOST_UNIX && host != HOST_DARWIN)
		return;
	if (type == MODE_LNK)
		say(s, true, e, "is a symbolic link (Unix mode %06o): a package holds only folders and "
		    "regular files", mode);
	else if (type != 0 && type != MODE_REG && type != MODE_DIR)
		say(s, true, e, "is a special file (Unix mode %06o): a package holds only folders and "
		    "regular files", mode);
	else if (type == MODE_DIR && !e->is_dir)
		say(s, true, e, "its Unix mode (%06o) says folder, but its name does not end with /", mode);
	else if (type == MODE_REG && e->is_dir)
		say(s, true, e, "its name ends with / (a folder), but its Unix mode (%06o) says regular file", mode);
}

/* One central directory header at p (len bytes, checked). */
static int add_entry(scan *s, const uint8_t *p, extra_info **infos, size_t *cap)
{
	rp_zipscan *zs = s->zs;
	size_t nlen = le16(p + 28), xlen = le16(p + 30);
	const uint8_t *x = p + CENTRAL_LEN + nlen;
	rp_zipscan_entry *e;

	if (zs->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		rp_zipscan_entry *ne;
		extra_info *ni;
		if (ncap > SIZE_MAX / sizeof *ne)
			return rp_error_nomem();
		ne = rp_realloc(zs->e, ncap * sizeof *ne);
		if (!ne)
			return -1;
		zs->e = ne;
		ni = rp_realloc(*infos, ncap * sizeof *ni);
		if (!ni)
			return -1;
		*infos = ni;
		*cap = ncap;
	}
	e = &zs->e[zs->n];
	memset(e, 0, sizeof *e);
	memset(&(*infos)[zs->n], 0, sizeof **infos);
	e->name = rp_strndup((const char *)p + CENTRAL_LEN, nlen);
	if (!e->name)
		return -1;
	e->name_len = nlen;
	e->shown = shown_name(e->name, nlen);
	if (!e->shown) {
		free(e->name);
		return -1;
	}
	zs->n++;
	e->made_by = le16(p + 4);
	e->flags = le16(p + 8);
	e->method = le16(p + 10);
	e->crc = le32(p + 16);
	e->comp_size = le32(p + 20);
	e->size = le32(p + 24);
	e->external_attr = le32(p + 38);
	e->local_offset = le32(p + 42);
	e->is_dir = nlen > 0 && e->name[nlen - 1] == '/';

	central_zip64(s, e, x, xlen, le16(p + 34), &(*infos)[zs->n - 1]);
	check_name(s, e, x, xlen);
	if ((e->flags & (FLAG_ENCRYPTED | FLAG_STRONG)) || e->method == METHOD_AES)
		say(s, true, e, "is encrypted (%s): a package is never encrypted",
		    e->method == METHOD_AES ? "AES, method 99" :
		    (e->flags & FLAG_STRONG) ? "strong encryption, flag bit 6" : "flag bit 0");
	else if (e->method != METHOD_STORE && e->method != METHOD_DEFLATE)
		say(s, true, e, "is compressed with method %u (%s): only stored (0) and deflate (8) are accepted",
		    (unsigned)e->method, method_name(e->method));
	else if (e->method == METHOD_STORE && e->comp_size != e->size)
		say(s, true, e, "is stored, yet declares %" PRIu64 " bytes compressed and %" PRIu64
		    " uncompressed", e->comp_size, e->size);
	if (e->is_dir && e->size != 0)
		say(s, true, e, "is a folder entry holding %" PRIu64 " bytes", e->size);
	check_kind(s, e);
	return 0;
}

/* Parses every central directory header. 1 ok, 0 reported (unusable), -1. */
static int read_central(scan *s, const ends *en, extra_info **infos)
{
	uint64_t pos = en->cd_offset, lim = en->cd_offset + en->cd_size;
	size_t cap = 0;

	while (pos < lim) {
		const uint8_t *p;
		size_t len;

		if (window(s, pos, CENTRAL_LEN, lim, &p) < 0)
			return -1;
		if (!p) {
			say(s, true, NULL, "its central directory is cut inside its entry %zu", s->zs->n + 1);
			return 0;
		}
		if (le32(p) != SIG_CENTRAL) {
			say(s, true, NULL, "its central directory entry %zu (offset %" PRIu64 ") has no valid signature",
			    s->zs->n + 1, pos);
			return 0;
		}
		len = CENTRAL_LEN + (size_t)le16(p + 28) + le16(p + 30) + le16(p + 32);
		if (window(s, pos, len, lim, &p) < 0)
			return -1;
		if (!p) {
			say(s, true, NULL, "its central directory is cut inside its entry %zu", s->zs->n + 1);
			return 0;
		}
		if (add_entry(s, p, infos, &cap) < 0)
			return -1;
		pos += len;
	}
	if (s->zs->n != en->entries)
		say(s, true, NULL, "its %s says %" PRIu64 " entries, its central directory holds %zu",
		    s->zs->zip64 ? "ZIP64 end record" : "end of central directory record", en->entries, s->zs->n);
	return 1;
}

/* ---- names: duplicates, case, files used as folders ---- */

typedef struct nameset {
	size_t *slot;                /* entry index + 1; 0 when free */
	size_t mask;
} nameset;

static size_t key_len(const rp_zipscan_entry *e)
{
	return e->is_dir ? e->name_len - 1 : e->name_len;
}

static char fold(char c, bool nocase)
{
	return nocase && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static size_t key_hash(const char *k, size_t n, bool nocase)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)fold(k[i], nocase);
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

static bool key_eq(const char *a, size_t an, const char *b, size_t bn, bool nocase)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (fold(a[i], nocase) != fold(b[i], nocase))
			return false;
	return true;
}

static int set_init(nameset *set, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4)
			return rp_error_nomem();
		cap *= 2;
	}
	set->slot = rp_calloc(cap, sizeof *set->slot);
	set->mask = cap - 1;
	return set->slot ? 0 : -1;
}

/* The entry holding key (k, n), or SIZE_MAX; with add, key's entry idx is
 * added when absent. */
static size_t set_find(nameset *set, const rp_zipscan *zs, const char *k, size_t n, bool nocase, size_t add)
{
	size_t i;

	for (i = key_hash(k, n, nocase) & set->mask; set->slot[i]; i = (i + 1) & set->mask) {
		const rp_zipscan_entry *o = &zs->e[set->slot[i] - 1];
		if (key_eq(o->name, key_len(o), k, n, nocase))
			return set->slot[i] - 1;
	}
	if (add != SIZE_MAX)
		set->slot[i] = add + 1;
	return SIZE_MAX;
}

static int check_names(scan *s)
{
	rp_zipscan *zs = s->zs;
	nameset exact = { NULL, 0 }, nocase = { NULL, 0 };
	int error = -1;

	if (set_init(&exact, zs->n) < 0 || set_init(&nocase, zs->n) < 0)
		goto out;
	for (size_t i = 0; i < zs->n; i++) {
		rp_zipscan_entry *e = &zs->e[i];
		size_t k = key_len(e), o;

		o = set_find(&exact, zs, e->name, k, false, i);
		if (o != SIZE_MAX) {
			if (zs->e[o].is_dir == e->is_dir)
				say(s, true, e, "duplicate: the archive already holds an entry of this name");
			else
				say(s, true, e, "a file entry and a folder entry share this name (\"%s\")", zs->e[o].shown);
			continue;
		}
		o = set_find(&nocase, zs, e->name, k, true, i);
		if (o != SIZE_MAX)
			say(s, false, e, "differs only in letter case from \"%s\": on a case-insensitive file "
			    "system (Windows, macOS) one would overwrite the other", zs->e[o].shown);
	}
	/* Something under a name that is a file: extraction would fail or
	 * replace the file by a folder. */
	for (size_t i = 0; i < zs->n; i++) {
		rp_zipscan_entry *e = &zs->e[i];
		for (size_t j = 0; j + 1 < key_len(e); j++) {
			size_t o;
			if (e->name[j] != '/')
				continue;
			o = set_find(&exact, zs, e->name, j, false, SIZE_MAX);
			if (o != SIZE_MAX && !zs->e[o].is_dir) {
				say(s, true, e, "lies under \"%s\", which is a file", zs->e[o].shown);
				break;
			}
		}
	}
	if (s->flagless)
		say(s, false, NULL, "%zu entr%s (first: \"%s\") ha%s a non-ASCII UTF-8 name without the UTF-8 "
		    "flag (bit 11): read as UTF-8 here; some tools may show such names in code page 437",
		    s->flagless, s->flagless == 1 ? "y" : "ies", zs->e[s->first_flagless].shown,
		    s->flagless == 1 ? "s" : "ve");
	error = 0;
out:
	free(exact.slot);
	free(nocase.slot);
	return error;
}

/* ---- local headers and where each entry lies ---- */

static int check_local(scan *s, rp_zipscan_entry *e, const extra_info *info)
{
	uint64_t off = e->local_offset, cd = s->zs->cd_offset, lcomp, lsize, end;
	const uint8_t *z = NULL;
	size_t nlen, xlen, zlen = 0;
	uint16_t lflags, lmethod;
	uint32_t lcrc;
	bool zip64 = info->zip64;
	int rc;

	if (off >= cd) {
		say(s, true, e, "its local header offset (%" PRIu64 ") lies %s", off,
		    off >= s->zs->size ? "beyond the end of the archive: truncated"
		                       : "in or after the central directory, which it would overlap");
		return 0;
	}
	rc = read_at(s, off, s->buf, LOCAL_LEN);
	if (rc < 0)
		return -1;
	if (rc == 0 || LOCAL_LEN > cd - off) {
		say(s, true, e, "its local header (offset %" PRIu64 ") runs into the central directory", off);
		return 0;
	}
	if (le32(s->buf) != SIG_LOCAL) {
		say(s, true, e, "has no local header at offset %" PRIu64 ", where the central directory says it is", off);
		return 0;
	}
	lflags = le16(s->buf + 6);
	lmethod = le16(s->buf + 8);
	lcrc = le32(s->buf + 14);
	lcomp = le32(s->buf + 18);
	lsize = le32(s->buf + 22);
	nlen = le16(s->buf + 26);
	xlen = le16(s->buf + 28);
	if (LOCAL_LEN + nlen + xlen > cd - off) {
		say(s, true, e, "its local header (offset %" PRIu64 ") runs into the central directory", off);
		return 0;
	}
	rc = read_at(s, off + LOCAL_LEN, s->buf + LOCAL_LEN, nlen + xlen);
	if (rc <= 0) {
		if (rc == 0)
			say(s, true, e, "its local header is cut: truncated");
		return rc;
	}
	e->data_offset = off + LOCAL_LEN + nlen + xlen;
	if (nlen != e->name_len || memcmp(s->buf + LOCAL_LEN, e->name, nlen) != 0) {
		char *lname = shown_name((const char *)s->buf + LOCAL_LEN, nlen);
		say(s, true, e, "its local header names it \"%s\": tools reading local headers would "
		    "extract another file", lname ? lname : "?");
		free(lname);
	}
	if ((lflags & FLAGS_COMPARED) != (e->flags & FLAGS_COMPARED))
		say(s, true, e, "its local header's flags (0x%04x) disagree with the central directory's (0x%04x)",
		    (unsigned)lflags, (unsigned)e->flags);
	if (lmethod != e->method)
		say(s, true, e, "its local header says compression method %u, the central directory %u",
		    (unsigned)lmethod, (unsigned)e->method);
	rc = extra_find(s->buf + LOCAL_LEN + nlen, xlen, EF_ZIP64, &z, &zlen);
	if (lcomp == MAX32 || lsize == MAX32) {
		if (rc != 1 || zlen < 16) {
			say(s, true, e, "its local header's ZIP64 extra field is %s: it must give both sizes",
			    rc < 0 ? "malformed" : rc == 0 ? "missing" : "too short");
			return 0;
		}
		lsize = le64(z);
		lcomp = le64(z + 8);
		zip64 = true;
	} else if (rc < 0) {
		say(s, true, e, "its local header's extra field is malformed (a field runs past its end)");
	}
	if (!(e->flags & FLAG_DESCRIPTOR) || lcrc != 0 || lcomp != 0 || lsize != 0) {
		if (lcrc != e->crc || lcomp != e->comp_size || lsize != e->size)
			say(s, true, e, "its local header declares %" PRIu64 " bytes (%" PRIu64 " compressed, CRC-32 "
			    "%08" PRIx32 "), the central directory %" PRIu64 " (%" PRIu64 ", %08" PRIx32 ")",
			    lsize, lcomp, lcrc, e->size, e->comp_size, e->crc);
	}
	/* Where its data (and data descriptor) ends. */
	if (e->comp_size > s->zs->size - e->data_offset) {
		say(s, true, e, "its data (%" PRIu64 " bytes at offset %" PRIu64 ") runs beyond the end of the "
		    "archive: truncated", e->comp_size, e->data_offset);
		return 0;
	}
	end = e->data_offset + e->comp_size;
	if (e->flags & FLAG_DESCRIPTOR) {
		uint8_t sig[4];
		/* 8-byte sizes when the local header has a ZIP64 extra field
		 * (APPNOTE 4.3.9.2). */
		uint64_t dlen = zip64 || rc == 1 ? 20 : 12;
		rc = read_at(s, end, sig, sizeof sig);
		if (rc < 0)
			return -1;
		if (rc > 0 && le32(sig) == SIG_DESCRIPTOR)
			dlen += 4;
		if (dlen > s->zs->size - end) {
			say(s, true, e, "its data descriptor runs beyond the end of the archive: truncated");
			return 0;
		}
		end += dlen;
	}
	if (end > cd) {
		say(s, true, e, "its data (%" PRIu64 " bytes at offset %" PRIu64 ") runs into the central directory "
		    "at offset %" PRIu64, e->comp_size, e->data_offset, cd);
		return 0;
	}
	e->end = end;
	return 0;
}

typedef struct span {
	uint64_t start, end;
	size_t idx;
} span;

static int span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* No two entries share a byte (a local header, its data or descriptor),
 * and, when every entry could be placed, no byte before the central
 * directory belongs to none: a local header hidden there is an entry that
 * tools reading local headers (streaming unzip) extract, and nothing
 * checked it. */
static int check_overlaps(scan *s)
{
	rp_zipscan *zs = s->zs;
	span *sp = rp_calloc(zs->n + 1, sizeof *sp);
	size_t n = 0, last = SIZE_MAX;
	uint64_t max_end = 0;
	bool placed;

	if (!sp)
		return -1;
	for (size_t i = 0; i < zs->n; i++)
		if (zs->e[i].end > 0)
			sp[n++] = (span){ zs->e[i].local_offset, zs->e[i].end, i };
	placed = n == zs->n;
	qsort(sp, n, sizeof *sp, span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (placed && sp[i].start > max_end)
			say(s, true, NULL, "%" PRIu64 " bytes at offset %" PRIu64 ", before the local header of "
			    "\"%s\", belong to no entry: a ZIP hides nothing between its entries (tools reading "
			    "local headers would find what lies there)", sp[i].start - max_end, max_end,
			    zs->e[sp[i].idx].shown);
		if (last != SIZE_MAX && sp[i].start < max_end)
			say(s, true, &zs->e[sp[i].idx], "overlaps entry \"%s\" (which runs from offset %" PRIu64
			    " to %" PRIu64 "): entries never share bytes", zs->e[last].shown,
			    zs->e[last].local_offset, max_end);
		if (last == SIZE_MAX || sp[i].end > max_end) {
			max_end = sp[i].end;
			last = sp[i].idx;
		}
	}
	if (placed && max_end < zs->cd_offset)
		say(s, true, NULL, "%" PRIu64 " bytes at offset %" PRIu64 " before its central directory belong "
		    "to no entry: a ZIP hides nothing between its entries (tools reading local headers would "
		    "find what lies there)", zs->cd_offset - max_end, max_end);
	free(sp);
	return 0;
}

/* ---- entry point ---- */

int rp_zipscan_read(rp_zipscan *zs, uint64_t size, rp_zipscan_read_fn rd, void *rdctx,
                    rp_zipscan_report_fn report, void *ctx)
{
	extra_info *infos = NULL;
	scan s;
	ends en;
	int rc, error = -1;

	memset(zs, 0, sizeof *zs);
	memset(&s, 0, sizeof s);
	memset(&en, 0, sizeof en);
	zs->size = size;
	s.zs = zs;
	s.rd = rd;
	s.rdctx = rdctx;
	s.report = report;
	s.ctx = ctx;
	s.win = rp_malloc(WINDOW);
	s.buf = rp_malloc(MAX_HEADER);
	if (!s.win || !s.buf)
		goto out;
	rc = read_ends(&s, &en);
	if (rc == 0)
		zs->unusable = true;
	if (rc <= 0) {
		error = rc;
		goto out;
	}
	rc = read_central(&s, &en, &infos);
	if (rc == 0)
		zs->unusable = true;
	if (rc <= 0) {
		error = rc;
		goto out;
	}
	if (check_names(&s) < 0)
		goto out;
	for (size_t i = 0; i < zs->n; i++)
		if (infos[i].range_known && check_local(&s, &zs->e[i], &infos[i]) < 0)
			goto out;
	if (check_overlaps(&s) < 0)
		goto out;
	error = 0;
out:
	free(infos);
	free(s.win);
	free(s.buf);
	return error;
}

void rp_zipscan_free(rp_zipscan *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->n; i++) {
		free(zs->e[i].name);
		free(zs->e[i].shown);
	}
	free(zs->e);
	memset(zs, 0, sizeof *zs);
}

int rp_zipscan_pread(void *ctx, uint64_t offset, void *buf, size_t n, size_t *got)
{
	int fd = *(const int *)ctx;

	*got = 0;
	while (*got < n) {
		ssize_t r = pread(fd, (char *)buf + *got, n - *got, (off_t)(offset + *got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return rp_error_set_errno(RP_E_IO, errno, "cannot read the archive");
		}
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}
