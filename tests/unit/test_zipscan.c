/*
 * Unit tests for the ZIP structure scan of verify (src/check/zipscan.c).
 *
 * Each test builds a small archive in memory with zb_build() (stored
 * entries, no compression needed: the scan never reads entry data), then
 * changes bytes where the lie must be (the builder records where every
 * local and central header lies), scans it through a memory reader, and
 * checks the findings: which entry is named, with which words, and that
 * nothing else was said.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "revpack/error.h"
#include "revpack/zipscan.h"

#define MAXE 8

/* ---- building archives ---- */

typedef struct zspec {
	const char *name;
	const char *data;            /* NULL: empty */
	uint16_t method;             /* written as is: the scan never inflates */
	uint16_t flags;
	uint32_t mode;               /* Unix mode; 0: 0100644, or 040755 for a name ending in '/' */
	bool zip64;                  /* sizes and offset through ZIP64 extra fields */
	const uint8_t *cextra;       /* more central extra fields */
	size_t cextra_len;
} zspec;

typedef struct zb {
	uint8_t d[1 << 16];
	size_t len;
	size_t local[MAXE], central[MAXE];
	size_t n, cd, cd_len, z64, eocd;
} zb;

static void put(zb *z, const void *p, size_t n)
{
	assert_true(z->len + n <= sizeof z->d);
	memcpy(z->d + z->len, p, n);
	z->len += n;
}

static void put16(zb *z, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(z, b, 2);
}

static void put32(zb *z, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(z, b, 4);
}

static void put64(zb *z, uint64_t v)
{
	put32(z, (uint32_t)v);
	put32(z, (uint32_t)(v >> 32));
}

static void set16(zb *z, size_t at, unsigned v)
{
	z->d[at] = (uint8_t)v;
	z->d[at + 1] = (uint8_t)(v >> 8);
}

static void set32(zb *z, size_t at, uint32_t v)
{
	set16(z, at, v & 0xFFFF);
	set16(z, at + 2, v >> 16);
}

static void set64(zb *z, size_t at, uint64_t v)
{
	set32(z, at, (uint32_t)v);
	set32(z, at + 4, (uint32_t)(v >> 32));
}

/*
 * Builds a well-formed archive of n entries: local headers and data, the
 * central directory, then (zip64) a ZIP64 end record and locator, and the
 * end of central directory record with comment.
 */
static void zb_build_opt(zb *z, const zspec *e, size_t n, const char *comment, bool zip64)
{
	memset(z, 0, sizeof *z);
	assert_true(n <= MAXE);
	z->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t dl = e[i].data ? strlen(e[i].data) : 0;
		uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)(e[i].data ? e[i].data : ""), (uInt)dl);
		z->local[i] = z->len;
		put32(z, 0x04034b50);
		put16(z, e[i].zip64 ? 45 : 20);
		put16(z, e[i].flags);
		put16(z, e[i].method);
		put16(z, 0);
		put16(z, 0x21);
		put32(z, crc);
		put32(z, e[i].zip64 ? 0xFFFFFFFF : (uint32_t)dl);
		put32(z, e[i].zip64 ? 0xFFFFFFFF : (uint32_t)dl);
		put16(z, (unsigned)strlen(e[i].name));
		put16(z, e[i].zip64 ? 20 : 0);
		put(z, e[i].name, strlen(e[i].name));
		if (e[i].zip64) {
			put16(z, 1);
			put16(z, 16);
			put64(z, dl);
			put64(z, dl);
		}
		put(z, e[i].data ? e[i].data : "", dl);
	}
	z->cd = z->len;
	for (size_t i = 0; i < n; i++) {
		size_t dl = e[i].data ? strlen(e[i].data) : 0, nl = strlen(e[i].name);
		uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)(e[i].data ? e[i].data : ""), (uInt)dl);
		uint32_t mode = e[i].mode ? e[i].mode : nl && e[i].name[nl - 1] == '/' ? 040755 : 0100644;
		z->central[i] = z->len;
		put32(z, 0x02014b50);
		put16(z, (3 << 8) | 45);
		put16(z, e[i].zip64 ? 45 : 20);
		put16(z, e[i].flags);
		put16(z, e[i].method);
		put16(z, 0);
		put16(z, 0x21);
		put32(z, crc);
		put32(z, e[i].zip64 ? 0xFFFFFFFF : (uint32_t)dl);
		put32(z, e[i].zip64 ? 0xFFFFFFFF : (uint32_t)dl);
		put16(z, (unsigned)nl);
		put16(z, (unsigned)((e[i].zip64 ? 28 : 0) + e[i].cextra_len));
		put16(z, 0);
		put16(z, 0);
		put16(z, 0);
		put32(z, mode << 16);
		put32(z, e[i].zip64 ? 0xFFFFFFFF : (uint32_t)z->local[i]);
		put(z, e[i].name, nl);
		if (e[i].zip64) {
			put16(z, 1);
			put16(z, 24);
			put64(z, dl);
			put64(z, dl);
			put64(z, z->local[i]);
		}
		if (e[i].cextra_len)
			put(z, e[i].cextra, e[i].cextra_len);
	}
	z->cd_len = z->len - z->cd;
	if (zip64) {
		z->z64 = z->len;
		put32(z, 0x06064b50);
		put64(z, 44);
		put16(z, 45);
		put16(z, 45);
		put32(z, 0);
		put32(z, 0);
		put64(z, n);
		put64(z, n);
		put64(z, z->cd_len);
		put64(z, z->cd);
		put32(z, 0x07064b50);
		put32(z, 0);
		put64(z, z->z64);
		put32(z, 1);
	}
	z->eocd = z->len;
	put32(z, 0x06054b50);
	put16(z, 0);
	put16(z, 0);
	put16(z, zip64 ? 0xFFFF : (unsigned)n);
	put16(z, zip64 ? 0xFFFF : (unsigned)n);
	put32(z, zip64 ? 0xFFFFFFFF : (uint32_t)z->cd_len);
	put32(z, zip64 ? 0xFFFFFFFF : (uint32_t)z->cd);
	put16(z, comment ? (unsigned)strlen(comment) : 0);
	if (comment)
		put(z, comment, strlen(comment));
}

