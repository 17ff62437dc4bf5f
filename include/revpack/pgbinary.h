/*
 * PostgreSQL COPY binary format, for the column types whose binary form
 * gives their text output cheaply and exactly (formats/sql-pgsql.md,
 * "How rows are read"). The text is what the type's output function
 * writes in revpack's session: DateStyle ISO, TimeZone UTC.
 *
 * A table is read in the binary format only when every column has one of
 * these types; the server then skips its output functions (bytea's hex
 * above all) and sends half the bytes for bytea.
 */
#ifndef REVPACK_PGBINARY_H
#define REVPACK_PGBINARY_H

#include <stdbool.h>
#include <stddef.h>

#include "revpack/source.h"

typedef enum rp_pgb_kind {
	RP_PGB_NONE = 0,   /* not read in binary */
	RP_PGB_RAW,        /* text, varchar, char(n), name, json, bytea: the bytes themselves */
	RP_PGB_JSONB,      /* a version byte (1), then the text */
	RP_PGB_BOOL,
	RP_PGB_INT2,
	RP_PGB_INT4,
	RP_PGB_INT8,
	RP_PGB_OID,
	RP_PGB_DATE,
	RP_PGB_TIME,
	RP_PGB_TIMESTAMP,
	RP_PGB_TIMESTAMPTZ,
	RP_PGB_UUID
} rp_pgb_kind;

/* Room for the text of any converted value, with a margin (the longest
 * are timestamps such as "4714-11-24 00:00:00.000001+00 BC", 32 bytes). */
#define RP_PGB_TEXT_MAX 48

/* The kind for a column's base type as format_type() names it
 * ("bigint", "timestamp with time zone", ...); RP_PGB_NONE otherwise. */
rp_pgb_kind rp_pgb_kind_of(const char *base_type);

/* Length of the COPY binary header at the start of p (signature, flags,
 * header extension), or -1 if p does not start with a valid one. */
long rp_pgb_header(const char *p, size_t n);

/*
 * Decodes one tuple message of n bytes into values[0..ncols): NULL fields
 * have data == NULL, RP_PGB_RAW and RP_PGB_JSONB values point into p, the
 * others are written as text into scratch[i]. Returns 1 for a tuple, 0 for
 * the end-of-data marker, -1 if the message is malformed (*why says how;
 * no rp_error set).
 */
int rp_pgb_tuple(const char *p, size_t n, const rp_pgb_kind *kinds, size_t ncols, rp_value *values,
                 char (*scratch)[RP_PGB_TEXT_MAX], const char **why);

/* Where a COPY binary stream is: its header comes in front of the first
 * message's tuple (or alone), the end-of-data marker last. */
typedef struct rp_pgb_stream {
	bool header;
	bool ended;
} rp_pgb_stream;

/*
 * One message of the stream (PQgetCopyData): 1 for a tuple decoded as
 * rp_pgb_tuple does, 0 for none (the header alone, or the end-of-data
 * marker), -1 if malformed or after the marker (*why says how).
 */
int rp_pgb_message(rp_pgb_stream *st, const char *p, size_t n, const rp_pgb_kind *kinds, size_t ncols,
                   rp_value *values, char (*scratch)[RP_PGB_TEXT_MAX], const char **why);

/*
 * Once the server said the COPY is done: 0 if the stream had its header and
 * ended with the end-of-data marker, -1 otherwise (*why says how). A stream
 * cut at a message boundary would otherwise pass for a shorter table.
 */
int rp_pgb_end(const rp_pgb_stream *st, const char **why);

/* The text of one binary value of kind k (not RP_PGB_RAW or RP_PGB_JSONB)
 * written into out; returns its length, or -1 if n is wrong for k or the
 * value is outside the range PostgreSQL accepts for k (dates, timestamps,
 * times). */
int rp_pgb_text(rp_pgb_kind k, const unsigned char *p, size_t n, char out[RP_PGB_TEXT_MAX]);

#endif
