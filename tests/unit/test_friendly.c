/* Unit tests: the cells of the friendly CSV (friendly.h): quoting in both
 * dialects, formula neutralisation, cutting, text made valid UTF-8, PHP
 * serialized values made readable; and the PHP serialize walker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "revpack/buf.h"
#include "revpack/csv.h"
#include "revpack/friendly.h"
#include "revpack/text.h"
#include "revpack/wordpress.h"

/* One cell of v (n bytes) in dialect d, from the site or not. */
static char *cell(rp_csv_dialect d, rp_lang lang, const char *v, size_t n, bool site, rp_friendly_counts *counts)
{
	rp_friendly_cells c;
	rp_buf b = RP_BUF_INIT;

	rp_friendly_cells_init(&c, d, lang);
	assert_int_equal(rp_friendly_cell(&c, &b, v, n, site, counts), 0);
	rp_friendly_cells_free(&c);
	if (!b.data)
		assert_int_equal(rp_buf_puts(&b, ""), 0);
	return rp_buf_detach(&b);
}

static void cell_is(rp_csv_dialect d, const char *v, bool site, const char *want, uint64_t neutralised)
{
	rp_friendly_counts counts = { 0, 0 };
	char *got = cell(d, RP_LANG_FR, v, strlen(v), site, &counts);

	assert_string_equal(got, want);
	assert_int_equal(counts.neutralised, neutralised);
	assert_int_equal(counts.cut, 0);
	free(got);
}

static void test_plain_quoting(void **state)
{
	rp_buf b = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_csv_append_plain(&b, "", 0, ','), 0);
	assert_true(b.len == 0);
	assert_int_equal(rp_csv_append_plain(&b, "plain text", 10, ','), 0);
	assert_string_equal(b.data, "plain text");
	rp_buf_clear(&b);
	/* the other dialect's separator is an ordinary character */
	assert_int_equal(rp_csv_append_plain(&b, "a;b", 3, ','), 0);
	assert_string_equal(b.data, "a;b");
	rp_buf_clear(&b);
	assert_int_equal(rp_csv_append_plain(&b, "a;b", 3, ';'), 0);
	assert_string_equal(b.data, "\"a;b\"");
	rp_buf_clear(&b);
	assert_int_equal(rp_csv_append_plain(&b, "a,b", 3, ','), 0);
	assert_string_equal(b.data, "\"a,b\"");
	rp_buf_clear(&b);
	assert_int_equal(rp_csv_append_plain(&b, "say \"hi\"", 8, ';'), 0);
	assert_string_equal(b.data, "\"say \"\"hi\"\"\"");
	rp_buf_clear(&b);
	assert_int_equal(rp_csv_append_plain(&b, "two\r\nlines\n", 11, ','), 0);
	assert_string_equal(b.data, "\"two\r\nlines\n\"");
	rp_buf_clear(&b);
	/* never hex, even for \x */
	assert_int_equal(rp_csv_append_plain(&b, "\\x41", 4, ','), 0);
	assert_string_equal(b.data, "\\x41");
	rp_buf_clear(&b);
	/* a leading U+FEFF is quoted: the first field never looks like a BOM */
	assert_int_equal(rp_csv_append_plain(&b, "\xef\xbb\xbfx", 4, ','), 0);
	assert_string_equal(b.data, "\"\xef\xbb\xbfx\"");
	rp_buf_free(&b);
}

static void test_neutralised(void **state)
{
	rp_friendly_counts counts = { 0, 0 };
	char *got;

	(void)state;
	/* each character a spreadsheet reads as the start of a formula */
	cell_is(RP_CSV_RFC4180, "=HYPERLINK(\"http://evil.example\",\"clic\")", true,
	        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"clic\"\")\"", 1);
	cell_is(RP_CSV_RFC4180, "+1", true, "'+1", 1);
	cell_is(RP_CSV_RFC4180, "-2", true, "'-2", 1);
	cell_is(RP_CSV_RFC4180, "@SUM(A1)", true, "'@SUM(A1)", 1);
	cell_is(RP_CSV_RFC4180, "\tindented", true, "'\tindented", 1);
	cell_is(RP_CSV_RFC4180, "\rcarriage", true, "\"'\rcarriage\"", 1);
	cell_is(RP_CSV_EXCEL_FR, "=1;2", true, "\"'=1;2\"", 1);
	/* only at the start, only from the site */
	cell_is(RP_CSV_RFC4180, "a=b+c-d@e", true, "a=b+c-d@e", 0);
	cell_is(RP_CSV_RFC4180, " =1", true, " =1", 0);
	cell_is(RP_CSV_RFC4180, "-2", false, "-2", 0);
	cell_is(RP_CSV_RFC4180, "'already quoted", true, "'already quoted", 0);
	cell_is(RP_CSV_RFC4180, "", true, "", 0);
	/* counted once per cell */
	got = cell(RP_CSV_RFC4180, RP_LANG_FR, "==", 2, true, &counts);
	got = (free(got), cell(RP_CSV_RFC4180, RP_LANG_FR, "--", 2, true, &counts));
	assert_string_equal(got, "'--");
	assert_int_equal(counts.neutralised, 2);
	free(got);
}