static void zb_build(zb *z, const zspec *e, size_t n)
{
	zb_build_opt(z, e, n, NULL, false);
}

/* The usual package entries. */
static const zspec pkg[] = {
	{ "pkg/", NULL, 0, 0, 0, false, NULL, 0 },
	{ "pkg/bagit.txt", "BagIt-Version: 1.0\n", 0, 0, 0, false, NULL, 0 },
	{ "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "PNG data", 0, 0x0800, 0, false, NULL, 0 },
	{ "pkg/data/inventory.xml", "<inventory/>", 8, 0, 0, false, NULL, 0 },
};
#define NPKG (sizeof pkg / sizeof *pkg)

/* ---- scanning ---- */

#define MAXF 32

typedef struct findings {
	size_t n;
	bool problem[MAXF];
	char *entry[MAXF];
	char *msg[MAXF];
	rp_zipscan zs;
	int rc;
} findings;

static void on_report(void *ctx, bool problem, const char *entry, const char *message)
{
	findings *f = ctx;

	assert_true(f->n < MAXF);
	f->problem[f->n] = problem;
	f->entry[f->n] = entry ? strdup(entry) : NULL;
	f->msg[f->n] = strdup(message);
	f->n++;
}

typedef struct mem {
	const uint8_t *d;
	size_t len;
} mem;

static int mem_read(void *ctx, uint64_t off, void *buf, size_t n, size_t *got)
{
	const mem *m = ctx;

	*got = 0;
	if (off < m->len) {
		*got = m->len - off < n ? (size_t)(m->len - off) : n;
		memcpy(buf, m->d + off, *got);
	}
	return 0;
}

static findings *scan_len(const zb *z, size_t len)
{
	findings *f = calloc(1, sizeof *f);
	mem m = { z->d, len };

	assert_non_null(f);
	f->rc = rp_zipscan_read(&f->zs, len, mem_read, &m, on_report, f);
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->zs.problems + f->zs.notes, f->n);
	return f;
}

static findings *scan(const zb *z)
{
	return scan_len(z, z->len);
}

static void done(findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->entry[i]);
		free(f->msg[i]);
	}
	rp_zipscan_free(&f->zs);
	free(f);
}

static void dump(const findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		print_message("  %s [%s] %s\n", f->problem[i] ? "problem" : "note", f->entry[i] ? f->entry[i] : "-",
		              f->msg[i]);
}

/* A finding of that kind naming entry (NULL: the archive) with word in its message. */
static bool said(const findings *f, bool problem, const char *entry, const char *word)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->problem[i] == problem && (entry ? f->entry[i] && !strcmp(f->entry[i], entry) : !f->entry[i]) &&
		    strstr(f->msg[i], word))
			return true;
	return false;
}

#define assert_said(f, problem, entry, word)                                            \
	do {                                                                                \
		if (!said((f), (problem), (entry), (word))) {                                   \
			print_message("expected a %s on %s with \"%s\"\n", (problem) ? "problem" : "note", \
			              (entry) ? (entry) : "the archive", (word));                   \
			dump(f);                                                                    \
			fail();                                                                     \
		}                                                                               \
	} while (0)

#define assert_findings(f, count)                                                        \
	do {                                                                                 \
		if ((f)->n != (size_t)(count)) {                                                 \
			print_message("expected %zu findings\n", (size_t)(count));                  \
			dump(f);                                                                     \
			fail();                                                                      \
		}                                                                                \
	} while (0)

/* The entry of the scan named name. */
static const rp_zipscan_entry *entry_of(const findings *f, const char *name)
{
	for (size_t i = 0; i < f->zs.n; i++)
		if (!strcmp(f->zs.e[i].name, name))
			return &f->zs.e[i];
	fail_msg("no entry %s", name);
	abort(); /* not reached: fail_msg does not return */
}

