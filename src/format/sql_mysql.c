/*
 * dump.sql for MySQL/MariaDB sources (formats/sql.md): one file that the
 * stock client restores into whatever empty database it is given:
 *   mysql NEWDB < dump.sql
 * Order: settings, tables, data, views, routines, triggers (after the data,
 * so they do not fire on restore), events, settings restored.
 */
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/ordered.h"
#include "revpack/text.h"
#include "revpack/timeutil.h"
#include "revpack/writer.h"

/* A multi-row INSERT is closed once it passes this size, well under the
 * 16 MiB max_allowed_packet servers and clients use by default. */
#define STATEMENT_TARGET (1024u * 1024u)

typedef struct sql_writer {
	rp_writer base;
	rp_sink *sink;
	rp_out out;
	rp_ordered *data;       /* one section per key range, in table and key order */
	size_t *first_section;  /* per table: the section of its first range */
	uint64_t *max_stmt;     /* per table: largest statement written */
	pthread_mutex_t mu;     /* guards max_stmt */
} sql_writer;

/* One table: what its ranges share. */
typedef struct sql_table {
	size_t idx;
	rp_buf prefix;          /* INSERT INTO `t` (`a`,`b`) VALUES */
} sql_table;

/* One key range's data section. Each range starts its own INSERT: the
 * ranges are the same whatever --jobs is, so the file is too. */
typedef struct sql_chunk {
	const sql_table *st;
	rp_section *sec;
	rp_out out;
	size_t k;
	uint64_t stmt_start;    /* section offset where the open INSERT began */
	bool in_stmt;
	uint64_t max_stmt;
	rp_buf rows;            /* rows not yet handed to the section */
} sql_chunk;

/* Rows are gathered into this many bytes before they go to the section. */
#define ROWS_FLUSH (64u * 1024u)

int rp_mysql_ident(const rp_out *o, const char *name)
{
	const char *run = name;

	if (rp_out_write(o, "`", 1) < 0)
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p != '`')
			continue;
		if (rp_out_write(o, run, (size_t)(p - run + 1)) < 0)
			return -1;
		run = p; /* the backtick is written again: doubled */
	}
	if (rp_out_write(o, run, strlen(run)) < 0)
		return -1;
	return rp_out_write(o, "`", 1);
}

/* Values up to this size are encoded into the range's row buffer; longer
 * ones are streamed in pieces, so that memory does not follow them. */
#define BUFFERED_VALUE_MAX (256u * 1024u)

static int write_hex(const rp_out *o, const char *data, size_t len)
{
	char chunk[2048];

	if (rp_out_write(o, "X'", 2) < 0)
		return -1;
	while (len) {
		size_t n = len > sizeof chunk / 2 ? sizeof chunk / 2 : len;
		rp_hex_encode(chunk, data, n);
		if (rp_out_write(o, chunk, 2 * n) < 0)
			return -1;
		data += n;
		len -= n;
	}
	return rp_out_write(o, "'", 1);
}

/* The letter after the backslash for bytes written escaped, else 0. */
static char escape_letter(uint8_t c)
{
	switch (c) {
	case '\0': return '0';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\032': return 'Z';
	case '\\': return '\\';
	case '\'': return '\'';
	case '"': return '"';
	default: return 0;
	}
}

/* A byte that is not copied as it is: controls, the quotes, the backslash.
 * Bytes from 0x80 up are copied: the text was checked before. */
static bool special(uint8_t c)
{
	return c < 0x20 || c == '\\' || c == '\'' || c == '"';
}

/* Writes the special byte c at dst + *o, escaped when it has a letter. */
static void put_special(char *dst, size_t *o, uint8_t c)
{
	char e = escape_letter(c);

	if (e) {
		dst[(*o)++] = '\\';
		dst[(*o)++] = e;
	} else {
		dst[(*o)++] = (char)c;
	}
}

