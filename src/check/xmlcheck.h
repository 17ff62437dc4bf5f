/*
 * Schema-validated streaming XML readers, as verify uses them for
 * inventory.xml and the SIARD files: no network, no DTD loading, no entity
 * substitution; errors go to one structured handler.
 */
#ifndef REVPACK_CHECK_XMLCHECK_H
#define REVPACK_CHECK_XMLCHECK_H

#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <stddef.h>

typedef struct rp_xml_validated {
	xmlSchemaValidCtxtPtr vctxt;
	xmlTextReaderPtr reader;
} rp_xml_validated;

/* Parses a schema held in memory (compiled into revpack); what names it in
 * the error. Parser errors go to err(ctx) when err is set. NULL with
 * rp_error set on failure. */
xmlSchemaPtr rp_xml_schema_from_memory(const unsigned char *xsd, size_t len, const char *what,
                                       xmlStructuredErrorFunc err, void *ctx);

/* Opens a reader over (rd, cl, io) that validates against schema while it
 * is read; url names the document; flags are ORed with XML_PARSE_NONET.
 * Returns 0, or -1 with rp_error set (x is then empty). */
int rp_xml_validated_open(rp_xml_validated *x, xmlSchemaPtr schema, xmlInputReadCallback rd,
                          xmlInputCloseCallback cl, void *io, const char *url, int flags,
                          xmlStructuredErrorFunc err, void *ctx);
void rp_xml_validated_close(rp_xml_validated *x);

#endif
