/* Unit tests: text made fit for XML (xmltext.h), CDATA splitting, the
 * WXR writer's channel, and the WordPress helpers (PHP serialize scan,
 * esc_url). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/package.h"
#include "revpack/text.h"
#include "revpack/wordpress.h"
#include "revpack/wxr.h"
#include "revpack/xmltext.h"

/* Maps s (n bytes) and checks the result and the counts. */
static void map_is(const char *s, size_t n, const char *want, uint64_t invalid, uint64_t controls, uint64_t nonchars)
{
	rp_buf b = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };

	assert_int_equal(rp_xml_map(&b, s, n, &fix), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, want);
	assert_int_equal(fix.invalid, invalid);
	assert_int_equal(fix.controls, controls);
	assert_int_equal(fix.nonchars, nonchars);
	assert_true(rp_utf8_valid(b.data, b.len));
	assert_true(rp_xml_clean(b.data, b.len));
	rp_buf_free(&b);
}
#define MAP(lit, want, i, c, nc) map_is(lit, sizeof(lit) - 1, want, i, c, nc)

static void test_clean_text_unchanged(void **state)
{
	(void)state;
	MAP("", "", 0, 0, 0);
	MAP("plain ASCII, <tags> & \"quotes\"", "plain ASCII, <tags> & \"quotes\"", 0, 0, 0);
	MAP("tab\tLF\nCR\r kept", "tab\tLF\nCR\r kept", 0, 0, 0);
	MAP("caf\xc3\xa9 \xf0\x9f\x9b\xa1\xef\xb8\x8f \xe2\x80\xaf", "caf\xc3\xa9 \xf0\x9f\x9b\xa1\xef\xb8\x8f \xe2\x80\xaf",
	    0, 0, 0);
	MAP("DEL \x7f is allowed", "DEL \x7f is allowed", 0, 0, 0);
	MAP("U+FFFD \xef\xbf\xbd and U+10FFFF \xf4\x8f\xbf\xbf", "U+FFFD \xef\xbf\xbd and U+10FFFF \xf4\x8f\xbf\xbf", 0,
	    0, 0);
	assert_true(rp_xml_clean("caf\xc3\xa9", 5));
	assert_false(rp_xml_clean("caf\xe9", 4));
	assert_false(rp_xml_clean("a\0b", 3));
}

static void test_controls_become_pictures(void **state)
{
	(void)state;
	/* NUL is U+2400, ESC U+241B, VT U+240B, US U+241F */
	map_is("a\0b", 3, "a\xe2\x90\x80" "b", 0, 1, 0);
	MAP("\x1b[1m", "\xe2\x90\x9b[1m", 0, 1, 0);
	MAP("\x0b\x0c\x1f", "\xe2\x90\x8b\xe2\x90\x8c\xe2\x90\x9f", 0, 3, 0);
	MAP("\x01", "\xe2\x90\x81", 0, 1, 0);
}

static void test_invalid_bytes_as_windows_1252(void **state)
{
	(void)state;
	/* Latin-1 letters */
	MAP("caf\xe9 cr\xe8me \xab \xbb", "caf\xc3\xa9 cr\xc3\xa8me \xc2\xab \xc2\xbb", 4, 0, 0);
	/* 80 is the euro sign, 92 a right quote, 81 (undefined) stays U+0081 */
	MAP("\x80\x92\x81", "\xe2\x82\xac\xe2\x80\x99\xc2\x81", 3, 0, 0);
	/* valid UTF-8 kept, the stray byte alone mapped */
	MAP("d\xc3\xa9j\xe0 vu", "d\xc3\xa9j\xc3\xa0 vu", 1, 0, 0);
	/* a truncated sequence at the end: each byte on its own */
	MAP("x\xc3", "x\xc3\x83", 1, 0, 0);
	/* a UTF-8-encoded surrogate is not UTF-8: three bytes mapped */
	MAP("\xed\xa0\x80", "\xc3\xad\xc2\xa0\xe2\x82\xac", 3, 0, 0);
	/* an overlong NUL */
	MAP("\xc0\x80", "\xc3\x80\xe2\x82\xac", 2, 0, 0);
	/* FF and FE are never UTF-8 */
	MAP("\xff\xfe", "\xc3\xbf\xc3\xbe", 2, 0, 0);
}

static void test_nonchars(void **state)
{
	(void)state;
	MAP("a\xef\xbf\xbe" "b\xef\xbf\xbf", "a\xef\xbf\xbd" "b\xef\xbf\xbd", 0, 0, 2);
}

