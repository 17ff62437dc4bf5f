/* CSV writing and strict streaming reading (formats/csv.md). */
#include "revpack/csv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/text.h"

#define UTF8_BOM "\xEF\xBB\xBF"
#define UTF8_BOM_LEN 3

/* The reader asks its callback for this many bytes at a time. */
#define READ_CHUNK ((size_t)64 * 1024)

/* Binary cells are hex-encoded this many input bytes at a time. */
#define HEX_CHUNK 2048

/* ---- dialects ---- */

char rp_csv_separator(rp_csv_dialect d)
{
	switch (d) {
	case RP_CSV_RFC4180:
		return ',';
	case RP_CSV_EXCEL_FR:
		return ';';
	}
	return ',';
}

int rp_csv_dialect_parse(const char *name, rp_csv_dialect *out)
{
	if (!name)
		return -1;
	if (strcmp(name, "rfc4180") == 0) {
		*out = RP_CSV_RFC4180;
		return 0;
	}
	if (strcmp(name, "excel-fr") == 0) {
		*out = RP_CSV_EXCEL_FR;
		return 0;
	}
	return -1;
}

const char *rp_csv_dialect_name(rp_csv_dialect d)
{
	switch (d) {
	case RP_CSV_RFC4180:
		return "rfc4180";
	case RP_CSV_EXCEL_FR:
		return "excel-fr";
	}
	return "unknown";
}

/* ---- writing ---- */

int rp_csv_write_bom(const rp_out *o, rp_csv_dialect d)
{
	switch (d) {
	case RP_CSV_RFC4180:
		return 0;
	case RP_CSV_EXCEL_FR:
		return rp_out_write(o, UTF8_BOM, UTF8_BOM_LEN);
	}
	return rp_error_set(RP_E_INTERNAL, "unknown CSV dialect %d", (int)d);
}

/*
 * A field is quoted when it is empty (so that it is not NULL), holds the
 * separator, a double quote, CR or LF, or starts with U+FEFF (so that the
 * first field of a file never looks like a byte order mark).
 */
static bool needs_quotes(const char *v, size_t n, char sep)
{
	const char stop[4] = { sep, '"', '\r', '\n' };

	return n == 0 || (n >= UTF8_BOM_LEN && memcmp(v, UTF8_BOM, UTF8_BOM_LEN) == 0) ||
	       rp_span_not(v, n, stop, sizeof stop) < n;
}

/* Writes v as one field, quoted or not, in runs between quotes. */
static int write_field_as(const rp_out *o, const char *v, size_t n, bool quote)
{
	const char *p, *q, *end;

	if (!quote)
		return rp_out_write(o, v, n);
	if (rp_out_write(o, "\"", 1) < 0)
		return -1;
	p = v;
	end = v + n;
	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		/* The run up to and including the quote, then a second quote. */
		if (rp_out_write(o, p, (size_t)(q - p) + 1) < 0 ||
		    rp_out_write(o, "\"", 1) < 0)
			return -1;
		p = q + 1;
	}
	if (rp_out_write(o, p, (size_t)(end - p)) < 0)
		return -1;
	return rp_out_write(o, "\"", 1);
}

/* Writes v as one field, quoted when needed. */
static int write_field(const rp_out *o, const char *v, size_t n, char sep)
{
	return write_field_as(o, v, n, needs_quotes(v, n, sep));
}

/*
 * What a text cell needs: -1 when it goes out as hex (not UTF-8, or it
 * starts with \x and would read as hex), 1 when it is quoted (needs_quotes),
 * 0 when it goes out as it is. Vector passes, which letters with accents
 * do not stop.
 */
static int text_form(const char *v, size_t n, char sep)
{
	const char stop[2] = { sep, '"' };
	size_t k;

	if (n >= 2 && v[0] == '\\' && v[1] == 'x')
		return -1;
	/* printable ASCII without separator or quote, the common case: one pass */
	k = rp_span_plain(v, n, stop, sizeof stop);
	if (k == n)
		return n == 0;
	if (!rp_utf8_valid(v + k, n - k))
		return -1;
	return needs_quotes(v, n, sep);
}