/* Scans pkg with one more entry; expects exactly one problem naming it
 * (shown: its name in messages, when not extra->name). */
static void one_problem_shown(const zspec *extra, const char *shown, const char *word)
{
	zspec e[NPKG + 1];
	zb z;
	findings *f;

	memcpy(e, pkg, sizeof pkg);
	e[NPKG] = *extra;
	zb_build(&z, e, NPKG + 1);
	f = scan(&z);
	assert_said(f, true, shown ? shown : extra->name, word);
	assert_findings(f, 1);
	assert_true(f->zs.e[NPKG].refused);
	done(f);
}

static void one_problem(const zspec *extra, const char *word)
{
	one_problem_shown(extra, NULL, word);
}

/* ---- a valid archive ---- */

static void test_valid(void **state)
{
	zb z;
	findings *f;
	const rp_zipscan_entry *e;

	(void)state;
	zb_build(&z, pkg, NPKG);
	f = scan(&z);
	assert_findings(f, 0);
	assert_int_equal(f->zs.n, NPKG);
	assert_false(f->zs.unusable);
	assert_false(f->zs.zip64);
	e = entry_of(f, "pkg/data/inventory.xml");
	assert_int_equal(e->method, 8);
	assert_int_equal(e->size, strlen("<inventory/>"));
	assert_int_equal(e->local_offset, z.local[3]);
	assert_int_equal(e->data_offset, z.local[3] + 30 + strlen("pkg/data/inventory.xml"));
	assert_int_equal(e->end, z.cd);
	assert_false(e->refused);
	assert_true(entry_of(f, "pkg/")->is_dir);
	done(f);
}

/* A comment after the end record is fine; a data descriptor (bit 3) with
 * its signature is accounted for. */
static void test_valid_comment_and_descriptor(void **state)
{
	static const zspec e[] = {
		{ "pkg/a.txt", "hello", 0, 0x0008, 0, false, NULL, 0 },
		{ "pkg/b.txt", "world", 0, 0, 0, false, NULL, 0 },
	};
	zb z, d;
	findings *f;
	uint8_t desc[16];

	(void)state;
	zb_build_opt(&z, pkg, NPKG, "a comment", false);
	f = scan(&z);
	assert_findings(f, 0);
	done(f);

	/* Bit 3 without a descriptor: the next entry lies where it should be. */
	zb_build(&z, e, 2);
	f = scan(&z);
	assert_said(f, true, "pkg/b.txt", "overlaps entry \"pkg/a.txt\"");
	done(f);

	/* Insert a 16-byte descriptor after a.txt's data: everything after it moves. */
	zb_build(&z, e, 2);
	memset(&d, 0, sizeof d);
	memcpy(d.d, z.d, z.local[1]);
	desc[0] = 0x50; desc[1] = 0x4b; desc[2] = 0x07; desc[3] = 0x08;
	memcpy(desc + 4, z.d + z.local[0] + 14, 12); /* CRC and sizes */
	memcpy(d.d + z.local[1], desc, 16);
	memcpy(d.d + z.local[1] + 16, z.d + z.local[1], z.len - z.local[1]);
	d.len = z.len + 16;
	d.local[1] = z.local[1] + 16;
	d.central[1] = z.central[1] + 16;
	d.cd = z.cd + 16;
	d.eocd = z.eocd + 16;
	set32(&d, d.central[1] + 42, (uint32_t)d.local[1]);
	set32(&d, d.eocd + 16, (uint32_t)d.cd);
	f = scan(&d);
	assert_findings(f, 0);
	assert_int_equal(entry_of(f, "pkg/a.txt")->end, d.local[1]);
	done(f);
}

static void test_valid_zip64(void **state)
{
	static const zspec e[] = {
		{ "pkg/", NULL, 0, 0, 0, false, NULL, 0 },
		{ "pkg/big.bin", "pretend this is over 4 GiB", 0, 0, 0, true, NULL, 0 },
	};
	zb z;
	findings *f;
	const rp_zipscan_entry *b;

	(void)state;
	zb_build_opt(&z, e, 2, NULL, true);
	f = scan(&z);
	assert_findings(f, 0);
	assert_true(f->zs.zip64);
	assert_int_equal(f->zs.n, 2);
	b = entry_of(f, "pkg/big.bin");
	assert_int_equal(b->size, strlen("pretend this is over 4 GiB"));
	assert_int_equal(b->comp_size, b->size);
	assert_int_equal(b->local_offset, z.local[1]);
	done(f);
}

/* ---- names ---- */

static void test_name_dotdot(void **state)
{
	zspec x = { "pkg/data/../../evil.txt", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "..");
}

static void test_name_absolute(void **state)
{
	zspec x = { "/etc/evil", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "absolute");
}