/*
 * Escapes the n bytes of src into dst (room for 2n bytes) as the inside of
 * a quoted literal, and returns the bytes written. The caller has checked
 * the text (UTF-8 or ASCII as the column needs), so only ASCII controls,
 * quotes and the backslash stop the copy.
 *
 * 16 bytes at a time: the block is stored whole and the output advances up
 * to its first special byte (a store of 16 bytes always fits: o <= 2i and
 * i + 16 <= n).
 */
static size_t escape_into(char *dst, const char *src, size_t n)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t i = 0, o = 0;

#if defined(__SSE2__)
	const __m128i ctl = _mm_set1_epi8(0x1F), bs = _mm_set1_epi8('\\'), sq = _mm_set1_epi8('\''),
	              dq = _mm_set1_epi8('"');
	while (n - i >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		/* unsigned x <= 0x1F: min(x, 0x1F) == x */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x), _mm_cmpeq_epi8(x, bs)),
		                         _mm_or_si128(_mm_cmpeq_epi8(x, sq), _mm_cmpeq_epi8(x, dq)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		size_t k;
		_mm_storeu_si128((__m128i *)(void *)(dst + o), x);
		if (!bits) {
			i += 16;
			o += 16;
			continue;
		}
		k = (size_t)__builtin_ctz(bits);
		i += k;
		o += k;
		put_special(dst, &o, p[i++]);
	}
#endif
	while (i < n) {
		if (!special(p[i]))
			dst[o++] = (char)p[i++];
		else
			put_special(dst, &o, p[i++]);
	}
	return o;
}

static int write_quoted(const rp_out *o, const char *data, size_t len)
{
	char chunk[2 * 4096];

	if (rp_out_write(o, "'", 1) < 0)
		return -1;
	while (len) {
		size_t n = len > sizeof chunk / 2 ? sizeof chunk / 2 : len;
		if (rp_out_write(o, chunk, escape_into(chunk, data, n)) < 0)
			return -1;
		data += n;
		len -= n;
	}
	return rp_out_write(o, "'", 1);
}

static bool numeric_text(const char *d, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = d[i];
		if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
			return false;
	}
	return true;
}

/* utf8, utf8mb3, utf8mb4 (asked once per value: no library call) */
static bool utf8_charset(const char *cs)
{
	return !cs || (cs[0] == 'u' && cs[1] == 't' && cs[2] == 'f' && cs[3] == '8');
}

/*
 * Character sets in which ASCII bytes do not stand for the same ASCII
 * characters: a quoted literal, read as utf8mb4 and converted to the
 * column's set, would not give the stored bytes back. UCS-2, UTF-16 and
 * UTF-32 are several bytes per character ("AB" is 00 41 00 42); swe7 has
 * letters where ASCII has [ \ ] { | } ~ @ `; sjis converts the backslash
 * back as 81 5F, not 5C.
 */
static bool ascii_incompatible(const char *cs)
{
	static const char *const sets[] = { "ucs2", "utf16", "utf16le", "utf32", "swe7", "sjis" };

	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		if (strcmp(cs, sets[i]) == 0)
			return true;
	return false;
}

/* Text the column's character set allows as it is (else it is written as
 * hex): well-formed UTF-8 for a UTF-8 column, ASCII for any other whose
 * ASCII bytes are ASCII characters. */
static bool text_writable(const rp_column *c, const char *data, size_t len)
{
	if (utf8_charset(c->charset))
		return rp_utf8_valid(data, len);
	return !ascii_incompatible(c->charset) && rp_ascii_only(data, len);
}

int rp_mysql_literal(const rp_out *o, const rp_column *c, const char *data, size_t len)
{
	if (!data)
		return rp_out_write(o, "NULL", 4);
	switch (c->cls) {
	case RP_CLASS_BINARY:
	case RP_CLASS_BIT:
		return write_hex(o, data, len);
	case RP_CLASS_INTEGER:
	case RP_CLASS_DECIMAL:
	case RP_CLASS_FLOAT:
		if (numeric_text(data, len))
			return rp_out_write(o, data, len);
		return write_quoted(o, data, len);
	case RP_CLASS_TEXT:
	case RP_CLASS_TEMPORAL:
	case RP_CLASS_OTHER:
		break;
	}
	if (text_writable(c, data, len))
		return write_quoted(o, data, len);
	return write_hex(o, data, len);
}

