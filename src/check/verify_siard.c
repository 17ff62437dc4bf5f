/*
 * verify, for one .siard (siard.h, formats/siard.md): the archive is read
 * through the file descriptor or source verify opened (inside a package
 * ZIP: the entry's byte range of the outer file), never extracted, and
 * nothing outside it is opened (every external entity, DTD and schema import is
 * refused). Memory stays flat: entries stream through libxml2's reader,
 * one cell and one row at a time; a bit per ZIP entry records which were
 * accounted for.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>

#include "revpack/buf.h"
#include "revpack/digest.h"
#include "revpack/error.h"
#include "revpack/hash.h"
#include "revpack/siard.h"
#include "revpack/ziprange.h"

#include "check/xmlcheck.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *rp_xml_error;
#else
typedef xmlError *rp_xml_error;
#endif

#define MAX_ERRORS 20              /* per entry, then counted */
#define MAX_NAME_PROBLEMS 20
#define XSD_LIMIT ((zip_uint64_t)64 << 20)
#define IO_SIZE ((size_t)1 << 16)
#define META_DEPTH 12

#define METADATA "header/metadata.xml"
#define METADATA_XSD "header/metadata.xsd"
#define VERSION_DIR "header/siardversion/" RP_SIARD_VERSION "/"

typedef struct mcol {
	char *name;
} mcol;

typedef struct mtable {
	size_t schema;
	char *name;
	char *folder;
	uint64_t rows;
	bool rows_ok;
	mcol *cols;
	size_t ncols, capcols;
	bool matched;
} mtable;

typedef struct mschema {
	char *name;
	char *folder;
} mschema;

typedef struct vs {
	const rp_siard_verify_args *a;
	rp_siard_vresult *res;
	zip_t *za;
	zip_uint64_t nentries;
	uint8_t *claimed;
	mschema *schemas;
	size_t nschemas;
	mtable *tables;
	size_t ntables, captables;
	rp_rowhash rh;
	bool rh_ready;
	rp_sha256 sha;
	bool sha_ready;
	rp_buf text, value, msg;
	uint8_t *io;
	/* libxml2 errors of the entry being read */
	const char *entry;
	size_t errors;
	int last_line, last_code;
	bool all_tables_read;
	bool fd_done;                /* the fd was handed to libzip or closed */
} vs;

/* ---- problems ---- */

static void problem(vs *v, const char *fmt, ...) RP_PRINTF(2, 3);
static void problem(vs *v, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (v->a->problem)
		v->a->problem(v->a->ctx, v->a->path, buf);
}

