/*
 * SIARD 2.2 (formats/siard.md is the specification of what revpack writes).
 *
 * Every column gets a value family from the source kind, its class and its
 * full type (what data/inventory.xml records, so that verify derives the
 * same family). A family maps a value either to the natural lexical form of
 * its XML type ("typed": 2024-03-01 10:00:00 -> 2024-03-01T10:00:00Z) or,
 * when the value cannot be one (a MySQL zero date, NaN in a DECIMAL...), to
 * the escaped string form. The typed forms of a family and its string forms
 * never coincide, so decoding needs only the family and the text: the
 * digest recomputed from the SIARD rows is the source's digest.
 *
 * String form (SIARD G_3.3-3/4, plus what XML 1.0 and byte-exactness need):
 *   & < > " '               -> &amp; &lt; &gt; &quot; &apos;
 *   CR                      -> &#13;   (a literal CR would be read as LF)
 *   TAB, LF                 -> as they are
 *   U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+009F
 *                           -> \u00xx
 *   backslash               -> \u005c
 *   a space after a space   -> \u0020
 *   U+FFFE, U+FFFF          -> \ufffe, \uffff
 *   a byte that is not part of well-formed UTF-8 -> \xhh
 * Decoding: \u + 4 hex digits is that code point in UTF-8, \x + 2 hex
 * digits that byte; any other backslash is malformed.
 */
#ifndef REVPACK_SIARD_H
#define REVPACK_SIARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zip.h>

#include "revpack/buf.h"
#include "revpack/source.h"

#define RP_SIARD_VERSION "2.2"
#define RP_SIARD_METADATA_NS "http://www.bar.admin.ch/xmlns/siard/2/metadata.xsd"
#define RP_SIARD_TABLE_NS "http://www.bar.admin.ch/xmlns/siard/2/table.xsd"

/* Values of CLOB and BLOB columns longer than this many bytes are stored as
 * separate entries (lobK/recordR.txt|.bin) instead of inline. */
#define RP_SIARD_LOB_INLINE_MAX ((uint64_t)65536)

typedef enum rp_siard_family {
	RP_SIARD_TEXT = 0,        /* string form only (xs:string, clobType) */
	RP_SIARD_BINARY,          /* xs:hexBinary, blobType: always typed */
	RP_SIARD_BOOL_BIT,        /* MySQL BIT(1): byte 0/1 <-> false/true */
	RP_SIARD_BOOL_PG,         /* PostgreSQL boolean: t/f <-> true/false */
	RP_SIARD_INTEGER,         /* xs:integer, same text */
	RP_SIARD_DECIMAL,         /* xs:decimal, same text */
	RP_SIARD_REAL,            /* xs:float: Infinity/-Infinity <-> INF/-INF */
	RP_SIARD_DOUBLE,          /* xs:double: the same */
	RP_SIARD_DATE,            /* YYYY-MM-DD <-> YYYY-MM-DDZ */
	RP_SIARD_TIME,            /* hh:mm:ss[.f] <-> hh:mm:ss[.f]Z */
	RP_SIARD_TIME_TZ,         /* hh:mm:ss[.f]+00 <-> hh:mm:ss[.f]Z */
	RP_SIARD_TIMESTAMP,       /* YYYY-MM-DD hh:mm:ss[.f] <-> YYYY-MM-DDThh:mm:ss[.f]Z */
	RP_SIARD_TIMESTAMP_TZ     /* YYYY-MM-DD hh:mm:ss[.f]+00 <-> ...Z */
} rp_siard_family;

const char *rp_siard_family_name(rp_siard_family f);

/* The family of a column: kind is "mysql" or "pgsql", type the source's
 * full type (rp_column.type, inventory column/@type). */
rp_siard_family rp_siard_family_of(const char *kind, rp_colclass cls, const char *type);

/* Parses an inventory class name ("integer", "text"...); -1 when unknown. */
int rp_colclass_parse(const char *name, rp_colclass *out);

