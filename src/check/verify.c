/*
 * revpack verify (see verify.h): proves a package intact without its
 * source, read from a store (store.h): a folder (store_dir.c) or a ZIP
 * archive (store_zip.c). The checks below are the same for both.
 *
 * The order of the checks:
 *   1. bagit.txt, bag-info.txt (read; Payload-Oxum kept for step 7);
 *   2. manifest-sha256.txt parsed into a table of entries;
 *   3. tagmanifest-sha256.txt: identity, entries, digests of the tag files;
 *   4-5. the store's listing: the top level holds nothing the tag manifest
 *      does not cover; every regular file under data/ is listed, nothing
 *      else is there (nothing is followed);
 *   6. every listed file hashed (1 MiB reads) and compared;
 *   7. Payload-Oxum compared with the totals of the walk;
 *   8. data/inventory.xml streamed through the schema compiled into revpack,
 *      its files compared with the manifest, its tables collected;
 *   9. every table's CSV read again: header, fields per record, row count
 *      and content digest.
 *  10. every source's .siard: the SIARD deep check (verify_siard.c).
 *  11. every WordPress site's WXR (inventory content/wordpress): streamed,
 *      well-formed XML, the inventory's number of items.
 *  12. every friendly CSV of those sites: parses in the package's dialect,
 *      the inventory's number of columns on every record and of rows, and
 *      no cell a spreadsheet would run as a formula.
 * Every finding is a problem (opts->problem) and verification goes on; -1
 * is returned only when it cannot go on (I/O error, out of memory).
 */
#include "revpack/verify.h"

#include "check/store.h"
#include "check/xmlcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>

#include "revpack/buf.h"
#include "revpack/csv.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/hash.h"
#include "revpack/path.h"
#include "revpack/siard.h"
#include "revpack/text.h"

/* formats/inventory.xsd, compiled into the binary (cmake/EmbedFile.cmake). */
extern const unsigned char rp_inventory_xsd[];
extern const size_t rp_inventory_xsd_len;

#define BAGIT_TXT "bagit.txt"
#define BAG_INFO "bag-info.txt"
#define MANIFEST "manifest-sha256.txt"
#define TAGMANIFEST "tagmanifest-sha256.txt"
#define PAYLOAD_DIR "data"
#define INVENTORY "data/inventory.xml"
#define INVENTORY_NS "urn:revpack:inventory:1"

#define IO_BUF_SIZE ((size_t)1 << 20)   /* payload reads */
#define LINE_BUF_SIZE ((size_t)64 << 10) /* tag-file reads */
#define LINE_LIMIT ((size_t)64 << 10)    /* longest tag-file line accepted */
#define BAGIT_MAX 4096                   /* bagit.txt is 55 bytes */
#define MAX_XML_ERRORS 20                /* inventory errors reported one by one */
#define XML_MAX_DEPTH 8                  /* inventory elements tracked */

#if LIBXML_VERSION >= 21200
typedef const xmlError *rp_xml_error;
#else
typedef xmlError *rp_xml_error;
#endif

/* ---- state ---- */

/* One manifest line. */
typedef struct entry {
	char *path;                  /* decoded, relative to the package root */
	uint8_t digest[RP_SHA256_LEN];
	uint64_t line;
	uint64_t size;               /* bytes hashed (when hashed) */
	bool on_disk;                /* the listing found it as a regular file */
	bool reported;               /* a problem already named it (not regular) */
	bool hashed;                 /* read to the end */
} entry;

/* Entries in manifest order, with an open-addressing index by path. */
typedef struct manifest {
	entry *e;
	size_t n, cap;
	size_t *slot;                /* index + 1, 0 when free */
	size_t nslot;                /* a power of two */
} manifest;

typedef struct column {
	char *name;
	bool binary;
	char *cls;                   /* class and type, for the SIARD check */
	char *type;
} column;

/* A table of data/inventory.xml. */
typedef struct table {
	char *label;                 /* "schema.name" or "name", for messages */
	int line;
	column *cols;
	size_t ncols, capcols;
	char **csv;                  /* paths of its role="csv" files */
	size_t ncsv, capcsv;
	uint64_t rows;
	bool rows_ok;
	char digest[RP_SHA256_HEXLEN + 1];
	bool digest_ok;
	char *schema, *name;         /* as the inventory gives them */
	size_t source;               /* index in verifier.sources */
} table;

/* A source of data/inventory.xml: its kind and .siard files. */
typedef struct source {
	char *kind;
	char **siard;
	size_t nsiard;
} source;

typedef struct verifier {
	rp_store *store;
	const rp_verify_opts *opts;
	rp_verify_result *res;
	uint8_t *io;                 /* IO_BUF_SIZE bytes */
	rp_sha256 sha;
	bool sha_ready;
	manifest payload, tags;
	bool baginfo_absent, manifest_absent, bagit_absent;
	bool manifest_unreadable;    /* reported once; no per-file noise */
	bool data_seen;              /* the listing found data/ as a folder */
	int oxum_seen;
	bool oxum_ok;
	uint64_t oxum_bytes, oxum_files;
	/* data/inventory.xml */
	rp_csv_dialect dialect;
	table *tables;
	size_t ntables, captables;
	size_t xml_errors;
	int xml_last_domain, xml_last_code, xml_last_line;
	char xml_last_msg[256];
	int xml_stack[XML_MAX_DEPTH];
	bool xml_damaged;            /* the store reported the inventory damaged */
	source *sources;
	size_t nsources;
	/* content/wordpress: each WXR file and its number of items */
	char **wxr;
	uint64_t *wxr_items;
	size_t nwxr;
	/* the WXR being read */
	const char *wxr_path;
	bool wxr_bad;
	/* content/wordpress/friendlyCsv: each file, its rows and columns */
	char **friendly;
	uint64_t *friendly_rows, *friendly_cols;
	size_t nfriendly;
} verifier;

/* ---- problems ---- */

static void problem(verifier *v, const char *path, const char *fmt, ...) RP_PRINTF(3, 4);

static void problem(verifier *v, const char *path, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	v->res->problems++;
	if (v->opts && v->opts->problem)
		v->opts->problem(v->opts->ctx, v->store->ops->shown(v->store, path), msg);
}

/* A report of the store kept until the main thread says it (below). */
typedef struct held_msg {
	struct held_msg *next;
	bool problem;
	char *shown, *message;
} held_msg;

/* Set in a thread hashing payload files: what the store reports while that
 * thread reads goes to this list, so that messages come out in the order
 * of the manifest whatever the thread that found them. */
static _Thread_local held_msg **held_tail;
static _Thread_local bool held_nomem;   /* a message could not be kept */

static void say(verifier *v, bool is_problem, const char *shown, const char *message)
{
	if (is_problem) {
		v->res->problems++;
		if (v->opts && v->opts->problem)
			v->opts->problem(v->opts->ctx, shown, message);
	} else if (v->opts && v->opts->note) {
		v->opts->note(v->opts->ctx, shown, message);
	}
}

static void hold_or_say(verifier *v, bool is_problem, const char *shown, const char *message)
{
	held_msg *m;

	if (held_tail) {
		m = calloc(1, sizeof *m);
		if (m && (m->shown = strdup(shown)) && (m->message = strdup(message))) {
			m->problem = is_problem;
			*held_tail = m;
			held_tail = &m->next;
			return;
		}
		if (m)
			free(m->shown);
		free(m);
		held_nomem = true; /* the thread turns it into an error */
		return;
	}
	say(v, is_problem, shown, message);
}

/* What the store reports itself: the path is already in its shown form. */
static void store_problem(void *ctx, const char *shown, const char *message)
{
	hold_or_say(ctx, true, shown, message);
}

static void store_note(void *ctx, const char *shown, const char *message)
{
	hold_or_say(ctx, false, shown, message);
}

/* Copies n bytes of s for a message: control characters become '?', and
 * the copy is shortened with "..." when it does not fit. */