static void test_text_made_valid(void **state)
{
	rp_friendly_counts counts = { 0, 0 };
	char *got;

	(void)state;
	/* accents, emoji and quotes kept as they are */
	cell_is(RP_CSV_EXCEL_FR, "Caf\xc3\xa9 \xc2\xab cr\xc3\xa8me \xc2\xbb \xf0\x9f\x9b\xa1\xef\xb8\x8f \"x\"", true,
	        "\"Caf\xc3\xa9 \xc2\xab cr\xc3\xa8me \xc2\xbb \xf0\x9f\x9b\xa1\xef\xb8\x8f \"\"x\"\"\"", 0);
	/* a Latin-1 byte read as Windows-1252, a NUL and an ESC as pictures */
	got = cell(RP_CSV_RFC4180, RP_LANG_FR, "caf\xe9\0\x1b", 6, true, &counts);
	assert_string_equal(got, "caf\xc3\xa9\xe2\x90\x80\xe2\x90\x9b");
	assert_true(rp_utf8_valid(got, strlen(got)));
	free(got);
	/* mapped first: a NUL at the start is not a formula */
	got = cell(RP_CSV_RFC4180, RP_LANG_FR, "\0=", 2, true, &counts);
	assert_string_equal(got, "\xe2\x90\x80=");
	assert_int_equal(counts.neutralised, 0);
	free(got);
}

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(rp_friendly_units("", 0), 0);
	assert_int_equal(rp_friendly_units("abc", 3), 3);
	assert_int_equal(rp_friendly_units("\xc3\xa9", 2), 1);
	assert_int_equal(rp_friendly_units("\xe2\x82\xac", 3), 1);
	/* beyond U+FFFF: a surrogate pair, two units */
	assert_int_equal(rp_friendly_units("\xf0\x9f\x9b\xa1", 4), 2);
}

/* Checks a cut cell: length, marker, prefix of the original kept. */
static void check_cut(const char *got, const char *orig, size_t olen, bool neutral, const char *marker)
{
	const char *text = got, *m;
	size_t tlen = strlen(got), kept;

	/* unquote (quoted when the separator is in the marker) */
	if (got[0] == '"') {
		assert_true(tlen > 2 && got[tlen - 1] == '"');
		text++;
		tlen -= 2;
	}
	/* full, but for half an emoji that does not fit */
	assert_true(rp_friendly_units(text, tlen) <= RP_FRIENDLY_CELL_MAX);
	assert_true(rp_friendly_units(text, tlen) >= RP_FRIENDLY_CELL_MAX - 1);
	assert_true(rp_utf8_valid(text, tlen));
	m = strstr(text, marker);
	assert_non_null(m);
	if (neutral) {
		assert_true(text[0] == '\'');
		text++;
	}
	kept = (size_t)(m - text);
	assert_true(kept < olen);
	assert_memory_equal(text, orig, kept);
}