static void test_escape(void **state)
{
	rp_buf b = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };

	(void)state;
	assert_int_equal(rp_xml_escape(&b, "a<b>&c\x01\"'", 9, &fix), 0);
	assert_string_equal(b.data, "a&lt;b&gt;&amp;c\xe2\x90\x81\"'");
	assert_int_equal(fix.controls, 1);
	rp_buf_free(&b);
}

static void cdata_is(const char *s, size_t n, const char *want)
{
	rp_buf b = RP_BUF_INIT;
	rp_xml_fix fix = { 0, 0, 0 };

	assert_int_equal(rp_xml_cdata(&b, s, n, &fix), 0);
	assert_string_equal(b.data, want);
	rp_buf_free(&b);
}
#define CDATA(lit, want) cdata_is(lit, sizeof(lit) - 1, want)

static void test_cdata_split(void **state)
{
	(void)state;
	CDATA("", "<![CDATA[]]>");
	CDATA("plain", "<![CDATA[plain]]>");
	CDATA("a]]>b", "<![CDATA[a]]]]><![CDATA[>b]]>");
	CDATA("]]>", "<![CDATA[]]]]><![CDATA[>]]>");
	CDATA("]]>]]>", "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>");
	CDATA("]]]]>", "<![CDATA[]]]]]]><![CDATA[>]]>");
	CDATA("x]]", "<![CDATA[x]]]]>");
	CDATA("]>]]", "<![CDATA[]>]]]]>");
	/* a control character between "]]" and ">" is mapped, which does not
	 * make a "]]>" */
	CDATA("]]\x01>", "<![CDATA[]]\xe2\x90\x81>]]>");
}

/* Every CDATA section parses back to the mapped text (libxml2). */
static void test_cdata_round_trip(void **state)
{
	static const char *const samples[] = { "a]]>b", "]]>]]>]]>", "]]]]]]>>>", "x]]", "]", "]]", ">", "ok",
		                               "\xe9]]>\x01", "]]>\xc3\xa9]]>" };
	(void)state;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		rp_buf doc = RP_BUF_INIT, want = RP_BUF_INIT;
		rp_xml_fix fix = { 0, 0, 0 };
		xmlDocPtr d;
		xmlChar *got;
		size_t n = strlen(samples[i]);
		rp_buf_puts(&doc, "<r>");
		assert_int_equal(rp_xml_cdata(&doc, samples[i], n, &fix), 0);
		rp_buf_puts(&doc, "</r>");
		assert_int_equal(rp_xml_map(&want, samples[i], n, &fix), 0);
		d = xmlReadMemory(doc.data, (int)doc.len, "t.xml", "UTF-8", XML_PARSE_NONET);
		assert_non_null(d);
		got = xmlNodeGetContent(xmlDocGetRootElement(d));
		assert_string_equal((const char *)got, want.data);
		xmlFree(got);
		xmlFreeDoc(d);
		rp_buf_free(&doc);
		rp_buf_free(&want);
	}
}

/* Random bytes always map to text an XML parser takes back as it is. */
static void test_random_bytes_parse(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	(void)state;
	for (int round = 0; round < 2000; round++) {
		char in[64];
		size_t n = (size_t)(round % 64);
		rp_buf doc = RP_BUF_INIT, want = RP_BUF_INIT;
		rp_xml_fix fix = { 0, 0, 0 };
		xmlDocPtr d;
		xmlChar *got;
		for (size_t i = 0; i < n; i++) {
			s ^= s >> 12;
			s ^= s << 25;
			s ^= s >> 27;
			/* bias towards ']' and '>' so that "]]>" turns up */
			unsigned v = (unsigned)((s * UINT64_C(2685821657736338717)) >> 56);
			in[i] = (char)(v < 40 ? ']' : v < 60 ? '>' : v);
		}
		rp_buf_puts(&doc, "<r a=\"");
		assert_int_equal(rp_xml_escape(&doc, in, n, &fix), 0);
		rp_buf_puts(&doc, "\">");
		assert_int_equal(rp_xml_cdata(&doc, in, n, &fix), 0);
		rp_buf_puts(&doc, "</r>");
		assert_int_equal(rp_xml_map(&want, in, n, &fix), 0);
		d = xmlReadMemory(doc.data, (int)doc.len, "t.xml", "UTF-8", XML_PARSE_NONET);
		assert_non_null(d);
		got = xmlNodeGetContent(xmlDocGetRootElement(d));
		assert_memory_equal(got, want.data, want.len);
		assert_int_equal(strlen((const char *)got), want.len);
		xmlFree(got);
		xmlFreeDoc(d);
		rp_buf_free(&doc);
		rp_buf_free(&want);
	}
}