/* A name for messages: control characters shown as '?', shortened. */
static const char *shown(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < cap; i++)
		dst[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? '?' : s[i];
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

static void xml_error(void *ctx, rp_xml_error err)
{
	vs *v = ctx;
	const char *msg, *what;
	size_t len;

	if (!err || err->level == XML_ERR_WARNING || err->level == XML_ERR_NONE)
		return;
	if (v->errors > 0 && err->line == v->last_line && err->code == v->last_code)
		return; /* the same error through a second handler */
	v->last_line = err->line;
	v->last_code = err->code;
	if (++v->errors > MAX_ERRORS)
		return;
	msg = err->message ? err->message : "unknown error";
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	if (len > 800)
		len = 800;
	what = err->domain == XML_FROM_SCHEMASV ? "not valid against its schema"
	     : err->domain == XML_FROM_SCHEMASP ? "schema cannot be used"
	     : err->domain == XML_FROM_IO ? "cannot be read"
	     : "not well-formed XML";
	if (err->line > 0)
		problem(v, "%s: line %d: %s: %.*s", v->entry, err->line, what, (int)len, msg);
	else
		problem(v, "%s: %s: %.*s", v->entry, what, (int)len, msg);
}

static void xml_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* Nothing outside the archive is ever loaded: no DTD, entity or schema
 * import. */
static xmlParserInputPtr refuse_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void end_entry(vs *v)
{
	if (v->errors > MAX_ERRORS)
		problem(v, "%s: %zu more XML errors not shown", v->entry, v->errors - MAX_ERRORS);
}

/* ---- ZIP entries ---- */

typedef struct zsrc {
	vs *v;
	zip_file_t *zf;
	const char *name;
	zip_uint64_t size, done;
	bool failed;      /* reported */
} zsrc;

static void claim(vs *v, zip_int64_t idx)
{
	if (idx >= 0 && (zip_uint64_t)idx < v->nentries)
		v->claimed[idx / 8] |= (uint8_t)(1u << (idx % 8));
}

static bool claimed(const vs *v, zip_uint64_t idx)
{
	return v->claimed[idx / 8] & (1u << (idx % 8));
}

/* Opens entry name; 0 with the problem reported when it is missing. */
static int zopen(vs *v, zsrc *z, const char *name, const char *missing)
{
	zip_int64_t idx = zip_name_locate(v->za, name, ZIP_FL_ENC_RAW);
	zip_stat_t st;

	memset(z, 0, sizeof *z);
	z->v = v;
	z->name = name;
	if (idx < 0) {
		if (missing)
			problem(v, "%s is missing: %s", name, missing);
		return 0;
	}
	claim(v, idx);
	zip_stat_init(&st);
	if (zip_stat_index(v->za, (zip_uint64_t)idx, ZIP_FL_ENC_RAW, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
		problem(v, "%s: cannot be examined: %s", name, zip_strerror(v->za));
		return 0;
	}
	z->size = st.size;
	z->zf = zip_fopen_index(v->za, (zip_uint64_t)idx, 0);
	if (!z->zf) {
		problem(v, "%s: cannot be opened: %s", name, zip_strerror(v->za));
		return 0;
	}
	return 1;
}

/* Reads up to n bytes; -1 after reporting a damaged entry. A stream longer
 * than its declared size is refused at once (no ZIP bomb runs to the end). */
static zip_int64_t zread(zsrc *z, void *buf, zip_uint64_t n)
{
	zip_int64_t r;

	if (z->failed)
		return -1;
	r = zip_fread(z->zf, buf, n);
	if (r < 0) {
		problem(z->v, "%s: cannot be read: %s", z->name, zip_file_strerror(z->zf));
		z->failed = true;
		return -1;
	}
	z->done += (zip_uint64_t)r;
	if (z->done > z->size) {
		problem(z->v, "%s: holds more data than the %" PRIu64 " bytes its ZIP header declares", z->name,
		        (uint64_t)z->size);
		z->failed = true;
		return -1;
	}
	return r;
}

static void zclose(zsrc *z)
{
	if (z->zf)
		zip_fclose(z->zf);
	z->zf = NULL;
}

static int xml_read(void *ctx, char *buf, int len)
{
	zsrc *z = ctx;
	zip_int64_t r;

	if (len <= 0)
		return 0;
	r = zread(z, buf, (zip_uint64_t)len);
	return r < 0 ? -1 : (int)r;
}

static int xml_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Reads a whole (small) entry into b. 1 read, 0 reported. */
static int read_whole(vs *v, const char *name, const char *missing, zip_uint64_t limit, rp_buf *b)
{
	zsrc z;
	zip_int64_t r;
	int rc = 0;

	rp_buf_clear(b);
	if (!zopen(v, &z, name, missing))
		return 0;
	if (z.size > limit) {
		problem(v, "%s: %" PRIu64 " bytes, more than a schema of revpack's ever holds", name, (uint64_t)z.size);
		goto out;
	}
	if (rp_buf_grow(b, (size_t)z.size + 1) < 0) {
		rc = -1;
		goto out;
	}
	while ((r = zread(&z, v->io, IO_SIZE)) > 0)
		if (rp_buf_put(b, v->io, (size_t)r) < 0) {
			rc = -1;
			goto out;
		}
	rc = r < 0 ? 0 : 1;
out:
	zclose(&z);
	return rc;
}

/* Entry names: P_4.2-1, P_4.2-6, stored or deflated, no encryption. */
static void check_entries(vs *v, bool *has_meta, bool *has_xsd, bool *has_version)
{
	size_t reported = 0;
	char disp[256];

	*has_meta = *has_xsd = *has_version = false;
	for (zip_uint64_t i = 0; i < v->nentries; i++) {
		const char *name = zip_get_name(v->za, i, ZIP_FL_ENC_RAW);
		zip_stat_t st;
		size_t n;
		const char *p, *why = NULL;

		if (!name)
			continue;
		n = strlen(name);
		shown(disp, sizeof disp, name, n);
		if (!strcmp(name, METADATA))
			*has_meta = true;
		else if (!strcmp(name, METADATA_XSD))
			*has_xsd = true;
		else if (!strcmp(name, VERSION_DIR))
			*has_version = true;
		zip_stat_init(&st);
		if (zip_stat_index(v->za, i, ZIP_FL_ENC_RAW, &st) == 0) {
			if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
			    st.comp_method != ZIP_CM_DEFLATE && reported++ < MAX_NAME_PROBLEMS)
				problem(v, "%s: compressed with method %d; SIARD allows only stored or deflate (G_4.1-2)",
				        disp, (int)st.comp_method);
			if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE &&
			    reported++ < MAX_NAME_PROBLEMS)
				problem(v, "%s: encrypted; a SIARD file is never encrypted (G_4.1-3)", disp);
		}
		if (strncmp(name, "header/", 7) != 0 && strncmp(name, "content/", 8) != 0 &&
		    strcmp(name, "header/") != 0) {
			if (strcmp(name, "content/") != 0 && reported++ < MAX_NAME_PROBLEMS)
				problem(v, "%s: only header/ and content/ may be at the top of a SIARD file (P_4.2-1)", disp);
			continue;
		}
		/* Every component: [A-Za-z][A-Za-z0-9_]*(.ext)? ; header/siardversion/2.2/ is the one exception. */
		if (!strncmp(name, VERSION_DIR, strlen(VERSION_DIR) - 1))
			continue;
		for (p = name; *p && !why;) {
			const char *slash = strchr(p, '/');
			size_t len = slash ? (size_t)(slash - p) : strlen(p);
			if (!rp_siard_fsname_ok(p, len))
				why = "a file or folder name must start with a letter and hold only letters, digits, '_' "
				      "and one '.' before an extension (P_4.2-6)";
			p += len;
			if (*p == '/')
				p++;
		}
		if (why && reported++ < MAX_NAME_PROBLEMS)
			problem(v, "%s: %s", disp, why);
	}
	if (reported > MAX_NAME_PROBLEMS)
		problem(v, "%zu more entry problems not shown", reported - MAX_NAME_PROBLEMS);
}

/* ---- metadata.xml ---- */

enum { M_OTHER = 0, M_ARCHIVE, M_SCHEMAS, M_SCHEMA, M_TABLES, M_TABLE, M_COLUMNS, M_COLUMN, M_NAME, M_FOLDER, M_ROWS };

static int m_code(const char *local)
{
	static const struct { const char *n; int c; } names[] = {
		{ "siardArchive", M_ARCHIVE }, { "schemas", M_SCHEMAS }, { "schema", M_SCHEMA }, { "tables", M_TABLES },
		{ "table", M_TABLE }, { "columns", M_COLUMNS }, { "column", M_COLUMN }, { "name", M_NAME },
		{ "folder", M_FOLDER }, { "rows", M_ROWS },
	};
	for (size_t i = 0; local && i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(local, names[i].n))
			return names[i].c;
	return M_OTHER;
}