static const char *shown(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			dst[o++] = '?';
		else
			dst[o++] = s[i];
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

/* ---- opening and hashing files ---- */

/* Opens path in the store: 1 open; 0 the package is at fault (*why, or
 * NULL when the store reported it); -1 error. */
static int open_file(verifier *v, const char *path, rp_store_file **f, const char **why)
{
	return v->store->ops->open(v->store, 0, path, f, why);
}

static void close_file(verifier *v, rp_store_file *f)
{
	if (f)
		v->store->ops->close(f);
}

/* What one thread needs to hash files: its store slot, a SHA-256 context
 * and a read buffer. */
typedef struct hasher {
	size_t slot;
	rp_sha256 *sha;
	uint8_t *io;                 /* IO_BUF_SIZE bytes */
} hasher;

/* 1: hashed; 0: cannot be read because of the package (*why, NULL when
 * the store reported it); -1: error. */
static int hash_with(verifier *v, const hasher *h, const char *path, uint8_t out[RP_SHA256_LEN],
                     uint64_t *size, const char **why)
{
	rp_store_file *f = NULL;
	int64_t r;
	int rc;

	*size = 0;
	rc = v->store->ops->open(v->store, h->slot, path, &f, why);
	if (rc <= 0)
		return rc;
	rc = -1;
	if (rp_sha256_reset(h->sha) < 0)
		goto out;
	while ((r = v->store->ops->read(f, h->io, IO_BUF_SIZE)) > 0) {
		if (rp_sha256_update(h->sha, h->io, (size_t)r) < 0)
			goto out;
		*size += (uint64_t)r;
	}
	if (r == -2) { /* damaged: the store said so */
		*why = NULL;
		rc = 0;
		goto out;
	}
	if (r < 0 || rp_sha256_final(h->sha, out) < 0)
		goto out;
	rc = 1;
out:
	close_file(v, f);
	return rc;
}

static int hash_file(verifier *v, const char *path, uint8_t out[RP_SHA256_LEN],
                     uint64_t *size, const char **why)
{
	hasher h = { 0, &v->sha, v->io };

	return hash_with(v, &h, path, out, size, why);
}

/* Reports a tag file that cannot be read; "missing" says what its absence
 * means. Nothing when the store already reported it (why NULL). */
static void report_unreadable(verifier *v, const char *path, const char *why, const char *missing)
{
	if (!why)
		return;
	if (!strcmp(why, "does not exist"))
		problem(v, path, "missing: %s", missing);
	else
		problem(v, path, "cannot be read: %s", why);
}

/* ---- tag-file lines (LF, CR or CRLF endings) ---- */

typedef struct lines {
	verifier *v;
	rp_store_file *f;
	const char *name;
	char *buf;
	size_t pos, end;
	bool eof, skip_lf;
	uint64_t no;
	rp_buf line;
} lines;

static int lines_open(lines *l, verifier *v, rp_store_file *f, const char *name)
{
	memset(l, 0, sizeof *l);
	l->v = v;
	l->f = f;
	l->name = name;
	l->buf = rp_malloc(LINE_BUF_SIZE);
	return l->buf ? 0 : -1;
}

static void lines_close(lines *l)
{
	free(l->buf);
	rp_buf_free(&l->line);
	close_file(l->v, l->f);
	l->f = NULL;
}

/* 1: a line in *s / *n (without its ending); 0: end; 2: line too long
 * (stop reading); 3: the file is damaged (the store said so: stop
 * reading); -1: read error (rp_error set). */
static int lines_next(lines *l, const char **s, size_t *n)
{
	bool got = false;

	*s = "";
	*n = 0;
	rp_buf_clear(&l->line);
	for (;;) {
		size_t i;
		if (l->pos == l->end) {
			int64_t r;
			if (l->eof)
				break;
			r = l->v->store->ops->read(l->f, l->buf, LINE_BUF_SIZE);
			if (r == -2)
				return 3;
			if (r < 0)
				return -1;
			if (r == 0) {
				l->eof = true;
				break;
			}
			l->pos = 0;
			l->end = (size_t)r;
		}
		if (l->skip_lf) {
			l->skip_lf = false;
			if (l->buf[l->pos] == '\n') {
				l->pos++;
				continue;
			}
		}
		got = true;
		for (i = l->pos; i < l->end && l->buf[i] != '\n' && l->buf[i] != '\r'; i++)
			;
		if (rp_buf_put(&l->line, l->buf + l->pos, i - l->pos) < 0)
			return -1;
		if (l->line.len > LINE_LIMIT) {
			l->no++;
			return 2;
		}
		if (i < l->end) {
			l->skip_lf = l->buf[i] == '\r';
			l->pos = i + 1;
			break;
		}
		l->pos = l->end;
	}
	if (!got)
		return 0;
	l->no++;
	*s = l->line.data ? l->line.data : "";
	*n = l->line.len;
	return 1;
}

/* ---- manifests ---- */

static uint64_t path_hash(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static entry *mf_find(const manifest *m, const char *path)
{
	size_t i, mask = m->nslot - 1;

	if (!m->nslot)
		return NULL;
	for (i = (size_t)path_hash(path) & mask; m->slot[i]; i = (i + 1) & mask)
		if (!strcmp(m->e[m->slot[i] - 1].path, path))
			return &m->e[m->slot[i] - 1];
	return NULL;
}

static int mf_rehash(manifest *m, size_t nslot)
{
	size_t *slot = rp_calloc(nslot, sizeof *slot);
	size_t k, i, mask = nslot - 1;

	if (!slot)
		return -1;
	for (k = 0; k < m->n; k++) {
		for (i = (size_t)path_hash(m->e[k].path) & mask; slot[i]; i = (i + 1) & mask)
			;
		slot[i] = k + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->nslot = nslot;
	return 0;
}

/* Adds an entry (the path is copied); the caller checked it is not there. */
static int mf_add(manifest *m, const char *path, const uint8_t digest[RP_SHA256_LEN], uint64_t line)
{
	size_t i, mask;
	entry *e;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof *m->e)
			return rp_error_nomem();
		e = rp_realloc(m->e, cap * sizeof *e);
		if (!e)
			return -1;
		m->e = e;
		m->cap = cap;
	}
	if ((m->n + 1) * 2 > m->nslot && mf_rehash(m, m->nslot ? m->nslot * 2 : 128) < 0)
		return -1;
	e = &m->e[m->n];
	memset(e, 0, sizeof *e);
	e->path = rp_strdup(path);
	if (!e->path)
		return -1;
	memcpy(e->digest, digest, RP_SHA256_LEN);
	e->line = line;
	mask = m->nslot - 1;
	for (i = (size_t)path_hash(path) & mask; m->slot[i]; i = (i + 1) & mask)
		;
	m->slot[i] = ++m->n;
	return 0;
}

static void mf_free(manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->e[i].path);
	free(m->e);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Parses a manifest ("<64 hex> <path>" lines) into m. tag selects the rules
 * of the tag manifest (tag files only) or of the payload manifest (data/
 * only). *absent is set when the file does not exist, *unreadable when it
 * cannot be opened at all (both reported here).
 */
static int parse_manifest(verifier *v, const char *name, manifest *m, bool tag, bool *absent,
                          bool *unreadable)
{
	rp_buf path = RP_BUF_INIT;
	char disp[512];
	const char *s, *why;
	size_t n, i;
	rp_store_file *f;
	lines l;
	int rc, error = -1;

	*absent = *unreadable = false;
	rc = open_file(v, name, &f, &why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		*absent = why && !strcmp(why, "does not exist");
		*unreadable = true;
		report_unreadable(v, name, why, tag ? "the package has no tag manifest and no identity"
		                                    : "the package has no payload manifest");
		return 0;
	}
	if (lines_open(&l, v, f, name) < 0) {
		close_file(v, f);
		return -1;
	}
	while ((rc = lines_next(&l, &s, &n)) != 0) {
		uint8_t digest[RP_SHA256_LEN];
		entry *dup;

		if (rc < 0)
			goto out;
		if (rc == 3) { /* damaged: the store said so */
			*unreadable = true;
			break;
		}
		if (rc == 2) {
			problem(v, name, "line %" PRIu64 ": longer than %zu bytes; the rest of the file was not read",
			        l.no, LINE_LIMIT);
			break;
		}
		for (i = 0; i < n && is_hex(s[i]); i++)
			;
		if (i != RP_SHA256_HEXLEN || i == n || (s[i] != ' ' && s[i] != '\t')) {
			problem(v, name, "line %" PRIu64 ": malformed: expected a SHA-256 in 64 hex digits, "
			        "spaces and a path, found \"%s\"", l.no, shown(disp, 80, s, n));
			continue;
		}
		rp_sha256_from_hex(digest, s, RP_SHA256_HEXLEN);
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n) {
			problem(v, name, "line %" PRIu64 ": malformed: no path after the SHA-256", l.no);
			continue;
		}
		if (rp_manifest_path_decode(&path, s + i, n - i, &why) < 0) {
			if (!strcmp(why, "out of memory")) {
				rp_error_nomem();
				goto out;
			}
			problem(v, name, "line %" PRIu64 ": path \"%s\": %s", l.no,
			        shown(disp, sizeof disp, s + i, n - i), why);
			continue;
		}
		if (!rp_path_is_safe(path.data, path.len, &why)) {
			problem(v, name, "line %" PRIu64 ": unsafe path \"%s\": %s", l.no,
			        shown(disp, sizeof disp, s + i, n - i), why);
			continue;
		}
		/* Kept: the file is still checked, and not reported as unlisted. */
		if (!rp_utf8_valid(path.data, path.len))
			problem(v, name, "line %" PRIu64 ": the path is not valid UTF-8, as every path of a "
			        "manifest is (bagit.txt: Tag-File-Character-Encoding: UTF-8)", l.no);
		if (!tag && (path.len <= 5 || memcmp(path.data, "data/", 5) != 0)) {
			problem(v, name, "line %" PRIu64 ": path \"%s\" is not in the payload folder data/",
			        l.no, path.data);
			continue;
		}
		if (tag && path.len > 5 && !memcmp(path.data, "data/", 5)) {
			problem(v, name, "line %" PRIu64 ": lists payload file \"%s\"; a tag manifest lists only tag files",
			        l.no, path.data);
			continue;
		}
		if (tag && !strcmp(path.data, TAGMANIFEST)) {
			problem(v, name, "line %" PRIu64 ": lists itself; a tag manifest never lists a tag manifest",
			        l.no);
			continue;
		}
		dup = mf_find(m, path.data);
		if (dup) {
			problem(v, name, "line %" PRIu64 ": duplicate entry for \"%s\" (first on line %" PRIu64 ")",
			        l.no, path.data, dup->line);
			continue;
		}
		if (mf_add(m, path.data, digest, l.no) < 0)
			goto out;
	}
	error = 0;
out:
	lines_close(&l);
	rp_buf_free(&path);
	return error;
}