int rp_csv_write_binary(const rp_out *o, const void *v, size_t n)
{
	char hex[2 + 2 * HEX_CHUNK];
	const uint8_t *p = v;
	size_t done = 0, take, prefix = 2;

	if (!v) {
		/* A NULL pointer is an SQL NULL, as in a MYSQL_ROW. */
		if (n)
			return rp_error_set(RP_E_INTERNAL,
			                    "binary CSV cell: no data for %zu bytes", n);
		return 0;
	}
	hex[0] = '\\';
	hex[1] = 'x';
	do {
		take = n - done < HEX_CHUNK ? n - done : HEX_CHUNK;
		rp_hex_encode(hex + prefix, p + done, take);
		if (rp_out_write(o, hex, prefix + 2 * take) < 0)
			return -1;
		done += take;
		prefix = 0;
	} while (done < n);
	return 0;
}

int rp_csv_write_text(const rp_out *o, const char *v, size_t n, char sep)
{
	int form;

	if (!v) {
		/* A NULL pointer is an SQL NULL, as in a MYSQL_ROW. */
		if (n)
			return rp_error_set(RP_E_INTERNAL,
			                    "text CSV cell: no data for %zu bytes", n);
		return 0;
	}
	form = text_form(v, n, sep);
	if (form < 0)
		return rp_csv_write_binary(o, v, n);
	return write_field_as(o, v, n, form > 0);
}

/* Writes v quoted, quotes doubled, at d (room for 2 * n + 2 bytes);
 * returns the bytes written. */
static size_t put_quoted(char *d, const char *v, size_t n)
{
	const char *p = v, *q, *end = v + n;
	size_t o = 0;

	d[o++] = '"';
	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		memcpy(d + o, p, (size_t)(q - p) + 1);
		o += (size_t)(q - p) + 1;
		d[o++] = '"';
		p = q + 1;
	}
	memcpy(d + o, p, (size_t)(end - p));
	o += (size_t)(end - p);
	d[o++] = '"';
	return o;
}

int rp_csv_append_cell(rp_buf *b, const char *v, size_t n, bool binary, char sep)
{
	int form;
	char *d;

	if (!v) {
		if (n)
			return rp_error_set(RP_E_INTERNAL, "CSV cell: no data for %zu bytes", n);
		return 0;
	}
	form = binary ? -1 : text_form(v, n, sep);
	if (rp_buf_grow(b, 2 * n + 2) < 0)
		return -1;
	d = b->data + b->len;
	if (form < 0) {
		d[0] = '\\';
		d[1] = 'x';
		rp_hex_encode(d + 2, v, n);
		b->len += 2 * n + 2;
	} else if (form == 0) {
		memcpy(d, v, n);
		b->len += n;
	} else {
		b->len += put_quoted(d, v, n);
	}
	b->data[b->len] = '\0';
	return 0;
}

int rp_csv_append_plain(rp_buf *b, const char *v, size_t n, char sep)
{
	bool quote;

	if (!n)
		return 0;
	quote = needs_quotes(v, n, sep);
	if (rp_buf_grow(b, 2 * n + 2) < 0)
		return -1;
	if (quote) {
		b->len += put_quoted(b->data + b->len, v, n);
	} else {
		memcpy(b->data + b->len, v, n);
		b->len += n;
	}
	b->data[b->len] = '\0';
	return 0;
}

int rp_csv_write_name(const rp_out *o, const char *v, size_t n, char sep)
{
	if (!v && n)
		return rp_error_set(RP_E_INTERNAL, "CSV header cell: no data for %zu bytes", n);
	return write_field(o, v, n, sep);
}

/* ---- reading ---- */

struct rp_csv_reader {
	rp_read_fn read;
	void *ctx;
	rp_csv_dialect dialect;
	char sep;
	char *name;

	unsigned char *chunk;   /* READ_CHUNK bytes; unread ones are [pos, end) */
	size_t pos, end;
	bool eof;               /* the callback returned 0 */
	bool started;           /* the BOM rule was checked */
	bool done;              /* 0 was returned */
	bool failed;            /* -1 was returned */

	rp_buf data;            /* the current record's field contents, back to back */
	rp_csv_field *fields;
	size_t *starts;         /* offset of each field in data */
	size_t nfields, fields_cap;
	uint64_t record_no;
};