int rp_mysql_literal_buf(rp_buf *b, const rp_column *c, const char *data, size_t len)
{
	bool hex;
	char *d;

	if (!data)
		return rp_buf_put(b, "NULL", 4);
	switch (c->cls) {
	case RP_CLASS_BINARY:
	case RP_CLASS_BIT:
		hex = true;
		break;
	case RP_CLASS_INTEGER:
	case RP_CLASS_DECIMAL:
	case RP_CLASS_FLOAT:
		if (numeric_text(data, len))
			return rp_buf_put(b, data, len);
		hex = false;
		break;
	case RP_CLASS_TEXT:
	case RP_CLASS_TEMPORAL:
	case RP_CLASS_OTHER:
	default:
		hex = !text_writable(c, data, len);
		break;
	}
	if (rp_buf_grow(b, 2 * len + 3) < 0)
		return -1;
	d = b->data + b->len;
	if (!hex) {
		size_t n;
		d[0] = '\'';
		n = escape_into(d + 1, data, len);
		d[n + 1] = '\'';
		b->len += n + 2;
		b->data[b->len] = '\0';
		return 0;
	}
	d[0] = 'X';
	d[1] = '\'';
	rp_hex_encode(d + 2, data, len);
	d[2 * len + 2] = '\'';
	b->len += 2 * len + 3;
	b->data[b->len] = '\0';
	return 0;
}

static int put_to(const rp_out *o, const char *str)
{
	return rp_out_write(o, str, strlen(str));
}

static int put(sql_writer *s, const char *str)
{
	return put_to(&s->out, str);
}

static int putf(sql_writer *s, const char *fmt, ...) RP_PRINTF(2, 3);
static int putf(sql_writer *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		return rp_error_set(RP_E_INTERNAL, "SQL header line too long");
	return rp_out_write(&s->out, buf, (size_t)n);
}

/* Writes a statement with ";" unless it already ends with one. */
static int put_statement(sql_writer *s, const char *ddl, const char *terminator)
{
	size_t n = strlen(ddl);

	while (n && (ddl[n - 1] == '\n' || ddl[n - 1] == ' ' || ddl[n - 1] == ';'))
		n--;
	if (rp_out_write(&s->out, ddl, n) < 0)
		return -1;
	return put(s, terminator);
}