static void test_name_drive_letter(void **state)
{
	zspec x = { "C:/evil.txt", "x", 0, 0, 0, false, NULL, 0 };
	zspec y = { "d:evil.txt", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "drive letter");
	one_problem(&y, "drive letter");
}

static void test_name_backslash(void **state)
{
	zspec x = { "pkg\\data\\evil.txt", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "backslash");
}

static void test_name_components(void **state)
{
	zspec dot = { "pkg/./data/a", "x", 0, 0, 0, false, NULL, 0 };
	zspec empty = { "pkg//data/a", "x", 0, 0, 0, false, NULL, 0 };
	zspec slash = { "/", NULL, 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&dot, ". component");
	one_problem(&empty, "empty path component");
	one_problem(&slash, "empty name");
}

static void test_name_nul(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	z.d[z.central[1] + 46 + 3] = 0; /* "pkg\0bagit.txt" */
	z.d[z.local[1] + 30 + 3] = 0;
	f = scan(&z);
	assert_said(f, true, "pkg\\x00bagit.txt", "NUL");
	assert_findings(f, 1);
	done(f);
}

static void test_name_not_utf8(void **state)
{
	zspec flagged = { "pkg/data/\xe9t\xe9.txt", "x", 0, 0x0800, 0, false, NULL, 0 };
	zspec unflagged = { "pkg/data/\xe9t\xe9.txt", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem_shown(&flagged, "pkg/data/\\xe9t\\xe9.txt", "not valid UTF-8");
	one_problem_shown(&unflagged, "pkg/data/\\xe9t\\xe9.txt", "not UTF-8 and the UTF-8 flag (bit 11) is not set");
}

/* Well-formed UTF-8 without bit 11: read as UTF-8, one note for all. */
static void test_name_utf8_unflagged(void **state)
{
	static const zspec e[] = {
		{ "pkg/\xc3\xa9t\xc3\xa9.txt", "x", 0, 0, 0, false, NULL, 0 },
		{ "pkg/na\xc3\xafve.txt", "y", 0, 0, 0, false, NULL, 0 },
	};
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, e, 2);
	f = scan(&z);
	assert_said(f, false, NULL, "2 entries (first: \"pkg/\xc3\xa9t\xc3\xa9.txt\")");
	assert_findings(f, 1);
	assert_int_equal(f->zs.problems, 0);
	done(f);
}

static void unicode_field(uint8_t *out, size_t *len, const char *header_name, const char *name)
{
	uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)header_name, (uInt)strlen(header_name));
	size_t n = strlen(name);

	out[0] = 0x75; out[1] = 0x70;
	out[2] = (uint8_t)(5 + n); out[3] = 0;
	out[4] = 1;
	out[5] = (uint8_t)crc; out[6] = (uint8_t)(crc >> 8); out[7] = (uint8_t)(crc >> 16); out[8] = (uint8_t)(crc >> 24);
	memcpy(out + 9, name, n);
	*len = 9 + n;
}

static void test_name_unicode_path(void **state)
{
	uint8_t same[64], other[64], stale[64];
	size_t ls, lo, lt;
	zspec x = { "pkg/\xc3\xa9t\xc3\xa9.txt", "x", 0, 0, 0, false, NULL, 0 };
	zspec e[NPKG + 1];
	zb z;
	findings *f;

	(void)state;
	unicode_field(same, &ls, x.name, x.name);
	unicode_field(other, &lo, x.name, "pkg/other.txt");
	unicode_field(stale, &lt, "pkg/renamed since", "pkg/other.txt");
	memcpy(e, pkg, sizeof pkg);

	/* The same name: it says the header's name is UTF-8, no note. */
	e[NPKG] = x;
	e[NPKG].cextra = same;
	e[NPKG].cextra_len = ls;
	zb_build(&z, e, NPKG + 1);
	f = scan(&z);
	assert_findings(f, 0);
	done(f);

	/* A stale field (CRC of another name) is ignored by tools, and here. */
	e[NPKG].cextra = stale;
	e[NPKG].cextra_len = lt;
	e[NPKG].flags = 0x0800;
	zb_build(&z, e, NPKG + 1);
	f = scan(&z);
	assert_findings(f, 0);
	done(f);

	x.cextra = other;
	x.cextra_len = lo;
	x.flags = 0x0800;
	one_problem(&x, "Unicode Path field (0x7075) names it \"pkg/other.txt\"");
}

static void test_duplicate(void **state)
{
	zspec x = pkg[1];
	(void)state;
	one_problem(&x, "duplicate");
}

static void test_file_and_folder_same_name(void **state)
{
	zspec x = { "pkg/bagit.txt/", NULL, 0, 0, 0, false, NULL, 0 };
	zb z;
	zspec e[NPKG + 1];
	findings *f;

	(void)state;
	memcpy(e, pkg, sizeof pkg);
	e[NPKG] = x;
	zb_build(&z, e, NPKG + 1);
	f = scan(&z);
	assert_said(f, true, "pkg/bagit.txt/", "a file entry and a folder entry share this name");
	assert_findings(f, 1);
	done(f);
}