int rp_csv_reader_new(rp_csv_reader **out, rp_read_fn read, void *ctx,
                      rp_csv_dialect d, const char *name)
{
	rp_csv_reader *r;

	*out = NULL;
	r = rp_calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->read = read;
	r->ctx = ctx;
	r->dialect = d;
	r->sep = rp_csv_separator(d);
	r->name = rp_strdup(name ? name : "CSV input");
	r->chunk = rp_malloc(READ_CHUNK);
	/* Allocate data now so that field pointers are never NULL. */
	if (!r->name || !r->chunk || rp_buf_grow(&r->data, 0) < 0) {
		rp_csv_reader_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void rp_csv_reader_free(rp_csv_reader *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->chunk);
	rp_buf_free(&r->data);
	free(r->fields);
	free(r->starts);
	free(r);
}

uint64_t rp_csv_reader_record_no(const rp_csv_reader *r)
{
	return r->record_no;
}

/* Makes at least want bytes available unless the input ends first. */
static int fill(rp_csv_reader *r, size_t want)
{
	ssize_t got;
	size_t room;

	if (r->pos > 0) {
		memmove(r->chunk, r->chunk + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	while (r->end < want && !r->eof) {
		room = READ_CHUNK - r->end;
		got = r->read(r->ctx, r->chunk + r->end, room);
		if (got < 0)
			return -1;
		if ((size_t)got > room)
			return rp_error_set(RP_E_INTERNAL,
			                    "%s: read callback returned more than asked", r->name);
		if (got == 0)
			r->eof = true;
		r->end += (size_t)got;
	}
	return 0;
}

/* 1 when a byte is available, 0 at the end of input, -1 on a read error. */
static int more(rp_csv_reader *r)
{
	if (r->pos < r->end)
		return 1;
	if (fill(r, 1) < 0)
		return -1;
	return r->pos < r->end;
}

static int malformed(const rp_csv_reader *r, const char *what)
{
	return rp_error_set(RP_E_INVALID, "%s: record %" PRIu64 ", field %zu: %s",
	                    r->name, r->record_no + 1, r->nfields, what);
}

static int check_bom(rp_csv_reader *r)
{
	bool has;

	if (fill(r, UTF8_BOM_LEN) < 0)
		return -1;
	has = r->end - r->pos >= UTF8_BOM_LEN &&
	      memcmp(r->chunk + r->pos, UTF8_BOM, UTF8_BOM_LEN) == 0;
	switch (r->dialect) {
	case RP_CSV_EXCEL_FR:
		if (!has)
			return rp_error_set(RP_E_INVALID,
			                    "%s: record 1: no UTF-8 byte order mark at the start "
			                    "(required by the excel-fr dialect)", r->name);
		r->pos += UTF8_BOM_LEN;
		break;
	case RP_CSV_RFC4180:
		if (has)
			return rp_error_set(RP_E_INVALID,
			                    "%s: record 1: UTF-8 byte order mark at the start "
			                    "(not allowed in the rfc4180 dialect)", r->name);
		break;
	}
	r->started = true;
	return 0;
}

static int begin_field(rp_csv_reader *r)
{
	rp_csv_field *fields;
	size_t *starts, cap;

	if (r->nfields == r->fields_cap) {
		cap = r->fields_cap ? r->fields_cap * 2 : 32;
		if (cap > SIZE_MAX / sizeof *fields)
			return rp_error_nomem();
		fields = rp_realloc(r->fields, cap * sizeof *fields);
		if (!fields)
			return -1;
		r->fields = fields;
		starts = rp_realloc(r->starts, cap * sizeof *starts);
		if (!starts)
			return -1;
		r->starts = starts;
		r->fields_cap = cap;
	}
	r->starts[r->nfields] = r->data.len;
	r->fields[r->nfields].data = NULL;
	r->fields[r->nfields].len = 0;
	r->fields[r->nfields].quoted = false;
	r->nfields++;
	return 0;
}

/* Points the fields into data, now that it no longer moves. */
static void finish_record(rp_csv_reader *r)
{
	size_t i, end;

	for (i = 0; i < r->nfields; i++) {
		end = i + 1 < r->nfields ? r->starts[i + 1] : r->data.len;
		r->fields[i].data = r->data.data + r->starts[i];
		r->fields[i].len = end - r->starts[i];
	}
	r->record_no++;
}

enum read_state {
	AT_FIELD_START,
	IN_UNQUOTED,
	IN_QUOTED,
	AFTER_QUOTE,
	AFTER_CR
};

int rp_csv_read_record(rp_csv_reader *r, const rp_csv_field **fields, size_t *nfields)
{
	enum read_state st = AT_FIELD_START;
	const unsigned char *p;
	const void *q;
	unsigned char c, sep = (unsigned char)r->sep;
	size_t avail, run;
	int m;

	*fields = NULL;
	*nfields = 0;
	if (r->failed)
		return rp_error_set(RP_E_INTERNAL, "%s: CSV reader used after an error", r->name);
	if (r->done)
		return 0;
	if (!r->started && check_bom(r) < 0)
		goto failed;

	rp_buf_clear(&r->data);
	r->nfields = 0;
	if (begin_field(r) < 0)
		goto failed;

	for (;;) {
		m = more(r);
		if (m < 0)
			goto failed;
		if (m == 0) {
			switch (st) {
			case AT_FIELD_START:
				if (r->nfields == 1) {
					/* Nothing of a new record was read. */
					r->done = true;
					r->nfields = 0;
					return 0;
				}
				malformed(r, "record not ended by CRLF");
				goto failed;
			case IN_UNQUOTED:
			case AFTER_QUOTE:
				malformed(r, "record not ended by CRLF");
				goto failed;
			case IN_QUOTED:
				malformed(r, "unterminated quoted field");
				goto failed;
			case AFTER_CR:
				malformed(r, "bare CR outside quotes (not followed by LF)");
				goto failed;
			}
		}

		p = r->chunk + r->pos;
		avail = r->end - r->pos;
		switch (st) {
		case AT_FIELD_START:
			if (*p == '"') {
				r->pos++;
				r->fields[r->nfields - 1].quoted = true;
				st = IN_QUOTED;
				continue;
			}
			st = IN_UNQUOTED;
			continue;

		case IN_UNQUOTED:
			for (run = 0; run < avail; run++) {
				c = p[run];
				if (c == sep || c == '"' || c == '\r' || c == '\n')
					break;
			}
			if (rp_buf_put(&r->data, p, run) < 0)
				goto failed;
			r->pos += run;
			if (run == avail)
				continue;
			if (p[run] == '"') {
				malformed(r, "quote inside an unquoted field");
				goto failed;
			}
			break;  /* a separator or a line end: handled below */

		case IN_QUOTED:
			q = memchr(p, '"', avail);
			run = q ? (size_t)((const unsigned char *)q - p) : avail;
			if (rp_buf_put(&r->data, p, run) < 0)
				goto failed;
			r->pos += run;
			if (q) {
				r->pos++;
				st = AFTER_QUOTE;
			}
			continue;

		case AFTER_QUOTE:
			if (*p == '"') {
				/* A doubled quote stands for one. */
				if (rp_buf_putc(&r->data, '"') < 0)
					goto failed;
				r->pos++;
				st = IN_QUOTED;
				continue;
			}
			if (*p != sep && *p != '\r' && *p != '\n') {
				malformed(r, "text after a closing quote");
				goto failed;
			}
			break;  /* a separator or a line end: handled below */

		case AFTER_CR:
			if (*p != '\n') {
				malformed(r, "bare CR outside quotes (not followed by LF)");
				goto failed;
			}
			r->pos++;
			finish_record(r);
			*fields = r->fields;
			*nfields = r->nfields;
			return 1;
		}

		/* The end of an unquoted or quoted field: a separator, CR or LF. */
		c = r->chunk[r->pos];
		if (c == '\n') {
			malformed(r, "bare LF outside quotes (records end with CRLF)");
			goto failed;
		}
		r->pos++;
		if (c == '\r') {
			st = AFTER_CR;
		} else {
			if (begin_field(r) < 0)
				goto failed;
			st = AT_FIELD_START;
		}
	}

failed:
	r->failed = true;
	return -1;
}

/* ---- decoding ---- */

int rp_csv_decode_cell(const rp_csv_field *f, bool binary_column, rp_buf *out,
                       bool *is_null, const char **why)
{
	size_t ndigits;

	rp_buf_clear(out);
	*is_null = false;
	if (!f->quoted && f->len == 0) {
		*is_null = true;
		return 0;
	}
	if (f->len >= 2 && f->data[0] == '\\' && f->data[1] == 'x') {
		ndigits = f->len - 2;
		if (ndigits % 2) {
			*why = "odd number of hex digits after \\x";
			return -1;
		}
		if (rp_buf_grow(out, ndigits / 2) < 0) {
			*why = "out of memory";
			return -1;
		}
		if (rp_hex_decode((uint8_t *)out->data, f->data + 2, ndigits) < 0) {
			rp_buf_clear(out);
			*why = "invalid hex digit after \\x";
			return -1;
		}
		out->len = ndigits / 2;
		out->data[out->len] = '\0';
		return 0;
	}
	if (binary_column) {
		*why = "binary column value is neither empty nor \\x followed by hex";
		return -1;
	}
	if (rp_buf_put(out, f->data, f->len) < 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}