static char *decoded(vs *v, const rp_buf *t)
{
	const char *why;

	rp_buf_clear(&v->value);
	if (rp_siard_decode(&v->value, RP_SIARD_TEXT, t->data ? t->data : "", t->len, &why) < 0) {
		if (why && !strcmp(why, "out of memory"))
			return NULL;
		rp_buf_clear(&v->value);
		if (rp_buf_put(&v->value, t->data ? t->data : "", t->len) < 0)
			return NULL;
	}
	return rp_strndup(v->value.data ? v->value.data : "", v->value.len);
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
		i++;
	if (i < n && s[i] == '+')
		i++;
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = x;
	return true;
}

/* A complete simple element of metadata.xml, given the stack of element codes. */
static int meta_value(vs *v, const int *stack, int depth)
{
	int code = stack[depth];
	int parent = depth >= 1 ? stack[depth - 1] : M_OTHER;
	char *s;

	if (depth == 3 && parent == M_SCHEMA && v->nschemas && (code == M_NAME || code == M_FOLDER)) {
		mschema *m = &v->schemas[v->nschemas - 1];
		if (!(s = decoded(v, &v->text)))
			return -1;
		free(code == M_NAME ? m->name : m->folder);
		*(code == M_NAME ? &m->name : &m->folder) = s;
	} else if (depth == 5 && parent == M_TABLE && v->ntables &&
	           (code == M_NAME || code == M_FOLDER || code == M_ROWS)) {
		mtable *t = &v->tables[v->ntables - 1];
		if (code == M_ROWS) {
			t->rows_ok = parse_u64(v->text.data ? v->text.data : "", v->text.len, &t->rows);
			return 0;
		}
		if (!(s = decoded(v, &v->text)))
			return -1;
		free(code == M_NAME ? t->name : t->folder);
		*(code == M_NAME ? &t->name : &t->folder) = s;
	} else if (depth == 7 && parent == M_COLUMN && code == M_NAME && v->ntables) {
		mtable *t = &v->tables[v->ntables - 1];
		if (t->ncols && !t->cols[t->ncols - 1].name) {
			if (!(t->cols[t->ncols - 1].name = decoded(v, &v->text)))
				return -1;
		}
	}
	return 0;
}

static int meta_start(vs *v, const int *stack, int depth)
{
	int code = stack[depth];
	int parent = depth >= 1 ? stack[depth - 1] : M_OTHER;

	if (depth == 2 && code == M_SCHEMA && parent == M_SCHEMAS) {
		mschema *n = rp_realloc(v->schemas, (v->nschemas + 1) * sizeof *n);
		if (!n)
			return -1;
		v->schemas = n;
		memset(&n[v->nschemas++], 0, sizeof *n);
	} else if (depth == 4 && code == M_TABLE && parent == M_TABLES && v->nschemas) {
		mtable *t;
		if (v->ntables == v->captables) {
			size_t cap = v->captables ? v->captables * 2 : 16;
			t = rp_realloc(v->tables, cap * sizeof *t);
			if (!t)
				return -1;
			v->tables = t;
			v->captables = cap;
		}
		t = &v->tables[v->ntables++];
		memset(t, 0, sizeof *t);
		t->schema = v->nschemas - 1;
	} else if (depth == 6 && code == M_COLUMN && parent == M_COLUMNS && v->ntables &&
	           stack[4] == M_TABLE) {
		mtable *t = &v->tables[v->ntables - 1];
		if (t->ncols == t->capcols) {
			size_t cap = t->capcols ? t->capcols * 2 : 8;
			mcol *c = rp_realloc(t->cols, cap * sizeof *c);
			if (!c)
				return -1;
			t->cols = c;
			t->capcols = cap;
		}
		t->cols[t->ncols++].name = NULL;
	}
	return 0;
}

/* Streams header/metadata.xml through the official schema. 1: read to the
 * end; 0: it could not be (reported); -1: error. */
static int read_metadata(vs *v)
{
	xmlSchemaPtr schema = NULL;
	rp_xml_validated xv = { NULL, NULL };
	xmlTextReaderPtr r = NULL;
	int stack[META_DEPTH];
	zsrc z;
	int rc, result = -1;
	bool stopped = false;

	if (!zopen(v, &z, METADATA, "a SIARD file describes its database in header/metadata.xml (P_4.2-5)"))
		return 0;
	v->entry = METADATA;
	v->errors = 0;
	if (!(schema = rp_xml_schema_from_memory(rp_siard_metadata_xsd, rp_siard_metadata_xsd_len,
	                                         "SIARD metadata schema", NULL, NULL)))
		goto out;
	if (rp_xml_validated_open(&xv, schema, xml_read, xml_close, &z, METADATA, 0, xml_error, v) < 0)
		goto out;
	r = xv.reader;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			problem(v, "%s: has a document type declaration (DOCTYPE), which SIARD metadata never has; "
			        "the rest was not read", METADATA);
			stopped = true;
			break;
		}
		if (depth < 0 || depth >= META_DEPTH)
			continue;
		if (type == XML_READER_TYPE_ELEMENT) {
			const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
			stack[depth] = ns && !strcmp(ns, RP_SIARD_METADATA_NS)
			                   ? m_code((const char *)xmlTextReaderConstLocalName(r)) : M_OTHER;
			rp_buf_clear(&v->text);
			if (meta_start(v, stack, depth) < 0)
				goto out;
			if (xmlTextReaderIsEmptyElement(r) && meta_value(v, stack, depth) < 0)
				goto out;
		} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		           type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) {
			const char *t = (const char *)xmlTextReaderConstValue(r);
			if (t && rp_buf_puts(&v->text, t) < 0)
				goto out;
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (meta_value(v, stack, depth) < 0)
				goto out;
			rp_buf_clear(&v->text);
		}
	}
	if (!stopped && v->errors == 0 && !z.failed && (rc < 0 || xmlTextReaderIsValid(r) != 1))
		problem(v, "%s: %s", METADATA, rc < 0 ? "not well-formed XML" : "not valid against the SIARD 2.2 schema");
	end_entry(v);
	result = (rc < 0 || stopped || z.failed) ? 0 : 1;
