/*
 * Readable plain text from a post's HTML (formats/friendly-csv.md, "Plain
 * text"), for the friendly CSV and the offline guide: what a reader sees
 * in the page, without markup.
 *
 * The bytes are first made UTF-8 as xmltext.h does (a byte outside
 * well-formed UTF-8 read as Windows-1252; control characters other than
 * TAB, LF and CR dropped), then parsed by libxml2's HTML parser, which
 * decodes character references and named entities. Text is kept; comments
 * (Gutenberg's <!-- wp:... --> block delimiters among them), script, style,
 * template and head elements are dropped; each paragraph, heading, list
 * item, table row, block element and <br> starts a new line, list items
 * start with "- ", table cells are separated by a TAB; runs of blanks
 * within a line become one space, lines are trimmed, and more than one
 * empty line in a row becomes one. Shortcodes ([gallery ids="1"]) are text
 * as far as HTML is concerned and stay.
 */
#ifndef REVPACK_HTMLTEXT_H
#define REVPACK_HTMLTEXT_H

#include <stddef.h>

#include "revpack/buf.h"

/* Appends the text of the n bytes of HTML to out. */
int rp_html_text(rp_buf *out, const char *html, size_t n);

#endif