/* ---- bagit.txt and bag-info.txt ---- */

static int check_bagit(verifier *v)
{
	static const char *const good[] = {
		"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
		"BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n",
		"BagIt-Version: 1.0\rTag-File-Character-Encoding: UTF-8\r",
	};
	char buf[BAGIT_MAX + 1];
	const char *why;
	rp_store_file *f;
	size_t n = 0, k;
	int64_t r = 0;
	int rc = open_file(v, BAGIT_TXT, &f, &why);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		v->bagit_absent = why && !strcmp(why, "does not exist");
		report_unreadable(v, BAGIT_TXT, why, "this is not a BagIt package");
		return 0;
	}
	while (n < sizeof buf && (r = v->store->ops->read(f, buf + n, sizeof buf - n)) > 0)
		n += (size_t)r;
	close_file(v, f);
	if (r == -2)
		return 0; /* damaged: the store said so */
	if (r < 0)
		return -1;
	for (k = 0; k < sizeof good / sizeof *good; k++)
		if (n == strlen(good[k]) && !memcmp(buf, good[k], n))
			return 0;
	problem(v, BAGIT_TXT, "is not the BagIt 1.0 declaration: expected exactly the two lines "
	        "\"BagIt-Version: 1.0\" and \"Tag-File-Character-Encoding: UTF-8\"");
	return 0;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

/* A complete bag-info element: label and unfolded value. */
static int baginfo_element(verifier *v, const rp_buf *label, const rp_buf *value, uint64_t line)
{
	char disp[128];
	const char *val = value->data ? value->data : "";

	if (!strcasecmp(label->data, "Payload-Oxum")) {
		const char *dot = memchr(val, '.', value->len);
		if (++v->oxum_seen > 1) {
			v->oxum_ok = false;
			problem(v, BAG_INFO, "line %" PRIu64 ": Payload-Oxum given more than once", line);
		} else if (!dot || !parse_u64(val, (size_t)(dot - val), &v->oxum_bytes) ||
		           !parse_u64(dot + 1, value->len - (size_t)(dot - val) - 1, &v->oxum_files)) {
			problem(v, BAG_INFO, "line %" PRIu64 ": Payload-Oxum \"%s\" is not <octets>.<files>",
			        line, shown(disp, sizeof disp, val, value->len));
		} else {
			v->oxum_ok = true;
		}
	} else if (!strcasecmp(label->data, "External-Identifier") && !v->res->external_identifier) {
		v->res->external_identifier = rp_strdup(val);
		if (!v->res->external_identifier)
			return -1;
	}
	return 0;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int read_bag_info(verifier *v)
{
	rp_buf label = RP_BUF_INIT, value = RP_BUF_INIT;
	bool open_element = false;
	uint64_t element_line = 0;
	const char *s, *why;
	size_t n;
	rp_store_file *f;
	lines l;
	int rc, error = -1;
	bool damaged = false;

	rc = open_file(v, BAG_INFO, &f, &why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		v->baginfo_absent = why && !strcmp(why, "does not exist");
		report_unreadable(v, BAG_INFO, why, "the package has no Payload-Oxum");
		return 0;
	}
	if (lines_open(&l, v, f, BAG_INFO) < 0) {
		close_file(v, f);
		return -1;
	}
	while ((rc = lines_next(&l, &s, &n)) != 0) {
		const char *colon;
		size_t e;

		if (rc < 0)
			goto out;
		if (rc == 3) {
			damaged = true;
			break;
		}
		if (rc == 2) {
			problem(v, BAG_INFO, "line %" PRIu64 ": longer than %zu bytes; the rest of the file was not read",
			        l.no, LINE_LIMIT);
			break;
		}
		if (l.no == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			problem(v, BAG_INFO, "starts with a byte order mark, which a UTF-8 tag file must not have");
			s += 3;
			n -= 3;
		}
		if (!rp_utf8_valid(s, n))
			problem(v, BAG_INFO, "line %" PRIu64 ": not valid UTF-8", l.no);
		/* Trailing padding is not part of a value. */
		while (n > 0 && is_wsp(s[n - 1]))
			n--;
		if (n == 0)
			continue;
		if (is_wsp(s[0])) {
			size_t i = 0;
			if (!open_element) {
				problem(v, BAG_INFO, "line %" PRIu64 ": continuation line without a label before it", l.no);
				continue;
			}
			while (is_wsp(s[i]))
				i++;
			if (rp_buf_putc(&value, ' ') < 0 || rp_buf_put(&value, s + i, n - i) < 0)
				goto out;
			continue;
		}
		if (open_element && baginfo_element(v, &label, &value, element_line) < 0)
			goto out;
		open_element = false;
		colon = memchr(s, ':', n);
		if (!colon) {
			problem(v, BAG_INFO, "line %" PRIu64 ": not a \"Label: value\" line", l.no);
			continue;
		}
		e = (size_t)(colon - s);
		if (e == 0 || is_wsp(s[e - 1])) {
			problem(v, BAG_INFO, "line %" PRIu64 ": the label is empty or ends with white space", l.no);
			continue;
		}
		rp_buf_clear(&label);
		rp_buf_clear(&value);
		if (rp_buf_put(&label, s, e) < 0)
			goto out;
		for (e++; e < n && is_wsp(s[e]); e++)
			;
		if (rp_buf_put(&value, s + e, n - e) < 0)
			goto out;
		open_element = true;
		element_line = l.no;
	}
	if (open_element && baginfo_element(v, &label, &value, element_line) < 0)
		goto out;
	if (v->oxum_seen == 0 && !damaged)
		problem(v, BAG_INFO, "has no Payload-Oxum");
	error = 0;
out:
	lines_close(&l);
	rp_buf_free(&label);
	rp_buf_free(&value);
	return error;
}

/* ---- tag manifest ---- */

static int check_tag_manifest(verifier *v)
{
	static const char *const required[] = { BAGIT_TXT, BAG_INFO, MANIFEST };
	uint8_t d[RP_SHA256_LEN];
	char found[RP_SHA256_HEXLEN + 1], expected[RP_SHA256_HEXLEN + 1];
	const char *why;
	uint64_t size;
	bool absent, unreadable;
	size_t i;
	int rc;

	rc = hash_file(v, TAGMANIFEST, d, &size, &why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		report_unreadable(v, TAGMANIFEST, why, "the package has no tag manifest and no identity");
		return 0;
	}
	rp_sha256_hex(d, v->res->identity);
	if (parse_manifest(v, TAGMANIFEST, &v->tags, true, &absent, &unreadable) < 0)
		return -1;
	for (i = 0; i < sizeof required / sizeof *required; i++)
		if (!mf_find(&v->tags, required[i]))
			problem(v, TAGMANIFEST, "does not list %s", required[i]);
	for (i = 0; i < v->tags.n; i++) {
		entry *e = &v->tags.e[i];
		rc = hash_file(v, e->path, d, &size, &why);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			bool known_absent = (!strcmp(e->path, BAGIT_TXT) && v->bagit_absent) ||
			                    (!strcmp(e->path, BAG_INFO) && v->baginfo_absent) ||
			                    (!strcmp(e->path, MANIFEST) && v->manifest_absent);
			if (why && !known_absent)
				problem(v, e->path, "listed in " TAGMANIFEST " but %s", why);
			continue;
		}
		e->hashed = true;
		e->size = size;
		if (memcmp(d, e->digest, RP_SHA256_LEN) != 0) {
			rp_sha256_hex(d, found);
			rp_sha256_hex(e->digest, expected);
			problem(v, e->path, "SHA-256 is %s, " TAGMANIFEST " says %s", found, expected);
		}
	}
	return 0;
}

/* ---- what the package holds ---- */

static const char *const top_known[] = { BAGIT_TXT, BAG_INFO, MANIFEST, TAGMANIFEST };

/* Under one of the four tag files (which are not folders; each is examined
 * by its own check): nothing to say here. */