static int sw_begin(rp_writer *w)
{
	sql_writer *s = (sql_writer *)w;
	rp_source *src = w->env->src;
	rp_schema *sc = w->env->schema;
	rp_buf path = RP_BUF_INIT;
	char started[21];
	size_t nsections = 0;
	int rc = -1;

	if (rp_buf_printf(&path, "%s/dump.sql", w->env->dir) < 0 ||
	    rp_package_open(w->env->pkg, path.data, &s->sink) < 0)
		goto out;
	s->out = rp_sink_out(s->sink);
	rp_time_iso((time_t)src->info.snapshot_started, started);
	if (putf(s, "-- revpack %s: SQL dump of source \"%s\"\n", REVPACK_VERSION, src->name) < 0 ||
	    putf(s, "-- Server: %s %s, database %s\n", src->info.product, src->info.version, src->info.database) < 0 ||
	    putf(s, "-- Snapshot: %s (server clock %s), %s\n", started,
	         src->info.snapshot_server_time ? src->info.snapshot_server_time : "unknown",
	         src->info.snapshot_method) < 0 ||
	    put(s, "--\n"
	           "-- Restore into an empty database (create it first) with the stock client:\n"
	           "--   mysql NEWDB < dump.sql\n"
	           "-- The file creates no database and selects none. Definers (DEFINER=...) were\n"
	           "-- removed so that any account can restore it; they are listed in inventory.xml.\n"
	           "-- Text is written as the bytes stored at the source; values that are not\n"
	           "-- UTF-8 (and binary columns) are hexadecimal literals X'...'.\n\n") < 0)
		goto out;
	if (put(s, "SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT;\n"
	           "SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS;\n"
	           "SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION;\n"
	           "SET NAMES utf8mb4;\n"
	           "SET @OLD_TIME_ZONE=@@TIME_ZONE, TIME_ZONE='+00:00';\n"
	           "SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;\n"
	           "SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;\n"
	           "SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO';\n"
	           "SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0;\n\n") < 0)
		goto out;
	for (size_t i = 0; i < sc->ntables; i++) {
		rp_table *t = &sc->tables[i];
		if (put(s, "--\n-- Table ") < 0 || rp_mysql_ident(&s->out, t->name) < 0 || put(s, "\n--\n") < 0 ||
		    put_statement(s, t->ddl, ";\n\n") < 0)
			goto out;
	}
	if (!(s->max_stmt = rp_calloc(sc->ntables + 1, sizeof *s->max_stmt)) ||
	    !(s->first_section = rp_calloc(sc->ntables + 1, sizeof *s->first_section)))
		goto out;
	for (size_t i = 0; i < sc->ntables; i++) {
		s->first_section[i] = nsections;
		nsections += sc->tables[i].nchunks ? sc->tables[i].nchunks : 1;
	}
	rp_buf_clear(&path);
	if (rp_buf_printf(&path, "data/%s/.sql-sections", w->env->dir) < 0 ||
	    rp_ordered_new(&s->data, rp_sink_out(s->sink), rp_package_root_fd(w->env->pkg), path.data, nsections) < 0)
		goto out;
	rc = 0;
out:
	rp_buf_free(&path);
	return rc;
}

static void st_free(sql_table *st)
{
	rp_buf_free(&st->prefix);
	free(st);
}

static int sw_table_begin(rp_writer *w, rp_table *t, void **tctx)
{
	sql_table *st = rp_calloc(1, sizeof *st);
	rp_out bo;
	bool first = true;

	*tctx = NULL;
	if (!st)
		return -1;
	bo = rp_out_buf(&st->prefix);
	st->idx = (size_t)(t - w->env->schema->tables);
	if (rp_buf_puts(&st->prefix, "INSERT INTO ") < 0 || rp_mysql_ident(&bo, t->name) < 0 ||
	    rp_buf_puts(&st->prefix, " (") < 0)
		goto fail;
	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i].generated)
			continue;
		if (!first && rp_buf_putc(&st->prefix, ',') < 0)
			goto fail;
		first = false;
		if (rp_mysql_ident(&bo, t->cols[i].name) < 0)
			goto fail;
	}
	if (rp_buf_puts(&st->prefix, ") VALUES\n") < 0)
		goto fail;
	*tctx = st;
	return 0;
fail:
	st_free(st);
	return -1;
}

static int sw_chunk_begin(rp_writer *w, void *tctx, rp_table *t, size_t k, void **cctx)
{
	sql_writer *s = (sql_writer *)w;
	sql_table *st = tctx;
	sql_chunk *sc = rp_calloc(1, sizeof *sc);

	*cctx = NULL;
	if (!sc)
		return -1;
	sc->k = k;
	sc->st = st;
	if (rp_ordered_begin(s->data, s->first_section[st->idx] + k, &sc->sec, &sc->out) < 0) {
		free(sc);
		return -1;
	}
	*cctx = sc;
	if (k > 0)
		return 0;
	if (put_to(&sc->out, "--\n-- Data of ") < 0 || rp_mysql_ident(&sc->out, t->name) < 0 ||
	    put_to(&sc->out, "\n--\n") < 0)
		return -1;
	if (!t->in_snapshot && put_to(&sc->out, "-- (engine outside the snapshot: rows as read at export time)\n") < 0)
		return -1;
	return 0;
}

/* Bytes of the range so far, the gathered rows included. */
static uint64_t chunk_bytes(const sql_chunk *sc)
{
	return rp_section_bytes(sc->sec) + sc->rows.len;
}