typedef struct seen {
	char v[8][64];
	int n;
} seen;

static int keep(void *ctx, const char *v, size_t len)
{
	seen *s = ctx;
	if (s->n < 8 && len < 64) {
		memcpy(s->v[s->n], v, len);
		s->v[s->n][len] = '\0';
		s->n++;
	}
	return 0;
}

static void test_php_unserialize(void **state)
{
	/* _wp_attachment_metadata of a scaled image with one size */
	static const char meta[] =
		"a:6:{s:5:\"width\";i:2560;s:6:\"height\";i:1707;s:4:\"file\";s:24:\"2024/05/photo-scaled.jpg\";"
		"s:5:\"sizes\";a:1:{s:9:\"thumbnail\";a:4:{s:4:\"file\";s:17:\"photo-150x150.jpg\";s:5:\"width\";i:150;"
		"s:6:\"height\";i:150;s:9:\"mime-type\";s:10:\"image/jpeg\";}}s:10:\"image_meta\";a:1:{s:5:\"title\";"
		"s:0:\"\";}s:14:\"original_image\";s:9:\"photo.jpg\";}";
	seen s;

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(rp_php_unserialize_scan(meta, sizeof meta - 1, "file", keep, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0], "2024/05/photo-scaled.jpg");
	assert_string_equal(s.v[1], "photo-150x150.jpg");
	memset(&s, 0, sizeof s);
	assert_int_equal(rp_php_unserialize_scan(meta, sizeof meta - 1, "original_image", keep, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0], "photo.jpg");
	/* a wrong length is not a serialized value */
	memset(&s, 0, sizeof s);
	assert_int_equal(rp_php_unserialize_scan("a:1:{s:4:\"file\";s:9:\"a.jpg\";}", 29, "file", keep, &s), -1);
	/* sticky_posts: integers of the top-level array */
	memset(&s, 0, sizeof s);
	assert_int_equal(rp_php_unserialize_scan("a:2:{i:0;i:9;i:1;s:2:\"12\";}", 27, NULL, keep, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0], "9");
	assert_string_equal(s.v[1], "12");
	/* integers beyond 64 bits saturate as unserialize() reads them:
	 * PHP_INT_MIN itself ("i:-9223372036854775808;") was negated as a
	 * long long (undefined behaviour) */
	memset(&s, 0, sizeof s);
	{
		const char *big = "a:4:{i:0;i:-9223372036854775808;i:1;i:-99999999999999999999999;"
		                  "i:2;i:9223372036854775808;i:3;i:18446744073709551617;}";
		assert_int_equal(rp_php_unserialize_scan(big, strlen(big), NULL, keep, &s), 0);
		assert_int_equal(s.n, 4);
		assert_string_equal(s.v[0], "-9223372036854775808");
		assert_string_equal(s.v[1], "-9223372036854775808");
		assert_string_equal(s.v[2], "9223372036854775807");
		assert_string_equal(s.v[3], "9223372036854775807");
	}
	/* objects, booleans, doubles, NULL, nested arrays */
	memset(&s, 0, sizeof s);
	{
		const char *o = "O:8:\"stdClass\":3:{s:1:\"a\";b:1;s:1:\"b\";d:0.5;s:4:\"file\";N;}";
		assert_int_equal(rp_php_unserialize_scan(o, strlen(o), "file", keep, &s), 0);
		assert_int_equal(s.n, 0);
	}
	assert_int_equal(rp_php_unserialize_scan("", 0, "file", keep, &s), -1);
	assert_int_equal(rp_php_unserialize_scan("s:5:\"ab\";", 9, "file", keep, &s), -1);
	assert_int_equal(rp_php_unserialize_scan("a:1:{", 5, "file", keep, &s), -1);
}

static void url_is(const char *in, const char *want)
{
	rp_buf b = RP_BUF_INIT;
	rp_wp_esc_url(&b, in, strlen(in));
	assert_string_equal(b.data ? b.data : "", want);
	rp_buf_free(&b);
}