static bool under_tag_file(const char *path)
{
	for (size_t k = 0; k < sizeof top_known / sizeof *top_known; k++) {
		size_t n = strlen(top_known[k]);
		if (!strncmp(path, top_known[k], n) && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/*
 * One item of the store's listing. Under data/: every regular file must be
 * in the payload manifest and is counted. Elsewhere (the top level and its
 * other folders): every regular file must be in the tag manifest. Anything
 * that is neither a folder nor a regular file is a problem and was never
 * opened.
 */
static int listed_item(void *ctx, const rp_store_item *it)
{
	verifier *v = ctx;
	bool top = !strchr(it->path, '/');
	bool payload = !strncmp(it->path, PAYLOAD_DIR "/", sizeof PAYLOAD_DIR);
	entry *ent;

	if (under_tag_file(it->path))
		return 0;
	if (!strcmp(it->path, PAYLOAD_DIR)) {
		if (it->kind == RP_STORE_DIR)
			v->data_seen = true;
		else
			problem(v, PAYLOAD_DIR, "the payload folder %s",
			        it->kind == RP_STORE_FILE ? "is not a folder" : it->what);
		return 0;
	}
	switch (it->kind) {
	case RP_STORE_DIR:
		break;
	case RP_STORE_FILE:
		if (payload) {
			v->res->payload_files++;
			v->res->payload_bytes += it->size;
		}
		ent = mf_find(payload ? &v->payload : &v->tags, it->path);
		if (ent)
			ent->on_disk = true;
		else if (!payload)
			problem(v, it->path, "not covered by the tag manifest");
		else if (!v->manifest_unreadable) /* else said once already */
			problem(v, it->path, "not listed in " MANIFEST);
		break;
	case RP_STORE_OTHER:
		if (top) {
			problem(v, it->path, "%s; not covered by the tag manifest (it was neither followed nor opened)",
			        it->what);
			break;
		}
		ent = mf_find(payload ? &v->payload : &v->tags, it->path);
		if (ent)
			ent->reported = true;
		problem(v, it->path, "%s; a package holds only folders and regular files "
		        "(it was neither followed nor opened)", it->what);
		break;
	}
	return 0;
}

static int check_listing(verifier *v)
{
	if (v->store->ops->list(v->store, listed_item, v) < 0)
		return -1;
	if (!v->data_seen)
		problem(v, PAYLOAD_DIR, "the payload folder does not exist");
	return 0;
}

/*
 * The payload is hashed by several threads (one store slot, SHA-256
 * context and buffer each), which take the manifest's entries in order;
 * the main thread says what they found in the manifest's order, so the
 * report is the same whatever the number of threads.
 */
#define PAYLOAD_THREADS_MAX 4

typedef struct pay_result {
	int rc;                      /* hash_with()'s */
	const char *why;
	uint8_t digest[RP_SHA256_LEN];
	uint64_t size;
	held_msg *held;              /* what the store reported meanwhile */
	rp_errkind ekind;            /* rc -1 */
	char *emsg;
	bool done;
} pay_result;

typedef struct pay_run {
	verifier *v;
	pay_result *r;               /* one per manifest entry */
	size_t next;                 /* the next entry to take */
	bool stop;                   /* an error: take no more */
	pthread_mutex_t mu;
	pthread_cond_t done;         /* an entry is done */
} pay_run;

typedef struct pay_thread {
	pay_run *run;
	hasher h;
	rp_sha256 sha;
	pthread_t tid;
} pay_thread;

static void *pay_main(void *arg)
{
	pay_thread *t = arg;
	pay_run *run = t->run;
	verifier *v = run->v;

	for (;;) {
		pay_result *r;
		entry *e;
		size_t i;

		pthread_mutex_lock(&run->mu);
		i = run->next < v->payload.n && !run->stop ? run->next++ : SIZE_MAX;
		pthread_mutex_unlock(&run->mu);
		if (i == SIZE_MAX)
			break;
		e = &v->payload.e[i];
		r = &run->r[i];
		if (!e->reported) {
			held_tail = &r->held;
			held_nomem = false;
			r->rc = hash_with(v, &t->h, e->path, r->digest, &r->size, &r->why);
			held_tail = NULL;
			if (held_nomem && r->rc >= 0)
				r->rc = rp_error_nomem();
			if (r->rc < 0) {
				r->ekind = rp_error_kind();
				r->emsg = strdup(rp_error_message());
			}
		}
		pthread_mutex_lock(&run->mu);
		r->done = true;
		if (r->rc < 0)
			run->stop = true;
		pthread_cond_broadcast(&run->done);
		pthread_mutex_unlock(&run->mu);
	}
	return NULL;
}

static size_t payload_threads(size_t files)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cores < 1 ? 1 : (size_t)cores;

	if (n > PAYLOAD_THREADS_MAX)
		n = PAYLOAD_THREADS_MAX;
	return n < files ? n : (files ? files : 1);
}

/* Says what the threads found about entry i (the main thread, in order). */
static void payload_result(verifier *v, size_t i, pay_result *r)
{
	entry *e = &v->payload.e[i];
	char found[RP_SHA256_HEXLEN + 1], expected[RP_SHA256_HEXLEN + 1];

	for (held_msg *m = r->held; m; m = m->next)
		say(v, m->problem, m->shown, m->message);
	if (e->reported)
		return;
	e->size = r->size;
	if (r->rc == 0) {
		e->reported = true;
		if (r->why)
			problem(v, e->path, "listed in " MANIFEST " but %s", r->why);
		return;
	}
	e->hashed = true;
	if (memcmp(r->digest, e->digest, RP_SHA256_LEN) != 0) {
		rp_sha256_hex(r->digest, found);
		rp_sha256_hex(e->digest, expected);
		problem(v, e->path, "SHA-256 is %s, " MANIFEST " says %s", found, expected);
	}
}

static void held_free(held_msg *m)
{
	while (m) {
		held_msg *next = m->next;
		free(m->shown);
		free(m->message);
		free(m);
		m = next;
	}
}

static int check_payload(verifier *v)
{
	pay_run run = { .v = v };
	pay_thread *th = NULL;
	size_t nth = payload_threads(v->payload.n), started = 0, i;
	uint64_t bytes_done = 0;
	int rc = -1, e;

	if (v->payload.n == 0)
		goto oxum;
	run.r = rp_calloc(v->payload.n, sizeof *run.r);
	th = rp_calloc(nth, sizeof *th);
	if (!run.r || !th || v->store->ops->slots(v->store, nth) < 0)
		goto out;
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.done, NULL);
	for (; started < nth; started++) {
		pay_thread *t = &th[started];
		t->run = &run;
		t->h.slot = started;
		t->h.sha = &t->sha;
		if (!(t->h.io = rp_malloc(IO_BUF_SIZE)) || rp_sha256_init(&t->sha) < 0) {
			free(t->h.io);
			break;
		}
		if ((e = pthread_create(&t->tid, NULL, pay_main, t)) != 0) {
			rp_sha256_free(&t->sha);
			free(t->h.io);
			rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a thread");
			break;
		}
	}
	rc = started == nth ? 0 : -1;
	pthread_mutex_lock(&run.mu);
	if (rc < 0)
		run.stop = true;
	for (i = 0; rc == 0 && i < v->payload.n; i++) {
		pay_result *r = &run.r[i];
		while (!r->done)
			pthread_cond_wait(&run.done, &run.mu);
		pthread_mutex_unlock(&run.mu);
		if (v->opts && v->opts->progress)
			v->opts->progress(v->opts->ctx, v->payload.e[i].path, i, v->payload.n, bytes_done);
		if (r->rc < 0) {
			rp_error_set(r->ekind, "%s", r->emsg ? r->emsg : "verify failed (no memory for the message)");
			rc = -1;
		} else {
			payload_result(v, i, r);
			bytes_done += r->size;
		}
		pthread_mutex_lock(&run.mu);
	}
	run.stop = true;
	pthread_mutex_unlock(&run.mu);
	for (i = 0; i < started; i++) {
		pthread_join(th[i].tid, NULL);
		rp_sha256_free(&th[i].sha);
		free(th[i].h.io);
	}
	pthread_cond_destroy(&run.done);
	pthread_mutex_destroy(&run.mu);
out:
	for (i = 0; run.r && i < v->payload.n; i++) {
		held_free(run.r[i].held);
		free(run.r[i].emsg);
	}
	free(run.r);
	free(th);
	if (rc < 0)
		return -1;
oxum:
	if (v->oxum_ok && (v->oxum_bytes != v->res->payload_bytes || v->oxum_files != v->res->payload_files))
		problem(v, BAG_INFO, "Payload-Oxum is %" PRIu64 ".%" PRIu64 " but the payload holds %" PRIu64
		        " octets in %" PRIu64 " files (%" PRIu64 ".%" PRIu64 ")",
		        v->oxum_bytes, v->oxum_files, v->res->payload_bytes, v->res->payload_files,
		        v->res->payload_bytes, v->res->payload_files);
	return 0;
}

/* ---- data/inventory.xml ---- */

enum {
	X_OTHER = 0, X_INVENTORY, X_PACKAGE, X_CSV, X_SOURCE, X_TABLE, X_COLUMN, X_FILE, X_FILES, X_CONTENT,
	X_WORDPRESS, X_FRIENDLY
};

/* How much of a libxml2 message to show: no trailing newline or blank,
 * at most 1000 bytes. */
static size_t message_len(const char *msg)
{
	size_t len = strlen(msg);

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	return len > 1000 ? 1000 : len;
}

/*
 * Receives every libxml2 error while the inventory is read. Depending on
 * the libxml2 version an error reaches the reader's handler, the validation
 * context's or the thread's global one; all three point here, and the same
 * error seen twice in a row is reported once.
 */
static void xml_error(void *ctx, rp_xml_error err)
{
	verifier *v = ctx;
	const char *msg, *what;
	size_t len;

	if (!err || err->level == XML_ERR_WARNING || err->level == XML_ERR_NONE || v->xml_damaged)
		return;
	msg = err->message ? err->message : "";
	if (v->xml_errors > 0 && err->domain == v->xml_last_domain && err->code == v->xml_last_code &&
	    err->line == v->xml_last_line && !strncmp(msg, v->xml_last_msg, sizeof v->xml_last_msg - 1))
		return;
	v->xml_last_domain = err->domain;
	v->xml_last_code = err->code;
	v->xml_last_line = err->line;
	snprintf(v->xml_last_msg, sizeof v->xml_last_msg, "%s", msg);
	if (++v->xml_errors > MAX_XML_ERRORS)
		return;
	msg = err->message ? err->message : "unknown error";
	len = message_len(msg);
	what = err->domain == XML_FROM_SCHEMASV ? "not valid against the inventory schema"
	     : err->domain == XML_FROM_IO ? "cannot be read"
	     : "not well-formed XML";
	if (err->line > 0)
		problem(v, INVENTORY, "line %d: %s: %.*s", err->line, what, (int)len, msg);
	else
		problem(v, INVENTORY, "%s: %.*s", what, (int)len, msg);
}

/* Errors while parsing the embedded schema are revpack's own bugs: the
 * parse fails and rp_verify says so. */
static void xsd_error(void *ctx, rp_xml_error err)
{
	(void)ctx;
	(void)err;
}

/* libxml2's unstructured messages ("Unimplemented block...") are not about
 * the inventory: kept off stderr. */
static void xml_generic_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

typedef struct xml_src {
	verifier *v;
	rp_store_file *f;
	bool failed;                 /* rp_error set */
} xml_src;

static int xml_read(void *ctx, char *buf, int len)
{
	xml_src *s = ctx;
	int64_t r;

	if (len <= 0)
		return 0;
	r = s->v->store->ops->read(s->f, buf, (size_t)len);
	if (r == -2)
		s->v->xml_damaged = true; /* the store said so; libxml2's errors that follow are noise */
	else if (r < 0)
		s->failed = true;
	return r < 0 ? -1 : (int)r;
}

static char *xml_attr(xmlTextReaderPtr reader, const char *name)
{
	return (char *)xmlTextReaderGetAttribute(reader, (const xmlChar *)name);
}

static bool parse_xml_u64(const char *s, uint64_t *out)
{
	size_t n;

	if (!s)
		return false;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '+')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return parse_u64(s, n, out);
}