static void test_cut(void **state)
{
	rp_friendly_counts counts = { 0, 0 };
	size_t n = 40000;
	char *big = malloc(4 * n + 1), *got, want[80];

	(void)state;
	assert_non_null(big);
	/* exactly the limit: kept whole; one more: cut */
	memset(big, 'a', RP_FRIENDLY_CELL_MAX);
	got = cell(RP_CSV_RFC4180, RP_LANG_FR, big, RP_FRIENDLY_CELL_MAX, true, &counts);
	assert_int_equal(strlen(got), RP_FRIENDLY_CELL_MAX);
	assert_int_equal(counts.cut, 0);
	free(got);
	big[RP_FRIENDLY_CELL_MAX] = 'a';
	got = cell(RP_CSV_RFC4180, RP_LANG_FR, big, RP_FRIENDLY_CELL_MAX + 1, true, &counts);
	assert_int_equal(counts.cut, 1);
	check_cut(got, big, RP_FRIENDLY_CELL_MAX + 1, false,
	          "\xe2\x80\xa6 [texte coup\xc3\xa9 : 32768 caract\xc3\xa8res en tout ; le texte complet est dans le "
	          "fichier WXR et dans dump.sql]");
	free(got);
	/* the apostrophe counts: the limit with it is cut */
	big[0] = '=';
	got = cell(RP_CSV_RFC4180, RP_LANG_EN, big, RP_FRIENDLY_CELL_MAX, true, &counts);
	assert_int_equal(counts.cut, 2);
	assert_int_equal(counts.neutralised, 1);
	check_cut(got, big, RP_FRIENDLY_CELL_MAX, true,
	          "\xe2\x80\xa6 [text cut: 32768 characters in all; the full text is in the WXR");
	free(got);
	/* emoji (two units each) with a quote: never cut inside a character */
	for (size_t i = 0; i < n; i++)
		memcpy(big + 4 * i, i == 5 ? "\"\"\"\"" : "\xf0\x9f\x9b\xa1", 4);
	got = cell(RP_CSV_EXCEL_FR, RP_LANG_FR, big, 4 * n, true, &counts);
	assert_int_equal(counts.cut, 3);
	assert_true(strncmp(got, "\"\xf0\x9f\x9b\xa1", 5) == 0);
	snprintf(want, sizeof want, "%zu caract\xc3\xa8res en tout", 2 * (n - 1) + 4);
	assert_non_null(strstr(got, want));
	{
		/* undo the doubled quotes of the one quote run to check the rest */
		rp_buf u = RP_BUF_INIT;
		size_t len = strlen(got);
		assert_int_equal(rp_buf_putc(&u, '"'), 0);
		for (size_t i = 1; i + 1 < len; i++) {
			assert_int_equal(rp_buf_putc(&u, got[i]), 0);
			if (got[i] == '"')
				i++;
		}
		assert_int_equal(rp_buf_putc(&u, '"'), 0);
		check_cut(u.data, big, 4 * n, false, "\xe2\x80\xa6 [texte coup\xc3\xa9");
		rp_buf_free(&u);
	}
	free(got);
	free(big);
}

/* A cell read back with revpack's strict CSV reader in each dialect. */
typedef struct mem {
	const char *s;
	size_t n, at;
} mem;

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	mem *m = ctx;
	size_t k = m->n - m->at < n ? m->n - m->at : n;

	memcpy(buf, m->s + m->at, k);
	m->at += k;
	return (ssize_t)k;
}

static void test_read_back(void **state)
{
	static const char *const values[] = { "=1+1", "a;b,c", "\"q\"", "two\nlines", "", "caf\xc3\xa9", "-", "@x" };
	static const char *const want[] = { "'=1+1", "a;b,c", "\"q\"", "two\nlines", "", "caf\xc3\xa9", "'-", "'@x" };

	(void)state;
	for (int d = 0; d < 2; d++) {
		rp_csv_dialect dialect = d ? RP_CSV_EXCEL_FR : RP_CSV_RFC4180;
		rp_friendly_cells c;
		rp_friendly_counts counts = { 0, 0 };
		rp_buf b = RP_BUF_INIT;
		rp_out o = rp_out_buf(&b);
		rp_csv_reader *r;
		const rp_csv_field *f;
		size_t nf;
		mem m;

		rp_friendly_cells_init(&c, dialect, RP_LANG_FR);
		assert_int_equal(rp_csv_write_bom(&o, dialect), 0);
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
			if (i)
				assert_int_equal(rp_buf_putc(&b, rp_csv_separator(dialect)), 0);
			assert_int_equal(rp_friendly_cell(&c, &b, values[i], strlen(values[i]), true, &counts), 0);
		}
		assert_int_equal(rp_buf_puts(&b, "\r\n"), 0);
		m = (mem){ b.data, b.len, 0 };
		assert_int_equal(rp_csv_reader_new(&r, mem_read, &m, dialect, "test"), 0);
		assert_int_equal(rp_csv_read_record(r, &f, &nf), 1);
		assert_int_equal(nf, sizeof want / sizeof want[0]);
		for (size_t i = 0; i < nf; i++) {
			assert_int_equal(f[i].len, strlen(want[i]));
			assert_memory_equal(f[i].data, want[i], f[i].len);
		}
		assert_int_equal(rp_csv_read_record(r, &f, &nf), 0);
		assert_int_equal(counts.neutralised, 3);
		rp_csv_reader_free(r);
		rp_friendly_cells_free(&c);
		rp_buf_free(&b);
	}
}