static void test_esc_url(void **state)
{
	(void)state;
	url_is("https://www.example.org/?p=1", "https://www.example.org/?p=1");
	url_is("https://exemple.fr/a b?x=1&y=2'z", "https://exemple.fr/a%20b?x=1&y=2'z");
	url_is("  https://x.org/<script>\"", "https://x.org/script");
	url_is("www.example.org/page", "http://www.example.org/page");
	url_is("/relative/path", "/relative/path");
	url_is("?p=5", "?p=5");
	url_is("index.php?p=1", "index.php?p=1");
	url_is("javascript:alert(1)", "");
	url_is("https://x.org/a%0Ab%0d%0Dc", "https://x.org/abc");
	url_is("mailto:a@b.org", "mailto:a@b.org");
	url_is("https://x.org/%f0%9f%9b%a1-slug/", "https://x.org/%f0%9f%9b%a1-slug/");
	url_is("", "");
}


/* The channel's title and description keep the character references
 * bloginfo_rss() leaves; one to a character XML cannot hold ("&#1;",
 * "&#xD800;") would make the file unreadable: it is mapped as that
 * character would be, and recorded. */
static void test_channel_char_refs(void **state)
{
	char dir[] = "/tmp/rp-test-wxr-XXXXXX", out[128], *path;
	char url[] = "https://x.org", tagline[] = "<b>t</b> &#8;",
	     name[] = "A &#1; &#x0; &#xD800; &#xfffe; &#99999999999; &#x110000; &#233;&#xE9; &amp; &nbsp; &#x9;";
	rp_package *pkg;
	rp_wxr *w;
	rp_wp_consumer c;
	rp_wp_site site;
	rp_wp_channel ch;
	const rp_wxr_result *res;
	xmlDocPtr d;
	xmlNodePtr n;
	xmlChar *title = NULL, *desc = NULL;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof out, "%s/pkg", dir);
	assert_int_equal(rp_package_create(&pkg, out), 0);
	assert_int_equal(rp_wxr_open(&w, pkg, "site.wxr.xml", 0), 0);
	memset(&site, 0, sizeof site);
	memset(&ch, 0, sizeof ch);
	site.siteurl = url;
	site.blogname = name;
	site.blogdescription = tagline;
	c = rp_wxr_consumer(w);
	assert_int_equal(c.begin(c.ctx, &site, &ch), 0);
	assert_int_equal(c.end(c.ctx), 0);
	res = rp_wxr_result_get(w);
	assert_int_equal(res->changed, 2);
	assert_int_equal(res->nchanges, 2);
	assert_string_equal(res->changes[0].where, "channel");
	assert_string_equal(res->changes[0].field, "title");
	assert_int_equal(res->changes[0].fix.controls, 2);
	assert_int_equal(res->changes[0].fix.nonchars, 1);
	assert_int_equal(res->changes[0].fix.invalid, 3);
	assert_string_equal(res->changes[1].field, "description");
	assert_int_equal(res->changes[1].fix.controls, 1);

	path = rp_sprintf("%s/data/site.wxr.xml", rp_package_root_path(pkg));
	assert_non_null(path);
	d = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(d);
	n = xmlDocGetRootElement(d);
	assert_non_null(n);
	for (n = n ? n->children : NULL; n && !xmlStrEqual(n->name, BAD_CAST "channel"); n = n->next)
		;
	assert_non_null(n);
	for (n = n ? n->children : NULL; n; n = n->next) {
		if (xmlStrEqual(n->name, BAD_CAST "title"))
			title = xmlNodeGetContent(n);
		else if (xmlStrEqual(n->name, BAD_CAST "description"))
			desc = xmlNodeGetContent(n);
	}
	assert_non_null(title);
	assert_non_null(desc);
	assert_string_equal((const char *)title,
	                    "A \xe2\x90\x81 \xe2\x90\x80 \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd "
	                    "\xef\xbf\xbd \xc3\xa9\xc3\xa9 & &nbsp; \t");
	assert_string_equal((const char *)desc, "t \xe2\x90\x88");
	xmlFree(title);
	xmlFree(desc);
	xmlFreeDoc(d);
	free(path);
	rp_wxr_free(w);
	rp_package_abort(pkg);
	rp_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_text_unchanged),
		cmocka_unit_test(test_controls_become_pictures),
		cmocka_unit_test(test_invalid_bytes_as_windows_1252),
		cmocka_unit_test(test_nonchars),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_cdata_split),
		cmocka_unit_test(test_cdata_round_trip),
		cmocka_unit_test(test_random_bytes_parse),
		cmocka_unit_test(test_php_unserialize),
		cmocka_unit_test(test_esc_url),
		cmocka_unit_test(test_channel_char_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