/* A <files><file> element: it must agree with the manifest. */
static void inventory_file(verifier *v, const char *path, const char *bytes, const char *sha, int line)
{
	uint8_t d[RP_SHA256_LEN];
	char expected[RP_SHA256_HEXLEN + 1];
	uint64_t size;
	entry *e;

	if (!path)
		return; /* the schema says what is wrong */
	e = mf_find(&v->payload, path);
	if (!e) {
		if (!v->manifest_unreadable)
			problem(v, INVENTORY, "line %d: lists %s, which " MANIFEST " does not list", line, path);
		return;
	}
	if (sha && rp_sha256_from_hex(d, sha, strlen(sha)) == 0 && memcmp(d, e->digest, RP_SHA256_LEN) != 0) {
		rp_sha256_hex(e->digest, expected);
		problem(v, INVENTORY, "line %d: gives SHA-256 %s for %s, " MANIFEST " gives %s",
		        line, sha, path, expected);
	}
	if (parse_xml_u64(bytes, &size) && e->hashed && size != e->size)
		problem(v, INVENTORY, "line %d: gives %" PRIu64 " bytes for %s, the file holds %" PRIu64,
		        line, size, path, e->size);
}

static void table_free(table *t)
{
	size_t i;

	free(t->label);
	free(t->schema);
	free(t->name);
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].cls);
		free(t->cols[i].type);
	}
	free(t->cols);
	for (i = 0; i < t->ncsv; i++)
		free(t->csv[i]);
	free(t->csv);
}

static int table_new(verifier *v, xmlTextReaderPtr reader)
{
	char *schema = xml_attr(reader, "schema"), *name = xml_attr(reader, "name");
	char *rows = xml_attr(reader, "rows"), *digest = xml_attr(reader, "digest");
	table *t;
	int error = -1;

	if (v->ntables == v->captables) {
		size_t cap = v->captables ? v->captables * 2 : 16;
		t = rp_realloc(v->tables, cap * sizeof *t);
		if (!t)
			goto out;
		v->tables = t;
		v->captables = cap;
	}
	t = &v->tables[v->ntables++];
	memset(t, 0, sizeof *t);
	t->line = xmlTextReaderGetParserLineNumber(reader);
	t->source = v->nsources ? v->nsources - 1 : 0;
	if ((schema && *schema && !(t->schema = rp_strdup(schema))) || !(t->name = rp_strdup(name ? name : "?")))
		goto out;
	if (schema && *schema)
		t->label = rp_sprintf("%s.%s", schema, name ? name : "?");
	else
		t->label = rp_strdup(name ? name : "?");
	if (!t->label)
		goto out;
	t->rows_ok = parse_xml_u64(rows, &t->rows);
	if (digest && strlen(digest) == RP_SHA256_HEXLEN) {
		uint8_t d[RP_SHA256_LEN];
		if (rp_sha256_from_hex(d, digest, RP_SHA256_HEXLEN) == 0) {
			rp_sha256_hex(d, t->digest);
			t->digest_ok = true;
		}
	}
	error = 0;
out:
	xmlFree(schema);
	xmlFree(name);
	xmlFree(rows);
	xmlFree(digest);
	return error;
}

static int table_column(table *t, xmlTextReaderPtr reader)
{
	char *name = xml_attr(reader, "name"), *cls = xml_attr(reader, "class"), *type = xml_attr(reader, "type");
	column *c;
	int error = -1;

	if (t->ncols == t->capcols) {
		size_t cap = t->capcols ? t->capcols * 2 : 8;
		c = rp_realloc(t->cols, cap * sizeof *c);
		if (!c)
			goto out;
		t->cols = c;
		t->capcols = cap;
	}
	c = &t->cols[t->ncols];
	c->name = rp_strdup(name ? name : "");
	if (!c->name)
		goto out;
	c->binary = cls && (!strcmp(cls, "binary") || !strcmp(cls, "bit"));
	c->cls = rp_strdup(cls ? cls : "other");
	c->type = rp_strdup(type ? type : "");
	t->ncols++;
	if (!c->cls || !c->type)
		goto out;
	error = 0;
out:
	xmlFree(name);
	xmlFree(cls);
	xmlFree(type);
	return error;
}

static int table_csv(table *t, xmlTextReaderPtr reader)
{
	char *role = xml_attr(reader, "role"), *path = xml_attr(reader, "path");
	int error = 0;

	if (role && path && !strcmp(role, "csv")) {
		if (t->ncsv == t->capcsv) {
			size_t cap = t->capcsv ? t->capcsv * 2 : 2;
			char **p = rp_realloc(t->csv, cap * sizeof *p);
			if (!p) {
				error = -1;
				goto out;
			}
			t->csv = p;
			t->capcsv = cap;
		}
		t->csv[t->ncsv] = rp_strdup(path);
		if (!t->csv[t->ncsv])
			error = -1;
		else
			t->ncsv++;
	}
out:
	xmlFree(role);
	xmlFree(path);
	return error;
}

static int source_new(verifier *v, xmlTextReaderPtr reader)
{
	char *kind = xml_attr(reader, "kind");
	source *s = rp_realloc(v->sources, (v->nsources + 1) * sizeof *s);
	int error = -1;

	if (!s)
		goto out;
	v->sources = s;
	s = &s[v->nsources++];
	memset(s, 0, sizeof *s);
	if ((s->kind = rp_strdup(kind ? kind : "")) != NULL)
		error = 0;
out:
	xmlFree(kind);
	return error;
}

/* A source's file role="siard": checked by verify_siard.c. */
static int source_file(verifier *v, xmlTextReaderPtr reader)
{
	char *role = xml_attr(reader, "role"), *path = xml_attr(reader, "path");
	source *s = v->nsources ? &v->sources[v->nsources - 1] : NULL;
	char **p;
	int error = 0;

	if (s && role && path && !strcmp(role, "siard")) {
		error = -1;
		p = rp_realloc(s->siard, (s->nsiard + 1) * sizeof *p);
		if (p) {
			s->siard = p;
			if ((p[s->nsiard] = rp_strdup(path)) != NULL) {
				s->nsiard++;
				error = 0;
			}
		}
	}
	xmlFree(role);
	xmlFree(path);
	return error;
}