static void test_under_a_file(void **state)
{
	zspec x = { "pkg/bagit.txt/inside", "x", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "lies under \"pkg/bagit.txt\", which is a file");
}

static void test_case_duplicate_is_a_note(void **state)
{
	zspec x = { "pkg/BagIt.TXT", "x", 0, 0, 0, false, NULL, 0 };
	zspec e[NPKG + 1];
	zb z;
	findings *f;

	(void)state;
	memcpy(e, pkg, sizeof pkg);
	e[NPKG] = x;
	zb_build(&z, e, NPKG + 1);
	f = scan(&z);
	assert_said(f, false, "pkg/BagIt.TXT", "differs only in letter case from \"pkg/bagit.txt\"");
	assert_findings(f, 1);
	assert_int_equal(f->zs.problems, 0);
	assert_false(entry_of(f, "pkg/BagIt.TXT")->refused);
	done(f);
}

/* ---- kinds, encryption, compression ---- */

static void test_symlink(void **state)
{
	zspec x = { "pkg/data/link", "/etc/passwd", 0, 0, 0120777, false, NULL, 0 };
	(void)state;
	one_problem(&x, "symbolic link");
}

static void test_special_files(void **state)
{
	zspec fifo = { "pkg/data/fifo", NULL, 0, 0, 0010644, false, NULL, 0 };
	zspec dev = { "pkg/data/dev", NULL, 0, 0, 0020644, false, NULL, 0 };
	zspec dirmode = { "pkg/data/notadir", NULL, 0, 0, 040755, false, NULL, 0 };
	(void)state;
	one_problem(&fifo, "special file");
	one_problem(&dev, "special file");
	one_problem(&dirmode, "says folder");
}

static void test_encrypted(void **state)
{
	zspec bit0 = { "pkg/data/secret", "x", 0, 0x0001, 0, false, NULL, 0 };
	zspec bit6 = { "pkg/data/secret", "x", 0, 0x0041, 0, false, NULL, 0 };
	zspec aes = { "pkg/data/secret", "x", 99, 0x0001, 0, false, NULL, 0 };
	(void)state;
	one_problem(&bit0, "encrypted (flag bit 0)");
	one_problem(&bit6, "encrypted (strong encryption");
	one_problem(&aes, "encrypted (AES, method 99)");
}

static void test_method(void **state)
{
	zspec bz = { "pkg/data/a", "x", 12, 0, 0, false, NULL, 0 };
	zspec lzma = { "pkg/data/a", "x", 14, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&bz, "method 12 (bzip2)");
	one_problem(&lzma, "method 14 (LZMA)");
}

static void test_stored_sizes_differ(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[1] + 24, 1000); /* uncompressed size, central */
	set32(&z, z.local[1] + 22, 1000);
	f = scan(&z);
	assert_said(f, true, "pkg/bagit.txt", "is stored, yet declares 19 bytes compressed and 1000 uncompressed");
	assert_findings(f, 1);
	done(f);
}

static void test_folder_with_data(void **state)
{
	zspec x = { "pkg/data/d/", "data", 0, 0, 0, false, NULL, 0 };
	(void)state;
	one_problem(&x, "folder entry holding 4 bytes");
}

/* ---- local headers ---- */

static void test_local_name_differs(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	z.d[z.local[1] + 30 + 4] = 'B'; /* pkg/Bagit.txt */
	f = scan(&z);
	assert_said(f, true, "pkg/bagit.txt", "its local header names it \"pkg/Bagit.txt\"");
	assert_findings(f, 1);
	done(f);
}

static void test_local_fields_differ(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set16(&z, z.local[3] + 8, 0); /* method */
	set16(&z, z.local[1] + 6, 0x0001); /* encrypted in the local header only */
	set32(&z, z.local[2] + 14, 0x12345678); /* CRC */
	f = scan(&z);
	assert_said(f, true, "pkg/data/inventory.xml", "local header says compression method 0, the central directory 8");
	assert_said(f, true, "pkg/bagit.txt", "flags (0x0001) disagree");
	assert_said(f, true, "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "CRC-32 12345678");
	assert_findings(f, 3);
	done(f);
}

static void test_no_local_header(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[2] + 42, (uint32_t)z.local[2] + 1);
	f = scan(&z);
	assert_said(f, true, "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "has no local header at offset");
	done(f);
}

/* ---- where entries lie ---- */

static void test_overlap(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	/* bagit.txt claims more data, running over the next local header. */
	set32(&z, z.central[1] + 20, 40);
	set32(&z, z.central[1] + 24, 40);
	set32(&z, z.local[1] + 18, 40);
	set32(&z, z.local[1] + 22, 40);
	f = scan(&z);
	assert_said(f, true, "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "overlaps entry \"pkg/bagit.txt\"");
	assert_findings(f, 1);
	done(f);

	/* Two central records pointing at one local header. */
	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[2] + 42, (uint32_t)z.local[1]);
	f = scan(&z);
	assert_said(f, true, "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "local header names it \"pkg/bagit.txt\"");
	assert_said(f, true, "pkg/data/media/\xc3\xa9t\xc3\xa9.png", "overlaps entry \"pkg/bagit.txt\"");
	done(f);
}

