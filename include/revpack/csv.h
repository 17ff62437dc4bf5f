/*
 * CSV as revpack writes and reads it (formats/csv.md is the specification).
 *
 * RFC 4180: records end with CRLF; a field is quoted ("...") when it holds
 * the separator, a double quote, CR or LF, and quotes inside are doubled.
 * Separator ',' (rfc4180 dialect) or ';' with a UTF-8 BOM at the start of
 * the file (excel-fr dialect).
 *
 * Cell conventions (database CSV, so that every value round-trips):
 *  - NULL          -> an empty unquoted field:           a,,b
 *  - empty string  -> an empty quoted field:             a,"",b
 *  - binary value  -> "\x" followed by lower-case hex, never quoted: \x00ff
 *                     (empty binary value: \x)
 *  - text that is not valid UTF-8, or that starts with the two characters
 *    backslash and 'x', is written as binary (\x + hex of its bytes);
 *  - any other text is written as it is (quoted when needed).
 * Decoding: a field whose content starts with \x is hex-decoded; an empty
 * unquoted field is NULL; anything else is the text itself.
 */
#ifndef REVPACK_CSV_H
#define REVPACK_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "revpack/buf.h"
#include "revpack/out.h"

typedef enum rp_csv_dialect {
	RP_CSV_RFC4180 = 0,  /* ',' no BOM */
	RP_CSV_EXCEL_FR      /* ';' and a UTF-8 BOM */
} rp_csv_dialect;

char rp_csv_separator(rp_csv_dialect d);
/* Parses "rfc4180" or "excel-fr"; -1 otherwise (no rp_error set). */
int rp_csv_dialect_parse(const char *name, rp_csv_dialect *out);
const char *rp_csv_dialect_name(rp_csv_dialect d);

/* Writes the start of a file: the BOM for excel-fr, nothing for rfc4180. */
int rp_csv_write_bom(const rp_out *o, rp_csv_dialect d);
/* Writes a text cell following the conventions above (no separator).
 * v == NULL with n == 0 is SQL NULL and writes nothing; an empty value
 * needs a non-NULL pointer. */
int rp_csv_write_text(const rp_out *o, const char *v, size_t n, char sep);
/* Writes a binary cell: \x + hex. */
int rp_csv_write_binary(const rp_out *o, const void *v, size_t n);
/* Writes a plain header cell (column name); same quoting rules as text but
 * never hex: names are UTF-8. */
int rp_csv_write_name(const rp_out *o, const char *v, size_t n, char sep);
/* Appends a cell to b as rp_csv_write_binary (binary) or rp_csv_write_text
 * would write it, in one pass over the value where it can: the writers'
 * path for values that fit in memory. */
int rp_csv_append_cell(rp_buf *b, const char *v, size_t n, bool binary, char sep);
/* Appends a field of a file made to be read rather than restored (the
 * friendly CSV, friendly.h): never hex, no NULL; quoted when it holds the
 * separator, a double quote, CR or LF, or starts with U+FEFF; an empty
 * value is an empty unquoted field. v must be UTF-8 (not checked). */
int rp_csv_append_plain(rp_buf *b, const char *v, size_t n, char sep);
/* NULL is written as nothing; provided for symmetry. */
static inline int rp_csv_write_null(const rp_out *o) { (void)o; return 0; }

/* ---- reading ---- */

/* Read callback: fills up to n bytes, returns bytes read, 0 at end, -1 on
 * error with rp_error set. */
typedef ssize_t (*rp_read_fn)(void *ctx, void *buf, size_t n);

typedef struct rp_csv_field {
	const char *data;  /* unescaped content, valid until the next record */
	size_t len;
	bool quoted;
} rp_csv_field;

typedef struct rp_csv_reader rp_csv_reader;

/* name is used in error messages (e.g. the file's path in the package). A
 * leading UTF-8 BOM is required for excel-fr and refused for rfc4180. */
int rp_csv_reader_new(rp_csv_reader **out, rp_read_fn read, void *ctx,
                      rp_csv_dialect d, const char *name);
/*
 * Reads one record. Returns 1 with *fields / *nfields set (valid until the
 * next call), 0 at the end of input, -1 on malformed input or read error
 * (rp_error set, kind RP_E_INVALID for malformed data, naming the file,
 * the record number and what is wrong: a quote inside an unquoted field,
 * an unterminated quoted field, text after a closing quote, a record not
 * ended by CRLF, a bare CR or LF outside quotes).
 */
int rp_csv_read_record(rp_csv_reader *r, const rp_csv_field **fields, size_t *nfields);
/* Number of the record last returned (1-based, header included). */
uint64_t rp_csv_reader_record_no(const rp_csv_reader *r);
void rp_csv_reader_free(rp_csv_reader *r);

/*
 * Decodes a field into its value. *is_null is set for an empty unquoted
 * field. For binary columns the field must be NULL or \x hex. Returns -1
 * (no rp_error; *why set) when the hex is malformed or a binary column holds
 * something else. The value is written to out (cleared first).
 */
int rp_csv_decode_cell(const rp_csv_field *f, bool binary_column, rp_buf *out,
                       bool *is_null, const char **why);

#endif
