/* Unit tests: plain text from a post's HTML (htmltext.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/htmltext.h"

static void text_is(const char *html, const char *want)
{
	rp_buf b = RP_BUF_INIT;

	assert_int_equal(rp_html_text(&b, html, strlen(html)), 0);
	if (!*html) {
		assert_true(b.len == 0);
	} else {
		assert_non_null(b.data);
		assert_string_equal(b.data, want);
	}
	rp_buf_free(&b);
}

static void test_paragraphs_and_blocks(void **state)
{
	(void)state;
	text_is("", "");
	text_is("plain words", "plain words");
	text_is("<p>Un</p><p>Deux</p>", "Un\n\nDeux");
	text_is("  <p>  spaced \n\t out  </p>  ", "spaced out");
	text_is("<h2>Titre</h2>Texte<br>ligne<br/><br>après", "Titre\n\nTexte\nligne\n\naprès");
	text_is("<div>a</div><div>b</div>", "a\nb");
	text_is("<P>Up</P><LI>per</LI><SCRIPT>x()</SCRIPT>", "Up\n\n- per");
	text_is("<em>in</em><strong>line</strong> <a href='x'>link</a>", "inline link");
}

static void test_gutenberg_and_entities(void **state)
{
	(void)state;
	text_is("<!-- wp:paragraph -->\n<p>Caf&eacute; &amp; th&#233; &lt;b&gt; &#x2014; &nbsp;!</p>\n"
	        "<!-- /wp:paragraph -->",
	        "Café & thé <b> — \xc2\xa0!");
	text_is("[gallery ids=\"1,2\"]<p>x</p>", "[gallery ids=\"1,2\"]\n\nx");
}

static void test_lists_tables_pre(void **state)
{
	(void)state;
	text_is("<ul><li>one</li><li>two <b>2</b></li></ul>after", "- one\n- two 2\n\nafter");
	text_is("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>", "A\tB\n1\t2");
	text_is("<pre>line 1\n  indented\n</pre>", "line 1\n  indented");
}

static void test_dropped(void **state)
{
	(void)state;
	text_is("<script>alert('x')</script><p>kept</p><style>p{}</style>", "kept");
	text_is("<p>t<img src=x onerror=\"alert(1)\">u</p>", "tu");
	text_is("<iframe src=\"https://e.invalid\">fallback</iframe>ok", "ok");
}

static void test_broken_and_bytes(void **state)
{
	rp_buf b = RP_BUF_INIT;
	static const char latin1[] = "<p>caf\xe9\x01</p>";

	(void)state;
	text_is("<p>unclosed <b>bold", "unclosed bold");
	text_is("a < b and c > d", "a < b and c > d");
	/* Latin-1 byte read as Windows-1252, control as its picture */
	assert_int_equal(rp_html_text(&b, latin1, sizeof latin1 - 1), 0);
	assert_string_equal(b.data, "caf\xc3\xa9\xe2\x90\x81");
	rp_buf_free(&b);
}

static void test_large(void **state)
{
	/* more than one 1 MiB chunk, a multibyte character across the cut */
	size_t n = (3u << 20) + 7;
	char *h = malloc(n + 1);
	rp_buf b = RP_BUF_INIT;
	size_t i;

	(void)state;
	assert_non_null(h);
	for (i = 0; i + 2 <= n; i += 2)
		memcpy(h + i, "\xc3\xa9", 2);
	while (i < n)
		h[i++] = 'x';
	h[n] = '\0';
	assert_int_equal(rp_html_text(&b, h, n), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, h, n);
	rp_buf_free(&b);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_blocks), cmocka_unit_test(test_gutenberg_and_entities),
		cmocka_unit_test(test_lists_tables_pre),      cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_broken_and_bytes),      cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