out:
	rp_xml_validated_close(&xv);
	if (schema)
		xmlSchemaFree(schema);
	zclose(&z);
	return result;
}

/* ---- table data ---- */

typedef struct tctx {
	const rp_siard_vtable *it;   /* the inventory's table */
	const mtable *mt;
	const char *sfolder;
	char label[512];
	rp_siard_family *fam;
	char xml[300];               /* entry names */
} tctx;

/* A LOB cell: streams the entry into the row hash, checks length and digest. */
static int lob_cell(vs *v, tctx *tc, xmlTextReaderPtr r, uint64_t row, size_t col, bool *ok)
{
	char *file = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"file");
	char *length = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"length");
	char *dtype = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"digestType");
	char *digest = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"digest");
	char disp[300];
	uint8_t d[RP_SHA256_LEN], want[RP_SHA256_LEN];
	uint64_t bytes = 0, chars = 0, len = 0;
	zip_int64_t idx, n;
	zsrc z;
	size_t fl;
	bool text;
	int rc = -1;

	memset(&z, 0, sizeof z);
	*ok = false;
	fl = strlen(file);
	shown(disp, sizeof disp, file, fl);
	if (strncmp(file, "content/", 8) != 0 || strstr(file, "..") || strstr(file, "//")) {
		problem(v, "%s: row %" PRIu64 ", c%zu: LOB file \"%s\" is not an entry under content/ of the archive",
		        tc->xml, row, col, disp);
		rc = 0;
		goto out;
	}
	idx = zip_name_locate(v->za, file, ZIP_FL_ENC_RAW);
	if (idx < 0) {
		problem(v, "%s: row %" PRIu64 ", c%zu: LOB file %s is missing", tc->xml, row, col, disp);
		rc = 0;
		goto out;
	}
	/* equal values of a column share one file (formats/siard.md): a file
	 * may be named by several cells, each read for its row's digest */
	if (!zopen(v, &z, file, NULL)) {
		rc = 0;
		goto out;
	}
	if (rp_sha256_reset(&v->sha) < 0 || rp_rowhash_value_begin(&v->rh, (uint64_t)z.size) < 0)
		goto out;
	while ((n = zread(&z, v->io, IO_SIZE)) > 0) {
		if (rp_sha256_update(&v->sha, v->io, (size_t)n) < 0 ||
		    rp_rowhash_value_update(&v->rh, v->io, (size_t)n) < 0)
			goto out;
		bytes += (uint64_t)n;
		chars += rp_utf8_count(v->io, (size_t)n);
	}
	if (rp_sha256_final(&v->sha, d) < 0)
		goto out;
	/* the ZIP header's size was the value's length: check it held */
	if (n >= 0 && z.done == z.size && rp_rowhash_value_end(&v->rh) < 0)
		goto out;
	if (n < 0 || z.done != z.size) {
		if (n >= 0)
			problem(v, "%s: %" PRIu64 " bytes read, its ZIP header declares %" PRIu64, z.name, z.done,
			        (uint64_t)z.size);
		rc = 0;
		goto out;
	}
	rc = 0;
	text = fl > 4 && !strcmp(file + fl - 4, ".txt");
	if (text)
		bytes = chars; /* a CLOB's length is in characters */
	if (!length || !parse_u64(length, strlen(length), &len) || len != bytes) {
		problem(v, "%s: row %" PRIu64 ", c%zu: length=\"%s\" but LOB file %s holds %" PRIu64 " %s",
		        tc->xml, row, col, length ? length : "", disp, bytes, text ? "characters" : "bytes");
		goto out;
	}
	if (digest || dtype) {
		if (!dtype || strcmp(dtype, "SHA-256") != 0 || !digest ||
		    rp_sha256_from_hex(want, digest, strlen(digest)) < 0) {
			problem(v, "%s: row %" PRIu64 ", c%zu: revpack records LOB digests as digestType=\"SHA-256\" "
			        "with 64 hexadecimal digits", tc->xml, row, col);
			goto out;
		}
		if (memcmp(want, d, sizeof d) != 0) {
			char hex[RP_SHA256_HEXLEN + 1];
			rp_sha256_hex(d, hex);
			problem(v, "%s: row %" PRIu64 ", c%zu: LOB file %s has SHA-256 %s, the cell says %s", tc->xml, row,
			        col, disp, hex, digest);
			goto out;
		}
	}
	*ok = true;
out:
	zclose(&z);
	xmlFree(file);
	xmlFree(length);
	xmlFree(dtype);
	xmlFree(digest);
	return rc;
}

/* Reads the character data of the current (non-empty) cell into v->text.
 * 1: done; 0: something else than text inside (reported); -1: parse error. */
static int cell_text(vs *v, tctx *tc, xmlTextReaderPtr r, int depth, uint64_t row, size_t col)
{
	int rc;

	rp_buf_clear(&v->text);
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == depth)
			return 1;
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) {
			const char *t = (const char *)xmlTextReaderConstValue(r);
			if (t && rp_buf_puts(&v->text, t) < 0)
				return -2;
		} else if (type == XML_READER_TYPE_ELEMENT) {
			problem(v, "%s: row %" PRIu64 ", c%zu: holds an element; revpack writes only simple values",
			        tc->xml, row, col);
			return 0;
		}
	}
	return rc < 0 ? -1 : 0;
}

static bool col_index(const char *local, size_t *k)
{
	char *end;
	unsigned long long x;

	if (!local || local[0] != 'c' || local[1] < '1' || local[1] > '9')
		return false;
	x = strtoull(local + 1, &end, 10);
	if (*end || x > SIZE_MAX)
		return false;
	*k = (size_t)x;
	return true;
}