static void php_is(const char *s, rp_lang lang, int want_rc, const char *want)
{
	rp_buf b = RP_BUF_INIT;

	assert_int_equal(rp_friendly_php_text(&b, s, strlen(s), lang), want_rc);
	if (want_rc == 1)
		assert_string_equal(b.data, want);
	else
		assert_true(b.len == 0);
	rp_buf_free(&b);
}

static void test_php_text(void **state)
{
	(void)state;
	php_is("s:6:\"Sant\xc3\xa9\";", RP_LANG_FR, 1, "Sant\xc3\xa9");
	php_is("i:-42;", RP_LANG_FR, 1, "-42");
	php_is("d:0.5;", RP_LANG_FR, 1, "0.5");
	php_is("b:1;", RP_LANG_FR, 1, "oui");
	php_is("b:0;", RP_LANG_EN, 1, "no");
	php_is("N;", RP_LANG_FR, 1, "");
	/* a checkbox field: a list */
	php_is("a:2:{i:0;s:6:\"Sant\xc3\xa9\";i:1;s:11:\"Pr\xc3\xa9voyance\";}", RP_LANG_FR, 1,
	       "Sant\xc3\xa9, Pr\xc3\xa9voyance");
	php_is("a:0:{}", RP_LANG_FR, 1, "");
	/* keys and nesting */
	php_is("a:3:{s:9:\"remote_ip\";s:10:\"192.0.2.10\";s:4:\"spam\";b:0;s:4:\"tags\";a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}}",
	       RP_LANG_EN, 1, "remote_ip: 192.0.2.10\nspam: no\ntags: a, b");
	php_is("a:2:{s:3:\"log\";a:1:{i:0;a:2:{s:5:\"agent\";s:8:\"flamingo\";s:6:\"reason\";s:2:\"ok\";}}s:1:\"n\";i:1;}",
	       RP_LANG_FR, 1, "log:\n  0:\n    agent: flamingo\n    reason: ok\nn: 1");
	/* keys not 0, 1, 2...: lines */
	php_is("a:2:{i:1;s:1:\"x\";i:0;s:1:\"y\";}", RP_LANG_FR, 1, "1: x\n0: y");
	php_is("O:8:\"stdClass\":1:{s:4:\"taux\";d:1.5;}", RP_LANG_FR, 1, "taux: 1.5");
	/* not serialized: left to the caller */
	php_is("plain text", RP_LANG_FR, 0, NULL);
	php_is("s:9:\"too short\";x", RP_LANG_FR, 0, NULL);
	php_is("a:1:{s:4:\"file\";s:9:\"a.jpg\";}", RP_LANG_FR, 0, NULL);
	php_is("", RP_LANG_FR, 0, NULL);
}

static int log_item(void *ctx, const rp_php_item *it)
{
	static const char *const kinds[] = { "null", "bool", "int", "float", "string", "array", "end" };
	rp_buf *log = ctx;

	assert_int_equal(rp_buf_printf(log, "%s%d%s:", it->key ? "k" : "", it->depth, kinds[it->kind]), 0);
	assert_int_equal(rp_buf_put(log, it->text ? it->text : "", it->len), 0);
	assert_int_equal(rp_buf_printf(log, ":%lld ", it->kind == RP_PHP_ARRAY ? (long long)it->count : it->num), 0);
	return 0;
}

static int refuse(void *ctx, const rp_php_item *it)
{
	(void)ctx;
	return it->kind == RP_PHP_STRING ? -1 : 0;
}

static void test_php_walk(void **state)
{
	rp_buf w = RP_BUF_INIT;

	(void)state;
	assert_int_equal(rp_php_walk("a:2:{s:1:\"a\";b:1;i:7;a:1:{i:0;N;}}", 34, log_item, &w), 0);
	assert_string_equal(w.data, "0array::2 k1string:a:0 1bool:1:1 k1int:7:7 1array::1 k2int:0:0 2null::0 1end::0 "
	                            "0end::0 ");
	rp_buf_clear(&w);
	assert_int_equal(rp_php_walk("i:-3;", 5, log_item, &w), 0);
	assert_string_equal(w.data, "0int:-3:-3 ");
	assert_int_equal(rp_php_walk("i:3;x", 5, log_item, &w), -1);
	assert_int_equal(rp_php_walk("s:1:\"a\";", 8, refuse, &w), -2);
	rp_buf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_quoting), cmocka_unit_test(test_neutralised),
		cmocka_unit_test(test_text_made_valid), cmocka_unit_test(test_units),
		cmocka_unit_test(test_cut),           cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_php_text),      cmocka_unit_test(test_php_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
