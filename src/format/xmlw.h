/*
 * Small helpers over libxml2's xmlTextWriter with a sticky result: after
 * the first failure every call does nothing, and the caller checks rc once.
 * Internal to revpack_core (the WXR writer, inventory.xml's content section).
 */
#ifndef REVPACK_FORMAT_XMLW_H
#define REVPACK_FORMAT_XMLW_H

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

typedef struct rp_xmlw {
	xmlTextWriterPtr x;
	int rc;                 /* < 0 after the first failure */
} rp_xmlw;

#define RP_XC(s) ((const xmlChar *)(s))

static inline void rp_xmlw_start(rp_xmlw *w, const char *name)
{
	if (w->rc >= 0)
		w->rc = xmlTextWriterStartElement(w->x, RP_XC(name));
}

static inline void rp_xmlw_end(rp_xmlw *w)
{
	if (w->rc >= 0)
		w->rc = xmlTextWriterEndElement(w->x);
}

/* Nothing when value is NULL. */
static inline void rp_xmlw_attr(rp_xmlw *w, const char *name, const char *value)
{
	if (w->rc >= 0 && value)
		w->rc = xmlTextWriterWriteAttribute(w->x, RP_XC(name), RP_XC(value));
}

static inline void rp_xmlw_attr_u(rp_xmlw *w, const char *name, unsigned long long v)
{
	char b[24];
	snprintf(b, sizeof b, "%llu", v);
	rp_xmlw_attr(w, name, b);
}

/* Bytes written as they are (already escaped, or CDATA). */
static inline void rp_xmlw_raw(rp_xmlw *w, const char *s, size_t n)
{
	if (w->rc >= 0 && n)
		w->rc = xmlTextWriterWriteRawLen(w->x, RP_XC(s), (int)n);
}

#endif