/* Streams tableN.xml through tableN.xsd; recomputes rows and digest. */
static int read_table(vs *v, tctx *tc, xmlSchemaPtr schema, rp_digest *dg, bool *complete)
{
	rp_xml_validated xv = { NULL, NULL };
	xmlTextReaderPtr r = NULL;
	size_t ncols = tc->it->ncols, next = 1;
	bool in_row = false, stopped = false;
	uint64_t row = 0;
	zsrc z;
	int rc, result = -1;

	*complete = false;
	if (!zopen(v, &z, tc->xml, "every table has its XML file (P_4.2-3)"))
		return 0;
	v->entry = tc->xml;
	v->errors = 0;
	if (rp_xml_validated_open(&xv, schema, xml_read, xml_close, &z, tc->xml, XML_PARSE_HUGE, xml_error, v) < 0)
		goto out;
	r = xv.reader;
	while (!stopped && (rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		const char *local;
		size_t k;

		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			problem(v, "%s: has a document type declaration (DOCTYPE); the rest was not read", tc->xml);
			stopped = true;
			break;
		}
		if (type == XML_READER_TYPE_END_ELEMENT && depth == 1 && in_row) {
			uint8_t h[RP_SHA256_LEN];
			for (; next <= ncols; next++)
				if (rp_rowhash_null(&v->rh) < 0)
					goto out;
			if (rp_rowhash_end(&v->rh, h) < 0)
				goto out;
			rp_digest_add(dg, h);
			in_row = false;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		local = (const char *)xmlTextReaderConstLocalName(r);
		if (depth == 1) {
			if (!local || strcmp(local, "row") != 0) {
				problem(v, "%s: element <%s> where a <row> was expected", tc->xml, local ? local : "?");
				stopped = true;
				break;
			}
			row++;
			next = 1;
			if (rp_rowhash_begin(&v->rh) < 0)
				goto out;
			in_row = true;
			if (xmlTextReaderIsEmptyElement(r)) {
				uint8_t h[RP_SHA256_LEN];
				for (; next <= ncols; next++)
					if (rp_rowhash_null(&v->rh) < 0)
						goto out;
				if (rp_rowhash_end(&v->rh, h) < 0)
					goto out;
				rp_digest_add(dg, h);
				in_row = false;
			}
			continue;
		}
		if (depth != 2 || !in_row)
			continue;
		if (!col_index(local, &k) || k < next || k > ncols) {
			problem(v, "%s: row %" PRIu64 ": element <%s> is not a column in order c1..c%zu", tc->xml, row,
			        local ? local : "?", ncols);
			stopped = true;
			break;
		}
		for (; next < k; next++)
			if (rp_rowhash_null(&v->rh) < 0)
				goto out;
		next = k + 1;
		if (xmlTextReaderHasAttributes(r) == 1) {
			xmlChar *file = xmlTextReaderGetAttribute(r, (const xmlChar *)"file");
			if (file) {
				bool ok;
				xmlFree(file);
				if (lob_cell(v, tc, r, row, k, &ok) < 0)
					goto out;
				if (!ok) {
					stopped = true;
					break;
				}
				if (!xmlTextReaderIsEmptyElement(r)) {
					int t = cell_text(v, tc, r, depth, row, k);
					if (t == -2)
						goto out;
					if (t <= 0) {
						stopped = true;
						break;
					}
				}
				continue;
			}
		}
		if (xmlTextReaderIsEmptyElement(r)) {
			rp_buf_clear(&v->text);
		} else {
			int t = cell_text(v, tc, r, depth, row, k);
			if (t == -2)
				goto out;
			if (t <= 0) {
				stopped = true;
				break;
			}
		}
		{
			const char *why;
			rp_buf_clear(&v->value);
			if (rp_siard_decode(&v->value, tc->fam[k - 1], v->text.data ? v->text.data : "", v->text.len,
			                    &why) < 0) {
				if (why && !strcmp(why, "out of memory"))
					goto out;
				problem(v, "%s: row %" PRIu64 ", c%zu: %s", tc->xml, row, k, why ? why : "cannot be decoded");
				stopped = true;
				break;
			}
			if (rp_rowhash_value(&v->rh, v->value.data ? v->value.data : "", v->value.len) < 0)
				goto out;
		}
	}
	if (stopped) {
		result = 0;
		goto done;
	}
	if (!z.failed && v->errors == 0 && (rc < 0 || xmlTextReaderIsValid(r) != 1))
		problem(v, "%s: %s", tc->xml, rc < 0 ? "not well-formed XML" : "not valid against its table schema");
	if (rc < 0 || z.failed) {
		result = 0;
		goto done;
	}
	*complete = true;
	result = 1;
done:
	end_entry(v);
out:
	rp_xml_validated_close(&xv);
	zclose(&z);
	return result;
}

/* Counts the c1..cN element declarations of a table schema (P_4.3-2). */
static size_t xsd_columns(const rp_buf *xsd)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xsd->data, (int)xsd->len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	                                        XML_PARSE_NOWARNING);
	size_t n = 0, k;

	if (!r)
		return 0;
	while (xmlTextReaderRead(r) == 1) {
		const char *ns, *local;
		xmlChar *name;
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		ns = (const char *)xmlTextReaderConstNamespaceUri(r);
		local = (const char *)xmlTextReaderConstLocalName(r);
		if (!ns || strcmp(ns, "http://www.w3.org/2001/XMLSchema") != 0 || !local || strcmp(local, "element"))
			continue;
		name = xmlTextReaderGetAttribute(r, (const xmlChar *)"name");
		if (name && col_index((const char *)name, &k))
			n++;
		xmlFree(name);
	}
	xmlFreeTextReader(r);
	return n;
}