/* How a column is described in metadata.xml and tableN.xsd. */
typedef struct rp_siard_coltype {
	rp_siard_family family;
	char sqltype[64];      /* SQL:2008 type (metadata.xsd predefinedTypeType) */
	const char *xstype;    /* "xs:integer", "dateType", "clobType", ... */
	bool lob;              /* CLOB or BLOB: long values go to LOB entries */
	bool binary_lob;       /* BLOB (else CLOB) */
	long long maxchars;    /* declared length of CHAR/VARCHAR, else -1 */
	bool fixed;            /* CHAR (not VARCHAR) */
} rp_siard_coltype;

void rp_siard_column_type(const char *kind, const rp_column *c, rp_siard_coltype *out);

/*
 * Appends the XML text (entities included) of a non-NULL value. *typed is
 * set when the text is the family's natural form, cleared when it is the
 * string form (then the column must be typed xs:string). *chars receives
 * the length in characters a SIARD reader sees (an \u escape counts one,
 * an \x escape four).
 */
int rp_siard_encode(rp_buf *out, rp_siard_family f, const void *v, size_t n, bool *typed, uint64_t *chars);

/* Appends the string form of n bytes (the escapes above). */
int rp_siard_escape(rp_buf *out, const void *v, size_t n, uint64_t *chars);

/*
 * Decodes the character data of a cell (as an XML parser returns it:
 * entities resolved) back into the source's bytes, appended to out.
 * Returns -1 when the text is malformed (*why set, no rp_error) or on
 * memory failure (*why = "out of memory", rp_error set).
 */
int rp_siard_decode(rp_buf *out, rp_siard_family f, const char *text, size_t n, const char **why);

/* Number of code points of well-formed UTF-8 (the length of a CLOB). */
uint64_t rp_utf8_count(const void *s, size_t n);

/* True when name is a SIARD file or folder name (P_4.2-6). */
bool rp_siard_fsname_ok(const char *name, size_t n);

/* ---- verify (src/check/verify_siard.c) ---- */

typedef struct rp_siard_vcol {
	const char *name;
	const char *cls;       /* inventory class name */
	const char *type;      /* inventory type */
} rp_siard_vcol;

typedef struct rp_siard_vtable {
	const char *schema;    /* NULL for MySQL */
	const char *name;
	const rp_siard_vcol *cols;
	size_t ncols;
	uint64_t rows;
	bool rows_ok;
	const char *digest;    /* 64 hex digits */
	bool digest_ok;
} rp_siard_vtable;

typedef struct rp_siard_vresult {
	uint64_t tables_checked;
	uint64_t rows_checked;
} rp_siard_vresult;

typedef struct rp_siard_verify_args {
	const char *path;      /* the .siard, relative to the package root (messages) */
	int fd;                /* open for reading, or -1 when src is given; always closed */
	zip_source_t *src;     /* or a seekable source over the .siard (ziprange.h); always freed */
	const char *kind;      /* source kind: "mysql", "pgsql" */
	const rp_siard_vtable *tables;   /* the source's tables in data/inventory.xml */
	size_t ntables;
	void (*problem)(void *ctx, const char *path, const char *message);
	void *ctx;
} rp_siard_verify_args;

/*
 * Checks one .siard against the inventory, reading it through fd (or src)
 * only:
 * ZIP structure (entry names, compression, encryption, required entries),
 * header/metadata.xsd equal to the official schema, header/metadata.xml
 * valid against it (the copy compiled into revpack), every tableN.xml
 * valid against its own tableN.xsd, LOB entries (length, digest), row
 * counts and content digests equal to the inventory's. Every finding is a
 * problem naming the .siard and the entry; returns -1 only when it cannot
 * run (rp_error set).
 */
int rp_siard_verify(const rp_siard_verify_args *a, rp_siard_vresult *res);

/* The official metadata.xsd (formats/siard/metadata.xsd), compiled in. */
extern const unsigned char rp_siard_metadata_xsd[];
extern const size_t rp_siard_metadata_xsd_len;

#endif