/* Inserts k bytes at offset at of a classic (not ZIP64) archive: what
 * lies after moves, and every offset of the central directory and the
 * end record pointing at or after at follows. */
static void zb_insert(zb *z, size_t at, const void *p, size_t k)
{
	assert_true(z->len + k <= sizeof z->d && at <= z->len);
	memmove(z->d + at + k, z->d + at, z->len - at);
	memcpy(z->d + at, p, k);
	z->len += k;
	for (size_t i = 0; i < z->n; i++) {
		uint32_t off;
		if (z->local[i] >= at)
			z->local[i] += k;
		if (z->central[i] >= at)
			z->central[i] += k;
		off = (uint32_t)z->d[z->central[i] + 42] | (uint32_t)z->d[z->central[i] + 43] << 8 |
		      (uint32_t)z->d[z->central[i] + 44] << 16 | (uint32_t)z->d[z->central[i] + 45] << 24;
		if (off >= at)
			set32(z, z->central[i] + 42, off + (uint32_t)k);
	}
	if (z->cd >= at)
		z->cd += k;
	if (z->eocd >= at)
		z->eocd += k;
	set32(z, z->eocd + 16, (uint32_t)z->cd);
}

/* Bytes that belong to no entry: a local header hidden there is a file
 * that streaming unzip tools extract and nothing checked. */
static void test_hidden_bytes(void **state)
{
	static const char hidden[] = "PK\x03\x04 a local header nobody points at";
	size_t k = sizeof hidden - 1;
	char want[200];
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	zb_insert(&z, z.local[2], hidden, k);
	f = scan(&z);
	snprintf(want, sizeof want, "%zu bytes at offset %zu, before the local header of \"%s\", belong to no entry",
	         k, z.local[2] - k, pkg[2].name);
	assert_said(f, true, NULL, want);
	assert_findings(f, 1);
	assert_false(f->zs.e[2].refused);
	done(f);

	/* Before the first entry. */
	zb_build(&z, pkg, NPKG);
	zb_insert(&z, 0, hidden, k);
	f = scan(&z);
	assert_said(f, true, NULL, "bytes at offset 0, before the local header of \"pkg/\", belong to no entry");
	assert_findings(f, 1);
	done(f);

	/* After the last entry, before the central directory. */
	zb_build(&z, pkg, NPKG);
	zb_insert(&z, z.cd, hidden, k);
	f = scan(&z);
	assert_said(f, true, NULL, "bytes at offset");
	assert_said(f, true, NULL, "before its central directory belong to no entry");
	assert_findings(f, 1);
	done(f);
}

/* A data descriptor after an entry whose local header has a ZIP64 extra
 * field gives 8-byte sizes (APPNOTE 4.3.9.2): 24 bytes, all accounted for. */
static void test_descriptor_zip64_local(void **state)
{
	static const zspec e[] = {
		{ "pkg/a.txt", "hello", 0, 0x0008, 0, false, NULL, 0 },
		{ "pkg/b.txt", "world", 0, 0, 0, false, NULL, 0 },
	};
	uint8_t x[20] = { 1, 0, 16, 0 }, d[24] = { 0x50, 0x4b, 0x07, 0x08 };
	size_t nl = strlen(e[0].name);
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, e, 2);
	memcpy(d + 4, z.d + z.local[0] + 14, 4); /* CRC-32 */
	d[8] = d[16] = 5;                         /* both sizes, 8 bytes each */
	zb_insert(&z, z.local[0] + 30 + nl + 5, d, sizeof d);
	zb_insert(&z, z.local[0] + 30 + nl, x, sizeof x);
	set16(&z, z.local[0] + 28, sizeof x);
	set32(&z, z.local[0] + 14, 0);
	set32(&z, z.local[0] + 18, 0);
	set32(&z, z.local[0] + 22, 0);
	f = scan(&z);
	assert_findings(f, 0);
	assert_int_equal(entry_of(f, "pkg/a.txt")->end, z.local[1]);
	done(f);
}

static void test_into_central_directory(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[3] + 20, 100); /* compressed size of the last entry */
	set32(&z, z.local[3] + 18, 100);
	f = scan(&z);
	assert_said(f, true, "pkg/data/inventory.xml", "runs into the central directory");
	assert_findings(f, 1);
	done(f);

	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[3] + 42, (uint32_t)z.cd + 2);
	f = scan(&z);
	assert_said(f, true, "pkg/data/inventory.xml", "in or after the central directory");
	done(f);
}