#define XSD_NS "http://www.w3.org/2001/XMLSchema"
#define LEX_PREFIX "revpack-lexical"

/*
 * libxml2 compares an xs:decimal or xs:integer value with at most 24
 * digits and calls a longer one invalid ("1.000000000000000000000000000000"
 * of a DECIMAL(65,30), a PostgreSQL numeric of 40 digits), though XML Schema
 * puts no limit on them. Every element or attribute declared with one of
 * these two types is given instead a type checking their lexical space,
 * which is all a schema can say of them: (+|-)? digits with at most one
 * point for xs:decimal, (+|-)? digits for xs:integer (XML Schema 1.0 Part
 * 2, 3.2.3.1 and 3.3.13.1), based on xs:token, which collapses white
 * space as they do. Returns the schema document to parse, or NULL when the
 * schema is not well-formed XML or memory ran out (it is then parsed as it
 * is, and its parser says what is wrong).
 */
static xmlDocPtr lexical_numbers(const rp_buf *xsd)
{
	static const struct { const char *type, *name, *pattern; } lex[] = {
		{ "decimal", LEX_PREFIX "-decimal", "[+\\-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)" },
		{ "integer", LEX_PREFIX "-integer", "[+\\-]?[0-9]+" },
	};
	xmlDocPtr doc = xmlReadMemory(xsd->data, (int)xsd->len, "schema.xsd", NULL,
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlChar *target;
	xmlNsPtr own = NULL, xs;
	bool used[2] = { false, false };
	char token[80];

	if (!root || !root->ns || !xmlStrEqual(root->ns->href, BAD_CAST XSD_NS) ||
	    (root->ns->prefix && xmlStrlen(root->ns->prefix) > 60))
		return doc;
	/* the new types are named in the schema's target namespace, through a
	 * prefix of their own; a schema without one is left as it is */
	if (!(target = xmlGetProp(root, BAD_CAST "targetNamespace")))
		return doc;
	own = xmlNewNs(root, target, BAD_CAST LEX_PREFIX);
	xmlFree(target);
	if (!own)
		return doc;
	for (xmlNodePtr n = root; n;) {
		xmlChar *type = NULL;
		if (n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST XSD_NS) &&
		    (xmlStrEqual(n->name, BAD_CAST "element") || xmlStrEqual(n->name, BAD_CAST "attribute")) &&
		    (type = xmlGetNoNsProp(n, BAD_CAST "type"))) {
			const xmlChar *colon = xmlStrchr(type, ':');
			xmlChar *prefix = colon ? xmlStrndup(type, (int)(colon - type)) : NULL;
			const xmlChar *local = colon ? colon + 1 : type;
			xmlNsPtr ns = xmlSearchNs(doc, n, prefix);
			for (size_t k = 0; ns && xmlStrEqual(ns->href, BAD_CAST XSD_NS) && k < 2; k++) {
				if (xmlStrEqual(local, BAD_CAST lex[k].type)) {
					char q[64];
					snprintf(q, sizeof q, "%s:%s", LEX_PREFIX, lex[k].name);
					xmlSetProp(n, BAD_CAST "type", BAD_CAST q);
					used[k] = true;
				}
			}
			xmlFree(prefix);
			xmlFree(type);
		}
		/* depth first, in document order */
		if (n->type == XML_ELEMENT_NODE && n->children)
			n = n->children;
		else {
			while (n && n != root && !n->next)
				n = n->parent;
			n = n && n != root ? n->next : NULL;
		}
	}
	xs = root->ns;
	snprintf(token, sizeof token, "%s%stoken", xs->prefix ? (const char *)xs->prefix : "", xs->prefix ? ":" : "");
	for (size_t k = 0; k < 2; k++) {
		xmlNodePtr st, r, pat;
		if (!used[k])
			continue;
		st = xmlNewChild(root, xs, BAD_CAST "simpleType", NULL);
		r = st ? xmlNewChild(st, xs, BAD_CAST "restriction", NULL) : NULL;
		pat = r ? xmlNewChild(r, xs, BAD_CAST "pattern", NULL) : NULL;
		if (!pat || !xmlNewProp(st, BAD_CAST "name", BAD_CAST lex[k].name) ||
		    !xmlNewProp(r, BAD_CAST "base", BAD_CAST token) ||
		    !xmlNewProp(pat, BAD_CAST "value", BAD_CAST lex[k].pattern)) {
			xmlFreeDoc(doc);
			return NULL;
		}
	}
	return doc;
}

