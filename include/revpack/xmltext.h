/*
 * Text from a database made fit for XML 1.0 (formats/wxr.md, "Values XML
 * cannot carry"): the output is always well-formed UTF-8 holding only
 * characters XML allows, whatever bytes the value holds.
 *
 *  - a byte that is not part of a well-formed UTF-8 sequence (RFC 3629)
 *    becomes the character MariaDB's latin1 (Windows-1252) gives it: E9 is
 *    U+00E9 "é", 80 is U+20AC "€", 81 is U+0081;
 *  - a C0 control character XML 1.0 cannot hold (all but TAB, LF and CR)
 *    becomes its Unicode control picture, U+2400 + byte: NUL is U+2400 "␀",
 *    ESC is U+241B "␛";
 *  - U+FFFE and U+FFFF become U+FFFD.
 *
 * Every change is counted in an rp_xml_fix so that the caller can record
 * which values were changed and how.
 */
#ifndef REVPACK_XMLTEXT_H
#define REVPACK_XMLTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/buf.h"

typedef struct rp_xml_fix {
	uint64_t invalid;   /* bytes outside well-formed UTF-8, read as Windows-1252 */
	uint64_t controls;  /* C0 controls replaced by control pictures */
	uint64_t nonchars;  /* U+FFFE / U+FFFF replaced by U+FFFD */
} rp_xml_fix;

static inline bool rp_xml_fix_any(const rp_xml_fix *f)
{
	return f->invalid || f->controls || f->nonchars;
}

/* True when the n bytes go into XML unchanged (well-formed UTF-8, only
 * characters XML 1.0 allows). */
bool rp_xml_clean(const char *s, size_t n);

/* Appends s mapped as above (no escaping); adds the changes made to *fix. */
int rp_xml_map(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix);

/* Appends s mapped and escaped as element text (&amp; &lt; &gt;). */
int rp_xml_escape(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix);

/* Appends s mapped, as one CDATA section or several: each "]]>" in the
 * text is split as "]]]]><![CDATA[>", as WordPress's own exporter does. */
int rp_xml_cdata(rp_buf *out, const char *s, size_t n, rp_xml_fix *fix);

#endif
