/* The language of texts for people (lang.h). */
#include "revpack/lang.h"

#include <string.h>

int rp_lang_parse(const char *code, rp_lang *out)
{
	if (strcmp(code, "fr") == 0)
		*out = RP_LANG_FR;
	else if (strcmp(code, "en") == 0)
		*out = RP_LANG_EN;
	else
		return -1;
	return 0;
}

const char *rp_lang_code(rp_lang l)
{
	return l == RP_LANG_EN ? "en" : "fr";
}