static int check_table(vs *v, const rp_siard_vtable *it, mtable *mt)
{
	tctx tc;
	rp_buf xsd = RP_BUF_INIT;
	char entry[300];
	xmlSchemaParserCtxtPtr pctxt = NULL;
	xmlSchemaPtr schema = NULL;
	xmlDocPtr sdoc = NULL;
	const mschema *ms = &v->schemas[mt->schema];
	rp_digest dg;
	bool complete = false;
	int rc = -1, got;

	memset(&tc, 0, sizeof tc);
	tc.it = it;
	tc.mt = mt;
	if (it->schema)
		snprintf(tc.label, sizeof tc.label, "%s.%s", it->schema, it->name);
	else
		snprintf(tc.label, sizeof tc.label, "%s", it->name);
	if (!ms->folder || !mt->folder || !rp_siard_fsname_ok(ms->folder, strlen(ms->folder)) ||
	    !rp_siard_fsname_ok(mt->folder, strlen(mt->folder)) || strchr(ms->folder, '.') || strchr(mt->folder, '.')) {
		problem(v, "%s: table %s: its schema or table folder is not a SIARD folder name (P_4.2-6)", METADATA,
		        tc.label);
		return 0;
	}
	snprintf(tc.xml, sizeof tc.xml, "content/%s/%s/%s.xml", ms->folder, mt->folder, mt->folder);
	snprintf(entry, sizeof entry, "content/%s/%s/%s.xsd", ms->folder, mt->folder, mt->folder);
	if (!(tc.fam = rp_calloc(it->ncols ? it->ncols : 1, sizeof *tc.fam)))
		return -1;
	for (size_t i = 0; i < it->ncols; i++) {
		rp_colclass cls = RP_CLASS_OTHER;
		rp_colclass_parse(it->cols[i].cls, &cls);
		tc.fam[i] = rp_siard_family_of(v->a->kind, cls, it->cols[i].type);
	}
	got = read_whole(v, entry, "every table has its XML schema (P_4.2-3)", XSD_LIMIT, &xsd);
	if (got <= 0) {
		rc = got;
		goto out;
	}
	if (xsd_columns(&xsd) != it->ncols)
		problem(v, "%s: declares %zu columns, table %s has %zu (P_4.3-2)", entry, xsd_columns(&xsd), tc.label,
		        it->ncols);
	v->entry = entry;
	v->errors = 0;
	if (xsd.len <= INT_MAX) {
		sdoc = lexical_numbers(&xsd);
		pctxt = sdoc ? xmlSchemaNewDocParserCtxt(sdoc) : xmlSchemaNewMemParserCtxt(xsd.data, (int)xsd.len);
	}
	if (!pctxt) {
		rp_error_nomem();
		goto out;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, xml_error, v);
	schema = xmlSchemaParse(pctxt);
	if (!schema) {
		if (v->errors == 0)
			problem(v, "%s: is not a usable XML schema", entry);
		end_entry(v);
		rc = 0;
		goto out;
	}
	rp_digest_init(&dg);
	got = read_table(v, &tc, schema, &dg, &complete);
	if (got < 0)
		goto out;
	rc = 0;
	if (!complete)
		goto out;
	v->res->tables_checked++;
	v->res->rows_checked += dg.rows;
	if (mt->rows_ok && mt->rows != dg.rows)
		problem(v, "%s: holds %" PRIu64 " rows, %s says %" PRIu64 " for table %s (P_4.3-10)", tc.xml, dg.rows,
		        METADATA, mt->rows, tc.label);
	if (it->rows_ok && it->rows != dg.rows)
		problem(v, "%s: table %s: holds %" PRIu64 " rows, data/inventory.xml says %" PRIu64, tc.xml, tc.label,
		        dg.rows, it->rows);
	if (it->digest_ok) {
		char hex[RP_SHA256_HEXLEN + 1];
		rp_digest_hex(&dg, hex);
		if (strcmp(hex, it->digest) != 0)
			problem(v, "%s: table %s: content digest recomputed from the SIARD rows is %s, "
			        "data/inventory.xml says %s", tc.xml, tc.label, hex, it->digest);
	}
	rc = 1;
out:
	if (schema)
		xmlSchemaFree(schema);
	if (pctxt)
		xmlSchemaFreeParserCtxt(pctxt);
	if (sdoc)
		xmlFreeDoc(sdoc);
	rp_buf_free(&xsd);
	free(tc.fam);
	return rc;
}

/* ---- matching ---- */

static mtable *find_mtable(vs *v, const rp_siard_vtable *it)
{
	for (size_t i = 0; i < v->ntables; i++) {
		mtable *m = &v->tables[i];
		if (!m->name || strcmp(m->name, it->name) != 0)
			continue;
		if (it->schema && (!v->schemas[m->schema].name || strcmp(v->schemas[m->schema].name, it->schema) != 0))
			continue;
		return m;
	}
	return NULL;
}

static int check_tables(vs *v)
{
	char disp[300];
	bool all = true;

	for (size_t i = 0; i < v->a->ntables; i++) {
		const rp_siard_vtable *it = &v->a->tables[i];
		mtable *mt = find_mtable(v, it);
		char label[600];
		int rc;

		if (it->schema)
			snprintf(label, sizeof label, "%s.%s", it->schema, it->name);
		else
			snprintf(label, sizeof label, "%s", it->name);
		if (it->ncols == 0 && !mt)
			continue; /* SIARD has no table without columns: export leaves it out */
		if (!mt) {
			problem(v, "%s: does not describe table %s of data/inventory.xml", METADATA,
			        shown(disp, sizeof disp, label, strlen(label)));
			all = false;
			continue;
		}
		mt->matched = true;
		if (mt->ncols != it->ncols) {
			problem(v, "%s: table %s has %zu columns, data/inventory.xml says %zu (P_4.3-2)", METADATA, label,
			        mt->ncols, it->ncols);
			all = false;
			continue;
		}
		for (size_t c = 0; c < mt->ncols; c++)
			if (!mt->cols[c].name || strcmp(mt->cols[c].name, it->cols[c].name) != 0) {
				problem(v, "%s: table %s: column %zu is \"%s\", data/inventory.xml says \"%s\"", METADATA, label,
				        c + 1, mt->cols[c].name ? mt->cols[c].name : "", it->cols[c].name);
				all = false;
			}
		if (mt->rows_ok && it->rows_ok && mt->rows != it->rows)
			problem(v, "%s: table %s has %" PRIu64 " rows, data/inventory.xml says %" PRIu64, METADATA, label,
			        mt->rows, it->rows);
		rc = check_table(v, it, mt);
		if (rc < 0)
			return -1;
		if (rc == 0)
			all = false;
	}
	for (size_t i = 0; i < v->ntables; i++)
		if (!v->tables[i].matched) {
			problem(v, "%s: describes table %s, which data/inventory.xml does not list", METADATA,
			        v->tables[i].name ? shown(disp, sizeof disp, v->tables[i].name, strlen(v->tables[i].name))
			                          : "?");
			all = false;
		}
	v->all_tables_read = all;
	return 0;
}