/* A content/wordpress element: its WXR is checked after the inventory. */
static int content_site(verifier *v, xmlTextReaderPtr reader)
{
	char *path = xml_attr(reader, "path"), *items = xml_attr(reader, "items");
	char **np;
	uint64_t *ni, n = 0;
	int error = 0;

	if (path && parse_xml_u64(items, &n)) {
		error = -1;
		if ((np = rp_realloc(v->wxr, (v->nwxr + 1) * sizeof *np)) != NULL) {
			v->wxr = np;
			if ((ni = rp_realloc(v->wxr_items, (v->nwxr + 1) * sizeof *ni)) != NULL) {
				v->wxr_items = ni;
				if ((np[v->nwxr] = rp_strdup(path)) != NULL) {
					ni[v->nwxr++] = n;
					error = 0;
				}
			}
		}
	}
	xmlFree(path);
	xmlFree(items);
	return error;
}

/* A friendlyCsv element: the file is checked after the inventory. */
static int friendly_file(verifier *v, xmlTextReaderPtr reader)
{
	char *path = xml_attr(reader, "path"), *rows = xml_attr(reader, "rows"), *cols = xml_attr(reader, "columns");
	uint64_t nr = 0, nc = 0;
	int error = 0;

	if (path && parse_xml_u64(rows, &nr) && parse_xml_u64(cols, &nc)) {
		char **np = rp_realloc(v->friendly, (v->nfriendly + 1) * sizeof *np);
		uint64_t *r = np ? rp_realloc(v->friendly_rows, (v->nfriendly + 1) * sizeof *r) : NULL;
		uint64_t *c = r ? rp_realloc(v->friendly_cols, (v->nfriendly + 1) * sizeof *c) : NULL;
		if (np)
			v->friendly = np;
		if (r)
			v->friendly_rows = r;
		if (c)
			v->friendly_cols = c;
		if (!c || !(np[v->nfriendly] = rp_strdup(path))) {
			error = -1;
		} else {
			r[v->nfriendly] = nr;
			c[v->nfriendly++] = nc;
		}
	}
	xmlFree(path);
	xmlFree(rows);
	xmlFree(cols);
	return error;
}

static int element_code(xmlTextReaderPtr reader)
{
	static const struct { const char *name; int code; } names[] = {
		{ "inventory", X_INVENTORY }, { "package", X_PACKAGE }, { "csv", X_CSV },
		{ "source", X_SOURCE }, { "table", X_TABLE }, { "column", X_COLUMN },
		{ "file", X_FILE }, { "files", X_FILES }, { "content", X_CONTENT }, { "wordpress", X_WORDPRESS },
		{ "friendlyCsv", X_FRIENDLY },
	};
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(reader);
	const char *local = (const char *)xmlTextReaderConstLocalName(reader);
	size_t i;

	if (!ns || !local || strcmp(ns, INVENTORY_NS) != 0)
		return X_OTHER;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(local, names[i].name))
			return names[i].code;
	return X_OTHER;
}

/* An element start: collects what the later checks need. */
static int inventory_element(verifier *v, xmlTextReaderPtr reader)
{
	int depth = xmlTextReaderDepth(reader), code, parent, grand;

	if (depth < 0 || depth >= XML_MAX_DEPTH)
		return 0;
	code = element_code(reader);
	v->xml_stack[depth] = code;
	parent = depth >= 1 ? v->xml_stack[depth - 1] : X_OTHER;
	grand = depth >= 2 ? v->xml_stack[depth - 2] : X_OTHER;

	if (depth == 2 && code == X_CSV && parent == X_PACKAGE && grand == X_INVENTORY) {
		char *dialect = xml_attr(reader, "dialect");
		if (dialect)
			rp_csv_dialect_parse(dialect, &v->dialect);
		xmlFree(dialect);
	} else if (depth == 1 && code == X_SOURCE && parent == X_INVENTORY) {
		return source_new(v, reader);
	} else if (depth == 2 && code == X_FILE && parent == X_SOURCE && grand == X_INVENTORY) {
		return source_file(v, reader);
	} else if (depth == 2 && code == X_TABLE && parent == X_SOURCE && grand == X_INVENTORY) {
		return table_new(v, reader);
	} else if (depth == 3 && parent == X_TABLE && grand == X_SOURCE && v->ntables > 0) {
		if (code == X_COLUMN)
			return table_column(&v->tables[v->ntables - 1], reader);
		if (code == X_FILE)
			return table_csv(&v->tables[v->ntables - 1], reader);
	} else if (depth == 2 && code == X_WORDPRESS && parent == X_CONTENT && grand == X_INVENTORY) {
		return content_site(v, reader);
	} else if (depth == 3 && code == X_FRIENDLY && parent == X_WORDPRESS && grand == X_CONTENT) {
		return friendly_file(v, reader);
	} else if (depth == 2 && code == X_FILE && parent == X_FILES && grand == X_INVENTORY) {
		char *path = xml_attr(reader, "path"), *bytes = xml_attr(reader, "bytes");
		char *sha = xml_attr(reader, "sha256");
		inventory_file(v, path, bytes, sha, xmlTextReaderGetParserLineNumber(reader));
		xmlFree(path);
		xmlFree(bytes);
		xmlFree(sha);
	}
	return 0;
}

static int check_inventory(verifier *v)
{
	xmlSchemaPtr schema = NULL;
	rp_xml_validated xv = { NULL, NULL };
	xmlTextReaderPtr reader = NULL;
	xml_src src = { v, NULL, false };
	xmlStructuredErrorFunc saved_serror = xmlStructuredError;
	void *saved_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_gerror = xmlGenericError;
	void *saved_gctx = xmlGenericErrorContext;
	const char *why;
	int rc, error = -1;
	bool stopped = false;

	rc = open_file(v, INVENTORY, &src.f, &why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		entry *e = mf_find(&v->payload, INVENTORY);
		if (!e || !e->reported) /* else already reported */
			report_unreadable(v, INVENTORY, why, "the package has no inventory");
		return 0;
	}
	schema = rp_xml_schema_from_memory(rp_inventory_xsd, rp_inventory_xsd_len, "inventory schema", xsd_error, v);
	if (!schema)
		goto out;
	/* This thread's handlers, restored below. */
	xmlSetStructuredErrorFunc(v, xml_error);
	xmlSetGenericErrorFunc(v, xml_generic_silent);
	if (rp_xml_validated_open(&xv, schema, xml_read, NULL, &src, INVENTORY, 0, xml_error, v) < 0)
		goto out;
	reader = xv.reader;
	v->dialect = RP_CSV_RFC4180;
	v->xml_errors = 0;
	while ((rc = xmlTextReaderRead(reader)) == 1) {
		int type = xmlTextReaderNodeType(reader);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			/* An inventory has none; refusing it leaves no entity to expand. */
			problem(v, INVENTORY, "has a document type declaration (DOCTYPE), "
			        "which an inventory never has; the rest was not read");
			stopped = true;
			break;
		}
		if (type == XML_READER_TYPE_ELEMENT && inventory_element(v, reader) < 0)
			goto out;
	}
	if (src.failed)
		goto out;
	if (v->xml_damaged)
		rc = -1; /* not read to the end; the store said why */
	else if (!stopped && v->xml_errors == 0 && (rc < 0 || xmlTextReaderIsValid(reader) != 1))
		problem(v, INVENTORY, "%s", rc < 0 ? "cannot be parsed" : "not valid against the inventory schema");
	if (v->xml_errors > MAX_XML_ERRORS)
		problem(v, INVENTORY, "%zu more errors not shown", v->xml_errors - MAX_XML_ERRORS);
	if (rc < 0 || stopped) {
		/* Not read to the end: a table may be half-described; none is checked. */
		size_t i;
		for (i = 0; i < v->ntables; i++)
			table_free(&v->tables[i]);
		v->ntables = 0;
		for (i = 0; i < v->nsources; i++) { /* nor any SIARD file */
			for (size_t k = 0; k < v->sources[i].nsiard; k++)
				free(v->sources[i].siard[k]);
			v->sources[i].nsiard = 0;
		}
	}
	error = 0;
out:
	rp_xml_validated_close(&xv);
	if (schema)
		xmlSchemaFree(schema);
	xmlSetStructuredErrorFunc(saved_sctx, saved_serror);
	xmlSetGenericErrorFunc(saved_gctx, saved_gerror);
	close_file(v, src.f);
	return error;
}

/* ---- table CSV files ---- */

typedef struct csv_src {
	verifier *v;
	rp_store_file *f;
	bool damaged;                /* the store reported it */
} csv_src;

static ssize_t csv_read(void *ctx, void *buf, size_t n)
{
	csv_src *s = ctx;
	int64_t r = s->v->store->ops->read(s->f, buf, n);

	if (r == -2) {
		s->damaged = true;
		return rp_error_set(RP_E_INVALID, "damaged");
	}
	return r < 0 ? -1 : (ssize_t)r;
}

/* After rp_csv_* failed: malformed data is a problem, anything else an
 * error; a damaged file was reported by the store already. The reader's
 * message starts with the path, which the problem line gives already. */
static int csv_failure(verifier *v, const csv_src *src, const char *path)
{
	const char *msg = rp_error_message();
	size_t n = strlen(path);

	if (rp_error_kind() != RP_E_INVALID)
		return -1;
	if (!strncmp(msg, path, n) && msg[n] == ':' && msg[n + 1] == ' ')
		msg += n + 2;
	if (!src->damaged)
		problem(v, path, "%s", msg);
	rp_error_clear();
	return 0;
}

