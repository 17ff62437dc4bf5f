/* Schema-validated streaming XML readers (see xmlcheck.h). */
#include "check/xmlcheck.h"

#include <limits.h>
#include <string.h>

#include "revpack/error.h"

xmlSchemaPtr rp_xml_schema_from_memory(const unsigned char *xsd, size_t len, const char *what,
                                       xmlStructuredErrorFunc err, void *ctx)
{
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaPtr schema;

	if (len > INT_MAX) {
		rp_error_set(RP_E_INTERNAL, "the %s compiled into revpack is too large", what);
		return NULL;
	}
	pctxt = xmlSchemaNewMemParserCtxt((const char *)xsd, (int)len);
	if (!pctxt) {
		rp_error_nomem();
		return NULL;
	}
	if (err)
		xmlSchemaSetParserStructuredErrors(pctxt, err, ctx);
	schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if (!schema)
		rp_error_set(RP_E_INTERNAL, "the %s compiled into revpack cannot be parsed", what);
	return schema;
}

int rp_xml_validated_open(rp_xml_validated *x, xmlSchemaPtr schema, xmlInputReadCallback rd,
                          xmlInputCloseCallback cl, void *io, const char *url, int flags,
                          xmlStructuredErrorFunc err, void *ctx)
{
	memset(x, 0, sizeof *x);
	if (!(x->vctxt = xmlSchemaNewValidCtxt(schema))) {
		rp_error_nomem();
		goto fail;
	}
	xmlSchemaSetValidStructuredErrors(x->vctxt, err, ctx);
	/* No network, no DTD loading, no entity substitution. */
	x->reader = xmlReaderForIO(rd, cl, io, url, NULL, XML_PARSE_NONET | flags);
	if (!x->reader) {
		rp_error_nomem();
		goto fail;
	}
	/* In this order: libxml2 2.9 crashes on a parse error when the handler
	 * is set after the validation context. */
	xmlTextReaderSetStructuredErrorHandler(x->reader, err, ctx);
	if (xmlTextReaderSchemaValidateCtxt(x->reader, x->vctxt, 0) != 0) {
		rp_error_set(RP_E_INTERNAL, "cannot validate %s against its schema", url);
		goto fail;
	}
	return 0;
fail:
	rp_xml_validated_close(x);
	return -1;
}

void rp_xml_validated_close(rp_xml_validated *x)
{
	if (x->reader)
		xmlFreeTextReader(x->reader);
	if (x->vctxt)
		xmlSchemaFreeValidCtxt(x->vctxt);
	memset(x, 0, sizeof *x);
}