static void chunk_free(sql_writer *s, sql_chunk *sc)
{
	rp_ordered_abort(s->data, sc->sec);
	rp_buf_free(&sc->rows);
	free(sc);
}

static int close_statement(sql_chunk *sc)
{
	uint64_t size;

	if (!sc->in_stmt)
		return 0;
	if (rp_buf_put(&sc->rows, ";\n", 2) < 0)
		return -1;
	size = chunk_bytes(sc) - sc->stmt_start;
	if (size > sc->max_stmt)
		sc->max_stmt = size;
	sc->in_stmt = false;
	return 0;
}

static int sw_row(rp_writer *w, void *cctx, const rp_table *t, const rp_value *v, size_t n)
{
	sql_chunk *sc = cctx;
	rp_buf *b = &sc->rows;
	bool first = true;

	(void)w;
	if (sc->in_stmt) {
		if (rp_buf_put(b, ",\n(", 3) < 0)
			return -1;
	} else {
		sc->stmt_start = chunk_bytes(sc);
		if (rp_buf_put(b, sc->st->prefix.data, sc->st->prefix.len) < 0 || rp_buf_putc(b, '(') < 0)
			return -1;
		sc->in_stmt = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (t->cols[i].generated)
			continue;
		if (!first && rp_buf_putc(b, ',') < 0)
			return -1;
		first = false;
		if (v[i].len <= BUFFERED_VALUE_MAX) {
			if (rp_mysql_literal_buf(b, &t->cols[i], v[i].data, v[i].len) < 0)
				return -1;
		} else if (rp_out_drain(&sc->out, &sc->rows) < 0 ||
		           rp_mysql_literal(&sc->out, &t->cols[i], v[i].data, v[i].len) < 0) {
			return -1;
		}
	}
	if (rp_buf_putc(b, ')') < 0)
		return -1;
	if (chunk_bytes(sc) - sc->stmt_start >= STATEMENT_TARGET && close_statement(sc) < 0)
		return -1;
	if (b->len >= ROWS_FLUSH)
		return rp_out_drain(&sc->out, &sc->rows);
	return 0;
}

static int sw_chunk_end(rp_writer *w, void *tctx, void *cctx, rp_table *t)
{
	sql_writer *s = (sql_writer *)w;
	sql_table *st = tctx;
	sql_chunk *sc = cctx;
	int rc = close_statement(sc);

	if (rc == 0 && sc->k + 1 == (t->nchunks ? t->nchunks : 1))
		rc = rp_buf_putc(&sc->rows, '\n');
	if (rc == 0)
		rc = rp_out_drain(&sc->out, &sc->rows);
	pthread_mutex_lock(&s->mu);
	if (sc->max_stmt > s->max_stmt[st->idx])
		s->max_stmt[st->idx] = sc->max_stmt;
	pthread_mutex_unlock(&s->mu);
	if (rc == 0) {
		rc = rp_ordered_end(s->data, sc->sec);
		sc->sec = NULL;
	}
	chunk_free(s, sc);
	return rc;
}

static void sw_chunk_abort(rp_writer *w, void *tctx, void *cctx)
{
	(void)tctx;
	if (cctx)
		chunk_free((sql_writer *)w, cctx);
}

static int sw_table_end(rp_writer *w, void *tctx, rp_table *t)
{
	(void)w;
	(void)t;
	st_free(tctx);
	return 0;
}

static void sw_table_abort(rp_writer *w, void *tctx)
{
	(void)w;
	if (tctx)
		st_free(tctx);
}

/* Routines, triggers and events: their bodies hold ';', so they go
 * between DELIMITER lines, under the sql_mode they were created with. */