/*
 * Reads one CSV of table t, adding its rows to d. Returns 1 when it was
 * read to the end, 0 when a problem stopped it, -1 on error.
 */
static int check_csv(verifier *v, const table *t, const char *path, rp_digest *d, rp_rowhash *rh,
                     rp_buf *cell)
{
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	csv_src src = { v, NULL, false };
	char disp[256], disp2[256];
	const char *why;
	size_t nf, i;
	entry *e;
	int rc, result = -1;

	if (!rp_path_is_safe(path, strlen(path), &why)) {
		problem(v, INVENTORY, "line %d: table %s: unsafe CSV path \"%s\": %s", t->line, t->label,
		        shown(disp, sizeof disp, path, strlen(path)), why);
		return 0;
	}
	e = mf_find(&v->payload, path);
	if (e && e->reported)
		return 0; /* missing or not a regular file: already said */
	rc = open_file(v, path, &src.f, &why);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (why)
			problem(v, path, "the CSV of table %s cannot be read: %s", t->label, why);
		return 0;
	}
	if (rp_csv_reader_new(&r, csv_read, &src, v->dialect, path) < 0)
		goto out;

	rc = rp_csv_read_record(r, &f, &nf);
	if (rc < 0) {
		result = csv_failure(v, &src, path);
		goto out;
	}
	if (rc == 0) {
		problem(v, path, "is empty: no header record (table %s)", t->label);
		result = 0;
		goto out;
	}
	if (nf != t->ncols) {
		problem(v, path, "record 1 (header) has %zu fields, table %s has %zu columns in " INVENTORY,
		        nf, t->label, t->ncols);
		result = 0;
		goto out;
	}
	for (i = 0; i < nf; i++) {
		if (f[i].len != strlen(t->cols[i].name) || memcmp(f[i].data, t->cols[i].name, f[i].len) != 0) {
			problem(v, path, "record 1 (header): field %zu is \"%s\", expected \"%s\" "
			        "(column %zu of table %s in " INVENTORY ")",
			        i + 1, shown(disp, sizeof disp, f[i].data, f[i].len),
			        shown(disp2, sizeof disp2, t->cols[i].name, strlen(t->cols[i].name)),
			        i + 1, t->label);
			result = 0;
			goto out;
		}
	}

	while ((rc = rp_csv_read_record(r, &f, &nf)) == 1) {
		uint8_t row[RP_SHA256_LEN];
		uint64_t no = rp_csv_reader_record_no(r);

		if (nf != t->ncols) {
			problem(v, path, "record %" PRIu64 " (row %" PRIu64 ") has %zu fields, expected %zu "
			        "(the columns of table %s)", no, no - 1, nf, t->ncols, t->label);
			result = 0;
			goto out;
		}
		if (rp_rowhash_begin(rh) < 0)
			goto out;
		for (i = 0; i < nf; i++) {
			bool is_null;
			if (rp_csv_decode_cell(&f[i], t->cols[i].binary, cell, &is_null, &why) < 0) {
				if (why && !strcmp(why, "out of memory")) {
					rp_error_nomem();
					goto out;
				}
				problem(v, path, "record %" PRIu64 " (row %" PRIu64 "), column \"%s\": %s",
				        no, no - 1, shown(disp, sizeof disp, t->cols[i].name, strlen(t->cols[i].name)),
				        why ? why : "cannot be decoded");
				result = 0;
				goto out;
			}
			rc = is_null ? rp_rowhash_null(rh)
			             : rp_rowhash_value(rh, cell->data ? cell->data : "", cell->len);
			if (rc < 0)
				goto out;
		}
		if (rp_rowhash_end(rh, row) < 0)
			goto out;
		rp_digest_add(d, row);
	}
	if (rc < 0) {
		result = csv_failure(v, &src, path);
		goto out;
	}
	result = 1;
out:
	rp_csv_reader_free(r);
	close_file(v, src.f);
	return result;
}

static int check_tables(verifier *v)
{
	rp_buf cell = RP_BUF_INIT;
	rp_rowhash rh;
	size_t i, k;
	int error = -1;

	if (rp_rowhash_init(&rh) < 0)
		return -1;
	for (i = 0; i < v->ntables; i++) {
		const table *t = &v->tables[i];
		char hex[RP_SHA256_HEXLEN + 1];
		const char *where;
		rp_digest d;
		bool complete = true;

		if (t->ncsv == 0 || t->ncols == 0)
			continue;
		rp_digest_init(&d);
		for (k = 0; k < t->ncsv; k++) {
			int rc = check_csv(v, t, t->csv[k], &d, &rh, &cell);
			if (rc < 0)
				goto out;
			complete = complete && rc == 1;
		}
		if (!complete)
			continue;
		v->res->tables_checked++;
		v->res->rows_checked += d.rows;
		where = t->ncsv == 1 ? t->csv[0] : INVENTORY;
		if (t->rows_ok && d.rows != t->rows)
			problem(v, where, "table %s: the CSV holds %" PRIu64 " rows, " INVENTORY " says %" PRIu64,
			        t->label, d.rows, t->rows);
		rp_digest_hex(&d, hex);
		if (t->digest_ok && strcmp(hex, t->digest) != 0)
			problem(v, where, "table %s: content digest is %s, " INVENTORY " says %s",
			        t->label, hex, t->digest);
	}
	error = 0;
out:
	rp_rowhash_free(&rh);
	rp_buf_free(&cell);
	return error;
}

/* ---- SIARD files (verify_siard.c does the work) ---- */

static void siard_problem(void *ctx, const char *path, const char *message)
{
	problem(ctx, path, "%s", message);
}