/* After every table was read: content/ holds nothing else (P_4.2-2/3). */
static void check_leftovers(vs *v)
{
	size_t reported = 0;
	char disp[256];

	for (zip_uint64_t i = 0; i < v->nentries; i++) {
		const char *name;
		size_t n;
		if (claimed(v, i) || !(name = zip_get_name(v->za, i, ZIP_FL_ENC_RAW)))
			continue;
		n = strlen(name);
		if (strncmp(name, "content/", 8) != 0 || (n && name[n - 1] == '/'))
			continue;
		if (reported++ < MAX_NAME_PROBLEMS)
			problem(v, "%s: belongs to no table of %s (P_4.2-3)", shown(disp, sizeof disp, name, n), METADATA);
	}
	if (reported > MAX_NAME_PROBLEMS)
		problem(v, "%zu more entries that belong to no table", reported - MAX_NAME_PROBLEMS);
}

/* ---- entry point ---- */

static int run(vs *v)
{
	bool has_meta, has_xsd, has_version;
	int err = 0, rc;
	zip_int64_t n;

	zip_source_t *src = v->a->src;
	zip_error_t ze;

	v->fd_done = true;
	if (!src) {
		struct stat st;
		if (fstat(v->a->fd, &st) < 0) {
			int e = errno;
			close(v->a->fd);
			return rp_error_set_errno(RP_E_IO, e, "cannot examine %s", v->a->path);
		}
		if (rp_zip_source_range(&src, v->a->fd, true, 0, (uint64_t)st.st_size) < 0)
			return -1;
	}
	zip_error_init(&ze);
	v->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!v->za) {
		zip_source_free(src);
		err = zip_error_code_zip(&ze);
		if (err == ZIP_ER_MEMORY) {
			zip_error_fini(&ze);
			return rp_error_nomem();
		}
		if (err == ZIP_ER_READ || err == ZIP_ER_SEEK) {
			rp_error_set(RP_E_IO, "cannot read %s: %s", v->a->path, zip_error_strerror(&ze));
			zip_error_fini(&ze);
			return -1;
		}
		problem(v, "not a readable ZIP archive: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return 0;
	}
	zip_error_fini(&ze);
	n = zip_get_num_entries(v->za, 0);
	v->nentries = n > 0 ? (zip_uint64_t)n : 0;
	if (!(v->claimed = rp_calloc(v->nentries / 8 + 1, 1)))
		return -1;
	check_entries(v, &has_meta, &has_xsd, &has_version);
	if (!has_version)
		problem(v, VERSION_DIR " is missing: it identifies the SIARD version (P_4.2-4)");
	if (has_xsd) {
		rc = read_whole(v, METADATA_XSD, NULL, XSD_LIMIT, &v->text);
		if (rc < 0)
			return -1;
		if (rc > 0 && (v->text.len != rp_siard_metadata_xsd_len ||
		               memcmp(v->text.data, rp_siard_metadata_xsd, v->text.len) != 0))
			problem(v, METADATA_XSD " is not the official SIARD 2.2 metadata schema (P_4.2-5)");
	} else {
		problem(v, METADATA_XSD " is missing: the official schema belongs in every SIARD file (P_4.2-5)");
	}
	if (!has_meta) {
		problem(v, METADATA " is missing: a SIARD file describes its database there (P_4.2-5)");
		return 0;
	}
	rc = read_metadata(v);
	if (rc <= 0)
		return rc;
	if (check_tables(v) < 0)
		return -1;
	if (v->all_tables_read)
		check_leftovers(v);
	return 0;
}

int rp_siard_verify(const rp_siard_verify_args *a, rp_siard_vresult *res)
{
	xmlExternalEntityLoader saved_loader = xmlGetExternalEntityLoader();
	xmlStructuredErrorFunc saved_serror = xmlStructuredError;
	void *saved_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_gerror = xmlGenericError;
	void *saved_gctx = xmlGenericErrorContext;
	vs v;
	int rc = -1;

	memset(&v, 0, sizeof v);
	memset(res, 0, sizeof *res);
	v.a = a;
	v.res = res;
	xmlSetExternalEntityLoader(refuse_loader);
	xmlSetStructuredErrorFunc(&v, xml_error);
	xmlSetGenericErrorFunc(&v, xml_silent);
	if (!(v.io = rp_malloc(IO_SIZE)))
		goto out;
	if (rp_rowhash_init(&v.rh) < 0)
		goto out;
	v.rh_ready = true;
	if (rp_sha256_init(&v.sha) < 0)
		goto out;
	v.sha_ready = true;
	rc = run(&v);
	if (rc > 0)
		rc = 0;
out:
	if (v.za)
		zip_discard(v.za);
	else if (!v.fd_done) {
		if (a->src)
			zip_source_free(a->src);
		else
			close(a->fd);
	}
	xmlSetExternalEntityLoader(saved_loader);
	xmlSetStructuredErrorFunc(saved_sctx, saved_serror);
	xmlSetGenericErrorFunc(saved_gctx, saved_gerror);
	if (v.rh_ready)
		rp_rowhash_free(&v.rh);
	if (v.sha_ready)
		rp_sha256_free(&v.sha);
	for (size_t i = 0; i < v.nschemas; i++) {
		free(v.schemas[i].name);
		free(v.schemas[i].folder);
	}
	free(v.schemas);
	for (size_t i = 0; i < v.ntables; i++) {
		free(v.tables[i].name);
		free(v.tables[i].folder);
		for (size_t c = 0; c < v.tables[i].ncols; c++)
			free(v.tables[i].cols[c].name);
		free(v.tables[i].cols);
	}
	free(v.tables);
	free(v.claimed);
	free(v.io);
	rp_buf_free(&v.text);
	rp_buf_free(&v.value);
	rp_buf_free(&v.msg);
	return rc;
}