static void test_beyond_the_end(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[3] + 20, 1000000);
	set32(&z, z.local[3] + 18, 1000000);
	f = scan(&z);
	assert_said(f, true, "pkg/data/inventory.xml", "beyond the end of the archive: truncated");
	assert_findings(f, 1);
	done(f);

	zb_build(&z, pkg, NPKG);
	set32(&z, z.central[3] + 42, 5000000);
	f = scan(&z);
	assert_said(f, true, "pkg/data/inventory.xml", "beyond the end of the archive: truncated");
	done(f);
}

/* ---- the end records and the central directory ---- */

static void test_truncated(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	f = scan_len(&z, z.len / 2);
	assert_said(f, true, NULL, "has no end of central directory record: truncated");
	assert_findings(f, 1);
	assert_true(f->zs.unusable);
	assert_int_equal(f->zs.n, 0);
	done(f);

	f = scan_len(&z, z.len - 3); /* the end record cut */
	assert_said(f, true, NULL, "truncated");
	assert_true(f->zs.unusable);
	done(f);

	f = scan_len(&z, 10);
	assert_said(f, true, NULL, "only 10 bytes");
	done(f);

	zb_build_opt(&z, pkg, NPKG, "a comment", false);
	f = scan_len(&z, z.len - 4); /* its comment cut */
	assert_said(f, true, NULL, "comment is cut (5 of its 9 bytes)");
	assert_true(f->zs.unusable);
	done(f);
}

static void test_bytes_after_the_end(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	put(&z, "garbage", 7);
	f = scan(&z);
	assert_said(f, true, NULL, "followed by 7 bytes");
	assert_true(f->zs.unusable);
	done(f);

	/* A comment that holds another end record signature. */
	zb_build_opt(&z, pkg, NPKG, "PK\x05\x06 a fake record in the comment, long enough", false);
	f = scan(&z);
	assert_said(f, true, NULL, "its comment holds another end of central directory signature");
	done(f);
}

static void test_split_archive(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set16(&z, z.eocd + 4, 1); /* this disk */
	f = scan(&z);
	assert_said(f, true, NULL, "several disks");
	assert_true(f->zs.unusable);
	done(f);
}

static void test_central_directory_bounds(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set32(&z, z.eocd + 12, (uint32_t)z.cd_len + 1000); /* size beyond the end */
	f = scan(&z);
	assert_said(f, true, NULL, "truncated: its central directory");
	assert_true(f->zs.unusable);
	done(f);

	zb_build(&z, pkg, NPKG);
	set32(&z, z.eocd + 12, (uint32_t)z.cd_len + 10); /* into the end record */
	f = scan(&z);
	assert_said(f, true, NULL, "runs into the end records");
	done(f);

	zb_build(&z, pkg, NPKG);
	set32(&z, z.eocd + 12, (uint32_t)z.cd_len - 10); /* cut inside the last entry */
	f = scan(&z);
	assert_said(f, true, NULL, "10 unaccounted bytes");
	assert_said(f, true, NULL, "cut inside its entry 4");
	assert_true(f->zs.unusable);
	done(f);

	zb_build(&z, pkg, NPKG);
	z.d[z.central[2]] = 'X'; /* a broken signature */
	f = scan(&z);
	assert_said(f, true, NULL, "central directory entry 3");
	done(f);
}

static void test_entry_count(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build(&z, pkg, NPKG);
	set16(&z, z.eocd + 8, NPKG + 1);
	set16(&z, z.eocd + 10, NPKG + 1);
	f = scan(&z);
	assert_said(f, true, NULL, "says 5 entries, its central directory holds 4");
	assert_findings(f, 1);
	assert_false(f->zs.unusable);
	done(f);
}

/* ---- ZIP64 ---- */

static const zspec z64[] = {
	{ "pkg/", NULL, 0, 0, 0, false, NULL, 0 },
	{ "pkg/big.bin", "pretend this is over 4 GiB", 0, 0, 0, true, NULL, 0 },
};

static void test_zip64_end_record_lies(void **state)
{
	zb z;
	findings *f;

	(void)state;
	zb_build_opt(&z, z64, 2, NULL, true);
	set64(&z, z.z64 + 24, 3);
	set64(&z, z.z64 + 32, 3);
	f = scan(&z);
	assert_said(f, true, NULL, "its ZIP64 end record says 3 entries, its central directory holds 2");
	done(f);

	/* The classic record gives a real value that the ZIP64 one contradicts. */
	zb_build_opt(&z, z64, 2, NULL, true);
	set16(&z, z.eocd + 8, 7);
	set16(&z, z.eocd + 10, 7);
	f = scan(&z);
	assert_said(f, true, NULL, "its ZIP64 end record gives 2 entries, its end of central directory record 7");
	done(f);

	zb_build_opt(&z, z64, 2, NULL, true);
	set64(&z, z.eocd - 20 + 8, 1u << 30); /* the locator points far away */
	f = scan(&z);
	assert_said(f, true, NULL, "locator points beyond the end of the archive");
	assert_true(f->zs.unusable);
	done(f);

	zb_build_opt(&z, z64, 2, NULL, true);
	set64(&z, z.eocd - 20 + 8, z.cd); /* at the central directory */
	f = scan(&z);
	assert_said(f, true, NULL, "no ZIP64 end record at offset");
	done(f);

	zb_build_opt(&z, z64, 2, NULL, true);
	set64(&z, z.eocd - 20 + 8, z.eocd - 20 - 40); /* no room before the locator */
	f = scan(&z);
	assert_said(f, true, NULL, "where no ZIP64 end record fits");
	done(f);

	zb_build(&z, pkg, NPKG);
	set32(&z, z.eocd + 16, 0xFFFFFFFF); /* ZIP64 asked for, none there */
	f = scan(&z);
	assert_said(f, true, NULL, "no ZIP64 end record locator");
	done(f);
}