static int check_siard(verifier *v)
{
	for (size_t si = 0; si < v->nsources; si++) {
		const source *s = &v->sources[si];
		for (size_t k = 0; k < s->nsiard; k++) {
			rp_siard_vtable *vt = rp_calloc(v->ntables + 1, sizeof *vt);
			rp_siard_vcol *vc = NULL;
			rp_siard_verify_args a;
			rp_siard_vresult res;
			size_t nt = 0, ncols = 0, used = 0;
			const char *why;
			entry *e = mf_find(&v->payload, s->siard[k]);
			int rc = 0;

			for (size_t i = 0; i < v->ntables; i++)
				if (v->tables[i].source == si)
					ncols += v->tables[i].ncols;
			if (!vt || !(vc = rp_calloc(ncols + 1, sizeof *vc))) {
				free(vt);
				return -1;
			}
			for (size_t i = 0; i < v->ntables; i++) {
				const table *t = &v->tables[i];
				if (t->source != si)
					continue;
				vt[nt].schema = t->schema;
				vt[nt].name = t->name;
				vt[nt].cols = vc + used;
				vt[nt].ncols = t->ncols;
				vt[nt].rows = t->rows;
				vt[nt].rows_ok = t->rows_ok;
				vt[nt].digest = t->digest;
				vt[nt].digest_ok = t->digest_ok;
				for (size_t c = 0; c < t->ncols; c++, used++) {
					vc[used].name = t->cols[c].name;
					vc[used].cls = t->cols[c].cls;
					vc[used].type = t->cols[c].type;
				}
				nt++;
			}
			memset(&a, 0, sizeof a);
			a.path = s->siard[k];
			a.kind = s->kind;
			a.tables = vt;
			a.ntables = nt;
			a.problem = siard_problem;
			a.ctx = v;
			if (!rp_path_is_safe(a.path, strlen(a.path), &why)) {
				problem(v, INVENTORY, "unsafe SIARD path: %s", why);
			} else if (!e || !e->reported) { /* else missing or not regular: already said */
				rc = v->store->ops->siard(v->store, a.path, &a.src, &why);
				if (rc == 0 && why)
					problem(v, a.path, "the SIARD file cannot be read: %s", why);
				if (rc > 0) {
					a.fd = -1;
					rc = rp_siard_verify(&a, &res);
				}
			}
			free(vt);
			free(vc);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- WordPress content (WXR) ---- */

/* The first error of a WXR file is reported; the rest would be noise. */
static void wxr_error(void *ctx, rp_xml_error err)
{
	verifier *v = ctx;
	const char *msg;
	size_t len;

	if (!err || err->level == XML_ERR_WARNING || err->level == XML_ERR_NONE || v->wxr_bad || v->xml_damaged)
		return;
	v->wxr_bad = true;
	msg = err->message ? err->message : "unknown error";
	len = message_len(msg);
	problem(v, v->wxr_path, "line %d: not well-formed XML: %.*s", err->line, (int)len, msg);
}

/* Streams one WXR file: well-formed, no DOCTYPE, and the number of
 * <item> elements of rss/channel the inventory gives. */
static int check_wxr_file(verifier *v, const char *path, uint64_t want)
{
	xml_src src = { v, NULL, false };
	xmlTextReaderPtr reader = NULL;
	xmlStructuredErrorFunc saved_serror = xmlStructuredError;
	void *saved_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_gerror = xmlGenericError;
	void *saved_gctx = xmlGenericErrorContext;
	const char *why;
	uint64_t items = 0;
	int rc, error = -1;

	rc = open_file(v, path, &src.f, &why);
	if (rc <= 0) {
		if (rc == 0) {
			entry *e = mf_find(&v->payload, path);
			if (!e || !e->reported)
				report_unreadable(v, path, why, "the inventory lists it");
		}
		return rc;
	}
	v->wxr_path = path;
	v->wxr_bad = false;
	v->xml_damaged = false;
	xmlSetStructuredErrorFunc(v, wxr_error);
	xmlSetGenericErrorFunc(v, xml_generic_silent);
	reader = xmlReaderForIO(xml_read, NULL, &src, path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	if (!reader) {
		rp_error_nomem();
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(reader, wxr_error, v);
	while ((rc = xmlTextReaderRead(reader)) == 1) {
		int type = xmlTextReaderNodeType(reader);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			problem(v, path, "has a document type declaration (DOCTYPE), which a WXR file never has");
			v->wxr_bad = true;
			break;
		}
		if (type == XML_READER_TYPE_ELEMENT && xmlTextReaderDepth(reader) == 2 &&
		    !xmlTextReaderConstNamespaceUri(reader) &&
		    !strcmp((const char *)xmlTextReaderConstLocalName(reader), "item"))
			items++;
	}
	if (src.failed)
		goto out;
	if (rc < 0 && !v->wxr_bad && !v->xml_damaged)
		problem(v, path, "not well-formed XML");
	else if (rc == 0 && !v->wxr_bad && items != want)
		problem(v, path, "holds %" PRIu64 " items, " INVENTORY " says %" PRIu64, items, want);
	else if (rc == 0 && !v->wxr_bad)
		v->res->wxr_items += items;
	error = 0;
out:
	if (reader)
		xmlFreeTextReader(reader);
	close_file(v, src.f);
	xmlSetStructuredErrorFunc(saved_sctx, saved_serror);
	xmlSetGenericErrorFunc(saved_gctx, saved_gerror);
	v->xml_damaged = false;
	return error;
}

static int check_wxr(verifier *v)
{
	for (size_t i = 0; i < v->nwxr; i++)
		if (check_wxr_file(v, v->wxr[i], v->wxr_items[i]) < 0)
			return -1;
	return 0;
}

/* ---- friendly CSV (formats/friendly-csv.md) ---- */

/* Reads one friendly CSV: 0 when read (problems reported), -1 on error. */
static int check_friendly_file(verifier *v, const char *path, uint64_t want_rows, uint64_t want_cols)
{
	rp_csv_reader *r = NULL;
	const rp_csv_field *f;
	csv_src src = { v, NULL, false };
	const char *why;
	uint64_t rows = 0;
	size_t nf;
	entry *e;
	int rc, result = -1;

	if (!rp_path_is_safe(path, strlen(path), &why)) {
		char disp[256];
		problem(v, INVENTORY, "friendly CSV: unsafe path \"%s\": %s", shown(disp, sizeof disp, path, strlen(path)),
		        why);
		return 0;
	}
	e = mf_find(&v->payload, path);
	if (e && e->reported)
		return 0;
	rc = open_file(v, path, &src.f, &why);
	if (rc <= 0) {
		if (rc == 0)
			report_unreadable(v, path, why, "the inventory lists it");
		return rc;
	}
	if (rp_csv_reader_new(&r, csv_read, &src, v->dialect, path) < 0)
		goto out;
	while ((rc = rp_csv_read_record(r, &f, &nf)) == 1) {
		uint64_t no = rp_csv_reader_record_no(r);
		if (nf != want_cols) {
			problem(v, path, "record %" PRIu64 " has %zu fields, " INVENTORY " says the file has %" PRIu64
			        " columns", no, nf, want_cols);
			result = 0;
			goto out;
		}
		for (size_t i = 0; i < nf; i++) {
			char c = f[i].len ? f[i].data[0] : 'x';
			if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
				problem(v, path, "record %" PRIu64 ", field %zu starts with %s: a spreadsheet would read it as "
				        "a formula (text from the site starts with an apostrophe in these files)", no, i + 1,
				        c == '\t' ? "a TAB" : c == '\r' ? "a CR" : c == '=' ? "'='" : c == '+' ? "'+'"
				                                                 : c == '-' ? "'-'" : "'@'");
				result = 0;
				goto out;
			}
		}
		if (no > 1)
			rows++;
	}
	if (rc < 0) {
		result = csv_failure(v, &src, path);
		goto out;
	}
	if (rp_csv_reader_record_no(r) == 0)
		problem(v, path, "is empty: no header record");
	else if (rows != want_rows)
		problem(v, path, "holds %" PRIu64 " rows, " INVENTORY " says %" PRIu64, rows, want_rows);
	else
		v->res->friendly_rows += rows;
	result = 0;
out:
	rp_csv_reader_free(r);
	close_file(v, src.f);
	return result;
}

static int check_friendly(verifier *v)
{
	for (size_t i = 0; i < v->nfriendly; i++)
		if (check_friendly_file(v, v->friendly[i], v->friendly_rows[i], v->friendly_cols[i]) < 0)
			return -1;
	return 0;
}

/* ---- entry point ---- */

static int run(verifier *v)
{
	if (check_bagit(v) < 0 || read_bag_info(v) < 0)
		return -1;
	if (parse_manifest(v, MANIFEST, &v->payload, false, &v->manifest_absent,
	                   &v->manifest_unreadable) < 0)
		return -1;
	if (check_tag_manifest(v) < 0 || check_listing(v) < 0 || check_payload(v) < 0)
		return -1;
	if (check_inventory(v) < 0 || check_tables(v) < 0 || check_siard(v) < 0 || check_wxr(v) < 0 ||
	    check_friendly(v) < 0)
		return -1;
	return 0;
}

/* Runs every check on the package in v->store (taken over: freed here). */
static int verify_store(verifier *v)
{
	size_t i;
	int rc = -1;

	xmlInitParser();
	v->io = rp_malloc(IO_BUF_SIZE);
	if (!v->io)
		goto out;
	if (rp_sha256_init(&v->sha) < 0)
		goto out;
	v->sha_ready = true;
	rc = v->store->unreadable ? 0 : run(v);
	if (rc == 0)
		rc = v->store->ops->finish(v->store, v->res);
out:
	if (v->sha_ready)
		rp_sha256_free(&v->sha);
	free(v->io);
	mf_free(&v->payload);
	mf_free(&v->tags);
	for (i = 0; i < v->ntables; i++)
		table_free(&v->tables[i]);
	free(v->tables);
	for (i = 0; i < v->nsources; i++) {
		for (size_t k = 0; k < v->sources[i].nsiard; k++)
			free(v->sources[i].siard[k]);
		free(v->sources[i].siard);
		free(v->sources[i].kind);
	}
	free(v->sources);
	for (i = 0; i < v->nwxr; i++)
		free(v->wxr[i]);
	free(v->wxr);
	free(v->wxr_items);
	for (i = 0; i < v->nfriendly; i++)
		free(v->friendly[i]);
	free(v->friendly);
	free(v->friendly_rows);
	free(v->friendly_cols);
	v->store->ops->free(v->store);
	return rc;
}

/* A ZIP by its name (.zip) or by its first bytes (a local header, or the
 * end record of an empty archive). */
static bool looks_like_zip(int fd, const char *package)
{
	unsigned char sig[4];
	size_t n = strlen(package);

	if (n > 4 && !strcasecmp(package + n - 4, ".zip"))
		return true;
	return pread(fd, sig, sizeof sig, 0) == (ssize_t)sizeof sig && sig[0] == 'P' && sig[1] == 'K' &&
	       ((sig[2] == 3 && sig[3] == 4) || (sig[2] == 5 && sig[3] == 6));
}

int rp_verify(const char *package, const rp_verify_opts *opts, rp_verify_result *result)
{
	rp_store_report report;
	struct stat st;
	verifier v;
	int fd, rc;

	memset(result, 0, sizeof *result);
	memset(&v, 0, sizeof v);
	v.opts = opts;
	v.res = result;
	report.problem = store_problem;
	report.note = store_note;
	report.ctx = &v;
	/* O_NONBLOCK: a FIFO given by mistake must not hang the open. */
	fd = open(package, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot open the package %s", package);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return rp_error_set_errno(RP_E_IO, e, "cannot examine the package %s", package);
	}
	if (S_ISDIR(st.st_mode)) {
		rc = rp_store_dir_new(&v.store, fd, &report);
	} else if (S_ISREG(st.st_mode) && looks_like_zip(fd, package)) {
		rc = rp_store_zip_new(&v.store, fd, package, (uint64_t)st.st_size, &report);
	} else {
		close(fd);
		return rp_error_set(RP_E_IO, "%s is not a folder nor a ZIP archive", package);
	}
	if (rc < 0)
		return -1;
	rc = verify_store(&v);
	if (rc < 0) {
		free(result->external_identifier);
		result->external_identifier = NULL;
	}
	return rc;
}

void rp_verify_result_free(rp_verify_result *result)
{
	if (!result)
		return;
	free(result->external_identifier);
	result->external_identifier = NULL;
}