static int put_compound(sql_writer *s, const rp_object *o)
{
	if (put(s, "--\n-- ") < 0 || put(s, rp_objkind_name(o->kind)) < 0 || put(s, " ") < 0 ||
	    rp_mysql_ident(&s->out, o->name) < 0 || put(s, "\n--\n") < 0)
		return -1;
	if (o->sql_mode) {
		rp_out *out = &s->out;
		if (put(s, "SET SESSION SQL_MODE=") < 0 ||
		    rp_mysql_literal(out, &(rp_column){ .cls = RP_CLASS_TEXT }, o->sql_mode, strlen(o->sql_mode)) < 0 ||
		    put(s, ";\n") < 0)
			return -1;
	}
	if (put(s, "DELIMITER ;;\n") < 0 || put_statement(s, o->ddl, ";;\n") < 0 || put(s, "DELIMITER ;\n") < 0)
		return -1;
	if (o->sql_mode && put(s, "SET SESSION SQL_MODE='NO_AUTO_VALUE_ON_ZERO';\n") < 0)
		return -1;
	return put(s, "\n");
}

static int sw_end(rp_writer *w)
{
	sql_writer *s = (sql_writer *)w;
	rp_schema *sc = w->env->schema;
	static const rp_objkind order[] = { RP_OBJ_VIEW, RP_OBJ_FUNCTION, RP_OBJ_PROCEDURE, RP_OBJ_TRIGGER,
		                            RP_OBJ_EVENT };
	rp_buf path = RP_BUF_INIT;
	uint64_t max_stmt = 0;
	int rc = -1;

	if (rp_ordered_finish(s->data) < 0)
		goto out;
	for (size_t i = 0; i < sc->ntables; i++)
		if (s->max_stmt[i] > max_stmt)
			max_stmt = s->max_stmt[i];
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		for (size_t i = 0; i < sc->nobjects; i++) {
			const rp_object *o = &sc->objects[i];
			if (o->kind != order[k])
				continue;
			if (o->kind == RP_OBJ_VIEW) {
				if (put(s, "--\n-- View ") < 0 || rp_mysql_ident(&s->out, o->name) < 0 ||
				    put(s, "\n--\n") < 0 || put_statement(s, o->ddl, ";\n\n") < 0)
					goto out;
			} else if (put_compound(s, o) < 0) {
				goto out;
			}
		}
	}
	if (putf(s, "-- Largest statement: %llu bytes (the restoring server's max_allowed_packet must be larger).\n",
	         (unsigned long long)max_stmt) < 0 ||
	    put(s, "SET SQL_MODE=@OLD_SQL_MODE;\n"
	           "SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;\n"
	           "SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;\n"
	           "SET TIME_ZONE=@OLD_TIME_ZONE;\n"
	           "SET SQL_NOTES=@OLD_SQL_NOTES;\n"
	           "SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT;\n"
	           "SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS;\n"
	           "SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION;\n"
	           "-- End of dump.\n") < 0)
		goto out;
	if (rp_buf_printf(&path, "data/%s/dump.sql", w->env->dir) < 0)
		goto out;
	rc = rp_package_commit(w->env->pkg, s->sink);
	s->sink = NULL;
	if (rc == 0)
		rc = rp_env_add_file(w->env, "sql", path.data);
out:
	rp_buf_free(&path);
	return rc;
}

static void sw_free(rp_writer *w)
{
	sql_writer *s = (sql_writer *)w;
	if (!s)
		return;
	rp_ordered_free(s->data);
	rp_sink_abort(s->sink);
	free(s->max_stmt);
	free(s->first_section);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static const rp_writer_ops sql_mysql_ops = {
	.name = "sql",
	.begin = sw_begin,
	.table_begin = sw_table_begin,
	.chunk_begin = sw_chunk_begin,
	.row = sw_row,
	.chunk_end = sw_chunk_end,
	.chunk_abort = sw_chunk_abort,
	.table_end = sw_table_end,
	.table_abort = sw_table_abort,
	.end = sw_end,
	.free = sw_free,
};

int rp_sql_mysql_writer_new(rp_writer **out, rp_writer_env *env)
{
	sql_writer *s = rp_calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->base.ops = &sql_mysql_ops;
	s->base.env = env;
	pthread_mutex_init(&s->mu, NULL);
	*out = &s->base;
	return 0;
}