static void test_zip64_extra_fields(void **state)
{
	zb z;
	findings *f;
	size_t at;

	(void)state;
	/* The central ZIP64 field cut short: 24 bytes needed, 16 given. */
	zb_build_opt(&z, z64, 2, NULL, true);
	at = z.central[1] + 46 + strlen("pkg/big.bin");
	set16(&z, at + 2, 16);
	set16(&z, z.central[1] + 30, 20);
	memmove(z.d + at + 20, z.d + at + 28, z.len - (at + 28));
	z.len -= 8;
	z.z64 -= 8;
	z.eocd -= 8;
	set64(&z, z.z64 + 40, z.cd_len - 8);
	set64(&z, z.eocd - 20 + 8, z.z64);
	f = scan(&z);
	assert_said(f, true, "pkg/big.bin", "its ZIP64 extra field is too short");
	done(f);

	/* The central field gives another size than the local one. */
	zb_build_opt(&z, z64, 2, NULL, true);
	at = z.central[1] + 46 + strlen("pkg/big.bin");
	set64(&z, at + 4, (uint64_t)5 << 32);
	f = scan(&z);
	assert_said(f, true, "pkg/big.bin", "its local header declares 26 bytes");
	done(f);

	/* The local header asks for ZIP64 sizes without the field. */
	zb_build_opt(&z, z64, 2, NULL, true);
	set16(&z, z.local[1] + 28, 0);
	f = scan(&z);
	assert_said(f, true, "pkg/big.bin", "local header's ZIP64 extra field is missing");
	done(f);
}

static void test_malformed_extra(void **state)
{
	static const uint8_t bad[] = { 0x34, 0x12, 0x10, 0x00, 1, 2, 3 }; /* says 16 bytes, holds 3 */
	zspec x = { "pkg/data/a", "x", 0, 0, 0, false, bad, sizeof bad };
	(void)state;
	one_problem(&x, "extra field is malformed");
}

/* A read error is an error, not a finding. */
static int failing_read(void *ctx, uint64_t off, void *buf, size_t n, size_t *got)
{
	(void)ctx;
	(void)off;
	(void)buf;
	(void)n;
	*got = 0;
	return rp_error_set(RP_E_IO, "cannot read: test");
}

static void test_read_error(void **state)
{
	rp_zipscan zs;
	findings f;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(rp_zipscan_read(&zs, 1000, failing_read, NULL, on_report, &f), -1);
	assert_int_equal(rp_error_kind(), RP_E_IO);
	assert_int_equal(f.n, 0);
	rp_zipscan_free(&zs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_comment_and_descriptor),
		cmocka_unit_test(test_valid_zip64),
		cmocka_unit_test(test_name_dotdot),
		cmocka_unit_test(test_name_absolute),
		cmocka_unit_test(test_name_drive_letter),
		cmocka_unit_test(test_name_backslash),
		cmocka_unit_test(test_name_components),
		cmocka_unit_test(test_name_nul),
		cmocka_unit_test(test_name_not_utf8),
		cmocka_unit_test(test_name_utf8_unflagged),
		cmocka_unit_test(test_name_unicode_path),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_file_and_folder_same_name),
		cmocka_unit_test(test_under_a_file),
		cmocka_unit_test(test_case_duplicate_is_a_note),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_stored_sizes_differ),
		cmocka_unit_test(test_folder_with_data),
		cmocka_unit_test(test_local_name_differs),
		cmocka_unit_test(test_local_fields_differ),
		cmocka_unit_test(test_no_local_header),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_into_central_directory),
		cmocka_unit_test(test_hidden_bytes),
		cmocka_unit_test(test_descriptor_zip64_local),
		cmocka_unit_test(test_beyond_the_end),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bytes_after_the_end),
		cmocka_unit_test(test_split_archive),
		cmocka_unit_test(test_central_directory_bounds),
		cmocka_unit_test(test_entry_count),
		cmocka_unit_test(test_zip64_end_record_lies),
		cmocka_unit_test(test_zip64_extra_fields),
		cmocka_unit_test(test_malformed_extra),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
